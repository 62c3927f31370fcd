"""Each site's health, from its run history and its captures, worst first.

States, worst first:

- ``blocked``: the last run was stopped by a WAF or anti-bot page;
- ``failing``: the last run(s) failed (``consecutive_failures`` counts them);
- ``report_missing``: the last run found no report where an earlier run found some, or
  documents once archived have vanished from the site;
- ``no_report_found``: the last run succeeded and no run ever found a report on the site
  (what the crawl explored is said: pages followed, links left, the best of them);
- ``stale_listing``: the site's listing pages did not change once during the whole last
  reporting season (1 January – 15 April), when new reports should have appeared;
- ``never_crawled``: no finished run yet;
- ``ok``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ops.schedule import TIMEZONE
from storage.archive import Archive, as_utc, iso
from storage.health import health_rows
from storage.vocab import HealthState, RunOutcome

STATES = tuple(HealthState)
"""worst first"""
UNHEALTHY = frozenset(
    {
        HealthState.BLOCKED,
        HealthState.FAILING,
        HealthState.REPORT_MISSING,
        HealthState.NO_REPORT_FOUND,
        HealthState.STALE_LISTING,
    }
)
SUCCESS_OUTCOMES = (RunOutcome.SUCCESS, RunOutcome.PARTIAL)
FAILURE_OUTCOMES = (RunOutcome.FAILED, RunOutcome.BLOCKED)
RECENT_RUNS = 50
SEASON_START = (1, 1)
SEASON_END = (4, 15)
# Listing pages must have been captured across this much of the season to call them stale.
SEASON_COVERAGE = timedelta(days=60)


@dataclass
class SiteHealth:
    site_id: str
    state: HealthState
    problems: list[str] = field(default_factory=list)
    last_run_at: str | None = None
    last_outcome: str | None = None
    last_success_at: str | None = None
    consecutive_failures: int = 0
    blocked: bool = False
    reports_found_last: int | None = None
    reports_found_before: int = 0
    vanished_documents: int = 0
    stale_listing_season: int | None = None
    """The year of the reporting season whose listing pages never changed."""
    explored: dict[str, Any] | None = None
    """What the last run explored of the site (crawler.frontier figures), when it found
    no report."""

    @property
    def rank(self) -> int:
        return STATES.index(self.state)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def last_complete_season(now: datetime) -> tuple[datetime, datetime, int]:
    """UTC bounds of the latest reporting season that has ended, and its year."""
    local = now.astimezone(TIMEZONE)
    year = local.year if (local.month, local.day) > SEASON_END else local.year - 1
    start = datetime(year, *SEASON_START, tzinfo=TIMEZONE)
    end = datetime(year, *SEASON_END, tzinfo=TIMEZONE) + timedelta(days=1)
    return start.astimezone(UTC), end.astimezone(UTC), year


def site_health(
    archive: Archive, *, now: datetime | None = None, site_ids: list[str] | None = None
) -> list[SiteHealth]:
    """The health of every site (or those named), worst first."""
    now = now or datetime.now(UTC)
    season_start, season_end, season_year = last_complete_season(now)
    rows = health_rows(
        archive,
        site_ids,
        recent_runs=RECENT_RUNS,
        success_outcomes=SUCCESS_OUTCOMES,
        season=(season_start, season_end),
    )
    ids = rows.site_ids
    if site_ids and set(site_ids) - set(ids):
        raise KeyError(f"unknown site(s): {', '.join(sorted(set(site_ids) - set(ids)))}")
    recent, last_success, vanished, listings = (
        rows.recent,
        rows.last_success,
        rows.vanished,
        rows.listings,
    )
    runs_by_site: dict[str, list[Any]] = {}
    for row in recent:
        runs_by_site.setdefault(row.site_id, []).append(row)
    stale = _stale_sites(listings)
    out = [
        _assess(
            site_id,
            runs_by_site.get(site_id, []),
            last_success.get(site_id),
            int(vanished.get(site_id, 0)),
            season_year if site_id in stale else None,
        )
        for site_id in ids
    ]
    return sorted(
        out, key=lambda h: (h.rank, -h.consecutive_failures, h.last_success_at or "", h.site_id)
    )


def _stale_sites(listings: Sequence[tuple[str | None, str, int, datetime, datetime]]) -> set[str]:
    """Sites whose every listing page captured across the season kept one payload."""
    verdict: dict[str, bool] = {}
    for site_id, _url, distinct, first, last in listings:
        if site_id is None:
            continue
        first, last = as_utc(first), as_utc(last)
        covered = first is not None and last is not None and last - first >= SEASON_COVERAGE
        if not covered:
            continue
        verdict[site_id] = verdict.get(site_id, True) and int(distinct) <= 1  # 0: only 304s
    return {site for site, unchanged in verdict.items() if unchanged}


def _assess(
    site_id: str,
    runs: list[Any],
    last_success: datetime | None,
    vanished: int,
    stale_year: int | None,
) -> SiteHealth:
    health = SiteHealth(
        site_id, HealthState.OK, vanished_documents=vanished, stale_listing_season=stale_year
    )
    health.last_success_at = iso(as_utc(last_success))
    if not runs:
        health.state = HealthState.NEVER_CRAWLED
        health.problems.append("never crawled")
        return health
    last = runs[0]
    health.last_run_at, health.last_outcome = iso(as_utc(last.finished_at)), last.outcome
    health.blocked = last.outcome == RunOutcome.BLOCKED or bool(last.blocked)
    for run in runs:
        if run.outcome not in FAILURE_OUTCOMES and not run.blocked:
            break
        health.consecutive_failures += 1
    health.reports_found_last = int(last.reports_found or 0)
    health.reports_found_before = max((int(r.reports_found or 0) for r in runs[1:]), default=0)
    if health.blocked:
        health.problems.append("blocked by a WAF or anti-bot page")
    if health.consecutive_failures:
        health.problems.append(f"{health.consecutive_failures} failed run(s) in a row")
    succeeded = last.outcome in SUCCESS_OUTCOMES
    if succeeded and health.reports_found_last == 0 and health.reports_found_before > 0:
        health.problems.append(
            f"no report found; an earlier run found {health.reports_found_before}"
        )
    never_found = succeeded and health.reports_found_last == 0 and not health.reports_found_before
    if never_found:
        health.explored = dict(last.explored or {})
        health.problems.append("no report found; " + _exploration(health.explored))
    if vanished:
        health.problems.append(f"{vanished} archived document(s) vanished from the site")
    if stale_year is not None:
        health.problems.append(f"listing pages unchanged through the {stale_year} reporting season")
    health.state = _state(health, succeeded, vanished, stale_year)
    if health.state == HealthState.OK and never_found:
        health.state = HealthState.NO_REPORT_FOUND
    return health


def _exploration(explored: dict[str, Any]) -> str:
    if not explored:
        return "the run recorded nothing of what it explored"
    text = (
        f"explored {explored.get('pages', 0)} page(s), followed "
        f"{explored.get('released', 0)} of {explored.get('queued', 0)} navigation link(s), "
        f"{explored.get('left', 0)} left"
    )
    best = explored.get("best_left") or []
    if best:
        text += "; best left: " + ", ".join(f"{b[1] or '?'} <{b[2]}>" for b in best[:3])
    closed = explored.get("closed_patterns") or []
    if closed:
        text += f"; {len(closed)} URL pattern(s) closed as traps"
    return text


def _state(
    health: SiteHealth, succeeded: bool, vanished: int, stale_year: int | None
) -> HealthState:
    if health.blocked:
        return HealthState.BLOCKED
    if health.consecutive_failures:
        return HealthState.FAILING
    if (
        succeeded and health.reports_found_last == 0 and health.reports_found_before > 0
    ) or vanished:
        return HealthState.REPORT_MISSING
    if stale_year is not None:
        return HealthState.STALE_LISTING
    return HealthState.OK
