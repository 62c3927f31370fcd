"""PostgreSQL candidates in steps (``storage.search_reads.pg_candidate_ids``): every way it can go
(walking the index newest first, a GIN bitmap, the filters first) gives exactly the
candidates of the one-statement query ``candidates_sql``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import fetched, later, report_page, setup_archive
from conftest import PG_SERVER, pg_available
from sqlalchemy import create_engine, text

import storage.search_reads as search_module
from query.search import SearchFilters, index_expression, search
from query.search_query import parse_query
from storage.archive import Archive
from storage.search_reads import PgTrace, candidates_sql, pg_candidate_ids

BASE = "http://www.ninghai.gov.cn/art/2021/"
TITLE = "长街镇{year}年度政府信息公开年度报告"
DOCS = 36


def _body(i: int) -> str:
    """Terms of known frequency: 公开 everywhere, 复议 in every third text, 听证 in every
    ninth, 诉讼 in the oldest four only, 罕见词 in one."""
    lines = ["一、总体情况", f"本机关第{i}号报告，主动公开政府信息。"]
    if i % 3 == 0:
        lines.append("本年收到行政复议申请2件。")
    if i % 9 == 4:
        lines.append("举行听证1次。")
    if i < 4:
        lines.append("行政诉讼1件。")
    if i == 17:
        lines.append("罕见词出现一次。")
    # scattered bigrams of 复议申请 without the phrase itself
    if i % 5 == 1:
        lines.append("复议。议申。申请。")
    return "\n".join(lines)


def _record_all(archive: Archive) -> None:
    """36 reports over two agencies and nine years; every fourth is edited once (a second
    version, so the first is not the latest)."""
    recorder = setup_archive(archive)
    with recorder:
        for i in range(DOCS):
            year = 2016 + i % 9
            title = TITLE.format(year=year)
            extra: dict[str, Any] = {"agency_name": "宁海县"} if i % 2 else {}
            url = BASE + f"p{i}.html"
            body = _body(i)
            recorder.record(
                fetched(url, report_page(body, title=title), title=title, year=year, **extra)
            )
            if i % 4 == 0:
                edited = body.replace("主动公开", "依申请公开") + "\n更正说明。"
                recorder.record(
                    fetched(
                        url,
                        report_page(edited, title=title),
                        title=title,
                        year=year,
                        at=later(60),
                        **extra,
                    )
                )


@pytest.fixture(scope="module")
def pg_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The reports of ``_record_all`` in a PostgreSQL schema of this module's own."""
    if not pg_available():
        pytest.skip("PostgreSQL not reachable")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
        archive = Archive(url, data_dir=tmp_path_factory.mktemp("data"))
        _record_all(archive)
        yield archive
        archive.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


QUERIES = [
    "公开",
    "复议",
    "听证",
    "诉讼",
    "罕见词",
    "复议申请",
    "更正 OR 听证",
    "复议 -听证",
    "依申请",
    "报告",
    "不存在的词",
]
FILTERS = [
    SearchFilters(),
    SearchFilters(all_versions=True),
    SearchFilters(year=2018),
    SearchFilters(agency="ninghai"),
    SearchFilters(level="township"),
    SearchFilters(region="3302"),
    SearchFilters(layout="none"),
]
SETTINGS = {
    "default": {},
    "walk only": {"PROBE": (2, 2), "WALK_COST": 0.0},
    "bitmap after a short walk": {"PROBE": (1, 1), "WALK_COST": 1e9},
    "small bitmaps": {"PROBE": (1, 1), "WALK_COST": 1e9, "BITMAP_MAX": 1},
    "no filter first": {"PROBE": (3, 3), "FILTER_FIRST": 0},
}


def _lookup(query: str) -> str:
    lookup = index_expression(parse_query(query), "postgresql")
    assert lookup is not None
    return lookup


def _reference(archive: Archive, query: str, filters: SearchFilters, cap: int) -> list[int]:
    sql, params = candidates_sql(_lookup(query), "postgresql", filters)
    with archive.session() as s:
        return [row[0] for row in s.execute(text(sql), {**params, "cap": cap}).all()]


@pytest.mark.postgres
@pytest.mark.parametrize("setting", list(SETTINGS))
def test_steps_give_the_candidates_of_the_one_statement(
    pg_archive: Archive, setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SETTINGS[setting].items():
        monkeypatch.setattr(search_module, name, value)
    kinds: set[str] = set()
    compared = 0
    for query in QUERIES:
        for filters in FILTERS:
            for cap in (1, 2, 5, 200):
                expected = _reference(pg_archive, query, filters, cap)
                trace = PgTrace()
                with pg_archive.session() as s:
                    got = pg_candidate_ids(s, _lookup(query), filters, cap, trace)
                assert got == expected, (query, filters, cap, trace.steps)
                kinds.update(step.split(" ")[0] for step in trace.steps)
                compared += len(expected)
    assert compared > 500
    wanted = {
        "default": {"walk", "bitmap", "filter"},
        "walk only": {"walk", "filter"},
        "bitmap after a short walk": {"walk", "bitmap", "filter"},
        "small bitmaps": {"walk", "bitmap", "filter"},
        "no filter first": {"walk", "bitmap"},
    }[setting]
    assert kinds == wanted


@pytest.mark.postgres
def test_pg_search_matches_sqlite_on_the_same_reports(pg_archive: Archive, tmp_path: Path) -> None:
    """Whole searches (exact check, ranking, snippets, capping) alike on both databases."""
    with Archive(f"sqlite:///{tmp_path / 'a.sqlite3'}", data_dir=tmp_path / "d") as lite:
        with pg_archive.session() as s:
            count = s.execute(text("SELECT count(*) FROM versions")).scalar()
        assert count == DOCS + DOCS // 4
        _record_all(lite)
        for query in QUERIES:
            for filters in FILTERS:
                for cap in (3, 200):
                    a, b = (
                        search(db, query, filters, candidates=cap, limit=50)
                        for db in (lite, pg_archive)
                    )
                    assert (a.total, a.capped) == (b.total, b.capped), (query, filters, cap)
                    assert [
                        (h.meta["url"], h.meta["version"], round(h.score, 9), h.snippet)
                        for h in a.hits
                    ] == [
                        (h.meta["url"], h.meta["version"], round(h.score, 9), h.snippet)
                        for h in b.hits
                    ], (query, filters, cap)
