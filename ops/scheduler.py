"""The scheduler: start the crawls that are due, once each, never two of one site at once.

``Scheduler.tick()`` is one pass (what ``nianbao run-due`` does): compute the due slots,
claim them (``ops.due``), take each site's crawl lock (``ops.locks``), and start one
crawl run for all the sites it got, through ``crawl`` — ``crawler.run.crawl`` in
production, any callable ``(archive, site_ids) -> run id | None`` in tests. While the
crawl runs, a keeper thread renews the slots' and locks' leases; afterwards the slots are
marked done (or failed). ``Scheduler.serve()`` repeats ticks until stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ops import due as due_slots
from ops.locks import LeaseKeeper, LeaseLocks, holder_id, site_lock_name
from ops.site_schedules import site_schedules
from storage.archive import Archive
from storage.vocab import SlotState

log = logging.getLogger(__name__)

CrawlFn = Callable[[Archive, list[str]], "int | None"]
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class TickResult:
    due: int = 0
    claimed: list[tuple[str, datetime]] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    """Sites whose slot was due but whose crawl lock another process holds."""
    run_id: int | None = None
    error: str | None = None


class Scheduler:
    def __init__(
        self,
        archive: Archive,
        crawl: CrawlFn,
        *,
        clock: Clock = _utcnow,
        lease: timedelta = timedelta(minutes=5),
        max_sites_per_run: int = 500,
        holder: str | None = None,
        after_run: Callable[[Archive], object] | None = None,
    ) -> None:
        self.archive = archive
        self.crawl = crawl
        self.clock = clock
        self.lease = lease
        self.max_sites_per_run = max_sites_per_run
        self.holder = holder or holder_id()
        self.locks = LeaseLocks(archive, self.holder)
        self.planner = due_slots.DuePlanner()
        self.after_run = after_run
        self._stop = threading.Event()

    def tick(self) -> TickResult:
        """One pass: start the due crawls (as one run) and return when it is over."""
        now = self.clock()
        schedules = site_schedules(self.archive)
        due = self.planner.due(self.archive, schedules, now)
        result = TickResult(due=len(due))
        first: dict[str, due_slots.DueSlot] = {}
        for slot in due:  # one slot per site per pass (the oldest)
            first.setdefault(slot.site_id, slot)
        wanted = list(first.values())[: self.max_sites_per_run]
        got = due_slots.claim_many(self.archive, wanted, self.holder, self.lease, now)
        locked = self.locks.acquire_many([site_lock_name(c.site_id) for c in got], self.lease)
        busy = [c for c in got if site_lock_name(c.site_id) not in locked]
        if busy:
            due_slots.mark(
                self.archive, [c.id for c in busy], self.holder, SlotState.WAITING,
                detail="site busy: another crawl held its lock", now=now,
            )  # fmt: skip
            result.busy = sorted(c.site_id for c in busy)
        claimed = [c for c in got if site_lock_name(c.site_id) in locked]
        if not claimed:
            return result
        result.claimed = [(c.site_id, c.slot_at) for c in claimed]
        ids = [c.id for c in claimed]
        sites = [c.site_id for c in claimed]
        lock_names = [site_lock_name(s) for s in sites]
        keeper = _SlotKeeper(self, ids, lock_names)
        try:
            due_slots.mark(self.archive, ids, self.holder, SlotState.RUNNING, now=now)
            with keeper:
                run_id = self.crawl(self.archive, sites)
            run_id = run_id if isinstance(run_id, int) else self._latest_run(sites)
            result.run_id = run_id
            due_slots.mark(
                self.archive, ids, self.holder, SlotState.DONE, run_id=run_id, now=self.clock()
            )
        except Exception as exc:
            log.exception("scheduled crawl of %s failed", ", ".join(sites))
            result.error = f"{type(exc).__name__}: {exc}"
            due_slots.mark(
                self.archive,
                ids,
                self.holder,
                SlotState.FAILED,
                detail=result.error[:2000],
                now=self.clock(),
            )
        finally:
            self.locks.release_many(lock_names)
        if self.after_run is not None:
            try:
                self.after_run(self.archive)
            except Exception:
                log.exception("after-run hook failed")
        return result

    def _latest_run(self, sites: list[str]) -> int | None:
        return self.archive.latest_run(sites)

    def serve(self, interval: float = 60.0, *, max_ticks: int | None = None) -> None:
        """Tick every ``interval`` seconds until :meth:`stop` (or ``max_ticks``)."""
        ticks = 0
        while not self._stop.is_set():
            try:
                result = self.tick()
                if result.claimed:
                    log.info("crawled %d due site(s) in run %s", len(result.claimed), result.run_id)
            except Exception:
                log.exception("scheduler tick failed; trying again at the next tick")
            ticks += 1
            if max_ticks is not None and ticks >= max_ticks:
                return
            self._stop.wait(interval)

    def stop(self) -> None:
        self._stop.set()


class _SlotKeeper(LeaseKeeper):
    """Renews the running slots' leases along with the sites' lock leases."""

    def __init__(self, scheduler: Scheduler, slot_ids: list[int], lock_names: list[str]) -> None:
        super().__init__(scheduler.locks, lock_names, scheduler.lease)
        self.scheduler, self.slot_ids = scheduler, slot_ids

    def _run(self) -> None:
        interval = max(self.duration.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            try:
                due_slots.renew(
                    self.scheduler.archive,
                    self.slot_ids,
                    self.scheduler.holder,
                    self.duration,
                    self.scheduler.clock(),
                )
                self.locks.renew_many(self.names, self.duration)
            except Exception:
                continue
