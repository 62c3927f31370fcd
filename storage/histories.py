"""The statements behind a report's history and the diffs of its versions (``query.history``,
``query.diff``): a report found by its reference, its documents with their versions and
observations, and versions read back with their capture and latest table values."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.archive import Archive, iso
from storage.models import (
    AgencyRow,
    CaptureRow,
    DocumentRow,
    ExtractionRow,
    ObservationRow,
    ReportRow,
    VersionRow,
)


def find_report(session: Session, ref: str) -> ReportRow:
    """A report by ``AGENCY:YEAR`` (or ``AGENCY/YEAR``) or by its numeric id."""
    ref = ref.strip()
    if ref.isdigit():
        row = session.get(ReportRow, int(ref))
        if row is None:
            raise KeyError(f"no report with id {ref}")
        return row
    for sep in (":", "/"):
        if sep in ref:
            agency, _, year = ref.rpartition(sep)
            if not year.isdigit() or not agency:
                break
            row = session.scalar(
                select(ReportRow).where(ReportRow.agency_id == agency, ReportRow.year == int(year))
            )
            if row is None:
                raise KeyError(f"no report of agency {agency!r} for {year}")
            return row
    raise KeyError(
        f"cannot read the report {ref!r}: use AGENCY:YEAR (e.g. changjie:2020) or a report id"
    )


# -- a report's history -----------------------------------------------------------------
@dataclass
class VersionHeld:
    id: int
    seq: int
    content_sha256: str
    first_seen_at: datetime
    chars: int
    """the length of its text (not the text: kilobytes a version, read for nothing)"""
    capture: CaptureRow
    """the capture that brought it"""


@dataclass
class DocumentHeld:
    document: DocumentRow
    versions: list[VersionHeld]
    """oldest first"""
    observations: list[tuple[ObservationRow, CaptureRow | None]]
    """each with its capture (none for some outcomes), oldest first"""


@dataclass
class ReportHeld:
    report: ReportRow
    agency_name: str | None
    documents: list[DocumentHeld]


def report_held(archive: Archive, ref: str) -> ReportHeld:
    """Everything the archive holds on one report (``find_report``), oldest first."""
    with archive.session() as s:
        report = find_report(s, ref)
        agency = s.get(AgencyRow, report.agency_id)
        docs = list(
            s.scalars(
                select(DocumentRow)
                .where(DocumentRow.report_id == report.id)
                .order_by(DocumentRow.id)
            )
        )
        held = []
        for doc in docs:
            versions = s.execute(
                select(
                    VersionRow.id,
                    VersionRow.seq,
                    VersionRow.content_sha256,
                    VersionRow.first_seen_at,
                    func.length(VersionRow.text),
                    CaptureRow,
                )
                .join(CaptureRow, CaptureRow.id == VersionRow.capture_id)
                .where(VersionRow.document_id == doc.id)
                .order_by(VersionRow.seq)
            ).all()
            observations = s.execute(
                select(ObservationRow, CaptureRow)
                .outerjoin(CaptureRow, CaptureRow.id == ObservationRow.capture_id)
                .where(ObservationRow.document_id == doc.id)
                .order_by(ObservationRow.observed_at, ObservationRow.id)
            ).all()
            held.append(
                DocumentHeld(
                    doc,
                    [
                        VersionHeld(vid, seq, sha, first_seen, int(chars or 0), c)
                        for vid, seq, sha, first_seen, chars, c in versions
                    ],
                    [(o, c) for o, c in observations],
                )
            )
        return ReportHeld(report, agency.name if agency else None, held)


def capture_record(c: CaptureRow) -> dict[str, Any]:
    """A capture of a history, with what checks it: its hash and place in the WARC files."""
    return {
        "capture_id": c.id,
        "url": c.url,
        "captured_at": iso(c.captured_at),
        "status": c.status,
        "sha256": c.payload_sha256,
        "record_type": c.record_type,
        "warc_file": c.warc_file,
        "warc_offset": c.warc_offset,
    }


# -- versions compared -------------------------------------------------------------------
@dataclass
class VersionSide:
    """One version of a diff: the version, the capture that brought it, its document's
    URL and the table values of its latest extraction."""

    version: VersionRow
    capture: CaptureRow
    url: str
    values: dict[str, Any]


def _latest_values(s: Session, version_id: int) -> dict[str, Any]:
    values = s.scalar(
        select(ExtractionRow.values)
        .where(ExtractionRow.version_id == version_id)
        .order_by(ExtractionRow.id.desc())
        .limit(1)
    )
    return dict(values or {})


def _side(s: Session, version_id: int) -> VersionSide:
    row = s.execute(
        select(VersionRow, CaptureRow, DocumentRow.url)
        .join(CaptureRow, CaptureRow.id == VersionRow.capture_id)
        .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
        .where(VersionRow.id == version_id)
    ).first()
    if row is None:
        raise KeyError(f"no version with id {version_id}")
    version, capture, url = row
    return VersionSide(version, capture, url, _latest_values(s, version.id))


def version_pair(archive: Archive, old_id: int, new_id: int) -> tuple[VersionSide, VersionSide]:
    """Two versions (usually of one document; any two may be compared)."""
    with archive.session() as s:
        return _side(s, old_id), _side(s, new_id)


def report_version_pairs(archive: Archive, ref: str) -> list[tuple[VersionSide, VersionSide]]:
    """For every document of a report (``find_report``), each version with the one before
    it."""
    with archive.session() as s:
        report = find_report(s, ref)
        out: list[tuple[VersionSide, VersionSide]] = []
        for doc_id in s.scalars(
            select(DocumentRow.id)
            .where(DocumentRow.report_id == report.id)
            .order_by(DocumentRow.id)
        ):
            ids = list(
                s.scalars(
                    select(VersionRow.id)
                    .where(VersionRow.document_id == doc_id)
                    .order_by(VersionRow.seq)
                )
            )
            out.extend((_side(s, a), _side(s, b)) for a, b in itertools.pairwise(ids))
        return out
