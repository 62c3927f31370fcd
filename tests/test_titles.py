"""The report-title classifier and the link ranking."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crawler.discovery import TitleMatch, classify_title, link_score
from sampleweb.web import site_builders, truth_for

LABELS = Path(__file__).parent / "data" / "titles.tsv"


def labelled() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("长街镇2020年度政府信息公开年度报告", TitleMatch(2020, "长街镇", "report")),
        ("关于2020年政府信息公开工作年度报告的公告", TitleMatch(2020, None, "announcement")),
        ("宁海县教育局2020年度政府信息公开工作报告", TitleMatch(2020, "宁海县教育局", "report")),
        ("二〇二〇年政府信息公开工作年度报告", TitleMatch(2020, None, "report")),
        ("宁海县２０２１年政府信息公开工作年度报告", TitleMatch(2021, "宁海县", "report")),
        (
            "广武镇人民政府 2020 年政府信息公开工作年度报告",
            TitleMatch(2020, "广武镇人民政府", "report"),
        ),
        ("2020年度宁海县政府信息公开工作年度报告", TitleMatch(2020, "宁海县", "report")),
        ("宁海县政府信息公开工作年度报告（2020年度）", TitleMatch(2020, "宁海县", "report")),
        ("附件：岚皋县2020年度政府信息公开工作年度报告.doc", TitleMatch(2020, "岚皋县", "report")),
        (
            "宁海县人民政府关于2020年度政府信息公开工作年度报告的公告",
            TitleMatch(2020, "宁海县人民政府", "announcement"),
        ),
    ],
)
def test_reports_are_recognised(title: str, expected: TitleMatch) -> None:
    assert classify_title(title) == expected


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2020年政府信息公开工作年度报告编制工作的通知",
        "政府信息公开指南",
        "2021年政务公开工作要点",
        "年度报告格式",
        "2021年部门预算",
        "2020年部门决算报告",
        "政府工作报告",
        "2020年国民经济和社会发展统计公报",
        "2020年度企业年报公示",
        "2020年度社会组织年报",
        "2020年度工作总结",
        "宁海县2020年政府信息公开工作年度报告解读",
        "政府信息公开工作年度报告",  # a column name: no year
        "宁波港股份有限公司2020年年度报告",
        "",
        "   ",
    ],
)
def test_look_alikes_are_rejected(title: str) -> None:
    assert classify_title(title) is None


def test_implausible_years_are_rejected() -> None:
    assert classify_title("1998年政府信息公开工作年度报告") is None
    assert classify_title("2999年政府信息公开工作年度报告") is None


def test_labelled_set_precision_and_recall() -> None:
    rows = labelled()
    assert len(rows) >= 300
    assert {r["is_report"] for r in rows} == {"0", "1"}
    tp = fp = fn = fields_ok = 0
    for row in rows:
        match = classify_title(row["title"])
        if row["is_report"] == "1":
            assert row["year"].isdigit(), row["title"]
            if match is None:
                fn += 1
                continue
            tp += 1
            fields_ok += match.year == int(row["year"]) and (match.agency or "") == row["agency"]
        elif match is not None:
            fp += 1
    assert tp / (tp + fp) >= 0.97
    assert tp / (tp + fn) >= 0.95
    assert fields_ok / tp >= 0.95


def test_every_sample_web_title_is_classified_as_served() -> None:
    builders = site_builders(8380)
    for state in ("before", "after"):
        truth = truth_for(builders, state)
        for report in truth.reports:
            match = classify_title(report.title)
            assert match is not None, report.title
            assert match.year == report.year, report.title
            assert match.agency is not None and report.agency.startswith(
                match.agency.removesuffix("人民政府")
            ), report.title
    for builder in builders:
        for item in getattr(builder, "items", lambda _s: [])("before"):
            if item.kind in ("decoy", "filler"):
                assert classify_title(item.title) is None, item.title


def test_link_score_ranks_report_paths_first() -> None:
    report = link_score(
        "/art/2021/1/7/art_1229051395_3601.html", "长街镇2020年度政府信息公开年度报告"
    )
    column = link_score("/col/col1229051395/index.html", "政府信息公开年报")
    by_url = link_score("/zwgk/zfxxgknb/index.html", "更多")
    statutory = link_score("/xxgk/fdzdgknr/index.html", "法定主动公开内容")
    news = link_score("/art/2021/3/1/art_1_2.html", "宁海县召开2021年政务公开工作推进会")
    notice = link_score(
        "/art/2020/12/15/art_1_3.html", "关于做好2020年政府信息公开工作年度报告编制工作的通知"
    )
    assert report == 1.0
    assert 0.3 <= column < 1.0 and 0.3 <= by_url < 1.0 and 0.3 <= statutory < 1.0
    assert news < 0.3 and notice < 0.3
    assert column > news
    for trap in (
        ("/site/calendar.jsp?ym=2021-02", "下个月"),
        ("/art/2021/1/7/art_1_1.html?print=1", "打印本页"),
        ("/search/result.jsp?q=年报", "搜索年报"),
    ):
        assert link_score(*trap) == 0.0
    with_session = "/art/2020/1/16/art_1_2203.html;jsessionid=8A1C0E7F"
    assert link_score(with_session, "长街镇2019年度政府信息公开年度报告") == 1.0
    assert link_score("", "") == 0.0
