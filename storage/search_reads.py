"""The statements of full-text search (``query.search``, whose docstring tells how a query
runs): the candidates the index gives (one statement, ``candidates_sql``; on PostgreSQL in
steps, ``pg_candidate_ids``), their texts, the report year and agency level of the exact
hits, and what a page of hits shows. The index itself is written by
``storage.search_index``.

A search reads through one :class:`SearchReads` (``search_reads``): one transaction.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from storage.archive import Archive, iso
from storage.models import AgencyRow, CaptureRow, DocumentRow, ReportRow, VersionRow
from storage.texts import version_texts


@dataclass(frozen=True)
class IndexFilters:
    """What a search is narrowed to (``query.search.SearchFilters`` checks the values)."""

    year: int | None = None
    agency: str | None = None
    level: str | None = None
    kind: str | None = None
    region: str | None = None
    """Division code prefix (e.g. ``33`` for 浙江, ``3302`` for 宁波)."""
    layout: str | None = None
    all_versions: bool = False


def _filters_sql(filters: IndexFilters, params: dict[str, Any]) -> list[str]:
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


def candidates_sql(lookup: str, dialect: str, filters: IndexFilters) -> tuple[str, dict[str, Any]]:
    """The newest versions (id, text, report year, agency level) that the index says may
    match, at most ``:cap``. ``lookup``: the index lookup (FTS5 MATCH or tsquery text,
    ``query.search.index_expression``)."""
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


def _user_filters(filters: IndexFilters) -> bool:
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


def _keep(s: Session, ids: list[int], filters: IndexFilters) -> list[int]:
    """Those of ``ids`` that pass the filters (and are latest versions), newest first."""
    if not ids:
        return []
    params: dict[str, Any] = {"ids": ids}
    where = "".join(f" AND {w}" for w in _filters_sql(filters, params))
    sql = f"SELECT v.id FROM {_JOINS} WHERE v.id = ANY(:ids){where} ORDER BY v.id DESC"
    return list(s.execute(text(sql).bindparams(bindparam("ids", type_=_IDS)), params).scalars())


def pg_candidate_ids(
    s: Session,
    lookup: str,
    filters: IndexFilters,
    cap: int,
    trace: PgTrace | None = None,
) -> list[int]:
    """The ids ``candidates_sql`` would give on PostgreSQL (newest first, at most ``cap``),
    found without sorting every match of a common term. ``lookup``: the tsquery text."""
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


_YEARS_AND_LEVELS = text(
    f"SELECT v.id, r.year, a.level FROM {_JOINS} WHERE v.id = ANY(:ids)"
).bindparams(bindparam("ids", type_=_IDS))


def _years_and_levels(s: Session, ids: list[int]) -> dict[int, tuple[int, str]]:
    """PostgreSQL: the report year and agency level of each version."""
    return {vid: (year, level) for vid, year, level in s.execute(_YEARS_AND_LEVELS, {"ids": ids})}


class SearchReads:
    """The reads of one search, on one session (one transaction)."""

    def __init__(self, session: Session, dialect: str) -> None:
        self._session = session
        self.dialect = dialect

    def candidates(
        self, lookup: str, filters: IndexFilters, cap: int
    ) -> tuple[list[tuple[int, str]], dict[int, tuple[int, str]]]:
        """The newest versions the index says may match (at most ``cap``) with their texts;
        and, on SQLite (where the one statement gives them), the report year and agency
        level of each (on PostgreSQL: ``years_and_levels`` of the exact hits)."""
        s = self._session
        if self.dialect == "postgresql":
            ids = pg_candidate_ids(s, lookup, filters, cap)
            bodies = version_texts(s, ids)
            return [(vid, bodies[vid]) for vid in ids], {}
        sql, params = candidates_sql(lookup, self.dialect, filters)
        params["cap"] = cap
        found = s.execute(text(sql), params).all()
        rows = [(vid, body) for vid, body, _, _ in found]
        return rows, {vid: (year, level) for vid, _, year, level in found}

    def years_and_levels(self, ids: list[int]) -> dict[int, tuple[int, str]]:
        """PostgreSQL: the report year and agency level of each version."""
        return _years_and_levels(self._session, ids)

    def hit_meta(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """What a hit shows of its version, document, report and agency, by version id."""
        out: dict[int, dict[str, Any]] = {}
        for row in self._session.execute(_meta_query(ids)).all():
            out[row[0]] = {
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
        return out


@contextmanager
def search_reads(archive: Archive) -> Iterator[SearchReads]:
    """The reads of one search, in one transaction."""
    with archive.session() as s:
        yield SearchReads(s, archive.dialect)
