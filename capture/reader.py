"""Reading one indexed WARC record back: its gzip member, parsed by warcio."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator


@dataclass(frozen=True)
class IndexedRecord:
    """Where the SQL index says a capture's record lies, and what it holds."""

    capture_id: int
    url: str
    warc_file: str
    offset: int
    length: int
    record_type: str
    payload_sha256: str


class RecordReadError(ValueError):
    """The indexed bytes are missing, short or not a WARC record; the message says which."""


def read_record(warc_dir: Path, rec: IndexedRecord) -> Any:
    """The warcio record at the indexed place (a file-system error propagates)."""
    with open(warc_dir / rec.warc_file, "rb") as fh:
        fh.seek(rec.offset)
        raw = fh.read(rec.length)
    if len(raw) != rec.length:
        raise RecordReadError(f"record truncated: {len(raw)} of {rec.length} bytes")
    try:
        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw)
        return next(iter(ArchiveIterator(BytesIO(data))))
    except Exception as exc:  # any parse failure: the record cannot be read
        raise RecordReadError(f"record unreadable: {exc}") from exc


def read_payload(warc_dir: Path, rec: IndexedRecord) -> tuple[bytes, str | None]:
    """The payload and Content-Type of a response record."""
    record = read_record(warc_dir, rec)
    content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
    return record.content_stream().read(), content_type


MAX_RENDERED_BYTES = 64 * 1024 * 1024


def read_rendered(warc_dir: Path, rec: IndexedRecord) -> bytes | None:
    """The browser-rendered DOM kept with a response: the ``conversion`` record written
    right after it that refers to it (``WARC-Refers-To``), or ``None``."""
    response = read_record(warc_dir, rec)
    record_id = response.rec_headers.get_header("WARC-Record-ID")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = b""
    with open(warc_dir / rec.warc_file, "rb") as fh:
        fh.seek(rec.offset + rec.length)
        while not inflate.eof and len(data) <= MAX_RENDERED_BYTES:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            try:
                data += inflate.decompress(chunk)
            except zlib.error:
                return None
    if not inflate.eof:
        return None
    try:
        record = next(iter(ArchiveIterator(BytesIO(data))))
    except Exception:
        return None
    if record.rec_type != "conversion":
        return None
    if record.rec_headers.get_header("WARC-Refers-To") != record_id:
        return None
    body: bytes = record.content_stream().read()
    return body
