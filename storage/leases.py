"""Queries of the lease table (``ops_leases``) beyond taking and renewing a lease
(``ops.locks``): listing them, taking over a dead holder's, releasing one by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

import storage.models_ops  # noqa: F401  (registers the ops tables)
from storage.archive import Archive, as_utc
from storage.models_ops import LeaseRow


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


def all_leases(archive: Archive, prefix: str | None = None) -> list[Lease]:
    with archive.session() as s:
        query = select(LeaseRow).order_by(LeaseRow.name)
        if prefix:
            query = query.where(LeaseRow.name.startswith(prefix, autoescape=True))
        return [
            Lease(r.name, r.holder, as_utc(r.acquired_at), as_utc(r.expires_at))  # type: ignore[arg-type]
            for r in s.scalars(query)
        ]


def lease(archive: Archive, name: str) -> Lease | None:
    with archive.session() as s:
        r = s.get(LeaseRow, name)
        if r is None:
            return None
        return Lease(r.name, r.holder, as_utc(r.acquired_at), as_utc(r.expires_at))  # type: ignore[arg-type]


def take_over(
    archive: Archive, name: str, old_holder: str, new_holder: str, now: datetime, until: datetime
) -> bool:
    """Give the lease to ``new_holder`` if ``old_holder`` still holds it (atomic)."""
    with archive.session() as s:
        result = s.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, LeaseRow.holder == old_holder)
            .values(holder=new_holder, acquired_at=now, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


def delete_lease(archive: Archive, name: str, holder: str | None = None) -> bool:
    """Remove the lease (only if ``holder`` holds it, when given); True if one was removed."""
    with archive.session() as s:
        query = delete(LeaseRow).where(LeaseRow.name == name)
        if holder is not None:
            query = query.where(LeaseRow.holder == holder)
        return s.execute(query).rowcount == 1  # type: ignore[attr-defined]
