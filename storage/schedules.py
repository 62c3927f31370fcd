"""Every statement on the schedules of crawls (``ops_schedules``): the archivists'
overrides per site and the default (scope ``*``), with each site's registry cron.
``ops.site_schedules`` decides which one holds."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

import storage.models_ops  # noqa: F401
from storage.archive import Archive
from storage.models import SiteRow
from storage.models_ops import ScheduleRow


def stored_spec(archive: Archive, scope: str) -> str | None:
    """The schedule stored for a scope (a site id, or ``*`` for the default)."""
    with archive.session() as s:
        row = s.get(ScheduleRow, scope)
        return row.spec if row else None


def site_exists(archive: Archive, site_id: str) -> bool:
    with archive.session() as s:
        return s.get(SiteRow, site_id) is not None


def store_spec(archive: Archive, scope: str, spec: str | None) -> None:
    """Keep ``spec`` as the schedule of a scope (None: remove it)."""
    with archive.session() as s:
        if spec is None:
            s.execute(delete(ScheduleRow).where(ScheduleRow.scope == scope))
            return
        row = s.get(ScheduleRow, scope)
        if row is None:
            s.add(ScheduleRow(scope=scope, spec=spec, updated_at=datetime.now(UTC)))
        else:
            row.spec, row.updated_at = spec, datetime.now(UTC)


def schedules_and_sites(
    archive: Archive, site_ids: list[str] | None = None
) -> tuple[dict[str, str], list[tuple[str, str | None]]]:
    """Every stored schedule by scope, and (site id, registry cron) of each site (all
    sites, or those named), by site id."""
    with archive.session() as s:
        overrides = {row.scope: row.spec for row in s.scalars(select(ScheduleRow))}
        query = select(SiteRow.id, SiteRow.schedule).order_by(SiteRow.id)
        if site_ids:
            query = query.where(SiteRow.id.in_(site_ids))
        sites = [(row[0], row[1]) for row in s.execute(query).all()]
    return overrides, sites
