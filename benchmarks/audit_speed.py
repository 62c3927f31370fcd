"""How long ``nianbao audit`` takes over A agencies × Y years.

Fills an archive with A registered agencies (townships under counties, departments and
governments), one site per county, two successful crawls, and for each agency-year a
report (about 85 % of them; the rest are missing) with one document, one version of
short report text, an extraction (values, checks, sections) — some published late, some
edited (a second version), some vanished, some with a failed check. Then times the audit
of every year through the Python API (what ``nianbao audit`` runs), with and without the
``copied`` comparison.

    .venv/bin/python benchmarks/audit_speed.py --agencies 100000 --years 5 --db sqlite
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

from audit.findings import FINDINGS, AuditOptions, run_audit
from storage.archive import Archive
from storage.models import (
    AgencyRow,
    CaptureRow,
    CrawlRunRow,
    DocumentRow,
    ExtractionRow,
    ObservationRow,
    ReportRow,
    SiteRow,
    SiteRunRow,
    VersionRow,
)
from storage.vocab import DocumentStatus, ObservationOutcome, RunOutcome

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PHRASES = [
    "本年度我单位认真贯彻落实政府信息公开条例",
    "主动公开政府信息",
    "依申请公开工作平稳有序",
    "加强政务公开平台建设",
    "推进重点领域信息公开",
    "政府信息公开行政复议",
    "存在的主要问题是",
    "下一步将进一步完善工作机制",
    "收到政府信息公开申请",
    "公开栏目内容更新及时",
]


COMMON = (
    "的一是在不了有和人这中大为上们个国我以要他时来用生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制"
    "机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正"
)
COPY_OTHER = 0.005
"""Share of reports that are another agency's report of the same year, names swapped."""
COPY_OWN = 0.01
"""Share of reports that repeat the agency's own report of the year before."""


def body(rng: random.Random, name: str, year: int, chars: int) -> str:
    """Stock phrases with figures, and (a third of the text) wording of its own."""
    parts = [f"{name}{year}年度政府信息公开工作年度报告。一、总体情况。"]
    parts.append("".join(rng.choices(COMMON, k=chars // 3)) + "。")
    while sum(map(len, parts)) < chars:
        parts.append(rng.choice(PHRASES) + str(rng.randint(1, 999)) + "件。")
    parts.append(
        "二、主动公开政府信息情况。三、收到和处理政府信息公开申请情况。四、政府信息公开行政复议、行政诉讼情况。"
        "五、存在的主要问题及改进情况。六、其他需要报告的事项。"
    )
    return "".join(parts)


class Bodies:
    """Report texts, some of them copies (planted at ``COPY_OTHER`` and ``COPY_OWN``)."""

    def __init__(self, rng: random.Random, chars: int) -> None:
        self.rng, self.chars = rng, chars
        self.last_of_year: dict[int, tuple[str, str]] = {}
        self.own_before: dict[tuple[int, int], str] = {}
        self.planted = 0

    def __call__(self, agency: int, year: int) -> str:
        name = f"机关{agency}号"
        draw = self.rng.random()
        previous = self.own_before.pop((agency, year - 1), None)
        other = self.last_of_year.get(year)
        if draw < COPY_OWN and previous is not None:
            text = previous.replace(str(year - 1), str(year))
            self.planted += 1
        elif draw < COPY_OWN + COPY_OTHER and other is not None:
            text = other[1].replace(other[0], name)
            self.planted += 1
        else:
            text = body(self.rng, name, year, self.chars)
        self.last_of_year[year] = (name, text)
        self.own_before[(agency, year)] = text
        return text


def fill(archive: Archive, agencies: int, years: list[int], chars: int, seed: int) -> float:
    rng = random.Random(seed)
    start = time.perf_counter()
    now = datetime.now(UTC)
    counties = max(1, agencies // 20)
    rows: list[dict[str, Any]] = []
    for i in range(agencies):
        county = i % counties
        if i < counties:
            level, kind, parent = "county", "government", None
        else:
            level, kind = ("township", "government") if i % 2 else ("county", "department")
            parent = f"a{county}"
        rows.append(
            {
                "id": f"a{i}",
                "name": f"机关{i}号{'镇人民政府' if level == 'township' else '局'}",
                "aliases": [],
                "division_code": f"{11 + county % 60}{county:04d}"[:6],
                "level": level,
                "kind": kind,
                "parent_id": parent,
                "registered": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    with archive.session() as s:
        for k in range(0, len(rows), 5000):
            s.execute(insert(AgencyRow), rows[k : k + 5000])
        s.execute(
            insert(SiteRow),
            [
                {
                    "id": f"s{c}",
                    "agency_id": f"a{c}",
                    "start_urls": [f"http://s{c}.invalid/"],
                    "hosts": [f"s{c}.invalid"],
                    "render": "never",
                    "schedule": None,
                    "obey_robots": True,
                    "allow_private": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for c in range(counties)
            ],
        )
        for run in (1, 2):
            at = now - timedelta(days=30 * (3 - run))
            s.execute(
                insert(CrawlRunRow),
                [
                    {
                        "id": run,
                        "started_at": at,
                        "finished_at": at + timedelta(hours=2),
                        "outcome": RunOutcome.SUCCESS,
                        "trigger": "schedule",
                        "host": "bench",
                        "stats": {},
                    }
                ],
            )
            s.execute(
                insert(SiteRunRow),
                [
                    {
                        "run_id": run,
                        "site_id": f"s{c}",
                        "started_at": at,
                        "finished_at": at + timedelta(hours=1),
                        "outcome": RunOutcome.SUCCESS,
                        "requests": 1,
                        "pages": 1,
                        "bytes": 1,
                        "reports_found": 1,
                        "new_versions": 0,
                        "errors": {},
                        "blocked": False,
                    }
                    for c in range(counties)
                ],
            )
    ident = 0
    bodies = Bodies(rng, chars)
    batch: dict[str, list[dict[str, object]]] = {
        k: [] for k in ("cap", "rep", "doc", "ver", "ext", "obs")
    }

    def flush() -> None:
        with archive.session() as s:
            for key, model in (
                ("cap", CaptureRow),
                ("rep", ReportRow),
                ("doc", DocumentRow),
                ("ver", VersionRow),
                ("ext", ExtractionRow),
                ("obs", ObservationRow),
            ):
                if batch[key]:
                    s.execute(insert(model), batch[key])
                batch[key].clear()

    for i in range(agencies):
        for year in years:
            if rng.random() < 0.15:
                continue
            ident += 1
            url = f"http://s{i % counties}.invalid/{i}/{year}.html"
            first = now - timedelta(days=400)
            published = f"{year + 1}-{rng.choice(['01-15', '02-20', '03-10', '05-20'])}"
            batch["rep"].append(
                {
                    "id": ident,
                    "agency_id": f"a{i}",
                    "year": year,
                    "title": f"{year}年度报告",
                    "published_at": published,
                    "published_source": "listing",
                    "first_seen_at": first,
                    "site_id": f"s{i % counties}",
                    # its first version (seq 1, below), as the ingest keeps it
                    "first_version_at": first + timedelta(days=1),
                    "first_version_id": ident * 2 + 1,
                }
            )
            vanished = rng.random() < 0.01
            batch["doc"].append(
                {
                    "id": ident,
                    "report_id": ident,
                    "url": url,
                    "url_hash": uuid.uuid4().hex,
                    "role": "report",
                    "media_type": "text/html",
                    "filename": None,
                    "parent_url": None,
                    "first_seen_at": first,
                    "last_seen_at": now,
                    "status": DocumentStatus.VANISHED if vanished else DocumentStatus.PRESENT,
                    "status_changed_at": now if vanished else None,
                    "etag": None,
                    "last_modified": None,
                    "last_capture_id": None,
                }
            )
            versions = 2 if rng.random() < 0.02 else 1
            report_text = bodies(i, year)
            for seq in range(1, versions + 1):
                vid = ident * 2 + seq
                sha = uuid.uuid4().hex * 2
                batch["cap"].append(
                    {
                        "id": vid,
                        "url": url,
                        "url_hash": sha,
                        "method": "GET",
                        "status": 200,
                        "captured_at": first + timedelta(days=seq),
                        "role": "report",
                        "media_type": "text/html",
                        "headers": {},
                        "payload_sha256": sha,
                        "payload_length": chars * 3,
                        "record_type": "response",
                        "warc_record_id": f"<urn:{vid}>",
                        "warc_file": "b.warc.gz",
                        "warc_offset": 0,
                        "warc_length": 1,
                        "refers_to_id": None,
                        "site_id": None,
                        "run_id": None,
                    }
                )
                batch["ver"].append(
                    {
                        "id": vid,
                        "document_id": ident,
                        "seq": seq,
                        "content_sha256": sha,
                        "capture_id": vid,
                        "first_seen_at": first + timedelta(days=seq),
                        "media_type": "text/html",
                        "text": report_text if seq == 1 else report_text + "（更正）",
                    }
                )
                ok = rng.random() > 0.05
                batch["ext"].append(
                    {
                        "version_id": vid,
                        "parser_version": "bench",
                        "created_at": now,
                        "media_type": "text/html",
                        "layout": "2021",
                        "title": None,
                        "year": year,
                        "agency_name": None,
                        "published_at": None,
                        "meta": {},
                        "values": {
                            "t3.new.total": 5,
                            "t3.total.total": 5 if ok else 4,
                            "t2.x.a": 1,
                            "t4.review.total": 0,
                        },
                        "checks": [
                            {
                                "rule": "balance",
                                "column": "total",
                                "ok": ok,
                                "left": 5,
                                "right": 5 if ok else 4,
                            }
                        ],
                        "sections": [1, 2, 3, 4, 5, 6],
                        "needs_ocr": False,
                        "error": None,
                    }
                )
                batch["obs"].append(
                    {
                        "document_id": ident,
                        "version_id": vid,
                        "capture_id": vid,
                        "run_id": None,
                        "observed_at": first + timedelta(days=seq),
                        "status": 200,
                        "outcome": ObservationOutcome.NEW_VERSION,
                    }
                )
            if vanished:
                batch["obs"].append(
                    {
                        "document_id": ident,
                        "version_id": None,
                        "capture_id": ident * 2 + 1,
                        "run_id": None,
                        "observed_at": now,
                        "status": 404,
                        "outcome": ObservationOutcome.GONE,
                    }
                )
        if len(batch["rep"]) >= 5000:
            flush()
            print(f"  {i + 1} agencies", file=sys.stderr, end="\r")
    flush()
    if archive.dialect == "postgresql":
        with archive.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    print(f"\n  {bodies.planted} copies planted", file=sys.stderr)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=10000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--chars", type=int, default=300, help="characters of text per version")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--reuse", action="store_true", help="audit the SQLite file of an earlier run again"
    )
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nianbao-bench-audit"))
    args = parser.parse_args()
    years = list(range(2024 - args.years + 1, 2025))
    args.dir.mkdir(parents=True, exist_ok=True)
    schema = None
    if args.db == "sqlite":
        path = args.dir / f"audit-{args.agencies}.sqlite3"
        if not (args.reuse and path.exists()):
            args.reuse = False
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        args.reuse = False
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    try:
        archive = Archive(url, data_dir=args.dir / "data")
        if args.reuse:
            print(f"[{args.db}] auditing the archive of an earlier run again")
        else:
            seconds = fill(archive, args.agencies, years, args.chars, args.seed)
            print(
                f"\n[{args.db}] filled {args.agencies} agencies × {len(years)} years in {seconds:.1f} s"
            )
        for label, wanted in (
            ("all findings", set(FINDINGS)),
            ("all findings but copied", set(FINDINGS) - {"copied"}),
        ):
            # each audit as `nianbao audit` runs it: nothing of the previous one kept
            result = None
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            result = run_audit(archive, AuditOptions(years=years, findings=wanted))
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            counts: dict[str, int] = {}
            for f in result.findings:
                counts[f.finding] = counts.get(f.finding, 0) + 1
            print(
                f"[{args.db}] audit ({label}) of {len(result.cells)} agency-years: {elapsed:.1f} s "
                f"(this process's CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} cores); {counts}"
            )
        archive.close()
    finally:
        if schema:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
