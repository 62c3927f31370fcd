"""Lease locks in the archive database: one holder at a time, across processes and machines.

A lease is a row (``ops_leases``) naming its holder and when it expires. Taking it is one
conditional statement — insert if absent, else take over only if expired — so it is
atomic on SQLite and PostgreSQL alike. A holder renews its lease while it works (see
:class:`LeaseKeeper`); a holder that dies stops renewing and its lease lapses, so a dead
machine never blocks a site for longer than the lease's duration.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

import storage.models_ops  # noqa: F401  (registers the ops tables)
from storage.archive import Archive, as_utc
from storage.models_ops import LeaseRow

DEFAULT_LEASE = timedelta(minutes=5)
CHUNK = 500


def holder_id() -> str:
    """A name for this process, unique across machines: host, pid and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
        with self.archive.session() as s:
            taken = s.execute(
                update(LeaseRow)
                .where(
                    LeaseRow.name == name,
                    (LeaseRow.expires_at < now) | (LeaseRow.holder == self.holder),
                )
                .values(holder=self.holder, acquired_at=now, expires_at=until)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return True
        try:
            with self.archive.session() as s:
                s.add(LeaseRow(name=name, holder=self.holder, acquired_at=now, expires_at=until))
            return True
        except IntegrityError:
            return False

    def acquire_many(
        self, names: list[str], duration: timedelta = DEFAULT_LEASE, *, now: datetime | None = None
    ) -> set[str]:
        """Take every free (or expired, or own) lease of ``names`` at once; those we hold."""
        now = now or datetime.now(UTC)
        until = now + duration
        got: set[str] = set()
        if self.archive.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        with self.archive.session() as s:
            for start in range(0, len(names), CHUNK):
                chunk = names[start : start + CHUNK]
                taken = s.execute(
                    update(LeaseRow)
                    .where(
                        LeaseRow.name.in_(chunk),
                        (LeaseRow.expires_at < now) | (LeaseRow.holder == self.holder),
                    )
                    .values(holder=self.holder, acquired_at=now, expires_at=until)
                    .returning(LeaseRow.name)
                    .execution_options(synchronize_session=False)
                )
                got.update(taken.scalars())
                rest = [n for n in chunk if n not in got]
                if rest:
                    rows = [
                        {"name": n, "holder": self.holder, "acquired_at": now, "expires_at": until}
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

    def release_many(self, names: list[str]) -> None:
        with self.archive.session() as s:
            for start in range(0, len(names), CHUNK):
                chunk = names[start : start + CHUNK]
                s.execute(
                    delete(LeaseRow).where(LeaseRow.name.in_(chunk), LeaseRow.holder == self.holder)
                )

    def renew_many(self, names: list[str], duration: timedelta = DEFAULT_LEASE) -> int:
        """Extend many of our leases; the number still ours."""
        now = datetime.now(UTC)
        kept = 0
        with self.archive.session() as s:
            for start in range(0, len(names), CHUNK):
                result = s.execute(
                    update(LeaseRow)
                    .where(
                        LeaseRow.name.in_(names[start : start + CHUNK]),
                        LeaseRow.holder == self.holder,
                    )
                    .values(expires_at=now + duration)
                    .execution_options(synchronize_session=False)
                )
                kept += int(result.rowcount)  # type: ignore[attr-defined]
        return kept

    def renew(
        self, name: str, duration: timedelta = DEFAULT_LEASE, *, now: datetime | None = None
    ) -> bool:
        """Extend our lease; False if it is no longer ours (it lapsed and was taken)."""
        now = now or datetime.now(UTC)
        with self.archive.session() as s:
            result = s.execute(
                update(LeaseRow)
                .where(LeaseRow.name == name, LeaseRow.holder == self.holder)
                .values(expires_at=now + duration)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    def release(self, name: str) -> None:
        with self.archive.session() as s:
            s.execute(delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == self.holder))

    def holder_of(self, name: str, *, now: datetime | None = None) -> tuple[str, datetime] | None:
        """Who holds the lease now (None if free or expired)."""
        now = now or datetime.now(UTC)
        with self.archive.session() as s:
            row = s.scalar(select(LeaseRow).where(LeaseRow.name == name))
            if row is None:
                return None
            expires = as_utc(row.expires_at)
            assert expires is not None
            return (row.holder, expires) if expires >= now else None

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
                self.release(name)


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
