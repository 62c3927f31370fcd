"""Run history: every crawl run of every site, with its figures and errors by kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.archive import Archive, as_utc, iso
from storage.runs import RUN_HEARTBEAT, RUN_STALE
from storage.vocab import FailureKind


def reap_crashed(archive: Archive, *, now: datetime | None = None) -> list[int]:
    """Mark ``crashed`` the unfinished runs whose process is gone
    (:meth:`storage.runs.RunStore.reap_crashed`)."""
    return archive.reap_crashed(now=now)


__all__ = ["ERROR_KINDS", "RUN_HEARTBEAT", "RUN_STALE", "reap_crashed", "site_runs"]

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
