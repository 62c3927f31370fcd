"""Every statement behind the sites' health (``ops.health``): their recent runs, last
success, vanished documents and the listing pages captured in a season."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from storage.archive import Archive
from storage.models import (
    CaptureRow,
    DocumentRow,
    ReportRow,
    SiteRow,
    SiteRunRow,
    document_site,
)
from storage.vocab import DocumentStatus


@dataclass
class HealthRows:
    site_ids: list[str]
    """The sites asked for (all, or those named that exist), by id."""
    recent: Sequence[Any]
    """The last ``recent_runs`` finished runs of each site: rows of (site_id, run_id,
    finished_at, outcome, reports_found, blocked, explored, n), newest first (n = 1)."""
    last_success: dict[str, datetime | None]
    vanished: dict[str | None, int]
    """Vanished documents per site."""
    listings: Sequence[tuple[str | None, str, int, datetime, datetime]]
    """(site id, url hash, distinct payloads, first, last capture) of every listing page
    captured (200, or 304: as last captured) in the season."""


def health_rows(
    archive: Archive,
    site_ids: list[str] | None,
    *,
    recent_runs: int,
    success_outcomes: tuple[str, ...],
    season: tuple[datetime, datetime],
) -> HealthRows:
    season_start, season_end = season
    with archive.session() as s:
        query = select(SiteRow.id).order_by(SiteRow.id)
        if site_ids:
            query = query.where(SiteRow.id.in_(site_ids))
        ids = list(s.scalars(query))
        ranked = (
            select(
                SiteRunRow.site_id,
                SiteRunRow.run_id,
                SiteRunRow.finished_at,
                SiteRunRow.outcome,
                SiteRunRow.reports_found,
                SiteRunRow.blocked,
                SiteRunRow.explored,
                func.row_number()
                .over(partition_by=SiteRunRow.site_id, order_by=SiteRunRow.run_id.desc())
                .label("n"),
            )
            .where(SiteRunRow.finished_at.is_not(None))
            .subquery()
        )
        recent = s.execute(
            select(ranked).where(ranked.c.n <= recent_runs).order_by(ranked.c.site_id, ranked.c.n)
        ).all()
        last_success = dict(
            s.execute(
                select(SiteRunRow.site_id, func.max(SiteRunRow.finished_at))
                .where(SiteRunRow.outcome.in_(success_outcomes))
                .group_by(SiteRunRow.site_id)
            ).all()
        )
        found_on = document_site()
        vanished: dict[str | None, int] = dict(
            s.execute(
                # by the site whose crawl found the document (Archive.known_documents)
                select(found_on, func.count(DocumentRow.id))
                .select_from(ReportRow)
                .join(DocumentRow, DocumentRow.report_id == ReportRow.id)
                .outerjoin(CaptureRow, DocumentRow.last_capture_id == CaptureRow.id)
                .where(DocumentRow.status == DocumentStatus.VANISHED)
                .group_by(found_on)
            ).all()
        )
        listings = s.execute(
            select(
                CaptureRow.site_id,
                CaptureRow.url_hash,
                # a 304 says the page is as last captured: it extends the coverage
                func.count(
                    func.distinct(
                        case((CaptureRow.status == 200, CaptureRow.payload_sha256), else_=None)
                    )
                ),
                func.min(CaptureRow.captured_at),
                func.max(CaptureRow.captured_at),
            )
            .where(
                CaptureRow.role == "listing",
                CaptureRow.status.in_((200, 304)),
                CaptureRow.captured_at >= season_start,
                CaptureRow.captured_at < season_end,
            )
            .group_by(CaptureRow.site_id, CaptureRow.url_hash)
        ).all()
    return HealthRows(ids, recent, last_success, vanished, listings)
