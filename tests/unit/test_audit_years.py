"""The audit applies the rules of each report's own year (config/report_contents.yaml):
free-form reports on 2008–2018 are judged by the 2008 条例's list of contents, the
reports from 2019 by the unified format's sections and tables, older ones not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_helpers import fetched, report_page, setup_archive
from paths import TESTS

from audit.contents import Check, ContentRules, ContentRulesError
from audit.findings import AuditOptions, run_audit
from storage.archive import Archive

PRE2019 = TESTS / "fixtures" / "pre2019"
BASE = "http://www.ninghai.gov.cn/art/"


def _record(archive: Archive, reports: dict[int, str]) -> None:
    with setup_archive(archive) as rec:
        for year, text in reports.items():
            title, _, body = text.partition("\n")
            rec.record(
                fetched(
                    f"{BASE}{year}/report.html",
                    report_page(body, title=title),
                    title=title,
                    year=year,
                    agency_name="宁海县",
                )
            )


def test_each_year_is_judged_by_its_own_rules(archive: Archive) -> None:
    reports = {
        int(path.name[:4]): path.read_text(encoding="utf-8")
        for path in sorted(PRE2019.glob("*.txt"))
    }
    assert sorted(reports) == [2012, 2014, 2015, 2016, 2017, 2018]
    # before the 2008 条例: no rule, no finding, whatever the report says
    reports[2007] = "宁海县2007年政务公开工作总结\n全年公开各类信息一千余条。"
    # the unified format, with sections 3 to 6 missing
    reports[2020] = "宁海县2020年政府信息公开工作年度报告\n一、总体情况\n二、主动公开政府信息情况"
    _record(archive, reports)
    result = run_audit(
        archive, AuditOptions(years=list(range(2007, 2021)), findings={"incomplete"})
    )
    flagged = {f.year: f for f in result.findings}
    # six free-form reports on 2012–2018: one really lacks two of the 条例's items
    assert set(flagged) == {2016, 2020}, {y: f.detail for y, f in flagged.items()}
    old = flagged[2016]
    assert old.extra["rules"] == "ordinance-2008"
    assert old.extra["missing_items"] == ["fees", "review"]
    assert old.extra["missing_tables"] == [] and old.extra["missing_sections"] == []
    assert "（三）政府信息公开的收费及减免情况" in old.detail
    assert "第三十二条" in old.extra["rules_source"]
    new = flagged[2020]
    assert new.extra["rules"] == "format-2019"
    assert new.extra["missing_sections"] == [3, 4, 5, 6]
    assert "表三 依申请" in new.detail


def test_the_rules_of_each_year() -> None:
    rules = ContentRules.load()
    assert rules.for_year(2007) is None
    assert rules.for_year(2008).id == "ordinance-2008"  # type: ignore[union-attr]
    assert rules.for_year(2018).check == Check.CONTENTS  # type: ignore[union-attr]
    assert rules.for_year(2019).id == "format-2019"  # type: ignore[union-attr]
    assert rules.for_year(2021).id == "format-2021"  # type: ignore[union-attr]
    # 其他需要报告的事项 is asked for only when there is something to report
    shortfall = rules.check(
        2015, sections=set(), tables=set(), text="主动公开 依申请 收费 复议 问题"
    )
    assert shortfall is not None and not shortfall
    shortfall = rules.check(2021, sections={1, 2, 3, 4, 5, 6}, tables={"t2", "t3"}, text="")
    assert shortfall is not None and shortfall.missing_tables == ["t4"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("nothing: 1", "list under 'rulesets'"),
        (
            "rulesets: [{id: a, years: soon, check: contents, items: [{id: x, name: y, terms: [z]}]}]",
            "years must look like",
        ),
        (
            "rulesets: [{id: a, years: '2008-', check: words, items: [{id: x, name: y}]}]",
            "check must be one of",
        ),
        (
            "rulesets: [{id: a, years: '2008-', check: contents, items: [{id: x, name: y}]}]",
            "terms are required",
        ),
        (
            "rulesets: [{id: a, years: '2019-', check: headings, items: [{id: x, name: y, section: 9}]}]",
            "section must be 1 to 6",
        ),
        (
            "rulesets: [{id: a, years: '2019-', check: headings, items: [{id: x, name: y, section: 1}], tables: [t9]}]",
            "unknown tables t9",
        ),
        ("rulesets: [{id: a, years: '2019-', when: x}]", "unknown field when"),
    ],
)
def test_bad_rules_are_refused_with_a_precise_message(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ContentRulesError, match=message):
        ContentRules.load(path)
