"""Fixity: re-read every indexed WARC record and check it against the index."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from capture.reader import IndexedRecord, RecordReadError, read_record
from capture.warc import digest_of_hex


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
    try:
        record = read_record(warc_dir, rec)
    except FileNotFoundError:
        return "WARC file missing"
    except OSError as exc:
        return f"WARC file unreadable: {exc.strerror}"
    except RecordReadError as exc:
        return str(exc)
    if record.rec_headers.get_header("WARC-Target-URI") != rec.url:
        return f"record is for {record.rec_headers.get_header('WARC-Target-URI')}"
    if record.rec_type != rec.record_type:
        return f"record type {record.rec_type}, index says {rec.record_type}"
    declared = record.rec_headers.get_header("WARC-Payload-Digest")
    expected = digest_of_hex(rec.payload_sha256)
    if declared != expected:
        return f"payload digest {declared} != indexed {expected}"
    if rec.record_type == "response":
        actual = hashlib.sha256(record.content_stream().read()).hexdigest()
        if actual != rec.payload_sha256:
            return f"payload sha256 {actual} != indexed {rec.payload_sha256}"
    return None


def verify(warc_dir: Path, records: Iterable[IndexedRecord]) -> tuple[int, list[Problem]]:
    checked = 0
    problems: list[Problem] = []
    for rec in records:
        checked += 1
        why = check_record(warc_dir, rec)
        if why is not None:
            problems.append(Problem(rec.capture_id, rec.url, rec.warc_file, rec.offset, why))
    return checked, problems


__all__ = ["IndexedRecord", "Problem", "check_record", "verify"]
