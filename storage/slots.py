"""Every statement on the slots of scheduled crawls (``ops_slots``): the last slot of
each site, slots whose holder died, claiming slots (one insert-or-skip per (site, slot),
so each runs exactly once), renewing their leases, moving them through their states, and
their history. ``ops.due`` decides which slots are due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

import storage.models_ops  # noqa: F401
from storage.archive import Archive, as_utc
from storage.db import dialect_insert, rowcount
from storage.models_ops import SlotRow
from storage.vocab import SlotState

OPEN_STATES = (SlotState.CLAIMED, SlotState.RUNNING, SlotState.WAITING)


@dataclass(frozen=True)
class DueSlot:
    site_id: str
    slot_at: datetime
    missed: int = 0
    """Earlier slots of the site that passed unrun and that this crawl covers."""
    resume_id: int | None = None
    """The row of a slot claimed before whose holder died or gave it back."""


@dataclass(frozen=True)
class ClaimedSlot:
    id: int
    site_id: str
    slot_at: datetime
    attempt: int


def last_slots(archive: Archive) -> dict[str, datetime]:
    with archive.session() as s:
        rows = s.execute(
            select(SlotRow.site_id, func.max(SlotRow.slot_at)).group_by(SlotRow.site_id)
        ).all()
    return {site: as_utc(at) for site, at in rows if at is not None}


def lapsed_slots(archive: Archive, now: datetime) -> list[DueSlot]:
    """Claimed slots whose holder stopped renewing (died), and slots given back."""
    with archive.session() as s:
        rows = s.scalars(
            select(SlotRow)
            .where(SlotRow.state.in_(OPEN_STATES), SlotRow.lease_until < now)
            .order_by(SlotRow.slot_at)
        ).all()
        return [DueSlot(r.site_id, as_utc(r.slot_at) or now, 0, r.id) for r in rows]


def claim(
    archive: Archive, due: DueSlot, holder: str, lease: timedelta, now: datetime | None = None
) -> ClaimedSlot | None:
    """Take a due slot for this holder; None if another scheduler took it first."""
    now = now or datetime.now(UTC)
    if due.resume_id is not None:
        with archive.session() as s:
            taken = s.execute(
                update(SlotRow)
                .where(
                    SlotRow.id == due.resume_id,
                    SlotRow.state.in_(OPEN_STATES),
                    SlotRow.lease_until < now,
                )
                .values(
                    state=SlotState.CLAIMED,
                    holder=holder,
                    lease_until=now + lease,
                    attempts=SlotRow.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if rowcount(taken) != 1:
                return None
            row = s.get(SlotRow, due.resume_id)
            assert row is not None
            return ClaimedSlot(row.id, row.site_id, as_utc(row.slot_at) or now, row.attempts)
    detail = (
        f"covers {due.missed} earlier slot(s) missed while no scheduler ran" if due.missed else None
    )
    try:
        with archive.session() as s:
            row = SlotRow(
                site_id=due.site_id,
                slot_at=due.slot_at,
                state=SlotState.CLAIMED,
                holder=holder,
                lease_until=now + lease,
                attempts=1,
                claimed_at=now,
                detail=detail,
            )
            s.add(row)
            s.flush()
            return ClaimedSlot(row.id, due.site_id, due.slot_at, 1)
    except IntegrityError:
        return None


def claim_many(
    archive: Archive,
    dues: list[DueSlot],
    holder: str,
    lease: timedelta,
    now: datetime | None = None,
) -> list[ClaimedSlot]:
    """Claim many due slots in a few statements (insert-or-skip of new slots, a
    conditional update of lapsed ones); the slots this holder got."""
    now = now or datetime.now(UTC)
    until = now + lease
    claimed: list[ClaimedSlot] = []
    fresh = [d for d in dues if d.resume_id is None]
    lapsed = [d.resume_id for d in dues if d.resume_id is not None]
    insert = dialect_insert(archive.dialect)
    with archive.session() as s:
        for chunk in _chunks(fresh):
            rows = [
                {"site_id": d.site_id, "slot_at": d.slot_at, "state": SlotState.CLAIMED, "holder": holder,
                 "lease_until": until, "attempts": 1, "claimed_at": now,
                 "detail": f"covers {d.missed} earlier slot(s) missed while no scheduler ran" if d.missed else None}
                for d in chunk
            ]  # fmt: skip
            statement = insert(SlotRow).on_conflict_do_nothing(
                index_elements=["site_id", "slot_at"]
            )
            result = s.execute(
                statement.returning(SlotRow.id, SlotRow.site_id, SlotRow.slot_at), rows
            )
            claimed += [ClaimedSlot(i, site, as_utc(at) or now, 1) for i, site, at in result.all()]
        for ids in _chunks(lapsed):
            retaken = s.execute(
                update(SlotRow)
                .where(
                    SlotRow.id.in_(ids), SlotRow.state.in_(OPEN_STATES), SlotRow.lease_until < now
                )
                .values(
                    state=SlotState.CLAIMED,
                    holder=holder,
                    lease_until=until,
                    attempts=SlotRow.attempts + 1,
                )
                .returning(SlotRow.id, SlotRow.site_id, SlotRow.slot_at, SlotRow.attempts)
                .execution_options(synchronize_session=False)
            )
            claimed += [
                ClaimedSlot(i, site, as_utc(at) or now, n) for i, site, at, n in retaken.all()
            ]
    return claimed


T = TypeVar("T")


def _chunks(items: list[T], size: int = 500) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def renew(
    archive: Archive,
    slot_ids: list[int],
    holder: str,
    lease: timedelta,
    now: datetime | None = None,
) -> int:
    """Extend the leases of our running slots; the number still ours."""
    if not slot_ids:
        return 0
    with archive.session() as s:
        result = s.execute(
            update(SlotRow)
            .where(
                SlotRow.id.in_(slot_ids),
                SlotRow.holder == holder,
                SlotRow.state.in_((SlotState.CLAIMED, SlotState.RUNNING)),
            )
            .values(lease_until=(now or datetime.now(UTC)) + lease)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)


def mark(
    archive: Archive,
    slot_ids: list[int],
    holder: str,
    state: SlotState,
    *,
    run_id: int | None = None,
    detail: str | None = None,
    now: datetime | None = None,
) -> None:
    """Move our slots to ``running``, ``done``, ``failed`` or back to ``waiting``."""
    if not slot_ids:
        return
    now = now or datetime.now(UTC)
    values: dict[str, object] = {"state": state}
    if run_id is not None:
        values["run_id"] = run_id
    if detail is not None:
        values["detail"] = detail
    if state in (SlotState.DONE, SlotState.FAILED):
        values["finished_at"] = now
    if state == SlotState.WAITING:
        values["holder"] = None
        values["lease_until"] = now
    with archive.session() as s:
        for ids in _chunks(slot_ids):
            s.execute(
                update(SlotRow)
                .where(SlotRow.id.in_(ids), SlotRow.holder == holder)
                .values(**values)
                .execution_options(synchronize_session=False)
            )


def slot_history(
    archive: Archive, site_id: str | None = None, limit: int = 100
) -> list[dict[str, object]]:
    with archive.session() as s:
        query = select(SlotRow).order_by(SlotRow.slot_at.desc(), SlotRow.site_id).limit(limit)
        if site_id:
            query = query.where(SlotRow.site_id == site_id)
        return [
            {
                "site_id": r.site_id,
                "slot_at": as_utc(r.slot_at),
                "state": r.state,
                "attempts": r.attempts,
                "run_id": r.run_id,
                "holder": r.holder,
                "detail": r.detail,
            }
            for r in s.scalars(query)
        ]
