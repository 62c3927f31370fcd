"""Which scheduled crawls are due, and claiming them so each runs exactly once.

Every slot a site's schedule reaches is recorded in ``ops_slots`` when a scheduler claims
it; (site, slot) is unique, so of two schedulers (two machines, or a scheduler and a
``run-due`` from cron) only one inserts the row and runs the crawl. A site is due when
its schedule has a slot at or before now later than its last recorded slot. Slots that
passed while no scheduler ran are not crawled one by one: the crawl of the latest slot
covers them (its row says how many). A claimed slot carries a lease its scheduler renews
during the crawl; if the scheduler dies, the lease lapses and the slot is due again, so
an interrupted crawl is resumed rather than lost. A slot whose site was busy (another
crawl holds its lock) is put back to ``waiting`` and taken again at a later tick.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ops.site_schedules import SiteSchedule
from storage.archive import Archive
from storage.slots import (
    OPEN_STATES,
    ClaimedSlot,
    DueSlot,
    claim,
    claim_many,
    lapsed_slots,
    last_slots,
    mark,
    renew,
    slot_history,
)

__all__ = [
    "OPEN_STATES",
    "ClaimedSlot",
    "DuePlanner",
    "DueSlot",
    "claim",
    "claim_many",
    "lapsed_slots",
    "last_slots",
    "mark",
    "renew",
    "slot_history",
]

MAX_MISSED_COUNT = 1000


class DuePlanner:
    """Computes due slots; remembers each site's next slot so repeated ticks are cheap."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, str, datetime | None], datetime | None] = {}

    def due(self, archive: Archive, schedules: list[SiteSchedule], now: datetime) -> list[DueSlot]:
        now = now.astimezone(UTC)
        last = last_slots(archive)
        out: list[DueSlot] = []
        for sched in schedules:
            previous = last.get(sched.site_id)
            key = (sched.site_id, sched.spec, previous)
            if key not in self._next:
                if previous is None:
                    self._next[key] = sched.schedule.last_at_or_before(now)
                else:
                    self._next[key] = sched.schedule.next_after(previous)
            upcoming = self._next[key]
            if upcoming is None or upcoming > now:
                continue
            latest = upcoming
            missed = 0
            if previous is not None:
                # The crawl covers every slot from the first unrun one up to now.
                slots = sched.schedule.between(previous, now, limit=MAX_MISSED_COUNT)
                latest = slots[-1] if slots else upcoming
                missed = max(len(slots) - 1, 0)
            out.append(DueSlot(sched.site_id, latest, missed))
        known = {s.site_id for s in schedules}
        out.extend(d for d in lapsed_slots(archive, now) if d.site_id in known)
        return sorted(out, key=lambda d: (d.slot_at, d.site_id))

    def forget(self) -> None:
        self._next.clear()
