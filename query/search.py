"""Full-text search over the text of every report version, alike on SQLite and PostgreSQL.

How a query runs:

1. **Candidates** from the index (``storage.search_index``): versions holding every bigram
   or unigram of the query's terms (OR where the query says OR; negated terms do not
   narrow the index lookup), with the filters, newest first, at most ``candidates``.
2. **Exact check** in Python against the real text of each candidate (the query's
   boolean expression over literal substrings), with each term's number of occurrences.
3. **Ranking** in Python over the exact hits (BM25 over the real occurrence counts), so
   both databases rank identically; ties go to the newer version.
4. **Snippets** with the terms highlighted, for the page of hits shown.

When more versions match the index than ``candidates``, ranking covers the newest
``candidates`` of them and the result says ``capped``.

On PostgreSQL the candidates are gathered in steps (``pg_candidate_ids``) rather than by
one statement, since the planner cannot see how common a term is (the bigrams of a
phrase always occur together, yet their frequencies are multiplied) and joining every
index match to its version before sorting takes seconds for a common term. Walking the
index newest first, checking each version's terms, finds a common term's newest matches
after a few hundred versions; a rare term's come from the GIN index in one bitmap. A
first short walk measures how common the lookup is and so picks the cheaper way on;
the filters and the latest-version rule are then checked for the few ids found, and
only the final candidates' texts are read. SQLite runs the one statement of
``candidates_sql``. Both give the same candidates.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from query.search_query import And, Node, Not, QueryError, Term, parse_query, positive_terms
from registry.model import KINDS, LEVELS
from storage.archive import Archive, iso
from storage.models import AgencyRow, CaptureRow, DocumentRow, ReportRow, VersionRow
from storage.texts import version_texts

LAYOUTS = ("2019", "2021", "none")
DEFAULT_CANDIDATES = 200
HIGHLIGHT = ("«", "»")
NEGATED_ONLY = (
    "the query needs at least one term that is not negated "
    "(NOT x and -x exclude x: search e.g. 复议 -诉讼)"
)
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class SearchFilters:
    year: int | None = None
    agency: str | None = None
    level: str | None = None
    kind: str | None = None
    region: str | None = None
    """Division code prefix (e.g. ``33`` for 浙江, ``3302`` for 宁波)."""
    layout: str | None = None
    all_versions: bool = False

    def validate(self) -> None:
        if self.level is not None and self.level not in LEVELS:
            raise QueryError(f"unknown level {self.level!r}: use one of {', '.join(LEVELS)}")
        if self.kind is not None and self.kind not in KINDS:
            raise QueryError(f"unknown kind {self.kind!r}: use one of {', '.join(KINDS)}")
        if self.layout is not None and self.layout not in LAYOUTS:
            raise QueryError(f"unknown layout {self.layout!r}: use one of {', '.join(LAYOUTS)}")
        if self.region is not None and not (self.region.isdigit() and 1 <= len(self.region) <= 12):
            raise QueryError(
                f"region must be a division code prefix of 1–12 digits, not {self.region!r}"
            )


@dataclass
class Hit:
    version_id: int
    score: float
    counts: dict[str, int]
    length: int
    meta: dict[str, Any] = field(default_factory=dict)
    snippet: str = ""

    def record(self) -> dict[str, Any]:
        return {
            **self.meta,
            "score": round(self.score, 6),
            "matches": self.counts,
            "snippet": self.snippet,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    """Exact hits among the candidates."""
    capped: bool
    """True when the index held more candidates than were checked."""
    hits: list[Hit]
    ids: list[int] = field(default_factory=list)
    """Every exact hit's version id, in rank order (for counts over all hits)."""
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    """How many of the exact hits belong to reports of each year (newest first), and to
    agencies of each level."""


# -- compiling a query ------------------------------------------------------------------
def _fts_term(term: Term) -> str:
    tokens = term.tokens
    parts = [f'"{t}"' for t in tokens.exact] + [f'"{t}"*' for t in tokens.prefix]
    return "(" + " AND ".join(parts) + ")"


def _tsquery_term(term: Term) -> str:
    tokens = term.tokens
    parts = [f"'{t}'" for t in tokens.exact] + [f"'{t}':*" for t in tokens.prefix]
    return "(" + " & ".join(parts) + ")"


def index_expression(node: Node, dialect: str) -> str | None:
    """The index lookup (FTS5 MATCH or tsquery text); None when it cannot narrow."""
    and_op, or_op = (" AND ", " OR ") if dialect == "sqlite" else (" & ", " | ")
    if isinstance(node, Term):
        return _fts_term(node) if dialect == "sqlite" else _tsquery_term(node)
    if isinstance(node, Not):
        return None
    parts = [index_expression(child, dialect) for child in node.nodes]
    if isinstance(node, And):
        kept = [p for p in parts if p is not None]
        return "(" + and_op.join(kept) + ")" if kept else None
    if any(p is None for p in parts):
        return None
    return "(" + or_op.join(p for p in parts if p) + ")"


def matches(node: Node, body: str) -> bool:
    """Does the text satisfy the query literally?"""
    if isinstance(node, Term):
        return node.text in body
    if isinstance(node, Not):
        return not matches(node.node, body)
    if isinstance(node, And):
        return all(matches(child, body) for child in node.nodes)
    return any(matches(child, body) for child in node.nodes)


def _filters_sql(filters: SearchFilters, params: dict[str, Any]) -> list[str]:
    where: list[str] = []
    if filters.year is not None:
        where.append("r.year = :f_year")
        params["f_year"] = filters.year
    if filters.agency is not None:
        where.append("r.agency_id = :f_agency")
        params["f_agency"] = filters.agency
    if filters.level is not None:
        where.append("a.level = :f_level")
        params["f_level"] = filters.level
    if filters.kind is not None:
        where.append("a.kind = :f_kind")
        params["f_kind"] = filters.kind
    if filters.region is not None:
        where.append("a.division_code LIKE :f_region")
        params["f_region"] = filters.region + "%"
    if filters.layout is not None:
        where.append(
            "EXISTS (SELECT 1 FROM extractions e WHERE e.version_id = v.id AND e.layout = :f_layout)"
        )
        params["f_layout"] = filters.layout
    if not filters.all_versions:
        where.append(
            "NOT EXISTS (SELECT 1 FROM versions v2 WHERE v2.document_id = v.document_id AND v2.seq > v.seq)"
        )
    return where


def candidates_sql(node: Node, dialect: str, filters: SearchFilters) -> tuple[str, dict[str, Any]]:
    """The newest versions (id, text, report year, agency level) that the index says may
    match, at most ``:cap``."""
    lookup = index_expression(node, dialect)
    if lookup is None:
        raise QueryError(NEGATED_ONLY)
    params: dict[str, Any] = {"lookup": lookup}
    where = "".join(f" AND {w}" for w in _filters_sql(filters, params))
    joins = (
        "JOIN versions v ON v.id = {id} JOIN documents d ON d.id = v.document_id "
        "JOIN reports r ON r.id = d.report_id JOIN agencies a ON a.id = r.agency_id"
    )
    if dialect == "sqlite":
        sql = (
            "SELECT v.id, v.text, r.year, a.level FROM search_fts "
            + joins.format(id="search_fts.rowid")
            + " WHERE search_fts MATCH :lookup"
            + where
            + " ORDER BY search_fts.rowid DESC LIMIT :cap"
        )
    else:
        sql = (
            "SELECT v.id, v.text, r.year, a.level FROM search_terms s "
            + joins.format(id="s.version_id")
            + " WHERE s.terms @@ CAST(:lookup AS tsquery)"
            + where
            + " ORDER BY s.version_id DESC LIMIT :cap"
        )
    return sql, params


# -- PostgreSQL: candidates in steps -----------------------------------------------------
_JOINS = (
    "versions v JOIN documents d ON d.id = v.document_id "
    "JOIN reports r ON r.id = d.report_id JOIN agencies a ON a.id = r.agency_id"
)
_IDS = ARRAY(BigInteger)
_TSQUERY = "CAST(:lookup AS tsquery)"
_TOP = 2**62
"""Above every version id."""

PROBE = (500, 5000)
"""The first walk checks 4 × ``candidates`` versions, within these bounds."""
WALK_COST = 25.0
"""Checking one version's terms on a walk (reading its tsvector) costs about as much as
this many entries of a GIN bitmap (measured: 7 µs against 0.3 µs)."""
WALK_MAX = 50_000
"""At most this many versions are walked in one step."""
BITMAP_MAX = 200_000
"""At most this many matches are taken from one bitmap."""
FILTER_FIRST = 2000
"""When the filters leave at most this many versions, their terms are checked directly."""


@dataclass
class PgTrace:
    """What ``pg_candidate_ids`` did (for benchmarks and tests)."""

    steps: list[str] = field(default_factory=list)


def _user_filters(filters: SearchFilters) -> bool:
    return any(
        value is not None
        for value in (
            filters.year,
            filters.agency,
            filters.level,
            filters.kind,
            filters.region,
            filters.layout,
        )
    )


def _walk(
    s: Session, lookup: str, before: int, budget: int, need: int
) -> tuple[list[int], int, int]:
    """Check the terms of the newest ``budget`` versions below ``before``, stopping at the
    ``need``-th match: (matches, versions checked, lowest id checked or 0 when every
    version below ``before`` has been)."""
    rows = s.execute(
        text(
            "SELECT version_id, n FROM (SELECT version_id, terms, "
            "row_number() OVER (ORDER BY version_id DESC) AS n FROM search_terms "
            "WHERE version_id < :before ORDER BY version_id DESC LIMIT :budget) w "
            f"WHERE terms @@ {_TSQUERY} ORDER BY version_id DESC LIMIT :need"
        ),
        {"before": before, "budget": budget, "need": need, "lookup": lookup},
    ).all()
    ids = [row[0] for row in rows]
    if len(ids) >= need:
        return ids, rows[-1][1], ids[-1]
    low, checked = s.execute(
        text(
            "SELECT min(version_id), count(*) FROM (SELECT version_id FROM search_terms "
            "WHERE version_id < :before ORDER BY version_id DESC LIMIT :budget) w"
        ),
        {"before": before, "budget": budget},
    ).one()
    return ids, checked, (low or 0) if checked >= budget else 0


def _bitmap(s: Session, lookup: str, before: int, k: int) -> list[int]:
    """The newest ``k`` index matches below ``before``, from the GIN index."""
    s.execute(text("SET LOCAL enable_indexscan = off"))
    s.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        return list(
            s.execute(
                text(
                    f"SELECT version_id FROM search_terms WHERE terms @@ {_TSQUERY} "
                    "AND version_id < :before ORDER BY version_id DESC LIMIT :k"
                ),
                {"lookup": lookup, "before": before, "k": k},
            ).scalars()
        )
    finally:
        s.execute(text("RESET enable_indexscan"))
        s.execute(text("RESET enable_seqscan"))


def _keep(s: Session, ids: list[int], filters: SearchFilters) -> list[int]:
    """Those of ``ids`` that pass the filters (and are latest versions), newest first."""
    if not ids:
        return []
    params: dict[str, Any] = {"ids": ids}
    where = "".join(f" AND {w}" for w in _filters_sql(filters, params))
    sql = f"SELECT v.id FROM {_JOINS} WHERE v.id = ANY(:ids){where} ORDER BY v.id DESC"
    return list(s.execute(text(sql).bindparams(bindparam("ids", type_=_IDS)), params).scalars())


def pg_candidate_ids(
    s: Session,
    node: Node,
    filters: SearchFilters,
    cap: int,
    trace: PgTrace | None = None,
) -> list[int]:
    """The ids ``candidates_sql`` would give on PostgreSQL (newest first, at most ``cap``),
    found without sorting every match of a common term."""
    lookup = index_expression(node, "postgresql")
    if lookup is None:
        raise QueryError(NEGATED_ONLY)
    steps = trace.steps if trace is not None else []
    if _user_filters(filters):
        params: dict[str, Any] = {"lim": FILTER_FIRST + 1}
        where = " AND ".join(_filters_sql(filters, params))
        allowed = list(
            s.execute(text(f"SELECT v.id FROM {_JOINS} WHERE {where} LIMIT :lim"), params).scalars()
        )
        if len(allowed) <= FILTER_FIRST:
            steps.append(f"filter first: {len(allowed)} versions")
            if not allowed:
                return []
            s.execute(text("SET LOCAL enable_bitmapscan = off"))
            try:
                sql = text(
                    "SELECT version_id FROM search_terms WHERE version_id = ANY(:ids) "
                    f"AND terms @@ {_TSQUERY} ORDER BY version_id DESC LIMIT :cap"
                ).bindparams(bindparam("ids", type_=_IDS))
                return list(
                    s.execute(sql, {"ids": allowed, "lookup": lookup, "cap": cap}).scalars()
                )
            finally:
                s.execute(text("RESET enable_bitmapscan"))
    found: list[int] = []
    before = _TOP
    checked = matched = passed = 0
    walking, budget, k = True, min(max(4 * cap, PROBE[0]), PROBE[1]), cap
    wanted = float(cap)  # index matches still to find
    while True:
        need = cap - len(found)
        if walking:
            ids, n, before = _walk(s, lookup, before, budget, math.ceil(wanted))
            checked += n
            steps.append(f"walk {n}: {len(ids)} matches")
        else:
            ids = _bitmap(s, lookup, before, k)
            steps.append(f"bitmap {k}: {len(ids)} matches")
            before = ids[-1] if len(ids) >= k else 0
        matched += len(ids)
        kept = _keep(s, ids, filters)
        passed += len(kept)
        found.extend(kept[:need])
        need = cap - len(found)
        if need <= 0 or before <= 0:
            return found
        # How common is the lookup among the versions checked, and how many matches pass?
        wanted = need * max(matched, 1) / max(passed, 1)
        if walking:
            freq = max(matched, 0.5) / max(checked, 1)
            if WALK_COST * wanted / freq <= freq * before:
                budget = min(WALK_MAX, max(PROBE[0], int(2 * wanted / freq) + 1))
                continue
            walking = False
            k = min(max(int(2 * wanted) + 1, cap), BITMAP_MAX)
        else:
            k = min(max(int(2 * wanted) + 1, 2 * k), BITMAP_MAX)


# -- ranking and snippets ---------------------------------------------------------------
def rank(hits: list[Hit], terms: list[str]) -> list[Hit]:
    """BM25 over the exact occurrence counts; the same floats on every database."""
    n = len(hits)
    if n == 0:
        return hits
    avg = sum(h.length for h in hits) / n or 1.0
    idf = {}
    for term in terms:
        df = sum(1 for h in hits if h.counts.get(term, 0) > 0)
        idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    for hit in hits:
        score = 0.0
        norm = K1 * (1 - B + B * hit.length / avg)
        for term in terms:
            tf = hit.counts.get(term, 0)
            if tf > 0:
                score += idf[term] * tf * (K1 + 1) / (tf + norm)
        hit.score = score
    return sorted(hits, key=lambda h: (-h.score, -h.version_id))


def snippet(body: str, terms: list[str], width: int = 40) -> str:
    """A window of the text around the first term found, every term in it marked."""
    positions = [p for p in (body.find(t) for t in terms if t) if p >= 0]
    if not positions:
        head = " ".join(body[: 4 * width].split())
        return head[: 2 * width] + ("…" if len(body) > 2 * width else "")
    first = min(positions)
    longest = max(len(t) for t in terms)
    start, end = max(0, first - width), min(len(body), first + width + longest)
    window = " ".join(body[start:end].split())
    out: list[str] = []
    i = 0
    ordered = sorted(terms, key=len, reverse=True)
    while i < len(window):
        term = next((t for t in ordered if t and window.startswith(t, i)), None)
        if term is None:
            out.append(window[i])
            i += 1
        else:
            out.append(f"{HIGHLIGHT[0]}{term}{HIGHLIGHT[1]}")
            i += len(term)
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(body) else "")


def _meta_query(ids: list[int]) -> Select[*tuple[Any, ...]]:
    return (
        select(
            VersionRow.id,
            VersionRow.seq,
            VersionRow.content_sha256,
            DocumentRow.url,
            DocumentRow.status,
            CaptureRow.captured_at,
            CaptureRow.payload_sha256,
            ReportRow.year,
            ReportRow.title,
            AgencyRow.id,
            AgencyRow.name,
            AgencyRow.level,
            AgencyRow.kind,
            AgencyRow.division_code,
        )
        .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
        .join(ReportRow, ReportRow.id == DocumentRow.report_id)
        .join(AgencyRow, AgencyRow.id == ReportRow.agency_id)
        .join(CaptureRow, CaptureRow.id == VersionRow.capture_id)
        .where(VersionRow.id.in_(ids))
    )


def search(
    archive: Archive,
    query: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    candidates: int = DEFAULT_CANDIDATES,
) -> SearchResult:
    """Run a query; raises :class:`QueryError` for a query or filter that cannot run."""
    filters = filters or SearchFilters()
    filters.validate()
    if limit < 1 or offset < 0 or candidates < 1:
        raise QueryError("limit and candidates must be positive, offset not negative")
    node = parse_query(query)
    terms = positive_terms(node)
    with archive.session() as s:
        if archive.dialect == "postgresql":
            ids = pg_candidate_ids(s, node, filters, candidates)
            bodies = version_texts(s, ids)
            rows = [(vid, bodies[vid]) for vid in ids]
            kinds: dict[int, tuple[int, str]] = {}
        else:
            sql, params = candidates_sql(node, archive.dialect, filters)
            params["cap"] = candidates
            found = s.execute(text(sql), params).all()
            rows = [(vid, body) for vid, body, _, _ in found]
            kinds = {vid: (year, level) for vid, _, year, level in found}
        texts = {vid: body for vid, body in rows if body and matches(node, body)}
        if archive.dialect == "postgresql" and texts:
            kinds = _years_and_levels(s, list(texts))
        hits = [
            Hit(
                version_id=vid,
                score=0.0,
                length=len(body),
                counts={t: body.count(t) for t in terms},
            )
            for vid, body in texts.items()
        ]
        ranked = rank(hits, terms)
        page = ranked[offset : offset + limit]
        if page:
            meta = {
                row[0]: row for row in s.execute(_meta_query([h.version_id for h in page])).all()
            }
            for hit in page:
                row = meta[hit.version_id]
                hit.meta = {
                    "agency_id": row[9],
                    "agency_name": row[10],
                    "level": row[11],
                    "kind": row[12],
                    "division_code": row[13],
                    "year": row[7],
                    "title": row[8],
                    "url": row[3],
                    "document_status": row[4],
                    "version_id": row[0],
                    "version": row[1],
                    "content_sha256": row[2],
                    "captured_at": iso(row[5]),
                    "sha256": row[6],
                }
                hit.snippet = snippet(texts[hit.version_id], terms)
    return SearchResult(
        query=query,
        total=len(hits),
        capped=len(rows) >= candidates,
        hits=page,
        ids=[h.version_id for h in ranked],
        facets=_facets(kinds[vid] for vid in texts),
    )


_YEARS_AND_LEVELS = text(
    f"SELECT v.id, r.year, a.level FROM {_JOINS} WHERE v.id = ANY(:ids)"
).bindparams(bindparam("ids", type_=_IDS))


def _years_and_levels(s: Session, ids: list[int]) -> dict[int, tuple[int, str]]:
    """PostgreSQL: the report year and agency level of each version."""
    return {vid: (year, level) for vid, year, level in s.execute(_YEARS_AND_LEVELS, {"ids": ids})}


def _facets(kinds: Iterable[tuple[int, str]]) -> dict[str, dict[str, int]]:
    years: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for year, level in kinds:
        years[str(year)] += 1
        levels[level] += 1
    return {
        "year": dict(sorted(years.items(), reverse=True)),
        "level": dict(sorted(levels.items())),
    }
