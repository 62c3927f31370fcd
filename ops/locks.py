"""Lease locks in the archive database: one holder at a time, across processes and machines.

A lease is a row (``ops_leases``) naming its holder and when it expires. Taking it is one
conditional statement — insert if absent, else take over only if expired — so it is
atomic on SQLite and PostgreSQL alike. A holder renews its lease while it works (see
:class:`LeaseKeeper`); a holder that dies stops renewing and its lease lapses, so a dead
machine never blocks a site for longer than the lease's duration — and a dead holder on
the same machine not at all: a holder is named ``host:pid:start time:tag``, and a lease
whose holder process is known dead (same host, pid gone or reused) is taken over at once.
An archivist can list the leases and release one by hand (``nianbao locks``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from capture.liveness import ProcessId
from storage import leases as lease_rows
from storage.archive import Archive
from storage.db import first_line

logger = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)


def holder_id() -> str:
    """A name for this process, unique across machines: host, pid, the process's start
    time (a pid is reused, a pid and its start time are not) and a random tag."""
    return f"{ProcessId.current()}:{uuid.uuid4().hex[:8]}"


def holder_process(holder: str) -> ProcessId | None:
    """The process a holder name names (None for names of another form)."""
    return ProcessId.parse(holder.rpartition(":")[0])


def holder_alive(holder: str) -> bool | None:
    """Is the holder's process alive (None: unknown — another host, another form)?"""
    process = holder_process(holder)
    return process.alive() if process is not None else None


def site_lock_name(site_id: str) -> str:
    return f"site:{site_id}"


class LockBusy(RuntimeError):
    """The lock is held by someone else."""

    def __init__(self, name: str, holder: str | None, expires_at: datetime | None) -> None:
        until = f" until {expires_at:%Y-%m-%d %H:%M:%S}Z" if expires_at else ""
        super().__init__(f"{name} is locked by {holder or 'another process'}{until}")
        self.name, self.holder, self.expires_at = name, holder, expires_at


class LeaseLocks:
    """Acquire, renew and release named leases in one archive."""

    def __init__(self, archive: Archive, holder: str | None = None) -> None:
        self.archive = archive
        self.holder = holder or holder_id()

    def acquire(
        self, name: str, duration: timedelta = DEFAULT_LEASE, *, now: datetime | None = None
    ) -> bool:
        """Take the lease if it is free or expired (or already ours); True if we hold it."""
        now = now or datetime.now(UTC)
        until = now + duration
        if lease_rows.take(self.archive, name, self.holder, now, until):
            return True
        return self._take_from_dead(name, now, until)

    def _take_from_dead(self, name: str, now: datetime, until: datetime) -> bool:
        """Take the lease over if its holder's process is known dead (same host)."""
        current = lease_rows.lease(self.archive, name)
        if current is None or holder_alive(current.holder) is not False:
            return False
        if lease_rows.take_over(self.archive, name, current.holder, self.holder, now, until):
            logger.warning(
                "%s: taken over from %s, a process that no longer runs", name, current.holder
            )
            return True
        return False

    def acquire_many(
        self, names: list[str], duration: timedelta = DEFAULT_LEASE, *, now: datetime | None = None
    ) -> set[str]:
        """Take every free (or expired, or own) lease of ``names`` at once; those we hold."""
        now = now or datetime.now(UTC)
        until = now + duration
        got = lease_rows.take_many(self.archive, names, self.holder, now, until)
        for name in names:
            if name not in got and self._take_from_dead(name, now, until):
                got.add(name)
        return got

    def release_many(self, names: list[str]) -> None:
        lease_rows.release_many(self.archive, names, self.holder)

    def renew_many(self, names: list[str], duration: timedelta = DEFAULT_LEASE) -> int:
        """Extend many of our leases; the number still ours."""
        return lease_rows.renew_many(self.archive, names, self.holder, datetime.now(UTC) + duration)

    def renew(
        self, name: str, duration: timedelta = DEFAULT_LEASE, *, now: datetime | None = None
    ) -> bool:
        """Extend our lease; False if it is no longer ours (it lapsed and was taken)."""
        now = now or datetime.now(UTC)
        return lease_rows.renew(self.archive, name, self.holder, now + duration)

    def release(self, name: str) -> None:
        lease_rows.delete_lease(self.archive, name, self.holder)

    def holder_of(self, name: str, *, now: datetime | None = None) -> tuple[str, datetime] | None:
        """Who holds the lease now (None if free or expired)."""
        now = now or datetime.now(UTC)
        current = lease_rows.lease(self.archive, name)
        if current is None:
            return None
        return (current.holder, current.expires_at) if current.expires_at >= now else None

    @contextmanager
    def hold(self, names: list[str], duration: timedelta = DEFAULT_LEASE) -> Iterator[LeaseKeeper]:
        """Hold all ``names`` for the block, renewing them; raise :class:`LockBusy` if one is taken."""
        taken: list[str] = []
        try:
            for name in names:
                if not self.acquire(name, duration):
                    current = self.holder_of(name)
                    raise LockBusy(
                        name, current[0] if current else None, current[1] if current else None
                    )
                taken.append(name)
            keeper = LeaseKeeper(self, taken, duration)
            with keeper:
                yield keeper
        finally:
            for name in taken:
                try:
                    self.release(name)
                except Exception as exc:  # the database is gone: the lease lapses, and
                    # once this process ends it is taken over at once
                    logger.warning(
                        "lock %s not released (%s); the next crawl takes it over",
                        name,
                        first_line(exc),
                    )


class LeaseKeeper:
    """A thread that renews leases every third of their duration while work goes on."""

    def __init__(self, locks: LeaseLocks, names: list[str], duration: timedelta) -> None:
        self.locks, self.names, self.duration = locks, list(names), duration
        self.lost: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = max(self.duration.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            for name in self.names:
                try:
                    if not self.locks.renew(name, self.duration) and name not in self.lost:
                        self.lost.append(name)
                except Exception:  # a database blip: try again at the next beat
                    continue


@dataclass(frozen=True)
class LockInfo:
    """A lease as ``nianbao locks list`` shows it."""

    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime
    state: str
    """``held`` (its holder is alive, or on another host and the lease not expired),
    ``dead holder`` (same host, the process is gone: the next taker takes it at once),
    ``expired``."""

    def record(self) -> dict[str, object]:
        return {
            "name": self.name,
            "holder": self.holder,
            "state": self.state,
            "acquired_at": self.acquired_at.isoformat(timespec="seconds"),
            "expires_at": self.expires_at.isoformat(timespec="seconds"),
        }


def list_locks(archive: Archive, *, now: datetime | None = None) -> list[LockInfo]:
    now = now or datetime.now(UTC)
    out = []
    for row in lease_rows.all_leases(archive):
        alive = holder_alive(row.holder)
        if alive is False:
            state = "dead holder"
        elif row.expires_at < now:
            state = "expired"
        else:
            state = "held"
        out.append(LockInfo(row.name, row.holder, row.acquired_at, row.expires_at, state))
    return out


def release_by_hand(archive: Archive, name: str, *, force: bool = False) -> LockInfo:
    """Release a lease whoever holds it (an archivist's decision). A lease whose holder
    is alive on this host, or unexpired on another host, is released only with ``force``
    (then two crawls of one site may overlap). Raises KeyError when there is no such
    lease, LockBusy when it is held and ``force`` is not given."""
    info = next((lock for lock in list_locks(archive) if lock.name == name), None)
    if info is None:
        raise KeyError(f"no lock named {name!r} (see `nianbao locks list`)")
    if info.state == "held" and not force:
        raise LockBusy(name, info.holder, info.expires_at)
    lease_rows.delete_lease(archive, name, info.holder)
    return info


@contextmanager
def site_locks(
    archive: Archive, site_ids: list[str], duration: timedelta = DEFAULT_LEASE
) -> Iterator[LeaseKeeper]:
    """Hold the crawl lock of each site for a block (what ``nianbao crawl`` should wrap
    its crawl in); raise :class:`LockBusy` naming the first site already being crawled."""
    with LeaseLocks(archive).hold(
        [site_lock_name(s) for s in sorted(site_ids)], duration
    ) as keeper:
        yield keeper
