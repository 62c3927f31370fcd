"""The scheduler's overhead with many registered sites (default 10,000).

    .venv/bin/python benchmarks/scheduler_overhead.py [--sites N] [--db URL]

Prints, for an archive of N sites on the seasonal default schedule: the time to load
the schedules, a cold due computation, claiming every site's slot (the crawl itself
replaced by a no-op that records the run), and a steady-state pass with nothing due —
the cost the scheduler pays every minute.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from ops.due import DuePlanner
from ops.scheduler import Scheduler
from ops.site_schedules import site_schedules
from registry.model import Agency, Registry, Site
from storage.archive import Archive

T = TypeVar("T")


def registry(n: int) -> Registry:
    agencies = [Agency(id="county", name="大样县人民政府", level="county", kind="government")]
    sites = [
        Site(id=f"site-{i:05d}", agency_id="county", start_urls=[f"http://s{i}.example/"])
        for i in range(n)
    ]
    return Registry(agencies=agencies, sites=sites)


def timed(label: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    start = time.perf_counter()
    result = func(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label:<58} {elapsed:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--db", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-sched-bench-"))
    archive = Archive(args.db or f"sqlite:///{tmp / 'bench.sqlite3'}", data_dir=tmp / "data")
    print(
        f"{args.sites} sites, {archive.dialect}, seasonal default schedule (daily to 15 April, then weekly)"
    )
    timed("import the registry", archive.import_registry, registry(args.sites))
    now = datetime(2027, 3, 2, 12, 0, tzinfo=UTC)  # mid-season: every site ran last night
    schedules = timed("load every site's schedule", site_schedules, archive)
    planner = DuePlanner()
    due = timed(
        "due slots, cold (each site's latest slot computed)", planner.due, archive, schedules, now
    )
    print(f"  {len(due)} sites due")

    crawled: list[int] = []

    def crawl(arch: Archive, site_ids: list[str]) -> int:
        crawled.append(len(site_ids))
        return 0

    clock_now = [now]
    scheduler = Scheduler(archive, crawl, clock=lambda: clock_now[0], max_sites_per_run=args.sites)
    timed(f"one pass claiming and locking all {len(due)} due slots", scheduler.tick)
    timed("a pass with nothing due (warm: the scheduler's every minute)", scheduler.tick)
    clock_now[0] = now + timedelta(minutes=1)
    passes = 5
    start = time.perf_counter()
    for i in range(passes):
        clock_now[0] = now + timedelta(minutes=2 + i)
        scheduler.tick()
    print(
        f"{'mean of ' + str(passes) + ' idle passes':<58} {(time.perf_counter() - start) / passes:8.3f} s"
    )
    clock_now[0] = now + timedelta(days=1)
    result = timed("the next night: a pass where every site is due again", scheduler.tick)
    print(f"  {len(result.claimed)} claimed; crawl calls: {crawled}")
    archive.close()


if __name__ == "__main__":
    main()
