"""Reading one indexed WARC record back: its gzip member, parsed by warcio."""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord


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


def read_record(warc_dir: Path, rec: IndexedRecord) -> ArcWarcRecord:
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


# -- reading whole files: every gzip member, every record ---------------------------------
CHUNK = 1 << 20
MAX_MEMBER = 1 << 30
"""Largest decompressed record read back (a record holds at most one download,
DOWNLOAD_MAXSIZE = 256 MiB, and its headers); beyond it a member counts as damaged."""
_MAGIC = b"\x1f\x8b\x08"


@dataclass
class Member:
    """One gzip member of a WARC file, decompressed (``data``, at the start), or why not:
    ``damage`` (the gzip stream is corrupt there) or ``torn`` (the file ends inside it)."""

    offset: int
    length: int
    data: Any = None
    """A binary file object holding the decompressed member (a spooled temporary file)."""
    damage: str | None = None
    torn: bool = False


def iter_members(path: Path, start: int = 0) -> Iterator[Member]:
    """The gzip members of ``path`` from byte ``start``, in order. After damage the scan
    resumes at the next gzip header found, so the members after a corrupt one are still
    read; a member the file ends inside is yielded ``torn`` and ends the scan."""
    with open(path, "rb") as fh:
        fh.seek(start)
        buf = b""  # bytes read but not yet fed to a decompressor
        buf_at = start  # file offset of buf[0]
        while True:
            if not buf:
                buf = fh.read(CHUNK)
                if not buf:
                    return  # the file ends at a member boundary
            offset = buf_at
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
            size = 0
            feed, feed_at = buf, buf_at
            try:
                while not d.eof:
                    if not feed:
                        feed = fh.read(CHUNK)
                        if not feed:
                            out.close()
                            yield Member(offset, feed_at - offset, torn=True)
                            return
                    data = d.decompress(feed, CHUNK)
                    consumed = len(feed) - len(d.unconsumed_tail)
                    if d.eof:
                        consumed -= len(d.unused_data)
                    feed_at += consumed
                    feed = d.unconsumed_tail if not d.eof else d.unused_data
                    size += len(data)
                    if size > MAX_MEMBER:
                        raise zlib.error(f"member decompresses beyond {MAX_MEMBER} bytes")
                    out.write(data)
            except zlib.error as exc:
                out.close()
                resync = _next_magic(fh, offset + 1)
                yield Member(
                    offset,
                    (resync if resync is not None else path.stat().st_size) - offset,
                    damage=f"gzip data damaged ({exc})",
                )
                if resync is None:
                    return
                fh.seek(resync)
                buf, buf_at = b"", resync
                continue
            out.seek(0)
            yield Member(offset, feed_at - offset, data=out)
            buf, buf_at = feed, feed_at


def _next_magic(fh: BinaryIO, start: int) -> int | None:
    """The offset of the next gzip member header at or after ``start`` that decompresses
    (a header's bytes may occur by chance inside compressed data)."""
    pos = start
    while True:
        fh.seek(pos)
        window = fh.read(CHUNK + len(_MAGIC))
        if len(window) < len(_MAGIC):
            return None
        hit = window.find(_MAGIC)
        if hit < 0:
            pos += CHUNK
            continue
        candidate = pos + hit
        fh.seek(candidate)
        probe = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            probe.decompress(fh.read(4096), 64)
            return candidate
        except zlib.error:
            pos = candidate + 1


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
