"""``nianbao reports``: one object per report, as it stands now (``exports.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from storage.archive import Archive, as_utc, iso
from storage.exports import reports_with_documents
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
    moment = None
    if since is not None:
        moment = (
            since if isinstance(since, datetime) else datetime(since.year, since.month, since.day)
        )
    for report, agency_row, held in reports_with_documents(
        archive,
        year=year,
        agency=agency,
        site=site,
        changed_since=moment,
        limit=limit,
        offset=offset,
    ):
        docs: list[dict[str, Any]] = [
            {
                "url": h.document.url,
                "media_type": h.document.media_type,
                "sha256": h.payload_sha256,
                "content_sha256": h.content_sha256,
                "versions": h.versions,
                "status": h.document.status,
            }
            for h in held
        ]
        status = (
            DocumentStatus.VANISHED
            if docs and all(d["status"] == DocumentStatus.VANISHED for d in docs)
            else DocumentStatus.PRESENT
        )
        first_seen = min(
            (as_utc(h.document.first_seen_at) for h in held),
            default=as_utc(report.first_seen_at),
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
