"""``nianbao reports``: one object per report, as it stands now (``exports.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from storage.archive import Archive, as_utc, iso
from storage.models import AgencyRow, CaptureRow, DocumentRow, ReportRow, VersionRow
from storage.vocab import DocumentStatus


def iter_reports(
    archive: Archive,
    *,
    year: int | None = None,
    agency: str | None = None,
    site: str | None = None,
    since: date | datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[dict[str, Any]]:
    """Reports with their documents. ``since`` keeps reports with a document version
    first seen on or after that date (what changed since a previous export); ``limit``
    and ``offset`` page through them (in year, agency order)."""
    with archive.session() as s:
        query = select(ReportRow, AgencyRow).join(AgencyRow, ReportRow.agency_id == AgencyRow.id)
        if year is not None:
            query = query.where(ReportRow.year == year)
        if agency is not None:
            query = query.where(ReportRow.agency_id == agency)
        if site is not None:
            query = query.where(ReportRow.site_id == site)
        if since is not None:
            moment = (
                since
                if isinstance(since, datetime)
                else datetime(since.year, since.month, since.day)
            )
            changed = (
                select(DocumentRow.report_id)
                .join(VersionRow, VersionRow.document_id == DocumentRow.id)
                .where(VersionRow.first_seen_at >= moment)
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
                docs.append(
                    {
                        "url": doc.url,
                        "media_type": doc.media_type,
                        "sha256": raw_sha,
                        "content_sha256": latest,
                        "versions": count,
                        "status": doc.status,
                    }
                )
            status = (
                DocumentStatus.VANISHED
                if docs and all(d["status"] == DocumentStatus.VANISHED for d in docs)
                else DocumentStatus.PRESENT
            )
            first_seen = min(
                (as_utc(d.first_seen_at) for d, _ in rows), default=as_utc(report.first_seen_at)
            )
            yield {
                "agency_id": agency_row.id,
                "agency_name": agency_row.name,
                "registered": agency_row.registered,
                "year": report.year,
                "title": report.title,
                "published_at": report.published_at,
                "first_seen_at": iso(first_seen),
                "status": status,
                "versions": max((d["versions"] for d in docs), default=0),
                "documents": docs,
            }
