"""Search latency on a synthetic archive, against a plain LIKE scan of the same data.

Fills an archive (SQLite and/or PostgreSQL) with N synthetic report versions — realistic
Chinese text of 3–8 KB assembled from the sentences of the hand-labelled seed reports, with
agency names and figures varied — and their full-text index, in bulk: the rows the archive
would hold, the index terms of ``storage.tokenize.index_terms`` (assembled per sentence,
checked against the whole text for the first texts), written as ``storage.search_index``
writes them (PostgreSQL: COPY of the tsvectors, the GIN index built once at the end).
Then times ``query.search.search`` over Q queries of 1–6 characters drawn from the texts,
and a plain ``LIKE '%q%'`` scan that finds the same versions (on a sample of the queries:
each scan reads every text).

    .venv/bin/python benchmarks/search_latency.py --n 1000000 --db sqlite --batch 5000
    .venv/bin/python benchmarks/search_latency.py --n 1000000 --db sqlite --batch 5000 \
        --workers 3     # texts made by 3 processes while this one writes
    .venv/bin/python benchmarks/search_latency.py --n 200000 --db postgresql --keep
    .venv/bin/python benchmarks/search_latency.py --db postgresql --reuse bench_1a2b3c4d \
        --slowest 10 --explain

Prints: fill time, median and p95 search latency, median LIKE scan time, the speed-up;
with ``--slowest K`` the K slowest queries (``--explain``: SQLite's query plan, or the
steps PostgreSQL's candidates took). ``--keep`` keeps the PostgreSQL schema filled, for
``--reuse SCHEMA`` to search it again (queries drawn afresh from its texts).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, text

from benchmarks.latency import PG_SERVER, percentile, sample_queries, table_of
from query.search import (
    DEFAULT_CANDIDATES,
    NEGATED_ONLY,
    SearchFilters,
    index_expression,
    search,
)
from query.search_query import QueryError, parse_query
from storage.archive import Archive
from storage.models import (
    AgencyRow,
    CaptureRow,
    DocumentRow,
    ReportRow,
    SiteRow,
    VersionRow,
)
from storage.search_reads import PgTrace, candidates_sql, pg_candidate_ids
from storage.tokenize import index_terms
from storage.vocab import DocumentStatus

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "reports" / "seeds"
PLACES = "东西南北中新安平和兴华宁海河山川湖城乡桥林泉阳江永定清长丰"
SUFFIX = (
    "镇人民政府",
    "县人民政府",
    "街道办事处",
    "区教育局",
    "县财政局",
    "市自然资源局",
    "区司法局",
)


def sentences() -> list[str]:
    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for part in path.read_text(encoding="utf-8").replace("\n", "。").split("。"):
            part = part.strip()
            if 6 <= len(part) <= 300:
                out.append(part + "。")
    if not out:
        raise SystemExit(f"no seed texts under {SEEDS}")
    return out


def agency_name(rng: random.Random) -> str:
    return "".join(rng.choice(PLACES) for _ in range(2)) + rng.choice(SUFFIX)


NAME_MARKS = ("本机关", "我镇", "我县")
VARIANTS = 8
"""Versions of each seed sentence with its figures redrawn (the pieces texts are built of)."""
CHECKED = 300
"""The first texts' index terms are computed from the whole text too, and must agree."""


class TextGenerator:
    """Report texts of 1000–2700 characters (3–8 KB) assembled from seed sentences, with
    their index terms (``storage.tokenize.index_terms``) assembled alike.

    Every piece ends with "。", where a run of characters ends, so a text's distinct
    terms are the union of its pieces' terms: computed once per piece, not per text."""

    def __init__(self, rng: random.Random, pool: list[str]) -> None:
        self.rng = rng
        self.np_rng = np.random.default_rng(rng.getrandbits(64))
        self.pieces: list[str] = []
        for sentence in pool:
            for _ in range(VARIANTS):
                self.pieces.append(
                    "".join(str(rng.randint(0, 99)) if ch.isdigit() else ch for ch in sentence)
                    if rng.random() < 0.5
                    else sentence
                )
        self.terms = [frozenset(index_terms(p)) for p in self.pieces]
        self.named = np.array([any(m in p for m in NAME_MARKS) for p in self.pieces])
        self.lengths = np.array([len(p) for p in self.pieces])
        self.made = 0

    def text(self, name: str, year: int) -> tuple[str, list[str]]:
        head = f"{name}{year}年度政府信息公开工作年度报告。"
        target = self.rng.randint(1000, 2700) - len(head)
        chosen = self.np_rng.integers(0, len(self.pieces), size=64)
        while self.lengths[chosen].sum() < target:
            chosen = np.r_[chosen, self.np_rng.integers(0, len(self.pieces), size=64)]
        count = int(np.searchsorted(np.cumsum(self.lengths[chosen]), target)) + 1
        chosen = chosen[:count]
        rename = self.named[chosen] & (self.np_rng.random(count) < 0.3)
        parts = [head]
        terms = set(index_terms(head))
        for k, swap in zip(chosen.tolist(), rename.tolist(), strict=True):
            piece = self.pieces[k]
            if swap:
                piece = piece.replace("本机关", name).replace("我镇", name).replace("我县", name)
                terms.update(index_terms(piece))
            else:
                terms.update(self.terms[k])
            parts.append(piece)
        body = "".join(parts)
        if self.made < CHECKED and terms != set(index_terms(body)):
            raise AssertionError(f"assembled index terms differ from the text's: {body[:80]}")
        self.made += 1
        return body, sorted(terms)


_WORKER: TextGenerator | None = None


def _worker_init(seed: int) -> None:
    global _WORKER
    _WORKER = TextGenerator(random.Random(seed), sentences())


def _worker_batch(
    job: tuple[int, int, int, list[str], bool],
) -> list[tuple[str, str, str | None, list[str] | None]]:
    """Texts ``start`` … ``start + count - 1`` of a fill made by ``--workers`` processes:
    (text, its index line as the database takes it, a sampled query or None, the terms
    of the very first text). Each batch draws from a generator of its own seed, so the
    archive does not depend on which worker made which batch."""
    start, count, seed, names, postgres = job
    gen = _WORKER
    assert gen is not None
    gen.rng = random.Random(seed * 1_000_003 + start)
    gen.np_rng = np.random.default_rng(gen.rng.getrandbits(64))
    out: list[tuple[str, str, str | None, list[str] | None]] = []
    first_agency = start // 5
    for j in range(start, start + count):
        year = 2019 + j % 5
        body, terms = gen.text(names[j // 5 - first_agency], year)
        line = " ".join(_tsv_lexeme(t) for t in terms) if postgres else " ".join(terms)
        sample = None
        if gen.rng.random() < 0.02:
            k = gen.rng.randint(1, 6)
            at = gen.rng.randrange(0, len(body) - k)
            piece = body[at : at + k]
            if all("\u4e00" <= ch <= "\u9fff" for ch in piece):
                sample = piece
        out.append((body, line, sample, terms if j == 0 else None))
    return out


def _texts_in_workers(
    workers: int, seed: int, n: int, batch: int, names: list[str], postgres: bool
) -> Iterator[list[tuple[str, str, str | None, list[str] | None]]]:
    jobs = [
        (
            start,
            min(batch, n - start),
            seed,
            names[start // 5 : (start + batch - 1) // 5 + 1],
            postgres,
        )
        for start in range(0, n, batch)
    ]
    with multiprocessing.get_context("fork").Pool(
        workers, initializer=_worker_init, initargs=(seed,)
    ) as pool:
        yield from pool.imap(_worker_batch, jobs)


def fill(
    archive: Archive, n: int, seed: int, batch: int, workers: int = 1
) -> tuple[float, list[str]]:
    """N versions (one per report, five report years per agency) and their index, written
    in bulk: rows as the archive holds them, index terms as ``storage.search_index`` writes
    them (FTS5 rows; PostgreSQL tsvectors, with the GIN index built once at the end).
    ``workers`` > 1: the texts are made by that many processes while this one writes
    (other texts than one process makes, alike in kind)."""
    rng = random.Random(seed)
    generator = TextGenerator(rng, sentences()) if workers <= 1 else None
    now = datetime(2026, 1, 1, tzinfo=UTC)
    agencies = (n + 4) // 5  # five report years each
    names = [agency_name(rng) for _ in range(agencies)]
    start = time.perf_counter()
    samples: list[str] = []
    postgres = archive.dialect == "postgresql"
    with archive.session() as s:
        s.execute(
            insert(table_of(AgencyRow)),
            [
                {
                    "id": f"a{i}",
                    "name": names[i],
                    "aliases": [],
                    "division_code": f"{11 + i % 60}{i % 10000:04d}",
                    "level": ("county", "township", "city")[i % 3],
                    "kind": ("government", "department")[i % 2],
                    "parent_id": None,
                    "registered": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(agencies)
            ],
        )
        s.execute(
            insert(table_of(SiteRow)),
            [
                {
                    "id": "bench",
                    "agency_id": "a0",
                    "start_urls": ["http://bench.invalid/"],
                    "hosts": ["bench.invalid"],
                    "render": "never",
                    "schedule": None,
                    "obey_robots": True,
                    "allow_private": False,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        if postgres:
            s.execute(text("DROP INDEX search_terms_gin"))
    done = 0
    first_terms: list[str] = []
    made = (
        _texts_in_workers(workers, seed, n, batch, names, postgres) if generator is None else None
    )
    while done < n:
        count = min(batch, n - done)
        caps, reps, docs, vers, index = [], [], [], [], []
        texts = next(made) if made is not None else None
        for j in range(done, done + count):
            agency, year = j // 5, 2019 + j % 5
            if texts is not None:
                body, line, sample, terms0 = texts[j - done]
                if terms0 is not None:
                    first_terms = terms0
                if sample is not None:
                    samples.append(sample)
            else:
                assert generator is not None
                body, terms = generator.text(names[agency], year)
                line = " ".join(_tsv_lexeme(t) for t in terms) if postgres else " ".join(terms)
                if j == 0:
                    first_terms = terms
            url = f"http://bench.invalid/{j}.html"
            sha = uuid.UUID(int=rng.getrandbits(128)).hex * 2
            caps.append(
                {
                    "id": j + 1,
                    "url": url,
                    "url_hash": sha,
                    "method": "GET",
                    "status": 200,
                    "captured_at": now,
                    "role": "report",
                    "media_type": "text/html",
                    "headers": {},
                    "payload_sha256": sha,
                    "payload_length": len(body) * 3,
                    "record_type": "response",
                    "warc_record_id": f"<urn:{j}>",
                    "warc_file": "bench.warc.gz",
                    "warc_offset": 0,
                    "warc_length": 1,
                    "refers_to_id": None,
                    "site_id": "bench",
                    "run_id": None,
                }
            )
            reps.append(
                {
                    "id": j + 1,
                    "agency_id": f"a{agency}",
                    "year": year,
                    "title": f"{names[agency]}{year}年度报告",
                    "published_at": None,
                    "published_source": None,
                    "first_seen_at": now,
                    "site_id": "bench",
                    "first_version_at": now,  # its one version, as the ingest keeps it
                    "first_version_id": j + 1,
                }
            )
            docs.append(
                {
                    "id": j + 1,
                    "report_id": j + 1,
                    "url": url,
                    "url_hash": sha,
                    "role": "report",
                    "media_type": "text/html",
                    "filename": None,
                    "parent_url": None,
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "status": DocumentStatus.PRESENT,
                    "status_changed_at": None,
                    "etag": None,
                    "last_modified": None,
                    "last_capture_id": j + 1,
                }
            )
            vers.append(
                {
                    "id": j + 1,
                    "document_id": j + 1,
                    "seq": 1,
                    "content_sha256": sha,
                    "capture_id": j + 1,
                    "first_seen_at": now,
                    "media_type": "text/html",
                    "text": body,
                }
            )
            index.append((j + 1, line))
            if texts is None and rng.random() < 0.02:
                k = rng.randint(1, 6)
                at = rng.randrange(0, len(body) - k)
                piece = body[at : at + k]
                if all("\u4e00" <= ch <= "\u9fff" for ch in piece):
                    samples.append(piece)
        with archive.session() as s:
            for model, rows in (
                (CaptureRow, caps),
                (ReportRow, reps),
                (DocumentRow, docs),
                (VersionRow, vers),
            ):
                s.execute(insert(table_of(model)), rows)
            raw = s.connection().connection.driver_connection
            assert raw is not None
            if postgres:
                with (
                    raw.cursor() as cur,
                    cur.copy("COPY search_terms (version_id, terms) FROM STDIN") as copy,
                ):
                    for vid, line in index:
                        copy.write_row((vid, line))
            else:
                raw.executemany("INSERT INTO search_fts(rowid, terms) VALUES (?, ?)", index)
        done += count
        print(f"  {done} versions", file=sys.stderr, end="\r")
    if postgres:
        with archive.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
            conn.execute(text("CREATE INDEX search_terms_gin ON search_terms USING gin (terms)"))
            conn.execute(text("ANALYZE"))
            same = conn.execute(
                text(
                    "SELECT terms = array_to_tsvector(CAST(:t AS text[])) "
                    "FROM search_terms WHERE version_id = 1"
                ),
                {"t": first_terms},
            ).scalar()
            if not same:
                raise AssertionError("the copied tsvector differs from array_to_tsvector's")
    return time.perf_counter() - start, samples


def _tsv_lexeme(term: str) -> str:
    """A lexeme in ``tsvector`` input syntax (quoted; quote and backslash escaped)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def explain(archive: Archive, query: str) -> str:
    """How the candidates of ``query`` are found: SQLite's query plan; on PostgreSQL the
    steps of ``pg_candidate_ids``, timed."""
    lookup = index_expression(parse_query(query), archive.dialect)
    if lookup is None:
        raise QueryError(NEGATED_ONLY)
    if archive.dialect == "postgresql":
        trace = PgTrace()
        with archive.session() as s:
            t = time.perf_counter()
            ids = pg_candidate_ids(s, lookup, SearchFilters(), DEFAULT_CANDIDATES, trace)
            took = (time.perf_counter() - t) * 1000
        return f"    {len(ids)} candidates in {took:.1f} ms: " + "; ".join(trace.steps)
    sql, params = candidates_sql(lookup, archive.dialect, SearchFilters())
    params["cap"] = DEFAULT_CANDIDATES
    with archive.engine.connect() as conn:
        rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql), params).all()
    return "\n".join("    " + " | ".join(str(c) for c in row) for row in rows)


def run(
    label: str, url: str, args: argparse.Namespace, data_dir: Path, reuse: bool = False
) -> None:
    archive = Archive(url, data_dir=data_dir)
    if reuse:
        samples = sample_queries(archive, args.seed, 400)
        print(f"[{label}] searching the archive of an earlier run again")
    else:
        seconds, samples = fill(archive, args.n, args.seed, args.batch, args.workers)
        print(f"\n[{label}] filled {args.n} versions in {seconds:.1f} s")
    rng = random.Random(args.seed + 1)
    queries = [rng.choice(samples) for _ in range(args.queries)]
    lengths = [len(q) for q in queries]
    for q in queries[:5]:  # warm caches
        search(archive, q, SearchFilters())
    times, hits = [], []
    for q in queries:
        t = time.perf_counter()
        result = search(archive, q, SearchFilters())
        times.append(time.perf_counter() - t)
        hits.append(result.total)
    slowest = sorted(range(len(queries)), key=lambda i: -times[i])[: args.slowest]
    for i in slowest:
        print(f"[{label}] slow: {times[i] * 1000:7.1f} ms  {queries[i]}  ({hits[i]} hits)")
        if args.explain:
            print(explain(archive, queries[i]))
    scans = []
    with archive.engine.connect() as conn:
        for q in queries[: args.scans]:
            t = time.perf_counter()
            conn.execute(text("SELECT id FROM versions WHERE text LIKE :p"), {"p": f"%{q}%"}).all()
            scans.append(time.perf_counter() - t)
    med, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    print(
        f"[{label}] {len(queries)} queries of {min(lengths)}–{max(lengths)} characters "
        f"(median hits among candidates {statistics.median(hits):.0f})"
    )
    print(
        f"[{label}] search: median {med:.1f} ms, p95 {p95:.1f} ms, max {max(times) * 1000:.1f} ms"
    )
    if scans:
        scan = statistics.median(scans) * 1000
        print(
            f"[{label}] LIKE scan ({len(scans)} queries): median {scan:.1f} ms; "
            f"speed-up {scan / med:.0f}× (median), {scan / p95:.0f}× (scan median / search p95)"
        )
    archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20000, help="report versions to create")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scans", type=int, default=20, help="queries also run as a LIKE scan")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument(
        "--workers", type=int, default=1, help="processes making the texts while one writes"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse",
        nargs="?",
        const="",
        default=None,
        metavar="SCHEMA",
        help="search the archive of an earlier run again, without filling: SQLite its file, "
        "PostgreSQL the schema named (kept by --keep)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="PostgreSQL: keep the filled schema (for --reuse)"
    )
    parser.add_argument("--slowest", type=int, default=0, help="print the K slowest queries")
    parser.add_argument(
        "--explain", action="store_true", help="with --slowest: the plan of each slow query"
    )
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nianbao-bench-search"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.db in ("sqlite", "both"):
        path = args.dir / f"search-{args.n}.sqlite3"
        reuse = args.reuse is not None and path.exists()
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        run("sqlite", f"sqlite:///{path}", args, args.dir / "data", reuse)
    if args.db in ("postgresql", "both"):
        reuse = bool(args.reuse)
        schema = args.reuse if reuse else f"bench_{uuid.uuid4().hex[:8]}"
        if not schema.replace("_", "").isalnum():
            raise SystemExit(f"not a schema name: {schema!r}")
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        if not reuse:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            run(
                "postgresql",
                f"{PG_SERVER}?options=-csearch_path%3D{schema}",
                args,
                args.dir / "data",
                reuse,
            )
        finally:
            if args.keep or reuse:
                print(f"[postgresql] schema {schema} kept: --reuse {schema}; drop it when done")
            else:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
