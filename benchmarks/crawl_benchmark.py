"""The crawler's figures on the sample web and on a large local site, in one run.

    .venv/bin/python benchmarks/crawl_benchmark.py [--pages 10000] [--mirror-timeout 60]

Prints:
1. recall and precision of the reports (pages and attachments) the crawler archives from
   the sample web, against `web.truth()` (targets 100% / 100%);
2. requests it made against the minimum set (`truth.min_fetches`, target ≤ 1.3×) and
   against a breadth-first mirror of the same sites (`wget --mirror`, robots obeyed, capped
   by --mirror-timeout per site), with the share of report URLs each one reached;
3. a second crawl of the unchanged sample web against the first: requests, bytes, new
   versions (targets ≤ 10% of the bytes, 0 new versions);
4. throughput on `sampleweb.large.LargeSite(--pages)`: bare Scrapy (an unfocused
   CrawlSpider, benchmarks/crawl_bare_spider.py) against the crawler driven unfocused
   through all its middlewares and pipelines (`NIANBAO_FOCUSED=false`), same concurrency,
   same site, same run (target ≥ 70%); and the focused crawl of the same site against its
   minimum set.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sampleweb
from crawler.links import canonical_url
from crawler.run import RunSummary, crawl
from registry.loader import parse_yaml
from sampleweb.large import LargeSite
from storage.archive import Archive

HERE = Path(__file__).resolve().parent
QUIET = {"NIANBAO_PROGRESS": False, "LOG_LEVEL": "ERROR"}


def key(entry: str) -> str:
    method, url = entry.split(" ", 1)
    return f"{method} {canonical_url(url)}"


def fetched_by_web(web: Any) -> list[str]:
    base = {s["id"]: s["base_url"] for s in web.sites}
    return [key(f"{m} {base[site] + target}") for site, m, target in web.requests()]


def totals(summary: RunSummary) -> dict[str, int]:
    sites = summary.sites.values()
    return {
        "requests": sum(f.requests for f in sites),
        "bytes": sum(f.bytes for f in sites),
        "new_versions": sum(f.new_versions for f in sites),
        "reports_found": sum(f.reports_found for f in sites),
    }


def sample_web_figures(tmp: Path, mirror_timeout: float) -> None:
    with sampleweb.SampleWeb(state="before", port=0) as web:
        archive = Archive(f"sqlite:///{tmp}/sample.sqlite3", data_dir=tmp / "sample")
        archive.import_registry(parse_yaml(web.registry_yaml()))
        truth = web.truth()
        web.clear_requests()
        first = crawl(archive, settings_overrides=QUIET)
        fetched = fetched_by_web(web)

        want = {canonical_url(u) for r in truth.expected_reports for u in r.urls}
        archived = {
            canonical_url(d.url) for site in first.sites for d in archive.known_documents(site)
        }
        hits = want & archived
        print("== 1. reports on the sample web")
        print(f"expected report documents {len(want)}, archived {len(archived)}")
        print(f"recall    {len(hits) / len(want):7.1%}  (missing {sorted(want - archived)})")
        precision = len(hits) / len(archived) if archived else 0.0
        print(f"precision {precision:7.1%}  (not reports {sorted(archived - want)})")
        decoys = {f"GET {canonical_url(d)}" for d in truth.decoys} & set(fetched)
        print(f"decoys fetched {len(decoys)} of {len(truth.decoys)}")

        minimum = {key(m) for m in truth.min_fetches}
        print("\n== 2. requests: focused crawler, minimum set, breadth-first mirror")
        print(f"{'':28} {'requests':>9} {'× minimum':>10} {'report URLs reached':>20}")
        report_keys = {f"GET {u}" for u in want}
        print(f"{'minimum set (truth)':28} {len(minimum):9d} {1.0:10.2f} {'100.0%':>20}")
        reached = len(report_keys & set(fetched)) / len(report_keys)
        print(
            f"{'nianbao crawler':28} {len(fetched):9d} {len(fetched) / len(minimum):10.2f} {reached:20.1%}"
        )
        extra = Counter(f for f in fetched if f not in minimum)
        if extra:
            print(
                "  beyond the minimum: " + ", ".join(f"{u} ×{n}" for u, n in extra.most_common(8))
            )
        wget = shutil.which("wget")
        if wget is None:
            print("wget not installed: no mirror figures")
        else:
            web.clear_requests()
            started = time.monotonic()
            procs = [
                subprocess.Popen(
                    [
                        "timeout",
                        str(mirror_timeout),
                        wget,
                        "--mirror",
                        "--no-verbose",
                        "--quiet",
                        "--delete-after",
                        "--no-host-directories",
                        "--tries=1",
                        "--timeout=5",
                        "-P",
                        str(tmp / f"mirror-{i}"),
                        start,
                    ]
                )
                for i, site in enumerate(web.sites)
                for start in site["start_urls"]
            ]
            capped = sum(1 for p in procs if p.wait() == 124)
            mirrored = fetched_by_web(web)
            reached = len(report_keys & set(mirrored)) / len(report_keys)
            label = f"wget --mirror ({capped} capped)"
            print(
                f"{label:28} {len(mirrored):9d} {len(mirrored) / len(minimum):10.2f} {reached:20.1%}"
                f"   ({time.monotonic() - started:.0f}s)"
            )

        web.clear_requests()
        second = crawl(archive, settings_overrides=QUIET)
        a, b = totals(first), totals(second)
        print("\n== 3. second crawl of the unchanged sample web")
        print(f"{'':14} {'first':>10} {'second':>10} {'ratio':>8}")
        for name in ("requests", "bytes", "new_versions"):
            ratio = b[name] / a[name] if a[name] else 0.0
            print(f"{name:14} {a[name]:10d} {b[name]:10d} {ratio:8.1%}")
        print(f"elapsed        {first.elapsed:9.1f}s {second.elapsed:9.1f}s")
        for site_id, figures in second.sites.items():
            before = first.sites[site_id]
            print(
                f"  {site_id:14} requests {before.requests:3d} → {figures.requests:3d}, "
                f"bytes {before.bytes:8d} → {figures.bytes:8d}"
            )
        archive.close()


def large_site_figures(tmp: Path, pages: int, per_host: int) -> None:
    print(f"\n== 4. throughput on a large local site ({pages} pages)")
    with LargeSite(pages) as site:
        archive = Archive(f"sqlite:///{tmp}/large.sqlite3", data_dir=tmp / "large")
        archive.import_registry(parse_yaml(site.registry_yaml()))
        bare_out = subprocess.run(
            [
                sys.executable,
                str(HERE / "crawl_bare_spider.py"),
                site.start_url,
                "--concurrency",
                "32",
                "--per-host",
                str(per_host),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        bare = json.loads(bare_out.stdout.strip().splitlines()[-1])
        same = {"CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": per_host}
        unfocused = crawl(
            archive,
            settings_overrides={
                **QUIET,
                **same,
                "NIANBAO_FOCUSED": False,
                "NIANBAO_MAX_DEPTH": 10_000,
                "NIANBAO_PAGE_BUDGET": 10 * pages,
            },
        )
        u = totals(unfocused)
        u_rate = u["requests"] / unfocused.elapsed
        print(f"{'':44} {'pages':>7} {'seconds':>8} {'pages/s':>8}")
        print(
            f"{'bare Scrapy CrawlSpider (no storage)':44} {bare['pages']:7d} {bare['elapsed']:8.1f} {bare['pages_per_s']:8.1f}"
        )
        print(
            f"{'nianbao unfocused (all middlewares, capture)':44} {u['requests']:7d} {unfocused.elapsed:8.1f} {u_rate:8.1f}"
            f"   = {u_rate / bare['pages_per_s']:.0%} of bare Scrapy"
        )

        archive2 = Archive(f"sqlite:///{tmp}/large2.sqlite3", data_dir=tmp / "large2")
        archive2.import_registry(parse_yaml(site.registry_yaml()))
        before = len(site.requests())
        focused = crawl(
            archive2, settings_overrides={**QUIET, **same, "NIANBAO_PAGE_BUDGET": 10 * pages}
        )
        f = totals(focused)
        requests = len(site.requests()) - before
        minimum = len(site.min_fetches)
        print(
            f"{'nianbao focused (the real crawl)':44} {f['requests']:7d} {focused.elapsed:8.1f} "
            f"{f['requests'] / focused.elapsed:8.1f}   {requests} requests = {requests / minimum:.2f}× minimum "
            f"({minimum}); reports {f['reports_found']} of {len(site.report_urls)}"
        )
        archive.close()
        archive2.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument(
        "--per-host", type=int, default=8, help="per-host concurrency of both crawlers"
    )
    parser.add_argument("--mirror-timeout", type=float, default=60.0)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-sample", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        if not args.skip_sample:
            sample_web_figures(Path(tmp), args.mirror_timeout)
        if not args.skip_large:
            large_site_figures(Path(tmp), args.pages, args.per_host)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
