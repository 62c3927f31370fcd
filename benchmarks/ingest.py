"""Ingest benchmark: synthetic captures through the real recorder, in two measures.

    .venv/bin/python benchmarks/ingest.py [--captures 10000] [--db sqlite|postgresql|both]
                                          [--batch 50] [--workers 1] [--role report|listing]

80% of the captures are new report pages (realistic Chinese text with a table), 20% are
unchanged re-captures of pages already taken, whose raw bytes differ only in page
furniture (visit counter, clock) — they must add no version. Prints captures/s and WARC
bytes per capture, overall and for the unchanged re-captures alone, for:

archive    the archive stage: lookups, WARC records (fsynced), the SQL index, reports,
           documents, versions, observations, extraction rows and the search index, in
           group commits of --batch captures. The documents' extraction (text, tables,
           content hash, index terms) is computed before the clock starts, with the real
           extractor, as the page bodies are: it is the extract stage's work, measured
           by benchmarks/extract_speed.py.
pipeline   the same with extraction on the clock, in --workers isolated worker processes
           (0 or 1: one; documents are never read in the recording process).

Targets (2-core machine), for the archive: ≥ 500 captures/s into SQLite, ≥ 300 into
PostgreSQL; an unchanged re-capture < 2 KB of WARC.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from capture.extractor import Extracted, Extractor, extract_version, extraction_job
from capture.recorder import CaptureRecorder
from capture.types import FetchedResponse, Role
from registry.loader import parse_yaml
from storage.archive import Archive

REGISTRY = """
agencies:
  - {id: county, name: 宁海县人民政府, level: county, kind: government}
sites:
  - {id: county-gov, agency: county, start_urls: ["http://www.example.gov.cn/col/col1/index.html"]}
"""
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORDS = "政府信息公开工作年度报告主动公开依申请公开行政复议行政诉讼规范性文件政务新媒体平台建设监督保障存在问题改进措施"


def page(i: int, visits: int, rng: random.Random) -> bytes:
    body = "".join(rng.choice(WORDS) for _ in range(rng.randint(1500, 2600)))
    rows = "".join(
        f"<tr><td>行{r}</td><td>{rng.randint(0, 99)}</td><td>{rng.randint(0, 9)}</td></tr>"
        for r in range(20)
    )
    return (
        f"<html><head><meta charset='utf-8'><title>第{i}镇2020年度政府信息公开工作年度报告</title></head><body>"
        f"<div class='nav'>首页 &gt; 信息公开年报</div><div class='info'>浏览次数：{visits} 当前时间：{visits % 24:02d}:13:07</div>"
        f"<div id='zoom'><h1>第{i}镇2020年度政府信息公开工作年度报告</h1><p>{body}</p><table>{rows}</table></div>"
        f"<div class='footer'>主办单位</div></body></html>"
    ).encode()


CALLERS = 2
"""Threads handing groups to the recorder, as the crawl's pipeline does."""


class Prepared(Extractor):
    """The real extractor's results, computed before the clock starts (archive measure)."""

    def __init__(self, responses: list[tuple[FetchedResponse, int]]) -> None:
        super().__init__(0)
        self.done: dict[bytes, Extracted] = {}
        for resp, _ in responses:
            self.done[resp.body] = extract_version(*extraction_job(resp, ""))

    def run(self, group: list[tuple[FetchedResponse, str]]) -> list[Extracted]:
        out = []
        for resp, payload in group:
            version, error, meta = self.done[resp.body]
            content = version.content_sha256 if version.text.strip() else payload
            out.append((replace(version, content_sha256=content), error, meta))
        return out


def run(
    db_url: str,
    *,
    n: int,
    data: Path,
    role: Role = Role.REPORT,
    batch: int = 50,
    workers: int = 0,
    prepared: bool = False,
) -> dict[str, float]:
    archive = Archive(db_url, data_dir=data)
    archive.import_registry(parse_yaml(REGISTRY))
    rng = random.Random(7)
    fresh = int(n * 0.8)
    seeds = [rng.randint(0, 10**9) for _ in range(fresh)]
    t0 = datetime(2021, 2, 1, tzinfo=UTC)

    def capture(i: int, visits: int, at: datetime) -> FetchedResponse:
        return FetchedResponse(
            url=f"http://www.example.gov.cn/art/2021/2/1/art_{i}.html",
            status=200,
            body=bodies[(i, visits)],
            fetched_at=at,
            site_id="county-gov",
            role=role,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            title=f"第{i}镇2020年度政府信息公开工作年度报告",
            year=2000 + i // 50,
            agency_name=f"第{i % 50}镇",
        )

    # Pages are made before the clock starts: the benchmark times the archive only.
    bodies = {(i, 1): page(i, 1, random.Random(seeds[i])) for i in range(fresh)}
    bodies.update(
        {
            (j % fresh, 2 + j): page(j % fresh, 2 + j, random.Random(seeds[j % fresh]))
            for j in range(n - fresh)
        }
    )
    extractor: Extractor = Extractor(workers)
    if prepared:
        extractor = Prepared([(capture(i, v, t0), v) for i, v in bodies])
    rec = CaptureRecorder.open(archive, extractor=extractor)
    if not prepared:  # start the worker processes before the clock
        extractor.run([(capture(0, 1, t0), "0" * 64)])
    warc_before = 0
    start = time.perf_counter()
    # Groups go in from two threads, as the crawl's pipeline hands them over: one
    # group's extraction overlaps another's writing.
    callers = ThreadPoolExecutor(CALLERS)
    groups = [
        [capture(i, 1, t0) for i in range(k, min(fresh, k + batch))] for k in range(0, fresh, batch)
    ]
    list(callers.map(rec.record_many, groups))
    mid = time.perf_counter()
    warc_mid = sum(p.stat().st_size for p in archive.warc_dir.glob("*.warc.gz"))
    later = t0 + timedelta(days=1)
    groups = [
        [capture(j % fresh, 2 + j, later) for j in range(k, min(n - fresh, k + batch))]
        for k in range(0, n - fresh, batch)
    ]
    new_versions = sum(r.new_version for rs in callers.map(rec.record_many, groups) for r in rs)
    end = time.perf_counter()
    callers.shutdown()
    rec.close()
    warc_end = sum(p.stat().st_size for p in archive.warc_dir.glob("*.warc.gz"))
    archive.close()
    return {
        "captures_per_s": n / (end - start),
        "new_per_s": fresh / (mid - start),
        "recapture_per_s": (n - fresh) / (end - mid),
        "warc_bytes_per_capture": (warc_end - warc_before) / n,
        "warc_bytes_per_unchanged": (warc_end - warc_mid) / max(1, n - fresh),
        "new_versions_on_recapture": new_versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--captures", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--role",
        choices=["report", "listing"],
        default="report",
        help="report: report pages (extraction, versioning, search index); listing: evidence captures only",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=50,
        help="captures per group commit (the crawl's NIANBAO_INGEST_BATCH)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="extraction worker processes (the crawl's NIANBAO_EXTRACT_WORKERS)",
    )
    args = parser.parse_args()
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append("sqlite")
    if args.db in ("postgresql", "both"):
        targets.append("postgresql")
    print(
        f"role: {args.role}, {args.captures} captures, group commits of {args.batch}, "
        f"pipeline extraction: {max(1, args.workers)} isolated worker process(es)"
    )
    print(
        f"{'database':<12}{'measure':<10}{'captures/s':>12}{'new/s':>10}{'unchanged/s':>13}"
        f"{'WARC B/capture':>16}{'WARC B/unchanged':>18}{'new versions':>14}"
    )
    for name in targets:
        for measure in ("archive", "pipeline"):
            result = measure_one(name, args, prepared=measure == "archive")
            print(
                f"{name:<12}{measure:<10}{result['captures_per_s']:>12.0f}{result['new_per_s']:>10.0f}"
                f"{result['recapture_per_s']:>13.0f}{result['warc_bytes_per_capture']:>16.0f}"
                f"{result['warc_bytes_per_unchanged']:>18.0f}{result['new_versions_on_recapture']:>14}",
                flush=True,
            )


def measure_one(name: str, args: argparse.Namespace, *, prepared: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        options = {
            "n": args.captures,
            "data": Path(tmp) / "data",
            "role": Role(args.role),
            "batch": args.batch,
            "workers": args.workers,
            "prepared": prepared,
        }
        if name == "sqlite":
            return run(f"sqlite:///{tmp}/bench.sqlite3", **options)
        from sqlalchemy import create_engine, text

        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            return run(f"{PG}?options=-csearch_path%3D{schema}", **options)
        finally:
            with admin.connect() as c:
                c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
