"""Page times of the reading room on a 1M-version archive, over real HTTP to uvicorn.

The archive is the fill of ``benchmarks/search_latency.py`` (N report versions of
realistic Chinese text with their full-text index, five report years per agency), kept
with ``--keep`` and given here what the pages need beyond texts, once (idempotent):

- a region tree: 31 provinces, 340 cities and 3,000 counties with division codes (the
  first agencies of the fill), every other agency a township or department under a county;
- a site per county with twelve successful crawls over the years, so cells come out on
  time, late, missing or undetermined by the audit's own rule;
- first-capture times by report year (most in January after it, one in ten in May),
  publication dates for most, extractions with the three tables (real extractions of
  sample-web reports) for every government's reports and a sample of the rest, and an
  observation per version.

Then it starts ``nianbao serve`` (``--workers`` uvicorn processes, no replay) and times,
with 1 client and with 8 concurrent clients: the search page (queries drawn from the
texts; other queries for 1 and for 8 clients, since the reading room keeps the results
of searches asked before — a last pass asks the first queries again), the report page
(random reports) and the coverage page (the country: 3,000 counties, 340 cities, 31
provinces × 8 years; and a county's drill-down). Prints median, p95 and pages per second,
with the targets of issue 13.

    nice -n 10 .venv/bin/python benchmarks/web_latency.py --db sqlite \\
        --sqlite /tmp/nianbao-web-bench/search-1000000.sqlite3
    nice -n 10 .venv/bin/python benchmarks/web_latency.py --db postgresql --schema bench_XXXX
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import func, insert, select, text, update

from benchmarks.latency import PG_SERVER, percentile, sample_queries, table_of
from capture.extractor import extraction_columns
from extract import extract_document
from sampleweb.render import html_fragment
from sampleweb.texts import synth_report
from storage.archive import Archive
from storage.models import (
    AgencyRow,
    CrawlRunRow,
    ExtractionRow,
    ObservationRow,
    ReportRow,
    SiteRow,
    SiteRunRow,
    VersionRow,
)
from storage.vocab import ObservationOutcome, RunOutcome

PROVINCES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
]  # fmt: skip
CITIES, COUNTIES = 340, 3000
YEARS = list(range(2016, 2024))
MARK_SITE = "bench-county-0"


def plan() -> list[tuple[str, str | None, str, str, str | None]]:
    """(id, division code, level, kind, parent) of the governments: provinces, cities,
    counties (the first agencies of the fill)."""
    out: list[tuple[str, str | None, str, str, str | None]] = []
    for p, code in enumerate(PROVINCES):
        out.append((f"a{p}", code + "0000", "province", "government", None))
    for c in range(CITIES):
        p = c % len(PROVINCES)
        code = f"{PROVINCES[p]}{c // len(PROVINCES) + 1:02d}00"
        out.append((f"a{len(PROVINCES) + c}", code, "city", "government", f"a{p}"))
    first_county = len(PROVINCES) + CITIES
    for k in range(COUNTIES):
        c = k % CITIES
        city = out[len(PROVINCES) + c]
        code = f"{city[1][:4]}{k // CITIES + 1:02d}"  # type: ignore[index]
        out.append((f"a{first_county + k}", code, "county", "government", city[0]))
    return out


def extraction_pool() -> list[dict[str, object]]:
    """Real extractions of sample-web report pages (2019 layout), a few variants."""
    pool = []
    for seed in range(6):
        report = synth_report("样例县人民政府", 2020, seed, break_rule=seed == 5)
        html = (
            f"<html><head><meta charset=utf-8><title>{report.title}</title></head><body>"
            f"{html_fragment(report.text)}</body></html>"
        ).encode()
        pool.append(
            extraction_columns(
                extract_document(html, url="http://x/r.html", media_type="text/html")
            )
        )
    return pool


def prepare(archive: Archive, seed: int = 11) -> None:
    """Give the filled archive its region tree, sites, crawls, times, extractions and
    observations (skipped when done already)."""
    with archive.session() as s:
        if s.get(SiteRow, MARK_SITE) is not None:
            print("[prepare] already prepared", file=sys.stderr)
            return
        agencies = s.scalar(select(func.count()).select_from(AgencyRow)) or 0
    started = time.perf_counter()
    rng = random.Random(seed)
    governments = plan()
    first_other = len(governments)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with archive.session() as s:
        s.execute(
            update(AgencyRow),
            [
                {"id": i, "division_code": code, "level": level, "kind": kind, "parent_id": parent}
                for i, code, level, kind, parent in governments
            ],
        )
        county0 = len(PROVINCES) + CITIES
        rows = []
        for n in range(first_other, agencies):
            township = n % 3 == 0
            rows.append(
                {
                    "id": f"a{n}",
                    "division_code": None,
                    "level": "township" if township else "county",
                    "kind": "government" if township else "department",
                    "parent_id": f"a{county0 + n % COUNTIES}",
                }
            )
            if len(rows) == 20000:
                s.execute(update(AgencyRow), rows)
                rows = []
        if rows:
            s.execute(update(AgencyRow), rows)
    print(f"[prepare] region tree: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    with archive.session() as s:
        s.execute(
            insert(table_of(SiteRow)),
            [
                {
                    "id": f"bench-county-{k}",
                    "agency_id": f"a{county0 + k}",
                    "start_urls": [f"http://c{k}.bench.invalid/"],
                    "hosts": [f"c{k}.bench.invalid"],
                    "render": "never",
                    "schedule": None,
                    "obey_robots": True,
                    "allow_private": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for k in range(COUNTIES)
            ],
        )
        runs = []
        for y in range(2017, 2026):
            for month in (2, 6):
                runs.append(datetime(y, month, 10, 2, tzinfo=UTC))
        run_ids = []
        for at in runs:
            run = CrawlRunRow(
                started_at=at,
                finished_at=at + timedelta(hours=3),
                outcome=RunOutcome.SUCCESS,
                trigger="schedule",
                host="bench",
                stats={},
            )
            s.add(run)
            s.flush()
            run_ids.append((run.id, at))
        s.execute(
            insert(table_of(SiteRunRow)),
            [
                {
                    "run_id": rid,
                    "site_id": f"bench-county-{k}",
                    "started_at": at,
                    "finished_at": at + timedelta(hours=1),
                    "outcome": RunOutcome.SUCCESS if rng.random() > 0.02 else RunOutcome.FAILED,
                    "requests": 40,
                    "pages": 38,
                    "bytes": 900_000,
                    "reports_found": 5,
                    "new_versions": 1,
                    "errors": {},
                    "blocked": False,
                }
                for rid, at in run_ids
                for k in range(COUNTIES)
            ],
        )
    print(f"[prepare] sites and crawls: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # first captures by report year: January after it, one in ten in May (late)
    with archive.session() as s:
        if archive.dialect == "sqlite":
            when = (
                "datetime(((SELECT year FROM reports WHERE reports.id = {table}.{key}) + 1) || "
                "CASE WHEN {table}.id % 10 = 0 THEN '-05-20' ELSE '-01-20' END, "
                "'+' || ({table}.id % 7) || ' days', '+3 hours')"
            )
            s.execute(
                text("UPDATE reports SET first_seen_at = " + when.format(table="reports", key="id"))
            )
            s.execute(
                text(
                    "UPDATE versions SET first_seen_at = "
                    + when.format(table="versions", key="document_id")
                )
            )
            s.execute(
                text("UPDATE captures SET captured_at = " + when.format(table="captures", key="id"))
            )
            s.execute(
                text(
                    "UPDATE reports SET published_at = (year + 1) || "
                    "CASE WHEN id % 10 = 0 THEN '-05-18' ELSE '-01-15' END, published_source = 'meta' "
                    "WHERE id % 4 != 0"
                )
            )
        else:
            when = (
                "make_timestamptz(r.year + 1, CASE WHEN t.id % 10 = 0 THEN 5 ELSE 1 END, 20, 3, 0, 0, 'UTC') "
                "+ (t.id % 7) * interval '1 day'"
            )
            s.execute(
                text(
                    f"UPDATE reports t SET first_seen_at = {when} FROM reports r WHERE r.id = t.id"
                )
            )
            s.execute(
                text(
                    f"UPDATE versions t SET first_seen_at = {when} FROM reports r WHERE r.id = t.document_id"
                )
            )
            s.execute(
                text(f"UPDATE captures t SET captured_at = {when} FROM reports r WHERE r.id = t.id")
            )
            s.execute(
                text(
                    "UPDATE reports SET published_at = (year + 1)::text || "
                    "CASE WHEN id % 10 = 0 THEN '-05-18' ELSE '-01-15' END, published_source = 'meta' "
                    "WHERE id % 4 != 0"
                )
            )
        # each report's one version is its first (the fill's report, document and
        # version ids agree), as the ingest keeps it (migration 0007)
        s.execute(
            update(ReportRow).values(
                first_version_at=ReportRow.first_seen_at, first_version_id=ReportRow.id
            )
        )
        s.execute(update(ReportRow).values(site_id=MARK_SITE))
    print(f"[prepare] times: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # extractions (governments' reports and 5 % of the rest) and one observation a version
    pool = extraction_pool()
    gov_ids = {f"a{i}" for i in range(first_other)}
    with archive.session() as s:
        top = s.scalar(select(func.max(VersionRow.id))) or 0
        gov_reports = {
            rid
            for rid, agency in s.execute(
                select(ReportRow.id, ReportRow.agency_id).where(ReportRow.agency_id.in_(gov_ids))
            )
        }
    batch_ext, batch_obs = [], []
    for vid in range(1, top + 1):  # the fill's report, document, version and capture ids agree
        if vid in gov_reports or vid % 20 == 0:
            batch_ext.append({"version_id": vid, "created_at": now, **pool[vid % len(pool)]})
        batch_obs.append(
            {
                "document_id": vid,
                "version_id": vid,
                "capture_id": vid,
                "run_id": None,
                "observed_at": now,
                "status": 200,
                "outcome": ObservationOutcome.NEW_VERSION,
            }
        )
        if len(batch_obs) >= 20000 or vid == top:
            with archive.session() as s:
                if batch_ext:
                    s.execute(insert(table_of(ExtractionRow)), batch_ext)
                s.execute(insert(table_of(ObservationRow)), batch_obs)
            batch_ext, batch_obs = [], []
            print(f"  {vid} versions", file=sys.stderr, end="\r")
    with archive.engine.connect() as conn:
        if archive.dialect == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()
    print(f"\n[prepare] done in {time.perf_counter() - started:.0f} s", file=sys.stderr)


# -- timing --------------------------------------------------------------------------------
def serve(url: str, port: int, workers: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NIANBAO_DATA_DIR=str(data_dir))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao", "serve", "--db", url, "--port", str(port), "--no-replay",
         "--workers", str(workers), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=60).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the reading room did not start")


def timed(client: httpx.Client, url: str) -> float:
    t = time.perf_counter()
    r = client.get(url)
    took = time.perf_counter() - t
    if r.status_code != 200:
        raise SystemExit(f"{url}: HTTP {r.status_code} {r.text[:300]}")
    return took


TARGET_P95 = 0.150
"""Issue 13: search and report pages p95 ≤ 150 ms with one client …"""
TARGET_RATE = 50.0
"""… and ≥ 50 pages/s with 8 concurrent clients; …"""
TARGET_COVERAGE = 1.0
"""… coverage of 3,000 counties × 8 years ≤ 1 s."""


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def measure(
    base: str, label: str, urls: list[str], concurrency: int, targeted: bool = False
) -> str:
    times: list[float] = []
    lock = threading.Lock()
    clients = [httpx.Client(base_url=base, timeout=120) for _ in range(concurrency)]

    def worker(i: int) -> None:
        for url in urls[i::concurrency]:
            took = timed(clients[i], url)
            with lock:
                times.append(took)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    wall = time.perf_counter() - start
    for c in clients:
        c.close()
    p95, rate = percentile(times, 0.95), len(times) / wall
    target = ""
    if targeted and concurrency == 1:
        target = f"  [target p95 ≤ {TARGET_P95 * 1000:.0f} ms: {verdict(p95 <= TARGET_P95)}]"
    elif targeted and concurrency >= 8:
        target = f"  [target ≥ {TARGET_RATE:.0f} pages/s: {verdict(rate >= TARGET_RATE)}]"
    return (
        f"{label:<34} clients {concurrency}: {len(times)} pages, median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
        f"{rate:.1f} pages/s{target}"
    )


def run(label: str, url: str, args: argparse.Namespace) -> None:
    archive = Archive(url, data_dir=args.dir / "data")
    if not args.no_prepare:
        prepare(archive)
    rng = random.Random(args.seed)
    # queries of their own for the 1-client and the 8-client pass and the warm-up: the
    # reading room keeps the results of searches asked before (a third pass measures them)
    queries = sample_queries(archive, args.seed, 2 * args.pages + 5)
    with archive.session() as s:
        top = s.scalar(select(func.max(ReportRow.id))) or 1
        reports = [
            s.execute(
                select(ReportRow.agency_id, ReportRow.year).where(
                    ReportRow.id == rng.randint(1, top)
                )
            ).one()
            for _ in range(args.pages)
        ]
        gov = [
            s.execute(
                select(ReportRow.agency_id, ReportRow.year).where(
                    ReportRow.id == rng.randint(1, 3371 * 5)
                )
            ).one()
            for _ in range(args.pages // 2)
        ]
    archive.close()
    started = time.perf_counter()
    proc = serve(url, args.port, args.workers, args.dir / "data")
    print(f"[{label}] reading room ready in {time.perf_counter() - started:.1f} s "
          f"({args.workers} workers; each reads the region tree and the crawls as it starts)")  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        years = "&".join(f"year={y}" for y in YEARS)
        country = f"/coverage?{years}"
        with httpx.Client(base_url=base, timeout=300) as c:
            cold = timed(c, country)
            warm = [timed(c, country) for _ in range(3)]
            # a view no page asked for before: its matrix computed afresh (what every view
            # costs once after a crawl changes the archive)
            other = "&".join(f"year={y}" for y in range(YEARS[0] - 1, YEARS[-1]))
            fresh = timed(c, f"/coverage?{other}")
            county = plan()[-1][1]
            drill = [timed(c, f"/coverage?region={county}&{years}") for _ in range(3)]
            for q in queries[-5:]:
                timed(c, f"/search?q={quote(q)}")
            for a, y in reports[:5]:
                timed(c, f"/reports/{a}/{y}")
        print(f"[{label}] coverage of the country (3,371 governments × 8 years): first {cold * 1000:.0f} ms "
              f"[target ≤ {TARGET_COVERAGE:.0f} s: {verdict(cold <= TARGET_COVERAGE)}], "
              f"then {statistics.median(warm) * 1000:.0f} ms; another view computed afresh "
              f"{fresh * 1000:.0f} ms [target: {verdict(fresh <= TARGET_COVERAGE)}]; "
              f"a county drill-down {statistics.median(drill) * 1000:.0f} ms")  # fmt: skip
        search_urls = [f"/search?q={quote(q)}" for q in queries[: 2 * args.pages]]
        searches = {1: search_urls[: args.pages], 8: search_urls[args.pages :]}
        report_urls = [f"/reports/{a}/{y}" for a, y in reports]
        gov_urls = [f"/reports/{a}/{y}" for a, y in gov]
        coverage_urls = [country] * 24
        for concurrency in (1, 8):
            print(
                f"[{label}] "
                + measure(base, "search page", searches[concurrency], concurrency, True)
            )
            print(
                f"[{label}] "
                + measure(base, "report page (any report)", report_urls, concurrency, True)
            )
            print(
                f"[{label}] "
                + measure(base, "report page (government, tables)", gov_urls, concurrency, True)
            )
            print(
                f"[{label}] " + measure(base, "coverage page (country)", coverage_urls, concurrency)
            )
            sys.stdout.flush()
        print(f"[{label}] " + measure(base, "search page (asked before, kept)", searches[1], 8))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--sqlite", type=Path, help="the SQLite fill of search_latency.py")
    parser.add_argument("--schema", help="the PostgreSQL schema kept by search_latency.py --keep")
    parser.add_argument("--pages", type=int, default=200, help="pages of each kind per measurement")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=18590)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-prepare", action="store_true")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nianbao-web-bench"))
    args = parser.parse_args()
    if args.db == "sqlite":
        if not args.sqlite or not args.sqlite.exists():
            raise SystemExit("give --sqlite FILE: the fill of search_latency.py --n 1000000")
        run("sqlite", f"sqlite:///{args.sqlite}", args)
    else:
        if not args.schema or not args.schema.replace("_", "").isalnum():
            raise SystemExit("give --schema NAME: the schema kept by search_latency.py --keep")
        run("postgresql", f"{PG_SERVER}?options=-csearch_path%3D{args.schema}", args)


if __name__ == "__main__":
    main()
