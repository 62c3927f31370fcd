"""The statements behind the exports of reports and their table values (``query.reports``,
``query.stats``): reports with their documents, and the extractions of each report's
documents' latest versions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.archive import Archive
from storage.models import AgencyRow, CaptureRow, DocumentRow, ExtractionRow, ReportRow, VersionRow


@dataclass
class DocumentHolding:
    document: DocumentRow
    payload_sha256: str | None
    """The raw payload hash of the document's last capture."""
    versions: int
    content_sha256: str | None
    """The content hash of its latest version."""


def reports_with_documents(
    archive: Archive,
    *,
    year: int | None = None,
    agency: str | None = None,
    site: str | None = None,
    changed_since: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[tuple[ReportRow, AgencyRow, list[DocumentHolding]]]:
    """Reports (in year, agency order) with their agency and documents, read in one
    transaction as they are consumed. ``changed_since``: reports with a document version
    first seen then or later."""
    with archive.session() as s:
        query = select(ReportRow, AgencyRow).join(AgencyRow, ReportRow.agency_id == AgencyRow.id)
        if year is not None:
            query = query.where(ReportRow.year == year)
        if agency is not None:
            query = query.where(ReportRow.agency_id == agency)
        if site is not None:
            query = query.where(ReportRow.site_id == site)
        if changed_since is not None:
            changed = (
                select(DocumentRow.report_id)
                .join(VersionRow, VersionRow.document_id == DocumentRow.id)
                .where(VersionRow.first_seen_at >= changed_since)
            )
            query = query.where(ReportRow.id.in_(changed))
        query = query.order_by(ReportRow.year, ReportRow.agency_id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        for report, agency_row in s.execute(query).all():
            docs = []
            rows = s.execute(
                select(DocumentRow, CaptureRow.payload_sha256)
                .outerjoin(CaptureRow, CaptureRow.id == DocumentRow.last_capture_id)
                .where(DocumentRow.report_id == report.id)
                .order_by(DocumentRow.id)
            ).all()
            for doc, raw_sha in rows:
                count, content = s.execute(
                    select(func.count(VersionRow.id), func.max(VersionRow.seq)).where(
                        VersionRow.document_id == doc.id
                    )
                ).one()
                latest = s.scalar(
                    select(VersionRow.content_sha256).where(
                        VersionRow.document_id == doc.id, VersionRow.seq == content
                    )
                )
                docs.append(DocumentHolding(doc, raw_sha, count, latest))
            yield report, agency_row, docs


def latest_version_extractions(
    archive: Archive,
    *,
    year: int | None = None,
    agency: str | None = None,
    site: str | None = None,
) -> list[tuple[int, str, int, Any]]:
    """(report id, agency id, year, extraction row) of every extraction of the latest
    version of each report's documents, by year, agency, document and extraction."""
    with archive.session() as s:
        latest_seq = (
            select(VersionRow.document_id, func.max(VersionRow.seq).label("seq"))
            .group_by(VersionRow.document_id)
            .subquery()
        )
        query = (
            select(ReportRow.id, ReportRow.agency_id, ReportRow.year, DocumentRow.id, ExtractionRow)
            .join(DocumentRow, DocumentRow.report_id == ReportRow.id)
            .join(latest_seq, latest_seq.c.document_id == DocumentRow.id)
            .join(
                VersionRow,
                (VersionRow.document_id == DocumentRow.id) & (VersionRow.seq == latest_seq.c.seq),
            )
            .join(ExtractionRow, ExtractionRow.version_id == VersionRow.id)
            .order_by(ReportRow.year, ReportRow.agency_id, DocumentRow.id, ExtractionRow.id)
        )
        if year is not None:
            query = query.where(ReportRow.year == year)
        if agency is not None:
            query = query.where(ReportRow.agency_id == agency)
        if site is not None:
            query = query.where(ReportRow.site_id == site)
        return [
            (report_id, agency_id, report_year, ex)
            for report_id, agency_id, report_year, _doc_id, ex in s.execute(query).all()
        ]
