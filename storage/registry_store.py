"""The registry's rows: agencies and sites imported from the registry files, and read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.model import Agency, Registry, Site
from storage.base import ArchiveBase
from storage.models import (
    AgencyRow,
    SiteRow,
)
from storage.types import (
    ImportSummary,
    utcnow,
)


class RegistryStore(ArchiveBase):
    """Agencies and sites: the registry imported, and read back."""

    # -- registry ---------------------------------------------------------------------
    def import_registry(self, registry: Registry) -> ImportSummary:
        """Load agencies and sites; importing the same registry twice changes nothing."""
        summary = ImportSummary()
        now = utcnow()
        self._agency_index, self._site_owner = None, {}
        with self._write_lock, self.session() as s:
            # Parents first, so that foreign keys hold whatever the file's order.
            for agency in _parents_first(registry.agencies):
                values = {
                    "name": agency.name,
                    "aliases": list(agency.aliases),
                    "division_code": agency.division_code,
                    "level": agency.level,
                    "kind": agency.kind,
                    "parent_id": agency.parent_id,
                    "registered": True,
                }
                self._upsert(s, AgencyRow, agency.id, values, now, summary)
            s.flush()
            for site in registry.sites:
                values = {
                    "agency_id": site.agency_id,
                    "start_urls": list(site.start_urls),
                    "hosts": list(site.hosts),
                    "render": site.render,
                    "schedule": site.schedule,
                    "obey_robots": site.obey_robots,
                    "allow_private": site.allow_private,
                }
                self._upsert(s, SiteRow, site.id, values, now, summary)
        return summary

    @staticmethod
    def _upsert(
        s: Session,
        model: Any,
        ident: str,
        values: dict[str, Any],
        now: datetime,
        summary: ImportSummary,
    ) -> None:
        row = s.get(model, ident)
        if row is None:
            s.add(model(id=ident, created_at=now, updated_at=now, **values))
            summary.added += 1
            return
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            summary.unchanged += 1
            return
        for key, value in changed.items():
            setattr(row, key, value)
        row.updated_at = now
        summary.updated += 1

    def agencies(self, *, registered: bool | None = None) -> list[Agency]:
        with self.session() as s:
            query = select(AgencyRow).order_by(AgencyRow.id)
            if registered is not None:
                query = query.where(AgencyRow.registered == registered)
            return [_agency(row) for row in s.scalars(query)]

    def sites(self, ids: list[str] | None = None) -> list[Site]:
        with self.session() as s:
            query = select(SiteRow).order_by(SiteRow.id)
            if ids:
                query = query.where(SiteRow.id.in_(ids))
            rows = list(s.scalars(query))
        if ids:
            missing = sorted(set(ids) - {row.id for row in rows})
            if missing:
                raise KeyError(f"unknown site(s): {', '.join(missing)}")
        return [_site(row) for row in rows]


def _agency(row: AgencyRow) -> Agency:
    return Agency(
        id=row.id,
        name=row.name,
        level=row.level,
        kind=row.kind,
        aliases=list(row.aliases or []),
        division_code=row.division_code,
        parent_id=row.parent_id,
        registered=row.registered,
    )


def _site(row: SiteRow) -> Site:
    return Site(
        id=row.id,
        agency_id=row.agency_id,
        start_urls=list(row.start_urls),
        hosts=list(row.hosts),
        render=row.render,
        schedule=row.schedule,
        obey_robots=row.obey_robots,
        allow_private=row.allow_private,
    )


def _parents_first(agencies: list[Agency]) -> list[Agency]:
    by_id = {a.id: a for a in agencies}
    ordered: list[Agency] = []
    placed: set[str] = set()

    def place(agency: Agency, depth: int = 0) -> None:
        if agency.id in placed or depth > len(agencies):
            return
        if agency.parent_id and agency.parent_id in by_id:
            place(by_id[agency.parent_id], depth + 1)
        placed.add(agency.id)
        ordered.append(agency)

    for agency in agencies:
        place(agency)
    return ordered
