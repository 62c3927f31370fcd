"""Fixity: every WARC file read back whole, every record checked, and the index against both.

:func:`verify_archive` (``nianbao verify``) reads each file of the WARC directory gzip
member by gzip member — each member's CRC-32 and length, which gzip checks — parses the
one WARC record of each member, and checks its ``WARC-Block-Digest`` and
``WARC-Payload-Digest`` (SHA-256) against its bytes: request and warcinfo records
included, not only the indexed responses. Every capture of the SQL index must then point
at the start of a record of the right URL, type, length and payload digest.

What is not damage is reported apart, as notes: records written but not indexed (a crawl
stopped between the WARC write and the SQL commit; the next crawl fetches them again),
files no capture points at, and the incomplete last record of a file whose writer was
killed in the middle of writing it (no index row ever points there: the index is written
after the WARC record is fsynced). Such a torn tail is cut off by
:func:`capture.repair.repair_tails` (``nianbao verify --repair``, and every crawl
before it writes).

:func:`verify` is the older, narrower check of indexed records only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from capture.reader import (
    CHUNK,
    IndexedRecord,
    Member,
    RecordReadError,
    iter_members,
    read_record,
)
from capture.warc import digest_of_hex, writer_of

WARC_SUFFIXES = (".warc.gz",)


@dataclass(frozen=True)
class Problem:
    """Damage: a record, file or index row that does not hold what it must."""

    capture_id: int | None
    url: str | None
    warc_file: str
    offset: int
    problem: str

    def __str__(self) -> str:
        where = f"({self.warc_file}@{self.offset})"
        if self.capture_id is not None:
            return f"capture {self.capture_id} {self.url} {where}: {self.problem}"
        what = f"record {self.url} " if self.url else ""
        return f"{what}{where}: {self.problem}"


@dataclass(frozen=True)
class Note:
    """Not damage, but worth knowing: unindexed records, unindexed files, torn tails."""

    warc_file: str
    offset: int | None
    note: str

    def __str__(self) -> str:
        where = self.warc_file + (f"@{self.offset}" if self.offset is not None else "")
        return f"note: {where}: {self.note}"


@dataclass
class FixityReport:
    files: int = 0
    records: int = 0
    """WARC records read and checked (every type)."""
    indexed: int = 0
    """Captures of the index checked against their records."""
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    unindexed: int = 0
    """Response or revisit records no capture points at."""


@dataclass
class _Record:
    rec_type: str
    url: str | None
    payload_digest: str | None
    payload_sha256: str
    problems: list[str]


def _read_member(member: Member) -> _Record:
    """The one WARC record of a gzip member, its digests checked against its bytes."""
    problems: list[str] = []
    try:
        records = ArchiveIterator(member.data, check_digests=True)
        record = next(iter(records), None)
        if record is None:
            return _Record("?", None, None, "", ["the gzip member holds no WARC record"])
        payload = hashlib.sha256()
        stream = record.content_stream()
        while chunk := stream.read(CHUNK):
            payload.update(chunk)
        checker = record.digest_checker
        if checker.passed is False:
            problems.extend(str(p) for p in checker.problems)
        out = _Record(
            record.rec_type,
            record.rec_headers.get_header("WARC-Target-URI"),
            record.rec_headers.get_header("WARC-Payload-Digest"),
            payload.hexdigest(),
            problems,
        )
        if next(iter(records), None) is not None:
            problems.append("the gzip member holds more than one WARC record")
        return out
    except Exception as exc:  # any parse failure: the bytes are not a WARC record
        return _Record("?", None, None, "", [f"not a WARC record: {exc}"])
    finally:
        member.data.close()


def _against_index(rec: _Record, cap: IndexedRecord, member: Member) -> str | None:
    if member.length != cap.length:
        return f"record is {member.length} bytes, index says {cap.length}"
    if rec.url != cap.url:
        return f"record is for {rec.url}"
    if rec.rec_type != cap.record_type:
        return f"record type {rec.rec_type}, index says {cap.record_type}"
    expected = digest_of_hex(cap.payload_sha256)
    if rec.payload_digest != expected:
        return f"payload digest {rec.payload_digest} != indexed {expected}"
    if cap.record_type == "response" and rec.payload_sha256 != cap.payload_sha256:
        return f"payload sha256 {rec.payload_sha256} != indexed {cap.payload_sha256}"
    return None


def verify_file(path: Path, index: dict[int, IndexedRecord], report: FixityReport) -> None:
    """Check one WARC file and the captures the index places in it."""
    name = path.name
    matched: set[int] = set()
    unindexed: list[tuple[int, str, str | None]] = []
    for member in iter_members(path):
        if member.torn:
            lost = [cap for off, cap in index.items() if off >= member.offset]
            for cap in lost:
                matched.add(cap.offset)
                report.problems.append(
                    Problem(
                        cap.capture_id, cap.url, name, cap.offset, "record cut off: the file ends"
                    )
                )
            report.notes.append(Note(name, member.offset, _torn_note(path, member)))
            break
        if member.damage:
            inside = [
                c for o, c in index.items() if member.offset <= o < member.offset + member.length
            ]
            for cap in inside:
                matched.add(cap.offset)
                report.problems.append(
                    Problem(cap.capture_id, cap.url, name, cap.offset, member.damage)
                )
            if not inside:
                report.problems.append(
                    Problem(
                        None,
                        None,
                        name,
                        member.offset,
                        f"{member.damage}; {member.length} bytes unreadable",
                    )
                )
            continue
        rec = _read_member(member)
        report.records += 1
        indexed = index.get(member.offset)
        if indexed is not None:
            matched.add(member.offset)
            report.indexed += 1
            why = "; ".join(rec.problems) or _against_index(rec, indexed, member)
            if why:
                report.problems.append(
                    Problem(indexed.capture_id, indexed.url, name, indexed.offset, why)
                )
            continue
        if rec.problems:
            report.problems.append(
                Problem(
                    None,
                    f"{rec.rec_type} {rec.url or ''}".strip(),
                    name,
                    member.offset,
                    "; ".join(rec.problems),
                )
            )
        elif rec.rec_type in ("response", "revisit"):
            unindexed.append((member.offset, rec.rec_type, rec.url))
    for offset, cap in sorted(index.items()):
        if offset not in matched:
            report.problems.append(
                Problem(
                    cap.capture_id, cap.url, name, offset, "no record starts where the index points"
                )
            )
    report.unindexed += len(unindexed)
    for offset, rec_type, url in unindexed:
        report.notes.append(
            Note(
                name,
                offset,
                f"{rec_type} record of {url} is not indexed (written, never committed)",
            )
        )
    if not index:
        report.notes.append(Note(name, None, "no capture of the index points into this file"))


def _torn_note(path: Path, member: Member) -> str:
    tail = f"the last {member.length} bytes are an incomplete record"
    writer = writer_of(path.name)
    alive = writer.alive() if writer is not None else None
    if alive and writer is not None:  # alive is None without a writer
        return f"{tail}: the file is being written (process {writer.pid})"
    return (
        f"{tail}, cut short when its writer stopped; no capture points there "
        "(`nianbao verify --repair` or the next crawl moves it aside)"
    )


def verify_archive(archive: Any) -> FixityReport:
    """Check every WARC file of the archive, every record in them, and every capture of
    the index (``archive`` is a ``storage.archive.Archive``)."""
    report = FixityReport()
    warc_dir: Path = archive.warc_dir
    files = sorted(
        p
        for p in (warc_dir.iterdir() if warc_dir.is_dir() else [])
        if p.name.endswith(WARC_SUFFIXES)
    )
    present = {p.name for p in files}
    for name in sorted(set(archive.indexed_warc_files()) - present):
        for cap in archive.indexed_records_in(name):
            report.indexed += 1
            report.problems.append(
                Problem(cap.capture_id, cap.url, name, cap.offset, "WARC file missing")
            )
    for path in files:
        report.files += 1
        index = {cap.offset: cap for cap in archive.indexed_records_in(path.name)}
        try:
            verify_file(path, index, report)
        except OSError as exc:
            report.problems.append(
                Problem(None, None, path.name, 0, f"WARC file unreadable: {exc.strerror}")
            )
    return report


# -- the narrower check of indexed records ------------------------------------------------
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
    """Check the indexed records only: (how many, the problems)."""
    checked = 0
    problems: list[Problem] = []
    for rec in records:
        checked += 1
        why = check_record(warc_dir, rec)
        if why is not None:
            problems.append(Problem(rec.capture_id, rec.url, rec.warc_file, rec.offset, why))
    return checked, problems


__all__ = [
    "FixityReport",
    "IndexedRecord",
    "Note",
    "Problem",
    "check_record",
    "verify",
    "verify_archive",
    "verify_file",
]
