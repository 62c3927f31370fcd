"""Run a crawl of registry sites and store its statistics: the API behind `nianbao crawl`.

    from crawler.run import crawl
    summary = crawl(archive, ["ninghai-gov"])          # or crawl(archive) for every site
    print(summary.outcome, summary.sites["ninghai-gov"].reports_found)

The crawl itself runs in a child process (`crawler.worker`): Twisted's reactor cannot be
restarted, and a process per crawl keeps the caller free to crawl again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from crawler.sitestats import SiteFigures


class CrawlError(RuntimeError):
    """The crawl process failed before it could report its figures."""


@dataclass
class RunSummary:
    run_id: int
    outcome: str
    """success | partial | failed | blocked"""
    elapsed: float
    sites: dict[str, SiteFigures] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    """The crawl's raw Scrapy stats (numbers and strings)."""

    def table(self) -> Table:
        """The per-site summary printed at the end of `nianbao crawl`."""
        table = Table(title=f"crawl run {self.run_id}: {self.outcome} in {self.elapsed:.1f}s")
        for column in (
            "site",
            "outcome",
            "requests",
            "pages",
            "MB",
            "reports",
            "new versions",
            "errors",
        ):
            table.add_column(
                column,
                justify="left" if column in ("site", "outcome", "errors") else "right",
                overflow="fold",
                min_width=len(column) if column != "site" else 12,
            )
        for figures in self.sites.values():
            errors = ", ".join(f"{k} {v}" for k, v in sorted(figures.errors.items())) or "-"
            table.add_row(
                figures.site_id,
                figures.outcome,
                str(figures.requests),
                str(figures.pages),
                f"{figures.bytes / 1e6:.2f}",
                str(figures.reports_found),
                str(figures.new_versions),
                errors,
            )
        return table


def overall_outcome(sites: dict[str, SiteFigures]) -> str:
    outcomes = {f.outcome for f in sites.values()}
    if not outcomes:
        return "failed"
    if len(outcomes) == 1:
        return outcomes.pop()
    return "partial"


def crawl(
    archive: Any,
    site_ids: list[str] | None = None,
    *,
    settings_overrides: dict[str, Any] | None = None,
    trigger: str = "manual",
) -> RunSummary:
    """Crawl the given registry sites (all when None), record the run and its per-site
    statistics in the archive, and return them. Unknown site ids raise KeyError before
    anything is fetched."""
    sites = archive.sites(site_ids or None)
    ids = [site.id for site in sites]
    if not ids:
        raise ValueError("the registry has no sites to crawl")
    run_id = archive.begin_run(ids, trigger=trigger)
    overrides = dict(settings_overrides or {})
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        summary_file = Path(tmp) / "summary.json"
        job_file = Path(tmp) / "job.json"
        settings = {
            "NIANBAO_DB": archive.url,
            "NIANBAO_DATA_DIR": str(archive.data_dir),
            "NIANBAO_RUN_ID": run_id,
            **overrides,
            "NIANBAO_SUMMARY_FILE": str(summary_file),
        }
        job_file.write_text(
            json.dumps({"site_ids": ids, "run_id": run_id, "settings": settings}), encoding="utf-8"
        )
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        completed = subprocess.run(
            [sys.executable, "-m", "crawler.worker", str(job_file)],
            env=env,
            check=False,
        )
        if completed.returncode != 0 or not summary_file.exists():
            archive.end_run(run_id, outcome="failed", site_stats={})
            raise CrawlError(
                f"crawl run {run_id} failed (exit {completed.returncode}); its log is above"
            )
        data = json.loads(summary_file.read_text(encoding="utf-8"))
    fatal = data.get("stats", {}).get("nianbao/fatal")
    if fatal:
        archive.end_run(run_id, outcome="failed", site_stats={})
        raise CrawlError(f"crawl run {run_id} stopped: {fatal}")
    figures = {site_id: SiteFigures(**values) for site_id, values in data["sites"].items()}
    outcome = overall_outcome(figures)
    archive.end_run(
        run_id, outcome=outcome, site_stats={k: v.as_dict() for k, v in figures.items()}
    )
    return RunSummary(
        run_id=run_id,
        outcome=outcome,
        elapsed=float(data["elapsed"]),
        sites=figures,
        stats=data.get("stats", {}),
    )
