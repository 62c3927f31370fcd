"""Run history: every crawl run of every site, with its figures and errors by kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from capture.liveness import ProcessId
from storage.archive import Archive, as_utc, iso
from storage.vocab import FailureKind, RunOutcome

RUN_HEARTBEAT = timedelta(seconds=30)
"""How often the process of a run says it is alive (``crawler.run.crawl``, the coordinator
of a distributed crawl)."""
RUN_STALE = 4 * RUN_HEARTBEAT
"""A run of another host whose process has been silent this long has crashed."""


def reap_crashed(archive: Archive, *, now: datetime | None = None) -> list[int]:
    """Mark ``crashed`` the unfinished runs whose process is gone: on this host, a process
    that no longer exists (or a reused pid); elsewhere, one silent for RUN_STALE. The ids
    of the runs marked."""
    now = now or datetime.now(UTC)
    crashed = []
    for run_id, process, heartbeat, started in archive.unfinished_runs():
        owner = ProcessId.parse(process) if process else None
        alive = owner.alive() if owner is not None else None
        silent = now - (heartbeat or started) > RUN_STALE
        if alive is False or (alive is None and process is not None and silent):
            crashed.append(run_id)
    archive.mark_crashed(crashed, RunOutcome.CRASHED)
    return crashed


ERROR_KINDS = (
    FailureKind.HTTP_STATUS,
    FailureKind.TIMEOUT,
    FailureKind.BLOCKED,
    FailureKind.ROBOTS,
    FailureKind.EXTRACTION,
)
"""The kinds archivists asked to see first; any other kind recorded is listed after them."""


def site_runs(
    archive: Archive,
    *,
    site_id: str | None = None,
    since: datetime | None = None,
    outcome: str | None = None,
    run_id: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """One record per site per run, newest first: start, end, outcome, pages, bytes,
    reports found, new versions and errors by kind."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    reap_crashed(archive)
    rows, counted = archive.site_run_rows(
        site_id=site_id, since=since, outcome=outcome, run_id=run_id, limit=limit
    )
    out = []
    for row, trigger, host in rows:
        # The crawler's own per-site counts win; failure rows fill in what it did not count.
        errors = {
            **counted.get((row.run_id, row.site_id), {}),
            **{k: int(v) for k, v in (row.errors or {}).items()},
        }
        started, finished = as_utc(row.started_at), as_utc(row.finished_at)
        out.append(
            {
                "run_id": row.run_id,
                "site_id": row.site_id,
                "started_at": iso(started),
                "finished_at": iso(finished),
                "seconds": round((finished - started).total_seconds(), 1)
                if started and finished
                else None,
                "outcome": row.outcome,
                "trigger": trigger,
                "host": host,
                "requests": row.requests,
                "pages": row.pages,
                "bytes": row.bytes,
                "reports_found": row.reports_found,
                "new_versions": row.new_versions,
                "blocked": row.blocked,
                "errors": {k: errors[k] for k in _error_order(errors)},
                "error_total": sum(errors.values()),
            }
        )
    return out


def _error_order(errors: dict[str, int]) -> list[str]:
    return [k.value for k in ERROR_KINDS if k in errors] + sorted(
        k for k in errors if k not in ERROR_KINDS
    )
