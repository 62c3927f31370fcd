"""Fixity: re-read every indexed WARC record and check it against the index."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from capture.warc import sha256_digest


@dataclass(frozen=True)
class IndexedRecord:
    capture_id: int
    url: str
    warc_file: str
    offset: int
    length: int
    record_type: str
    payload_sha256: str


@dataclass(frozen=True)
class Problem:
    capture_id: int
    url: str
    warc_file: str
    offset: int
    problem: str

    def __str__(self) -> str:
        return (
            f"capture {self.capture_id} {self.url} ({self.warc_file}@{self.offset}): {self.problem}"
        )


def check_record(warc_dir: Path, rec: IndexedRecord) -> str | None:
    """None when the record is there and its payload matches the index, else why not."""
    path = warc_dir / rec.warc_file
    try:
        with open(path, "rb") as fh:
            fh.seek(rec.offset)
            raw = fh.read(rec.length)
    except FileNotFoundError:
        return "WARC file missing"
    except OSError as exc:
        return f"WARC file unreadable: {exc.strerror}"
    if len(raw) != rec.length:
        return f"record truncated: {len(raw)} of {rec.length} bytes"
    try:
        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw)
        record = next(iter(ArchiveIterator(BytesIO(data))))
    except (zlib.error, StopIteration, Exception) as exc:
        return f"record unreadable: {exc}"
    if record.rec_headers.get_header("WARC-Target-URI") != rec.url:
        return f"record is for {record.rec_headers.get_header('WARC-Target-URI')}"
    if record.rec_type != rec.record_type:
        return f"record type {record.rec_type}, index says {rec.record_type}"
    declared = record.rec_headers.get_header("WARC-Payload-Digest")
    expected = sha256_digest_from_hex(rec.payload_sha256)
    if declared != expected:
        return f"payload digest {declared} != indexed {expected}"
    if rec.record_type == "response":
        actual = hashlib.sha256(record.content_stream().read()).hexdigest()
        if actual != rec.payload_sha256:
            return f"payload sha256 {actual} != indexed {rec.payload_sha256}"
    return None


def sha256_digest_from_hex(hexdigest: str) -> str:
    import base64

    return "sha256:" + base64.b32encode(bytes.fromhex(hexdigest)).decode("ascii")


def verify(warc_dir: Path, records: Iterable[IndexedRecord]) -> tuple[int, list[Problem]]:
    checked = 0
    problems: list[Problem] = []
    for rec in records:
        checked += 1
        why = check_record(warc_dir, rec)
        if why is not None:
            problems.append(Problem(rec.capture_id, rec.url, rec.warc_file, rec.offset, why))
    return checked, problems


__all__ = ["IndexedRecord", "Problem", "check_record", "sha256_digest", "verify"]
