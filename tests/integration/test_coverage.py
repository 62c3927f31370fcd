"""Coverage: the agency × year matrix, its counts, and its CSV and HTML forms."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from archive_helpers import fetched, report_page, setup_archive
from click.testing import CliRunner

from audit.coverage import coverage, render_text, write_csv
from audit.coverage_html import render_html
from audit.findings import AuditOptions
from capture.types import Role
from storage.archive import Archive

BASE = "http://www.ninghai.gov.cn/"


def _fill(archive: Archive) -> None:
    """宁海县 on time for 2020 and late for 2021; 长街镇 has neither; a successful crawl
    now; this year's reports are not yet due."""
    with setup_archive(archive) as rec:
        for year, published in ((2020, "2021-01-07"), (2021, "2022-06-01")):
            title = f"宁海县{year}年度政府信息公开年度报告"
            rec.record(
                fetched(
                    f"{BASE}{year}.html",
                    report_page("一、总体情况", title=title),
                    title=title,
                    year=year,
                    agency_name="宁海县",
                    published_at=published,
                    at=datetime(year + 1, 7, 1, tzinfo=UTC),
                )
            )
        run = archive.begin_run(["ninghai-gov"])
        rec.record(
            fetched(
                BASE + "list.html",
                b"<html></html>",
                role=Role.LISTING,
                run_id=run,
                at=datetime.now(UTC),
            )
        )
        archive.end_run(run, outcome="success", site_stats={"ninghai-gov": {"outcome": "success"}})


def test_matrix_statuses_and_counts(archive: Archive) -> None:
    _fill(archive)
    this_year = datetime.now(UTC).year
    cov = coverage(archive, AuditOptions(years=[2020, 2021, this_year]))
    rows = {r.agency_id: r for r in cov.rows}
    assert rows["ninghai"].cells == {2020: "on_time", 2021: "late", this_year: "not_yet_due"}
    assert rows["changjie"].cells[2020] == "missing"
    assert (
        rows["changjie"].region == rows["ninghai"].region == "33"
    )  # 长街镇 inherits 宁海县's code
    assert cov.counts("level") == {
        "county": {"on_time": 1, "late": 1, "not_yet_due": 1},
        "township": {"missing": 2, "not_yet_due": 1},
    }
    before_the_crawl = coverage(
        archive, AuditOptions(years=[2020], as_of=datetime(2026, 1, 1, tzinfo=UTC))
    )
    assert {r.agency_id: r.cells[2020] for r in before_the_crawl.rows}["changjie"] == "unchecked"
    assert cov.counts("region") == {"33": {"on_time": 1, "late": 1, "missing": 2, "not_yet_due": 2}}
    text = render_text(cov)
    assert "LATE" in text and "MISS" in text and "township: missing 2, not_yet_due 1" in text


def test_csv_and_html(archive: Archive) -> None:
    _fill(archive)
    cov = coverage(archive, AuditOptions(years=[2020, 2021]))
    out = io.StringIO()
    write_csv(cov, out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["agency_id"]: (r["2020"], r["2021"]) for r in table} == {
        "ninghai": ("on_time", "late"),
        "changjie": ("missing", "missing"),
    }
    page = render_html(cov)
    assert (
        page.startswith("<!DOCTYPE html>")
        and "<script" not in page
        and "http" not in page.split("<body>")[0]
    )
    assert '<td class="late" title="late; due 2022-03-31">late</td>' in page
    assert ".missing { background: #c62828" in page


def test_cli_coverage_writes_csv_and_html(tmp_path: Path) -> None:
    from nianbao.cli import cli

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with Archive(url, data_dir=tmp_path / "data") as archive:
        _fill(archive)
    runner = CliRunner()
    for name in ("cov.csv", "cov.html"):
        out = runner.invoke(
            cli, ["coverage", "--db", url, "--year", "2020", "--out", str(tmp_path / name)]
        )
        assert out.exit_code == 0, out.output
        assert "ninghai" in out.output
    assert (
        (tmp_path / "cov.csv").read_text(encoding="utf-8").startswith("agency_id,agency_name,level")
    )
    assert "<table>" in (tmp_path / "cov.html").read_text(encoding="utf-8")
    bad = runner.invoke(cli, ["coverage", "--db", url, "--out", str(tmp_path / "cov.pdf")])
    assert bad.exit_code == 1 and "must end in .csv or .html" in bad.output


def test_region_tree_codes_walk_each_chain_as_one_agency_at_a_time() -> None:
    """Effective codes, made chain by chain, are each agency's own walk up: its code, else
    the nearest above; none through a loop or a parent the registry does not hold."""
    from audit.matrix import RegionTree
    from storage.reading import AgencyRecord

    def agency(ident: str, code: str | None, parent: str | None) -> AgencyRecord:
        return AgencyRecord(ident, ident, [], "county", "government", parent, code, True)

    agencies = [
        agency("town", None, "county"),  # before its parents: order must not matter
        agency("dept", None, "town"),
        agency("county", "330226", "city"),
        agency("city", "330200", "prov"),
        agency("prov", "330000", None),
        agency("orphan", None, "unknown"),
        agency("below-orphan", None, "orphan"),
        agency("loop-a", None, "loop-b"),
        agency("loop-b", None, "loop-a"),
        agency("below-loop", None, "loop-a"),
        agency("loop-coded", "110000", "loop-d"),
        agency("loop-d", None, "loop-coded"),
        agency("zeros", "000000", "county"),
    ]
    tree = RegionTree(agencies)
    assert tree.code == {a.id: tree._effective(a.id) for a in agencies}
    assert tree.code["dept"] == "330226" and tree.code["city"] == "3302"
    assert tree.code["below-orphan"] is None and tree.code["below-loop"] is None
    assert tree.code["loop-d"] == "11" and tree.code["zeros"] == "00"
    assert tree.name("3302") == "city"


def test_region_tree_chooses_as_the_region_filtered_by_level_and_kind() -> None:
    from audit.matrix import NO_CODE, RegionTree
    from registry.model import KINDS, LEVELS
    from storage.reading import AgencyRecord

    agencies = [
        AgencyRecord(f"a{i}", f"a{i}", [], LEVELS[i % len(LEVELS)], KINDS[i % len(KINDS)],
                     f"a{i // 3}" if i else None, code, True)
        for i, code in enumerate(["330000", None, "330200", None, "110000", "330226", None, None])
    ]  # fmt: skip
    tree = RegionTree(agencies)
    for region in ("", "33", "3302", "11", "44", NO_CODE):
        for levels, kinds in ((list(LEVELS), list(KINDS)), (["county", "city"], ["government"])):
            expected = [
                i
                for i in tree.in_region(region)
                if tree.agencies[i].level in levels and tree.agencies[i].kind in kinds
            ]
            assert sorted(tree.chosen(region, levels, kinds)) == sorted(expected), region


def test_the_reading_rooms_kept_coverage_is_a_fresh_computation_after_every_crawl(
    archive: Archive,
) -> None:
    """The room keeps its region tree, crawls, merged crawls and matrices between pages;
    after each crawl (a new report, a crawl that finds nothing new) its matrix is the one a
    room opened afresh computes."""
    from web.room import Room
    from web.settings import WebSettings

    years = [2020, 2021]

    def matrix(room: Room, region: str) -> dict[str, object]:
        record = room.coverage(region, years, None, None).record()
        record.pop("as_of")
        return record

    def agrees(room: Room) -> dict[str, object]:
        for region in ("", "33", "330226"):
            assert matrix(room, region) == matrix(Room(archive, WebSettings()), region), region
        return matrix(room, "330226")

    with setup_archive(archive) as rec:
        title = "宁海县2020年度政府信息公开年度报告"
        rec.record(
            fetched(f"{BASE}2020.html", report_page("一、总体情况", title=title), title=title,
                    year=2020, agency_name="宁海县", published_at="2021-01-07",
                    at=datetime(2021, 1, 8, tzinfo=UTC))
        )  # fmt: skip
        room = Room(archive, WebSettings())
        room.warm()
        first = agrees(room)
        run = archive.begin_run(["ninghai-gov"])
        title = "宁海县2021年度政府信息公开年度报告"
        rec.record(
            fetched(f"{BASE}2021.html", report_page("一、总体情况", title=title), title=title,
                    year=2021, agency_name="宁海县", published_at="2022-06-01",
                    at=datetime.now(UTC), run_id=run)
        )  # fmt: skip
        archive.end_run(run, outcome="success", site_stats={"ninghai-gov": {"outcome": "success"}})
        second = agrees(room)
        assert second != first
        run = archive.begin_run(["ninghai-gov"])
        archive.end_run(run, outcome="success", site_stats={"ninghai-gov": {"outcome": "success"}})
        agrees(room)


def test_concurrent_pages_of_one_view_share_one_computation(archive: Archive) -> None:
    """Requests for a view being computed wait for it rather than compute it again: every
    one gets the same matrix, and it is a fresh room's."""
    from concurrent.futures import ThreadPoolExecutor

    from web.room import Room
    from web.settings import WebSettings

    _fill(archive)
    room = Room(archive, WebSettings())
    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(lambda _: room.coverage("33", [2020, 2021], None, None), range(6)))
    assert all(m is got[0] for m in got) and not room._computing
    fresh = Room(archive, WebSettings()).coverage("33", [2020, 2021], None, None).record()
    mine = got[0].record()
    mine.pop("as_of"), fresh.pop("as_of")
    assert mine == fresh
