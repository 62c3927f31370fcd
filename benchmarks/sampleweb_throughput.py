"""How fast the sample web serves, so crawler benchmarks know the server is not the limit.

    .venv/bin/python benchmarks/sampleweb_throughput.py [--pages 10000] [--workers 8]

Fetches every page of the large site's minimum set (listings + reports) and a sample of
articles with a thread pool of urllib clients, and prints pages/s and MB/s.
"""

from __future__ import annotations

import argparse
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sampleweb.large import LargeSite


def fetch(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        return len(response.read())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with LargeSite(args.pages) as site:
        urls = [entry.split(" ", 1)[1] for entry in site.min_fetches]
        lay = site.layout
        urls += [
            f"{site.base_url}/art/{c}/{a}.html"
            for c in range(lay.columns)
            for a in range(0, lay.articles_per_column, 7)
        ]
        start = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            sizes = list(pool.map(fetch, urls))
        elapsed = time.perf_counter() - start
    print(
        f"large site: {site.total_pages} pages, {len(site.report_urls)} reports, "
        f"minimum fetches {len(site.min_fetches)}"
    )
    print(
        f"fetched {len(urls)} pages ({sum(sizes) / 1e6:.1f} MB) in {elapsed:.2f}s with "
        f"{args.workers} clients: {len(urls) / elapsed:,.0f} pages/s, "
        f"{sum(sizes) / 1e6 / elapsed:.1f} MB/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
