"""What an admin may change from the reading room: import a registry, change a schedule,
crawl sites now. The same calls as ``nianbao sites import``, ``nianbao schedule`` and
``nianbao crawl``."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ops.locks import LockBusy, site_locks
from ops.schedule import ScheduleError
from ops.site_schedules import set_default, set_site, site_schedules
from registry.loader import RegistryError, parse_csv, parse_yaml
from storage.archive import ImportSummary
from web.room import Room


class ActionError(ValueError):
    """The action cannot be done as asked; the message says why."""


def import_registry(room: Room, text: str, filename: str = "registry.yaml") -> ImportSummary:
    source = filename or "registry"
    try:
        registry = (
            parse_csv(text, source=source)
            if source.lower().endswith(".csv")
            else parse_yaml(text, source=source)
        )
    except RegistryError as exc:
        raise ActionError(str(exc)) from exc
    return room.archive.import_registry(registry)


def set_schedule(room: Room, site: str | None, spec: str | None) -> dict[str, Any]:
    """Set (or with ``spec`` None clear) a site's schedule, or the default (``site``
    None)."""
    try:
        if site is None:
            set_default(room.archive, spec)
            return {"site_id": None, "spec": spec}
        set_site(room.archive, site, spec)
    except ScheduleError as exc:
        raise ActionError(str(exc)) from exc
    sched = site_schedules(room.archive, [site])[0]
    return {"site_id": site, "spec": sched.spec, "source": sched.source}


@dataclass
class CrawlJob:
    sites: list[str]
    started_at: datetime
    finished_at: datetime | None = None
    run_id: int | None = None
    outcome: str | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def record(self) -> dict[str, Any]:
        return {
            "sites": self.sites,
            "started_at": self.started_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "finished_at": self.finished_at.isoformat(timespec="seconds").replace("+00:00", "Z")
            if self.finished_at
            else None,
            "run_id": self.run_id,
            "outcome": self.outcome,
            "error": self.error,
        }


class Crawls:
    """Crawls started from the web, one at a time, in a thread (the crawl itself runs in
    a child process, as ``nianbao crawl``'s does)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: CrawlJob | None = None
        self.history: list[CrawlJob] = []

    def start(self, room: Room, sites: list[str]) -> CrawlJob:
        known = {s.id for s in room.archive.sites()}
        unknown = sorted(set(sites) - known)
        if not sites:
            raise ActionError("name at least one site to crawl")
        if unknown:
            raise ActionError(f"unknown site(s): {', '.join(unknown)}")
        with self._lock:
            if self.current is not None and not self.current.done.is_set():
                raise ActionError(
                    f"a crawl of {', '.join(self.current.sites)} is running; wait for it"
                )
            job = CrawlJob(sorted(set(sites)), datetime.now(UTC))
            self.current = job
            self.history.append(job)
            self.history = self.history[-20:]
        threading.Thread(target=self._run, args=(room, job), daemon=True).start()
        return job

    @staticmethod
    def _run(room: Room, job: CrawlJob) -> None:
        from ops.crawl_runner import crawl_sites

        try:
            with site_locks(room.archive, job.sites):
                summary = crawl_sites(
                    room.archive, job.sites, settings_overrides={"NIANBAO_PROGRESS": False}
                )
            job.run_id, job.outcome = summary.run_id, summary.outcome
        except LockBusy as exc:
            job.outcome, job.error = "refused", f"not crawling: {exc}"
        except Exception as exc:  # recorded on the job, shown on the archivists' page
            job.outcome, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished_at = datetime.now(UTC)
            job.done.set()
