"""Throughput of a distributed crawl with 1, 2 and 4 workers on the large local site.

    .venv/bin/python benchmarks/distributed_throughput.py [--pages 10000] [--workers 1 2 4]
        [--host-concurrency 8] [--redis URL] [--pg URL]

Each run crawls a fresh large site (sampleweb.large, one host on 127.0.0.30) into a
fresh PostgreSQL schema, with that many `nianbao worker` processes on this machine.
Elapsed time runs from the start of the run (seeding, worker start-up included) to its
end. Per-host politeness holds across workers (NIANBAO_HOST_CONCURRENCY downloads from
the host at once, all workers together), so more workers add parsing and archiving
capacity, not more load on the site. On a 2-core machine expect the gain to flatten.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp

from sqlalchemy import create_engine, func, select, text

from ops.distributed.crawl import run_distributed
from registry.loader import parse_yaml
from sampleweb.large import LargeSite
from storage.archive import Archive
from storage.models import CaptureRow, DocumentRow


def column_registry(site: LargeSite) -> str:
    """Start at each column (the home page's links are not report-like enough to follow)."""
    urls = "".join(
        f"      - {json.dumps(f'{site.base_url}/col/{c}/index.html')}\n"
        for c in range(site.layout.columns)
    )
    return (
        "agencies:\n  - {id: dayang, name: 大样县人民政府, level: county, kind: government}\n"
        f"sites:\n  - id: dayang-gov\n    agency: dayang\n    render: never\n    start_urls:\n{urls}"
    )


def one_run(workers: int, args: argparse.Namespace) -> dict[str, float]:
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        archive = Archive(
            f"{args.pg}?options=-csearch_path%3D{schema}",
            data_dir=Path(mkdtemp(prefix="nianbao-bench-")),
        )
        with LargeSite(args.pages) as site:
            archive.import_registry(parse_yaml(column_registry(site)))
            settings = {
                "NIANBAO_PROGRESS": "off", "NIANBAO_RENDER_ENABLED": False, "NIANBAO_MAX_EMPTY_LISTING_PAGES": 100_000,
                "NIANBAO_HOST_CONCURRENCY": args.host_concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.host_concurrency,
                "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "ERROR",
            }  # fmt: skip
            start = time.perf_counter()
            summary = run_distributed(
                archive, redis=args.redis, local_workers=workers, settings_overrides=settings
            )
            elapsed = time.perf_counter() - start
            fetched = len(site.requests())
        with archive.session() as s:
            captures = s.scalar(select(func.count()).select_from(CaptureRow)) or 0
            documents = s.scalar(select(func.count()).select_from(DocumentRow)) or 0
        archive.close()
        figures = summary.sites["dayang-gov"]
        return {"workers": workers, "seconds": elapsed, "fetched": fetched, "pages_per_s": fetched / elapsed,
                "mb": figures.bytes / 1e6, "captures": captures, "documents": documents,
                "reports_found": figures.reports_found}  # fmt: skip
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--host-concurrency", type=int, default=8)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(
        f"large site of {args.pages} pages; per-host concurrency {args.host_concurrency} across all workers"
    )
    print(
        f"{'workers':>7} {'seconds':>8} {'fetched':>8} {'pages/s':>8} {'MB':>7} {'captures':>9} {'documents':>9}"
    )
    base = None
    for workers in args.workers:
        r = one_run(workers, args)
        base = base or r["pages_per_s"]
        print(f"{r['workers']:>7} {r['seconds']:>8.1f} {r['fetched']:>8} {r['pages_per_s']:>8.1f} {r['mb']:>7.1f} "
              f"{r['captures']:>9} {r['documents']:>9}   x{r['pages_per_s'] / base:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
