"""Crawl runs and failures: a run begun, kept alive, ended or marked crashed; the
failures of single URLs; the run history.
"""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select, update

from capture.liveness import ProcessId
from storage.base import ArchiveBase
from storage.models import (
    CrawlRunRow,
    FailureRow,
    SiteRunRow,
)
from storage.types import (
    FailureRecord,
    RunStats,
    as_utc,
    iso,
    utcnow,
)
from storage.vocab import RunOutcome

RUN_HEARTBEAT = timedelta(seconds=30)
"""How often the process of a run says it is alive (``crawler.run.crawl``, the coordinator
of a distributed crawl)."""
RUN_STALE = 4 * RUN_HEARTBEAT
"""A run of another host whose process has been silent this long has crashed."""


class RunStore(ArchiveBase):
    """Crawl runs, their sites' figures, and the failures of single URLs."""

    # -- runs and failures ------------------------------------------------------------
    def begin_run(
        self, site_ids: list[str], *, trigger: str = "manual", process: str | None = None
    ) -> int:
        """Record a run as ``running``. ``process`` (``host:pid:start``, default this
        process) is the one that will end it: if it dies first, the run is ``crashed``."""
        now = utcnow()
        with self._write_lock, self.session() as s:
            run = CrawlRunRow(
                started_at=now,
                trigger=trigger,
                host=socket.gethostname(),
                stats={},
                process=process or str(ProcessId.current()),
                heartbeat_at=now,
            )
            s.add(run)
            s.flush()
            for site_id in site_ids:
                s.add(SiteRunRow(run_id=run.id, site_id=site_id, started_at=now, errors={}))
            return run.id

    def heartbeat_run(self, run_id: int) -> None:
        """The run's process is alive and the run goes on."""
        with self.session() as s:
            s.execute(
                update(CrawlRunRow)
                .where(CrawlRunRow.id == run_id, CrawlRunRow.finished_at.is_(None))
                .values(heartbeat_at=utcnow())
            )

    def unfinished_runs(self) -> list[tuple[int, str | None, datetime | None, datetime]]:
        """(run id, process, last heartbeat, start) of every run not ended."""
        with self.session() as s:
            rows = s.execute(
                select(
                    CrawlRunRow.id,
                    CrawlRunRow.process,
                    CrawlRunRow.heartbeat_at,
                    CrawlRunRow.started_at,
                ).where(CrawlRunRow.finished_at.is_(None))
            ).all()
        return [(r[0], r[1], as_utc(r[2]), as_utc(r[3]) or utcnow()) for r in rows]

    def reap_crashed(self, *, now: datetime | None = None) -> list[int]:
        """Mark ``crashed`` the unfinished runs whose process is gone: on this host, a
        process that no longer exists (or a reused pid); elsewhere, one silent for
        RUN_STALE. The ids of the runs marked."""
        now = now or utcnow()
        crashed = []
        for run_id, process, heartbeat, started in self.unfinished_runs():
            owner = ProcessId.parse(process) if process else None
            alive = owner.alive() if owner is not None else None
            silent = now - (heartbeat or started) > RUN_STALE
            if alive is False or (alive is None and process is not None and silent):
                crashed.append(run_id)
        self.mark_crashed(crashed, RunOutcome.CRASHED)
        return crashed

    def mark_crashed(self, run_ids: list[int], outcome: str = RunOutcome.CRASHED) -> None:
        """End runs whose process died without ending them: the run and its sites get
        ``outcome`` and end at their last heartbeat (when the process was last alive)."""
        if not run_ids:
            return
        with self._write_lock, self.session() as s:
            for run in s.scalars(
                select(CrawlRunRow).where(
                    CrawlRunRow.id.in_(run_ids), CrawlRunRow.finished_at.is_(None)
                )
            ):
                run.finished_at = run.heartbeat_at or run.started_at
                run.outcome = outcome
                for row in s.scalars(select(SiteRunRow).where(SiteRunRow.run_id == run.id)):
                    if row.finished_at is None:
                        row.finished_at = run.finished_at
                        row.outcome = outcome

    def end_run(
        self, run_id: int, *, outcome: str, site_stats: dict[str, dict[str, Any] | RunStats]
    ) -> None:
        now = utcnow()
        with self._write_lock, self.session() as s:
            run = s.get(CrawlRunRow, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            run.finished_at = now
            run.outcome = outcome
            totals: dict[str, int] = {}
            for site_id, stats in site_stats.items():
                data = stats.__dict__ if isinstance(stats, RunStats) else dict(stats)
                row = s.scalar(
                    select(SiteRunRow).where(
                        SiteRunRow.run_id == run_id, SiteRunRow.site_id == site_id
                    )
                )
                if row is None:
                    row = SiteRunRow(run_id=run_id, site_id=site_id, started_at=run.started_at)
                    s.add(row)
                row.finished_at = now
                for key in ("requests", "pages", "bytes", "reports_found", "new_versions"):
                    row_value = int(data.get(key, 0) or 0)
                    setattr(row, key, row_value)
                    totals[key] = totals.get(key, 0) + row_value
                row.errors = dict(data.get("errors") or {})
                row.blocked = bool(data.get("blocked", False))
                row.explored = data.get("explored") or None
                row.outcome = str(
                    data.get("outcome")
                    or (RunOutcome.BLOCKED if row.blocked else RunOutcome.SUCCESS)
                )
            # sites without figures (a run that failed before it could count) end with it
            for row in s.scalars(
                select(SiteRunRow).where(
                    SiteRunRow.run_id == run_id, SiteRunRow.finished_at.is_(None)
                )
            ):
                row.finished_at = now
                row.outcome = outcome
            run.stats = totals

    def record_failure(
        self,
        run_id: int | None,
        site_id: str | None,
        url: str,
        kind: str,
        detail: str,
        status: int | None = None,
    ) -> None:
        """Keep a failure of one URL of one site. Kinds: ``http_status``, ``timeout``,
        ``dns``, ``connection``, ``blocked`` (WAF), ``robots``, ``offsite``,
        ``private_address``, ``budget``, ``extraction`` (a document archived but not
        read), ``capture`` (a response that could not be archived)."""
        with self._write_lock, self.session() as s:
            s.add(
                FailureRow(
                    run_id=run_id,
                    site_id=site_id,
                    url=url,
                    kind=kind,
                    status=status,
                    detail=detail[:2000],
                    occurred_at=utcnow(),
                )
            )

    def failures(
        self, run_id: int | None = None, site_id: str | None = None
    ) -> list[FailureRecord]:
        with self.session() as s:
            query = select(FailureRow).order_by(FailureRow.id)
            if run_id is not None:
                query = query.where(FailureRow.run_id == run_id)
            if site_id is not None:
                query = query.where(FailureRow.site_id == site_id)
            return [
                {
                    "run_id": f.run_id,
                    "site_id": f.site_id,
                    "url": f.url,
                    "kind": f.kind,
                    "status": f.status,
                    "detail": f.detail,
                    "occurred_at": iso(f.occurred_at),
                }
                for f in s.scalars(query)
            ]

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.session() as s:
            runs = list(s.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(limit)))
            out = []
            for run in runs:
                sites = list(
                    s.scalars(
                        select(SiteRunRow)
                        .where(SiteRunRow.run_id == run.id)
                        .order_by(SiteRunRow.site_id)
                    )
                )
                out.append(
                    {
                        "run_id": run.id,
                        "started_at": iso(run.started_at),
                        "finished_at": iso(run.finished_at),
                        "outcome": run.outcome,
                        "trigger": run.trigger,
                        "host": run.host,
                        "stats": run.stats,
                        "sites": [
                            {
                                "site_id": r.site_id,
                                "outcome": r.outcome,
                                "requests": r.requests,
                                "pages": r.pages,
                                "bytes": r.bytes,
                                "reports_found": r.reports_found,
                                "new_versions": r.new_versions,
                                "errors": r.errors,
                                "blocked": r.blocked,
                            }
                            for r in sites
                        ],
                    }
                )
            return out

    def site_run_rows(
        self,
        *,
        site_id: str | None = None,
        since: datetime | None = None,
        outcome: str | None = None,
        run_id: int | None = None,
        limit: int = 50,
    ) -> tuple[list[Row[SiteRunRow, str, str | None]], dict[tuple[int, str], dict[str, int]]]:
        """The site runs (newest first, with their run's trigger and host) and the
        failures recorded for each, counted by kind."""
        with self.session() as s:
            query = (
                select(SiteRunRow, CrawlRunRow.trigger, CrawlRunRow.host)
                .join(CrawlRunRow, SiteRunRow.run_id == CrawlRunRow.id)
                .order_by(SiteRunRow.run_id.desc(), SiteRunRow.site_id)
                .limit(limit)
            )
            if site_id is not None:
                query = query.where(SiteRunRow.site_id == site_id)
            if since is not None:
                query = query.where(SiteRunRow.started_at >= since)
            if outcome is not None:
                query = query.where(SiteRunRow.outcome == outcome)
            if run_id is not None:
                query = query.where(SiteRunRow.run_id == run_id)
            rows = s.execute(query).all()
            keys = {(r.run_id, r.site_id) for r, _, _ in rows}
            counted: dict[tuple[int, str], dict[str, int]] = {}
            if keys:
                failures = s.execute(
                    select(FailureRow.run_id, FailureRow.site_id, FailureRow.kind, func.count())
                    .where(FailureRow.run_id.in_({k[0] for k in keys}))
                    .group_by(FailureRow.run_id, FailureRow.site_id, FailureRow.kind)
                ).all()
                for fr_run, fr_site, kind, count in failures:
                    if fr_run is not None and fr_site is not None and (fr_run, fr_site) in keys:
                        counted.setdefault((fr_run, fr_site), {})[kind] = int(count)
        return list(rows), counted

    def last_complete_crawl(self, site_id: str) -> datetime | None:
        """When the site's last complete crawl began: its newest site run that ended in
        ``success`` without running out of page budget. A crawl killed midway (``running``,
        ``crashed``), blocked, failed, partial or cut short by the budget did not see all
        of the site's listings, so it does not count; None when no crawl was complete."""
        with self.session() as s:
            rows = s.execute(
                select(SiteRunRow.started_at, SiteRunRow.errors)
                .where(
                    SiteRunRow.site_id == site_id,
                    SiteRunRow.outcome == RunOutcome.SUCCESS,
                    SiteRunRow.finished_at.is_not(None),
                )
                .order_by(SiteRunRow.run_id.desc())
                .limit(20)
            ).all()
        for started_at, errors in rows:
            if not (errors or {}).get("budget"):
                begun: datetime = as_utc(started_at)
                return begun
        return None

    def latest_run(self, site_ids: list[str]) -> int | None:
        """The last run that crawled one of these sites."""
        with self.session() as s:
            return s.scalar(
                select(SiteRunRow.run_id)
                .where(SiteRunRow.site_id.in_(site_ids))
                .order_by(SiteRunRow.run_id.desc())
                .limit(1)
            )
