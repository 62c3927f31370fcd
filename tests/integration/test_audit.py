"""Audit findings: deadlines as rules, each finding on archives built through the real API,
and every finding of the sample web crawled in its "before" and "after" states."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from archive_helpers import fetched, later, report_page, seed_text, setup_archive
from click.testing import CliRunner

from audit.deadlines import DeadlineError, Deadlines
from audit.findings import AuditOptions, Finding, run_audit
from audit.similarity import Text, find_copies, shingles
from capture.types import Role
from query.history import report_history
from storage.archive import Archive

BASE = "http://www.ninghai.gov.cn/"
LIST = BASE + "col/col1229051395/index.html"
SECTIONS = "一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n" + (
    "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项"
)


def _findings(archive: Archive, **options: object) -> list[Finding]:
    return run_audit(archive, AuditOptions(**options)).findings  # type: ignore[arg-type]


def _kinds(findings: list[Finding], agency: str, year: int) -> set[str]:
    return {f.finding for f in findings if f.agency_id == agency and f.year == year}


def _crawl(archive: Archive, recorder, outcome: str = "success") -> int:
    """A crawl of ninghai-gov now that fetched its listing page."""
    run = archive.begin_run(["ninghai-gov"])
    listing = f"<html><body><a href='x.html'>{run}</a></body></html>".encode()
    recorder.record(fetched(LIST, listing, role=Role.LISTING, run_id=run, at=datetime.now(UTC)))
    archive.end_run(
        run, outcome=outcome, site_stats={"ninghai-gov": {"outcome": outcome, "pages": 1}}
    )
    return run


# -- deadlines ----------------------------------------------------------------------------
def test_default_deadlines_follow_the_regulations() -> None:
    rules = Deadlines.load()
    assert rules.due(2020, "county", "department") == date(2021, 1, 31)
    assert rules.due(2020, "county", "government") == date(2021, 3, 31)
    assert rules.due(2020, "province", "government") == date(2021, 3, 31)
    assert rules.due(2020, "township", "government") == date(2021, 3, 31)
    assert rules.due(2015, "county", "department") == date(2016, 3, 31)
    assert rules.due(2005, "county", "government") is None


def test_deadlines_are_overridable_per_level_kind_region_and_year(tmp_path: Path) -> None:
    path = tmp_path / "deadlines.yaml"
    path.write_text(
        "rules:\n"
        "  - {years: '2019-', due: '03-31'}\n"
        "  - {years: '2021-', regions: ['33'], levels: [township], due: '02-28'}\n"
        "  - {years: '2022', kinds: [department], due: '04-30'}\n",
        encoding="utf-8",
    )
    rules = Deadlines.load(path)
    assert rules.due(2021, "township", "government", "330226101") == date(2022, 2, 28)
    assert rules.due(2020, "township", "government", "330226101") == date(2021, 3, 31)
    assert rules.due(2021, "township", "government", "610926") == date(2022, 3, 31)
    assert rules.due(2022, "county", "department") == date(2023, 4, 30)
    assert rules.due(2023, "county", "department") == date(2024, 3, 31)
    for bad, message in [
        ("rules: [{due: '13-01'}]", "due '13-01' is not a day"),
        ("rules: [{years: 'soon', due: '03-31'}]", "years must look like"),
        ("rules: [{levels: [village], due: '03-31'}]", "unknown levels village"),
        ("rules: [{due: '03-31', when: x}]", "unknown field"),
        ("nothing: 1", "list under 'rules'"),
    ]:
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(DeadlineError, match=message):
            Deadlines.load(path)


# -- findings on small archives (SQLite and PostgreSQL) -----------------------------------
def test_missing_needs_a_successful_crawl_since_the_deadline(archive: Archive) -> None:
    with setup_archive(archive) as rec:
        cells = {
            (c.agency_id, c.year): c.status
            for c in run_audit(archive, AuditOptions(years=[2020])).cells
        }
        assert cells[("changjie", 2020)] == "unchecked"
        assert not _findings(archive, years=[2020])
        _crawl(archive, rec, outcome="failed")
        assert not _findings(archive, years=[2020], findings={"missing"})
        run = _crawl(archive, rec)
    found = _findings(archive, years=[2020], findings={"missing"})
    assert _kinds(found, "changjie", 2020) == {"missing"} and _kinds(found, "ninghai", 2020) == {
        "missing"
    }
    missing = next(f for f in found if f.agency_id == "changjie")
    assert "due 2021-03-31" in missing.detail and "ninghai-gov" in missing.detail
    (crawl,) = missing.evidence
    assert crawl["crawl"] == run and crawl["url"] == LIST and len(crawl["sha256"]) == 64
    early = datetime(2021, 3, 1, tzinfo=UTC)
    cells = {
        (c.agency_id, c.year): c.status
        for c in run_audit(archive, AuditOptions(years=[2020], as_of=early)).cells
    }
    assert cells[("changjie", 2020)] == "not_yet_due"


def test_late_on_the_publishers_date_and_on_the_archives_captures(archive: Archive) -> None:
    title = "宁海县2020年度政府信息公开年度报告"
    with setup_archive(archive) as rec:
        rec.record(
            fetched(
                BASE + "nh.html",
                report_page(SECTIONS, title=title),
                title=title,
                year=2020,
                agency_name="宁海县",
                published_at="2021-05-20",
                at=datetime(2021, 6, 1, tzinfo=UTC),
            )
        )
        # 长街镇 says 2021-01-07, but a crawl after the deadline did not find it
        _crawl(archive, rec)
        cj = "长街镇2020年度政府信息公开年度报告"
        now = datetime.now(UTC) + timedelta(seconds=5)
        rec.record(
            fetched(BASE + "cj.html", report_page(SECTIONS, title=cj), title=cj, year=2020, at=now)
        )
    found = _findings(archive, years=[2020], findings={"late"})
    by_agency = {f.agency_id: f for f in found}
    assert by_agency["ninghai"].extra["basis"] == "publisher_date"
    assert by_agency["ninghai"].detail.startswith("published 2021-05-20, due 2021-03-31")
    assert by_agency["ninghai"].evidence[0]["url"] == BASE + "nh.html"
    assert by_agency["changjie"].extra["basis"] == "first_capture"
    assert "2021-01-07 is contradicted" in by_agency["changjie"].detail
    urls = [e["url"] for e in by_agency["changjie"].evidence]
    assert urls == [BASE + "cj.html", LIST]


def test_on_time_report_gives_no_timing_finding(archive: Archive) -> None:
    with setup_archive(archive) as rec:
        cj = "长街镇2020年度政府信息公开年度报告"
        rec.record(fetched(BASE + "cj.html", report_page(SECTIONS, title=cj), title=cj, year=2020))
        _crawl(archive, rec)
    result = run_audit(archive, AuditOptions(years=[2020], findings={"missing", "late"}))
    assert not _kinds(result.findings, "changjie", 2020)
    assert {(c.agency_id, c.status) for c in result.cells if c.year == 2020} >= {
        ("changjie", "on_time")
    }


def test_changed_and_vanished(archive: Archive) -> None:
    cj = "长街镇2020年度政府信息公开年度报告"
    body = SECTIONS + "\n政府集中采购项目24个。"
    with setup_archive(archive) as rec:
        rec.record(fetched(BASE + "cj.html", report_page(body, title=cj), title=cj, year=2020))
        rec.record(
            fetched(
                BASE + "cj.html",
                report_page(body.replace("24", "26"), title=cj),
                title=cj,
                year=2020,
                at=later(60),
            )
        )
        rec.record(
            fetched(BASE + "cj.html", b"gone", status=404, title=cj, year=2020, at=later(120))
        )
    found = _findings(archive, years=[2020])
    changed = next(f for f in found if f.finding == "changed")
    assert "1 passage(s) changed" in changed.detail
    assert [e["note"] for e in changed.evidence] == ["version 1", "version 2"]
    assert changed.evidence[0]["sha256"] != changed.evidence[1]["sha256"]
    vanished = next(f for f in found if f.finding == "vanished")
    assert vanished.detail.startswith("gone since 2021-02-15T05:00:12Z")
    assert [e.get("status") for e in vanished.evidence] == [None, 404]


def test_inconsistent_reports_the_failed_rule_with_its_figures(archive: Archive) -> None:
    cj = "长街镇2020年度政府信息公开年度报告"
    with setup_archive(archive) as rec:
        result = rec.record(
            fetched(BASE + "cj.html", report_page(SECTIONS, title=cj), title=cj, year=2020)
        )
    values = {
        "t3.new.total": 5,
        "t3.carried_over.total": 1,
        "t3.total.total": 4,
        "t3.carried_forward.total": 1,
    }
    checks = [
        {"rule": "balance", "column": "total", "ok": False, "left": 6, "right": 5},
        {
            "rule": "applicants",
            "row": "granted",
            "ok": False,
            "left": 3,
            "right": 0,
        },  # total blank: not asserted
    ]
    assert result.version_id is not None
    archive.add_extraction(
        result.version_id,
        {
            "parser_version": "test-9",
            "layout": "2019",
            "values": values,
            "checks": checks,
            "sections": [1, 2, 3, 4, 5, 6],
        },
    )
    (finding,) = _findings(archive, years=[2020], findings={"inconsistent"})
    assert finding.detail == "1 consistency rule(s) fail: balance (column total): 6 ≠ 5"
    assert finding.extra["unasserted"] == 1
    assert finding.evidence[0]["url"] == BASE + "cj.html"


def test_inconsistent_tells_blank_tables_and_ocr_values_apart(archive: Archive) -> None:
    """Rules over blank cells are not evaluable (not a pass); a failure resting on values
    read by OCR says so (issue 11)."""
    from extract.checks import evaluate_checks
    from extract.keys import keys_for_layout

    cj = "长街镇2020年度政府信息公开年度报告"
    with setup_archive(archive) as rec:
        blank = rec.record(
            fetched(BASE + "cj.html", report_page(SECTIONS, title=cj), title=cj, year=2020)
        )
    values = dict.fromkeys(keys_for_layout("2019"))
    assert blank.version_id is not None
    archive.add_extraction(
        blank.version_id,
        {
            "parser_version": "test-9",
            "layout": "2019",
            "values": values,
            "checks": evaluate_checks("2019", values),
            "sections": [1, 2, 3, 4, 5, 6],
        },
    )
    (finding,) = _findings(archive, years=[2020], findings={"inconsistent"})
    assert finding.extra["verdict"] == "not_evaluable" and finding.extra["checks"] == []
    assert finding.extra["not_evaluable"] == 7 + 7 + 23 + 3
    assert finding.detail.startswith("not evaluable: the tables print no figure")

    values = dict(values, **{"t3.new.natural": 3, "t3.new.total": 3, "t3.total.total": 2})
    ocr = {"t3.total.total": {"confidence": 0.62, "uncertain": True}}
    archive.add_extraction(
        blank.version_id,
        {
            "parser_version": "test-10",
            "layout": "2019",
            "values": values,
            "checks": evaluate_checks("2019", values, ocr),
            "sections": [1, 2, 3, 4, 5, 6],
        },
    )
    (finding,) = _findings(archive, years=[2020], findings={"inconsistent"})
    assert finding.extra["verdict"] == "failed"
    rules = {(c["rule"], c.get("column") or c.get("row")) for c in finding.extra["checks"]}
    assert ("balance", "total") in rules and ("outcomes", "total") in rules
    assert "rest on values read by OCR" in finding.detail and "[OCR, uncertain]" in finding.detail
    assert finding.extra["ocr"] is True and finding.extra["uncertain"] == ["t3.total.total"]
    assert "(tables read by OCR)" in finding.evidence[0]["note"]
    assert "not evaluable: blank cells" in finding.detail


def test_incomplete_names_the_missing_sections_and_tables(archive: Archive) -> None:
    cj = "长街镇2020年度政府信息公开年度报告"
    with setup_archive(archive) as rec:
        rec.record(
            fetched(
                BASE + "cj.html",
                report_page("一、总体情况\n二、主动公开政府信息情况", title=cj),
                title=cj,
                year=2020,
            )
        )
    (finding,) = _findings(archive, years=[2020], findings={"incomplete"})
    assert finding.extra["missing_sections"] == [3, 4, 5, 6]
    assert "表三 依申请" in finding.detail


def test_similarity_ignores_boilerplate_shared_by_every_report() -> None:
    boiler = seed_text(0)
    own = [seed_text(n) for n in range(1, 5)]
    texts = [Text(i, f"a{i}", 2020, shingles(boiler[:600] + own[i])) for i in range(4)]
    assert find_copies(texts) == []
    texts.append(Text(9, "a9", 2020, shingles(boiler[:600] + own[2].replace("海滨", "山前"))))
    (copy,) = find_copies(texts)
    assert (copy.a, copy.b) == (2, 9) and copy.similarity >= 0.9


def test_copied_from_another_agency_and_from_the_previous_year(archive: Archive) -> None:
    text = seed_text(0)
    with setup_archive(archive) as rec:
        cj = "长街镇2020年度政府信息公开年度报告"
        rec.record(
            fetched(
                BASE + "cj.html",
                report_page(text, title=cj),
                title=cj,
                year=2020,
                published_at="2021-01-07",
            )
        )
        nh = "宁海县2020年度政府信息公开年度报告"
        copied = text.replace("长街镇", "宁海县").replace("我镇", "我县")
        rec.record(
            fetched(
                BASE + "nh.html",
                report_page(copied, title=nh),
                title=nh,
                year=2020,
                agency_name="宁海县",
                published_at="2021-02-01",
            )
        )
        cj19 = "长街镇2019年度政府信息公开年度报告"
        rec.record(
            fetched(
                BASE + "cj19.html",
                report_page(text, title=cj19),
                title=cj19,
                year=2019,
                published_at="2020-01-07",
            )
        )
    found = [f for f in _findings(archive, years=[2020], findings={"copied"})]
    by = {(f.agency_id, f.extra["other"]["agency_id"], f.extra["other"]["year"]) for f in found}
    assert ("ninghai", "changjie", 2020) in by
    assert ("changjie", "changjie", 2019) in by
    assert all(f.extra["similarity"] >= 0.9 and len(f.evidence) == 2 for f in found)


def test_cli_audit_and_bad_input(tmp_path: Path) -> None:
    from nianbao.cli import cli

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with Archive(url, data_dir=tmp_path / "data") as archive, setup_archive(archive) as rec:
        _crawl(archive, rec)
    runner = CliRunner()
    out = runner.invoke(cli, ["audit", "--db", url, "--year", "2020", "--finding", "missing"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines()]
    assert {r["agency_id"] for r in records} == {"changjie", "ninghai"}
    assert all(r["finding"] == "missing" and r["evidence"] for r in records)
    bad = runner.invoke(cli, ["audit", "--db", url, "--agency", "nobody"])
    assert bad.exit_code == 1 and "unknown agency 'nobody'" in bad.output
    rules = tmp_path / "bad.yaml"
    rules.write_text("rules: [{due: 'soon'}]", encoding="utf-8")
    bad = runner.invoke(cli, ["audit", "--db", url, "--deadlines", str(rules)])
    assert bad.exit_code == 1 and "due must be MM-DD" in bad.output


# -- the sample web, crawled before and after its changes ---------------------------------
@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, object]]:
    from crawler.run import crawl
    from registry.loader import parse_yaml
    from sampleweb.web import SampleWeb

    tmp = tmp_path_factory.mktemp("sampleweb-audit")
    with SampleWeb(state="before", port=0) as web:
        archive = Archive(f"sqlite:///{tmp / 'a.sqlite3'}", data_dir=tmp / "data")
        archive.import_registry(parse_yaml(web.registry_yaml()))
        # every site but the one behind a WAF (nothing to audit there; it only costs time)
        sites = [str(site["id"]) for site in web.sites if site["platform"] != "WafSite"]
        crawl(archive, sites)
        web.set_state("after")
        # re-check every known document (edits and deletions show only then)
        crawl(archive, sites, settings_overrides={"NIANBAO_REVERIFY_DAYS": 0})
        yield archive, web.truth("after")
        archive.close()


def _agency_id(archive: Archive, name: str) -> str:
    for agency in archive.agencies():
        if name == agency.name or name in agency.aliases:
            return agency.id
    raise AssertionError(f"no agency named {name}")


def test_sample_web_findings(crawled: tuple[Archive, object]) -> None:
    archive, truth = crawled
    found = _findings(archive, years=[2020])
    changes = {c.kind: c for c in truth.changes}  # type: ignore[attr-defined]
    ident = {kind: _agency_id(archive, c.agency) for kind, c in changes.items()}

    edited = next(f for f in found if f.agency_id == ident["edited"] and f.finding == "changed")
    assert len(edited.evidence) == 2
    edits = [
        f.extra["values"]
        for f in found
        if f.agency_id == ident["edited"] and f.finding == "changed"
    ]
    assert {"key": "t2.procurement.projects", "old": 24, "new": 26} in [
        v for vs in edits for v in vs
    ]

    deleted = next(f for f in found if f.agency_id == ident["deleted"] and f.finding == "vanished")
    assert any(e.get("status") == 404 for e in deleted.evidence)

    moved = _kinds(found, ident["moved"], 2020)
    assert not moved & {"vanished", "missing"}
    history = report_history(archive, f"{ident['moved']}:2020")
    status = {d["url"]: d["status"] for d in history["documents"]}
    assert (
        status[changes["moved"].url] == "present" and status[changes["moved"].old_url] == "vanished"
    )

    late = next(f for f in found if f.agency_id == ident["late"] and f.finding == "late")
    assert late.extra["basis"] == "publisher_date" and "due 2021-03-31" in late.detail

    copied = next(f for f in found if f.agency_id == ident["copied"] and f.finding == "copied")
    assert copied.extra["other"]["agency_id"] == ident["edited"]  # 长街镇's report, names changed
    assert copied.extra["similarity"] >= 0.9

    assert "inconsistent" in _kinds(found, ident["inconsistent"], 2020)
    for finding in found:
        assert finding.evidence, finding
        for item in finding.evidence:
            assert item.get("url") or item.get("crawl")
