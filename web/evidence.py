"""Evidence out of the archive: a capture's original bytes, its WARC record, and the CDX
index the replay server (pywb) reads to find records in the archive's WARC files."""

from __future__ import annotations

import json
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from capture.filenames import content_disposition_filename, filename_from_url
from capture.reader import RecordReadError, read_record
from storage import reading
from storage.reading import CaptureDetail
from web.room import Room

EXTENSIONS = {
    "text/html": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-works": ".wps",
    "application/zip": ".zip",
    "application/ofd": ".ofd",
    "text/plain": ".txt",
    "application/json": ".json",
    "application/xml": ".xml",
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class EvidenceError(RuntimeError):
    """The archive cannot give these bytes back (a WARC file missing or damaged)."""


@dataclass
class Original:
    body: bytes
    media_type: str
    filename: str
    payload_of: int
    """The capture whose record holds the bytes (itself, or for a revisit the original)."""


def _header_bytes(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def download_name(detail: CaptureDetail, disposition: str | None, media_type: str) -> str:
    """The file name the publisher gave (Content-Disposition, as the crawler read it),
    else the URL's last segment, with an extension that fits the type."""
    doc = detail.document or {}
    name = (
        doc.get("filename")
        or content_disposition_filename(_header_bytes(disposition) if disposition else None)
        or filename_from_url(detail.url)
        or (urlsplit(detail.url).path.rstrip("/").rsplit("/", 1)[-1] or "")
    )
    name = unicodedata.normalize("NFC", _UNSAFE.sub("_", name)).strip(" ._") or (
        f"capture-{detail.capture_id}"
    )
    stem, dot, ext = name.rpartition(".")
    wanted = EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type) or ""
    if (
        not dot
        or not stem
        or len(ext) > 5
        or (
            wanted
            and media_type != "application/octet-stream"
            and "." + ext.lower() not in (wanted, ".htm", ".jpeg", ".et", ".ofd")
        )
    ):
        name = name + wanted
    return name[:180]


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one (RFC 6266 / 5987)."""
    ascii_name = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "download"
    )
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "_", ascii_name).strip() or "download"
    if not re.search(r"\.[A-Za-z0-9]{1,5}$", ascii_name) and "." in filename:
        ascii_name += "." + filename.rsplit(".", 1)[-1].encode("ascii", "ignore").decode()
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def original(room: Room, capture_id: int) -> tuple[CaptureDetail, Original]:
    detail = reading.capture_detail(room.archive, capture_id)
    if detail is None:
        raise KeyError(f"no capture {capture_id}")
    location = room.archive.capture_location(capture_id)
    try:
        record = read_record(room.archive.warc_dir, location)
    except (OSError, RecordReadError) as exc:
        raise EvidenceError(
            f"capture {capture_id}: cannot read {location.warc_file}@{location.offset}: {exc}"
        ) from exc
    body = record.content_stream().read()
    http = record.http_headers
    raw_type = (http.get_header("Content-Type") if http else None) or ""
    disposition = http.get_header("Content-Disposition") if http else None
    if detail.record_type == "revisit":  # the original's own headers came with its record
        disposition = disposition or detail.headers.get("content-disposition")
    doc_type = (detail.document or {}).get("media_type")
    base = raw_type.split(";", 1)[0].strip().lower()
    media_type = doc_type or detail.media_type or base or "application/octet-stream"
    if media_type == "text/html" and "charset=" in raw_type.lower() and base == "text/html":
        media_type = raw_type.strip()
    name = download_name(detail, disposition, media_type.split(";", 1)[0])
    return detail, Original(body, media_type, name, location.capture_id)


def warc_record(room: Room, capture_id: int) -> tuple[CaptureDetail, bytes]:
    """The capture's own WARC record, as the gzip member stored in its WARC file (a
    valid one-record ``.warc.gz``)."""
    detail = reading.capture_detail(room.archive, capture_id)
    if detail is None:
        raise KeyError(f"no capture {capture_id}")
    path = room.archive.warc_dir / detail.warc_file
    try:
        with open(path, "rb") as fh:
            fh.seek(detail.warc_offset)
            data = fh.read(detail.warc_length)
    except OSError as exc:
        raise EvidenceError(
            f"capture {capture_id}: cannot read {path.name}: {exc.strerror}"
        ) from exc
    if len(data) != detail.warc_length:
        raise EvidenceError(
            f"capture {capture_id}: {path.name} holds {len(data)} of {detail.warc_length} bytes"
        )
    return detail, data


# -- the CDX index for pywb -------------------------------------------------------------
def surt(url: str) -> str:
    """The sort-friendly URL key of CDX indexes: host labels reversed, lower-cased."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if not re.fullmatch(r"[\d.]+", host):
        host = ",".join(reversed(host.split(".")))
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    path = parts.path or "/"
    return f"{host}){path.lower()}" + (f"?{parts.query.lower()}" if parts.query else "")


def timestamp14(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _closeness(stamp: str, closest: str) -> int:
    def seconds(value: str) -> int:
        value = (value + "00000101000000"[len(value) :])[:14]
        try:
            return int(datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp())
        except ValueError:
            return 0

    return abs(seconds(stamp) - seconds(closest))


def cdx_lines(room: Room, url: str, *, closest: str | None, limit: int) -> list[str]:
    """CDXJ lines of every capture of exactly ``url`` (closest to ``closest`` first).
    A revisit carries the original record's place (``orig.*``), so the replay server
    reads the payload from there without a second lookup."""
    entries = []
    warc_dir = room.archive.warc_dir
    for cap in reading.captures_of_url(room.archive, url):
        stamp = timestamp14(cap["captured_at"])
        original = cap["original"]
        fields: dict[str, str] = {
            "url": cap["url"],
            "mime": (original or {}).get("media_type") or cap["media_type"] or "unk",
            "status": str(cap["status"]),
            "digest": "sha256:" + cap["sha256"],
            "length": str(cap["warc_length"]),
            "offset": str(cap["warc_offset"]),
            "filename": cap["warc_file"],
        }
        if original is not None:
            fields.update(
                {
                    "orig.filename": original["warc_file"],
                    "orig.offset": str(original["warc_offset"]),
                    "orig.length": str(original["warc_length"]),
                }
            )
        if not (Path(warc_dir) / cap["warc_file"]).exists():
            continue
        entries.append((stamp, fields))
    if closest:
        entries.sort(key=lambda e: (_closeness(e[0], closest), e[0]))
    return [
        f"{surt(f['url'])} {stamp} {json.dumps(f, ensure_ascii=False)}"
        for stamp, f in entries[:limit]
    ]
