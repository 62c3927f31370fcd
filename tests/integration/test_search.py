"""Full-text search: tokens, the query language, and searches on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from archive_helpers import fetched, later, report_page, seed_text, setup_archive
from click.testing import CliRunner

from query.search import Hit, SearchFilters, rank, search, snippet
from query.search_query import And, Not, Or, QueryError, Term, parse_query
from storage.archive import Archive
from storage.search_index import rebuild
from storage.tokenize import index_terms, query_tokens

BASE = "http://www.ninghai.gov.cn/art/2021/"
TITLE_CJ = "长街镇2020年度政府信息公开年度报告"
TITLE_NH = "宁海县2019年度政府信息公开年度报告"


def test_index_terms_are_unigrams_bigrams_and_words() -> None:
    terms = index_terms("行政复议 PDF版 2020年")
    for term in ("行", "政", "复", "议", "行政", "政复", "复议", "pdf", "版", "2020", "年"):
        assert term in terms
    assert "议P" not in terms and "议p" not in terms
    assert len(terms) == len(set(terms))


def test_query_tokens() -> None:
    assert query_tokens("复").exact == ("复",)
    assert query_tokens("复议").exact == ("复议",)
    assert query_tokens("行政复议").exact == ("行政", "政复", "复议")
    assert query_tokens("PDF").prefix == ("pdf",)
    assert query_tokens("，。").empty


def test_query_language_precedence_and_errors() -> None:
    assert parse_query("复议") == Term("复议")
    assert parse_query("a b OR c") == Or((And((Term("a"), Term("b"))), Term("c")))
    assert parse_query('"政府 信息" -复议') == And((Term("政府 信息"), Not(Term("复议"))))
    assert parse_query("报告 AND (复议 OR 诉讼)") == And(
        (Term("报告"), Or((Term("复议"), Term("诉讼"))))
    )
    for bad, message in [
        ("", "empty query"),
        ('"复议', "unclosed quote"),
        ("(复议", "unclosed parenthesis"),
        ("复议 OR", "ends where a term"),
        ("，", "no letters"),
    ]:
        with pytest.raises(QueryError, match=message):
            parse_query(bad)


def test_snippet_marks_every_term() -> None:
    text = "前言。" * 30 + "本年收到行政复议申请2件，行政诉讼0件。" + "后记。" * 30
    out = snippet(text, ["复议", "诉讼"])
    assert "«复议»" in out and "«诉讼»" in out
    assert out.startswith("…") and out.endswith("…")


def _fill(archive: Archive) -> None:
    """Three reports; 长街镇's page is edited once (two versions)."""
    recorder = setup_archive(archive)
    with recorder:
        cj = "一、总体情况\n本年收到行政复议申请2件。\n二、主动公开政府信息情况\n采购项目数量24个。"
        recorder.record(
            fetched(BASE + "cj.html", report_page(cj, title=TITLE_CJ), title=TITLE_CJ, year=2020)
        )
        cj2 = cj.replace("24个", "26个") + "\n更正说明：采购项目数量已更正。"
        recorder.record(
            fetched(
                BASE + "cj.html",
                report_page(cj2, title=TITLE_CJ),
                title=TITLE_CJ,
                year=2020,
                at=later(60),
            )
        )
        nh = "一、总体情况\n行政诉讼1件，举行听证1次。议申请说明。\n复议"
        recorder.record(
            fetched(
                BASE + "nh.html",
                report_page(nh, title=TITLE_NH),
                title=TITLE_NH,
                year=2019,
                agency_name="宁海县",
            )
        )
        seed = seed_text(0)
        recorder.record(
            fetched(
                BASE + "seed.html",
                report_page(seed, title=TITLE_CJ + "（附件）"),
                title=TITLE_CJ,
                year=2020,
            )
        )


def _urls(archive: Archive, query: str, **filters: object) -> list[str]:
    result = search(archive, query, SearchFilters(**filters))  # type: ignore[arg-type]
    return [hit.meta["url"].rsplit("/", 1)[1] for hit in result.hits]


def test_search_terms_of_any_length(archive: Archive) -> None:
    _fill(archive)
    assert set(_urls(archive, "复议")) == {"cj.html", "nh.html", "seed.html"}
    assert _urls(archive, "听") == ["nh.html"]
    assert set(_urls(archive, "讼")) == {"nh.html", "seed.html"}
    assert set(_urls(archive, "采购项目数量")) >= {"cj.html"}
    # the bigrams 复议 and 议申 are both in nh.html, but not 复议申 in a row
    assert "nh.html" not in _urls(archive, "复议申")
    assert "cj.html" in _urls(archive, "复议申")


def test_boolean_queries_and_phrases(archive: Archive) -> None:
    _fill(archive)
    assert _urls(archive, "复议 听证") == ["nh.html"]
    assert set(_urls(archive, "复议 诉讼")) == {"nh.html", "seed.html"}
    assert set(_urls(archive, "更正 OR 听证")) == {"cj.html", "nh.html"}
    assert _urls(archive, "复议 NOT 诉讼") == ["cj.html"]
    assert _urls(archive, "复议 -诉讼") == ["cj.html"]
    assert _urls(archive, "(更正 OR 听证) NOT 诉讼") == ["cj.html"]
    assert _urls(archive, '"收到行政复议申请2件"') == ["cj.html"]
    with pytest.raises(QueryError, match="not negated"):
        search(archive, "NOT 复议")


def test_latest_version_by_default_every_version_on_request(archive: Archive) -> None:
    _fill(archive)
    assert _urls(archive, "24个") == []
    assert _urls(archive, "26个") == ["cj.html"]
    old = search(archive, "24个", SearchFilters(all_versions=True)).hits
    assert [h.meta["version"] for h in old] == [1]
    assert old[0].meta["captured_at"] == "2021-02-15T03:00:12Z"
    assert len(old[0].meta["sha256"]) == 64


def test_filters(archive: Archive) -> None:
    _fill(archive)
    assert _urls(archive, "听证", year=2020) == []
    assert _urls(archive, "听证", year=2019) == ["nh.html"]
    assert _urls(archive, "复议", agency="ninghai") == ["nh.html"]
    assert _urls(archive, "复议", level="county") == ["nh.html"]
    assert _urls(archive, "复议", region="3302") == ["nh.html"]
    assert _urls(archive, "复议", region="11") == []
    assert "nh.html" not in _urls(archive, "复议", kind="department")
    layouts = {
        layout: set(_urls(archive, "复议", layout=layout)) for layout in ("2019", "2021", "none")
    }
    assert set().union(*layouts.values()) == {"cj.html", "nh.html", "seed.html"}
    assert "nh.html" in layouts["none"] and not layouts["2021"]
    with pytest.raises(QueryError, match="unknown level"):
        search(archive, "复议", SearchFilters(level="village"))
    with pytest.raises(QueryError, match="region"):
        search(archive, "复议", SearchFilters(region="zj"))


def test_ranking_is_bm25_over_exact_counts() -> None:
    hits = [
        Hit(version_id=1, score=0, counts={"复议": 1}, length=1000),
        Hit(version_id=2, score=0, counts={"复议": 3}, length=1000),
        Hit(version_id=3, score=0, counts={"复议": 1}, length=200),
        Hit(version_id=4, score=0, counts={"复议": 1}, length=1000),
    ]
    assert [h.version_id for h in rank(hits, ["复议"])] == [2, 3, 4, 1]


def test_results_are_ranked_and_capping_is_reported(archive: Archive) -> None:
    _fill(archive)
    result = search(archive, "复议")
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert not result.capped
    capped = search(archive, "复议", candidates=1)
    assert capped.capped and capped.total <= 1


def test_rebuild_gives_the_same_answers(archive: Archive) -> None:
    _fill(archive)
    before = [(h.version_id, h.score) for h in search(archive, "复议 OR 公开").hits]
    assert rebuild(archive) == 4
    assert [(h.version_id, h.score) for h in search(archive, "复议 OR 公开").hits] == before


@pytest.mark.postgres
def test_sqlite_and_postgresql_answer_alike(tmp_path: Path, pg_url: str) -> None:
    queries = [
        "复议",
        "报",
        "政府信息",
        "复议 OR 诉讼",
        "公开 NOT 复议",
        '"主动公开"',
        "依申请 公开",
        "24个",
    ]
    answers = []
    for i, url in enumerate([f"sqlite:///{tmp_path / 'a.sqlite3'}", pg_url]):
        with Archive(url, data_dir=tmp_path / f"data{i}") as archive:
            _fill(archive)
            answers.append(
                [
                    [
                        (h.meta["url"], h.meta["version"], round(h.score, 9), h.snippet)
                        for h in search(archive, q).hits
                    ]
                    for q in queries
                ]
            )
    assert answers[0] == answers[1]
    assert any(answers[0])


def test_cli_search(tmp_path: Path) -> None:
    from nianbao.cli import cli

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with Archive(url, data_dir=tmp_path / "data") as archive:
        _fill(archive)
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "--db", url, "--format", "jsonl", "听证"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines()]
    assert [r["agency_id"] for r in records] == ["ninghai"]
    assert records[0]["year"] == 2019 and "«听证»" in records[0]["snippet"]
    text = runner.invoke(cli, ["search", "--db", url, "复议"])
    assert text.exit_code == 0 and text.output.startswith("3 hits for 复议")
    bad = runner.invoke(cli, ["search", "--db", url, '"复议'])
    assert bad.exit_code == 1 and "unclosed quote" in bad.output


def test_the_reading_rooms_kept_searches_are_fresh_searches_after_every_change(
    archive: Archive,
) -> None:
    """The room keeps search results while the archive is unchanged; after a new version,
    a document gone (404) and a registry change (an agency's level, which a filter and
    the facets read) each kept result is the one a search run afresh gives."""
    from archive_helpers import REGISTRY

    from registry.loader import parse_yaml
    from web.room import Room
    from web.settings import WebSettings

    asked = [
        ("复议", SearchFilters(), 20, 0),
        ("复议", SearchFilters(), 1, 1),
        ("采购", SearchFilters(level="township"), 20, 0),
        ("采购 OR 听证", SearchFilters(all_versions=True), 20, 0),
    ]

    def record(result: object) -> object:
        assert isinstance(result, type(search(archive, "复议")))
        return (
            result.total,
            result.capped,
            result.ids,
            result.facets,
            [hit.record() for hit in result.hits],
        )

    def agrees(room: Room) -> list[object]:
        got = []
        for query, filters, limit, offset in asked:
            kept = room.search(query, filters, limit=limit, offset=offset)
            again = room.search(query, filters, limit=limit, offset=offset)
            fresh = search(archive, query, filters, limit=limit, offset=offset)
            assert record(kept) == record(again) == record(fresh), query
            got.append(record(kept))
        return got

    _fill(archive)
    room = Room(archive, WebSettings())
    states = [agrees(room)]
    recorder = setup_archive(archive)
    with recorder:
        edited = "一、总体情况\n本年收到行政复议申请3件。\n采购项目数量30个，听证2次。"
        recorder.record(
            fetched(BASE + "cj.html", report_page(edited, title=TITLE_CJ), title=TITLE_CJ,
                    year=2020, at=later(120))
        )  # fmt: skip
        states.append(agrees(room))
        recorder.record(
            fetched(BASE + "nh.html", b"not found", status=404, title=TITLE_NH, year=2019,
                    at=later(180))
        )  # fmt: skip
        states.append(agrees(room))
    archive.import_registry(parse_yaml(REGISTRY.replace("level: township", "level: county", 1)))
    states.append(agrees(room))
    assert all(a != b for a, b in itertools.pairwise(states))
