"""OFD (GB/T 33190, the Chinese fixed-layout format): text of every page's TextCode.

Text objects are ordered by position (top to bottom, then left to right) and grouped into
lines; a line holds the TextCodes whose baselines lie within half a glyph height.
"""

from __future__ import annotations

import posixpath
import re

from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, open_zip
from extract.sniff import OFD
from extract.text.grid import clean_inline
from extract.text.ooxml import read_xml_member
from extract.types import TextDocument


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str):  # type: ignore[no-untyped-def]
    return [child for child in element.iter() if _local(child.tag) == name]


def read_ofd(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    archive = open_zip(data, limits, "ofd")
    with archive:
        names = set(archive.namelist())
        root = read_xml_member(archive, "OFD.xml", limits, "ofd")
        doc_roots = [(node.text or "").strip().lstrip("/") for node in _children(root, "DocRoot")]
        if not doc_roots or doc_roots[0] not in names:
            raise ExtractionError("ofd: OFD.xml names no readable DocRoot")
        doc_path = doc_roots[0]
        document = read_xml_member(archive, doc_path, limits, "ofd")
        base = posixpath.dirname(doc_path)
        page_paths = []
        for page in _children(document, "Page"):
            location = (page.get("BaseLoc") or "").lstrip("/")
            path = posixpath.normpath(posixpath.join(base, location)) if location else ""
            if path not in names and location in names:
                path = location
            if path in names:
                page_paths.append(path)
        meta: dict[str, str] = {}
        for key in ("Title", "Author", "CreationDate", "ModDate"):
            found = _children(root, key)
            if found and (found[0].text or "").strip():
                meta[f"ofd:{key}"] = clean_inline(found[0].text or "")[:500]
        lines: list[str] = []
        for path in page_paths[: limits.max_pages]:
            content = read_xml_member(archive, path, limits, "ofd")
            items: list[tuple[float, float, float, str]] = []
            for text_object in _children(content, "TextObject"):
                size = float(text_object.get("Size", "10") or 10)
                box = [
                    float(v)
                    for v in re.findall(r"-?\d+(?:\.\d+)?", text_object.get("Boundary", ""))
                ]
                ox, oy = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
                for code in _children(text_object, "TextCode"):
                    x = ox + float(code.get("X", "0") or 0)
                    y = oy + float(code.get("Y", "0") or 0)
                    items.append((y, x, size, code.text or ""))
            items.sort()
            current: list[tuple[float, str]] = []
            line_y: float | None = None
            for y, x, size, text in items:
                if line_y is not None and abs(y - line_y) > size / 2:
                    lines.append(clean_inline("".join(t for _, t in sorted(current))))
                    current = []
                line_y = y if line_y is None or abs(y - line_y) > size / 2 else line_y
                current.append((x, text))
            if current:
                lines.append(clean_inline("".join(t for _, t in sorted(current))))
    text = "\n".join(line for line in lines if line)
    title = next((line for line in lines if line), None)
    return TextDocument(
        media_type=OFD,
        text=text,
        title=title,
        meta=meta,
        pages=len(page_paths),
        needs_ocr=len(text.strip()) < 20 * max(1, min(len(page_paths), 5)),
    )
