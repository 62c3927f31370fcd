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

The statements (``candidates_sql``, ``pg_candidate_ids`` and the reads of a page of hits)
are ``storage.search_reads``'; this module compiles the query, checks, ranks and quotes.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from query.search_query import And, Node, Not, QueryError, Term, parse_query, positive_terms
from registry.model import KINDS, LEVELS
from storage.archive import Archive
from storage.search_reads import IndexFilters, search_reads

LAYOUTS = ("2019", "2021", "none")
DEFAULT_CANDIDATES = 200
HIGHLIGHT = ("«", "»")
NEGATED_ONLY = (
    "the query needs at least one term that is not negated "
    "(NOT x and -x exclude x: search e.g. 复议 -诉讼)"
)
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class SearchFilters(IndexFilters):
    """The filters of a search (``storage.search_reads.IndexFilters``), checked."""

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
    """A window of the text around the first term found, every term in it marked (at
    each place the longest term that starts there, scanning left to right)."""
    positions = [p for p in (body.find(t) for t in terms if t) if p >= 0]
    if not positions:
        head = " ".join(body[: 4 * width].split())
        return head[: 2 * width] + ("…" if len(body) > 2 * width else "")
    first = min(positions)
    longest = max(len(t) for t in terms)
    start, end = max(0, first - width), min(len(body), first + width + longest)
    window = " ".join(body[start:end].split())
    marked = _marker(tuple(terms)).sub(_mark, window)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(body) else "")


def _mark(match: re.Match[str]) -> str:
    return f"{HIGHLIGHT[0]}{match.group(0)}{HIGHLIGHT[1]}"


@functools.lru_cache(maxsize=256)
def _marker(terms: tuple[str, ...]) -> re.Pattern[str]:
    """The terms as one alternation, longest first: at each place a regular expression
    tries them in order and takes the first that matches, so the longest term wins (ties
    in the query's order), as a scan term by term would."""
    ordered = sorted((t for t in terms if t), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in ordered))


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
    lookup = index_expression(node, archive.dialect)
    if lookup is None:
        raise QueryError(NEGATED_ONLY)
    with search_reads(archive) as reads:
        rows, kinds = reads.candidates(lookup, filters, candidates)
        texts = {vid: body for vid, body in rows if body and matches(node, body)}
        if archive.dialect == "postgresql" and texts:
            kinds = reads.years_and_levels(list(texts))
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
            meta = reads.hit_meta([h.version_id for h in page])
            for hit in page:
                hit.meta = meta[hit.version_id]
                hit.snippet = snippet(texts[hit.version_id], terms)
    return SearchResult(
        query=query,
        total=len(hits),
        capped=len(rows) >= candidates,
        hits=page,
        ids=[h.version_id for h in ranked],
        facets=_facets(kinds[vid] for vid in texts),
    )


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
