"""Every statement on the lease table (``ops_leases``): taking, renewing and releasing
leases (for ``ops.locks``, which decides who may take what), listing them, taking over a
dead holder's, releasing one by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

import storage.models_ops  # noqa: F401  (registers the ops tables)
from storage.archive import Archive, as_utc
from storage.db import dialect_insert, rowcount
from storage.models_ops import LeaseRow

CHUNK = 500
"""Lease names per statement."""


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
            Lease(r.name, r.holder, as_utc(r.acquired_at), as_utc(r.expires_at))
            for r in s.scalars(query)
        ]


def lease(archive: Archive, name: str) -> Lease | None:
    with archive.session() as s:
        r = s.get(LeaseRow, name)
        if r is None:
            return None
        return Lease(r.name, r.holder, as_utc(r.acquired_at), as_utc(r.expires_at))


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
        return rowcount(result) == 1


def delete_lease(archive: Archive, name: str, holder: str | None = None) -> bool:
    """Remove the lease (only if ``holder`` holds it, when given); True if one was removed."""
    with archive.session() as s:
        query = delete(LeaseRow).where(LeaseRow.name == name)
        if holder is not None:
            query = query.where(LeaseRow.holder == holder)
        return rowcount(s.execute(query)) == 1


def take(archive: Archive, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take the lease if it is free or expired (or already ``holder``'s): one conditional
    update, else an insert; False when another holds it (the insert broke the key)."""
    with archive.session() as s:
        taken = s.execute(
            update(LeaseRow)
            .where(
                LeaseRow.name == name,
                (LeaseRow.expires_at < now) | (LeaseRow.holder == holder),
            )
            .values(holder=holder, acquired_at=now, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        if rowcount(taken) == 1:
            return True
    try:
        with archive.session() as s:
            s.add(LeaseRow(name=name, holder=holder, acquired_at=now, expires_at=until))
        return True
    except IntegrityError:
        return False


def take_many(
    archive: Archive, names: list[str], holder: str, now: datetime, until: datetime
) -> set[str]:
    """Take every free (or expired, or ``holder``'s) lease of ``names`` at once, in
    chunks; the names taken."""
    got: set[str] = set()
    insert = dialect_insert(archive.dialect)
    with archive.session() as s:
        for start in range(0, len(names), CHUNK):
            chunk = names[start : start + CHUNK]
            taken = s.execute(
                update(LeaseRow)
                .where(
                    LeaseRow.name.in_(chunk),
                    (LeaseRow.expires_at < now) | (LeaseRow.holder == holder),
                )
                .values(holder=holder, acquired_at=now, expires_at=until)
                .returning(LeaseRow.name)
                .execution_options(synchronize_session=False)
            )
            got.update(taken.scalars())
            rest = [n for n in chunk if n not in got]
            if rest:
                rows = [
                    {"name": n, "holder": holder, "acquired_at": now, "expires_at": until}
                    for n in rest
                ]
                inserted = s.execute(
                    insert(LeaseRow)
                    .on_conflict_do_nothing(index_elements=["name"])
                    .returning(LeaseRow.name),
                    rows,
                )
                got.update(inserted.scalars())
    return got


def release_many(archive: Archive, names: list[str], holder: str) -> None:
    """Remove those of the leases ``names`` that ``holder`` holds."""
    with archive.session() as s:
        for start in range(0, len(names), CHUNK):
            chunk = names[start : start + CHUNK]
            s.execute(delete(LeaseRow).where(LeaseRow.name.in_(chunk), LeaseRow.holder == holder))


def renew_many(archive: Archive, names: list[str], holder: str, until: datetime) -> int:
    """Extend ``holder``'s leases of ``names`` to ``until``; the number still its."""
    kept = 0
    with archive.session() as s:
        for start in range(0, len(names), CHUNK):
            result = s.execute(
                update(LeaseRow)
                .where(
                    LeaseRow.name.in_(names[start : start + CHUNK]),
                    LeaseRow.holder == holder,
                )
                .values(expires_at=until)
                .execution_options(synchronize_session=False)
            )
            kept += rowcount(result)
    return kept


def renew(archive: Archive, name: str, holder: str, until: datetime) -> bool:
    """Extend ``holder``'s lease to ``until``; False if it is no longer its."""
    with archive.session() as s:
        result = s.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, LeaseRow.holder == holder)
            .values(expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1
