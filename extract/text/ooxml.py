"""Safe XML parsing for the OOXML/OFD containers (defusedxml: no DTDs, no entities)."""

from __future__ import annotations

import zipfile
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from extract.limits import ExtractionError, Limits, read_zip_member


def parse_xml(data: bytes, what: str) -> Element:
    """Parse XML refusing DTDs and entity declarations (billion laughs, external entities)."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as exc:
        raise ExtractionError(
            f"{what}: XML with DTD/entity declarations refused (possible entity bomb): "
            f"{type(exc).__name__}"
        ) from exc
    except SafeET.ParseError as exc:
        raise ExtractionError(f"{what}: malformed XML: {exc}") from exc
    except (LookupError, ValueError) as exc:  # an unknown or broken encoding declaration
        raise ExtractionError(f"{what}: malformed XML: {exc}") from exc


def read_xml_member(archive: zipfile.ZipFile, name: str, limits: Limits, what: str) -> Element:
    return parse_xml(read_zip_member(archive, name, limits, what), f"{what} {name}")


def core_properties(archive: zipfile.ZipFile, limits: Limits, what: str) -> dict[str, str]:
    """``docProps/core.xml`` as ``{"dc:title": …, "dcterms:created": …}`` (missing → empty)."""
    if "docProps/core.xml" not in archive.namelist():
        return {}
    root = read_xml_member(archive, "docProps/core.xml", limits, what)
    prefixes = {
        "http://purl.org/dc/elements/1.1/": "dc",
        "http://purl.org/dc/terms/": "dcterms",
        "http://schemas.openxmlformats.org/package/2006/metadata/core-properties": "cp",
    }
    meta: dict[str, str] = {}
    for child in root:
        if not child.tag.startswith("{"):
            continue
        uri, local = child.tag[1:].split("}", 1)
        value = (child.text or "").strip()
        if value and uri in prefixes:
            meta[f"{prefixes[uri]}:{local}"] = value[:500]
    return meta
