"""Per-site figures of a crawl, read from the crawl's stats (`nianbao/<site>/…`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from storage.vocab import FailureKind, RunOutcome


@dataclass
class SiteFigures:
    site_id: str
    requests: int = 0
    pages: int = 0
    bytes: int = 0
    reports_found: int = 0
    new_versions: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    blocked: bool = False
    outcome: str = RunOutcome.SUCCESS
    explored: dict[str, Any] = field(default_factory=dict)
    """The navigation frontier's figures (crawler.frontier.FrontierFigures)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def site_figures(
    stats: dict[str, Any],
    site_id: str,
    reports_found: int,
    *,
    explored: dict[str, Any] | None = None,
) -> SiteFigures:
    prefix = f"nianbao/{site_id}/"
    errors = {
        key[len(prefix) + len("errors/") :]: int(value)
        for key, value in stats.items()
        if key.startswith(prefix + "errors/")
    }
    figures = SiteFigures(
        site_id=site_id,
        requests=int(stats.get(prefix + "requests", 0)),
        pages=int(stats.get(prefix + "pages", 0)),
        bytes=int(stats.get(prefix + "bytes", 0)),
        reports_found=reports_found,
        new_versions=int(stats.get(prefix + "new_versions", 0)),
        errors=errors,
        blocked=bool(stats.get(prefix + "blocked", False)),
        explored=explored or {},
    )
    figures.outcome = outcome_of(figures)
    return figures


NOT_CRAWL_FAILURES = frozenset(
    {FailureKind.BUDGET, FailureKind.ROBOTS, FailureKind.OFFSITE, FailureKind.EXTRACTION}
)
"""Failure kinds that leave a crawl's outcome `success`: limits the crawl was told to keep
(budget, robots.txt, scope), and documents fetched and archived whose text could not be
extracted (a per-document problem, re-extractable later; still counted in `errors`)."""


def outcome_of(figures: SiteFigures) -> str:
    if figures.blocked:
        return RunOutcome.BLOCKED
    if figures.pages == 0:
        return RunOutcome.FAILED
    serious = {k: v for k, v in figures.errors.items() if k not in NOT_CRAWL_FAILURES and v}
    return RunOutcome.PARTIAL if serious else RunOutcome.SUCCESS
