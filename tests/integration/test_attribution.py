"""Which agency a report belongs to (registry.md; issue 10 item 7) and names taken from
crawled text (issue 12 item 5), through the capture recorder into SQLite and PostgreSQL,
and out through `nianbao reports`.

A report belongs to the agency its title names, else to the issuer the document names
for itself (signature, first line, ContentSource), else to the site's owner."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import unicodedata
from typing import Any

from archive_helpers import T0
from paths import REPO

from capture.recorder import CaptureRecorder
from capture.types import FetchedResponse, Role
from crawler.discovery import classify_title
from extract.metadata import agency_from_title
from query.reports import iter_reports
from registry.loader import parse_yaml
from storage.agencies import (
    AgencyEntry,
    AgencyIndex,
    NameSource,
    looks_like_agency,
    plausible_name,
)
from storage.models import AgencyRow, ExtractionRow, ReportRow

REGISTRY = """
agencies:
  - id: nmg
    name: 内蒙古自治区人民政府
    level: province
    kind: government
  - id: ordos
    name: 鄂尔多斯市人民政府
    aliases: [鄂尔多斯市]
    level: city
    kind: government
    parent: nmg
  - id: ningbo
    name: 宁波市人民政府
    level: city
    kind: government
  - id: ninghai
    name: 宁海县人民政府
    level: county
    kind: government
    parent: ningbo
  - id: ninghai-wjj
    name: 宁海县卫生健康局
    level: county
    kind: department
    parent: ninghai
  - id: changjie
    name: 长街镇人民政府
    level: township
    kind: government
    parent: ninghai
  - id: yuelong
    name: 跃龙街道办事处
    level: township
    kind: government
    parent: ninghai
  - id: ninghai-chengguan
    name: 城关镇人民政府
    level: township
    kind: government
    parent: ninghai
  - id: xiangshan
    name: 象山县人民政府
    level: county
    kind: government
    parent: ningbo
  - id: xiangshan-chengguan
    name: 城关镇人民政府
    level: township
    kind: government
    parent: xiangshan
sites:
  - id: ordos-gov
    agency: ordos
    start_urls: [http://www.ordos.gov.cn/xxgk/zfxxgknb/]
  - id: ninghai-gov
    agency: ninghai
    start_urls: [http://www.ninghai.gov.cn/col/col1229051395/index.html]
"""

BODY = (
    "一、总体情况\n2020年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
    "二、主动公开政府信息情况\n（略）\n六、其他需要报告的事项\n无。\n"
)


def response(url: str, body: bytes, *, site_id: str = "ninghai-gov", **kw: Any) -> FetchedResponse:
    return FetchedResponse(
        url=url,
        status=200,
        body=body,
        fetched_at=T0,
        site_id=site_id,
        role=Role.REPORT,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        **kw,
    )


def page(title: str, *, body: str = BODY, meta: str = "", first_line: str = "") -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in (first_line + body).splitlines() if line)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{meta}'
        f'</head><body><div id="zoom"><h1>{title}</h1>{paragraphs}</div></body></html>'
    ).encode()


class Site:
    """Records report pages as the crawler does: the listing's title classified, its
    agency and year handed to the recorder with the captured page."""

    def __init__(self, archive, site_id: str = "ninghai-gov") -> None:
        archive.import_registry(parse_yaml(REGISTRY))
        self.archive = archive
        self.site_id = site_id
        self.recorder = CaptureRecorder.open(archive)
        self.count = 0

    def report(self, listing_title: str, body: bytes | None = None) -> str:
        match = classify_title(listing_title)
        assert match is not None, listing_title
        self.count += 1
        host = "www.ordos.gov.cn" if self.site_id == "ordos-gov" else "www.ninghai.gov.cn"
        result = self.recorder.record(
            response(
                f"http://{host}/art/2021/1/7/art_1_{self.count}.html",
                body or page(listing_title),
                site_id=self.site_id,
                title=listing_title,
                year=match.year,
                agency_name=match.agency,
            )
        )
        assert result.report_id is not None
        with self.archive.session() as s:
            report = s.get(ReportRow, result.report_id)
            assert report is not None
            return report.agency_id

    def agency_row(self, ident: str) -> AgencyRow:
        with self.archive.session() as s:
            row = s.get(AgencyRow, ident)
            assert row is not None
            return row

    def close(self) -> None:
        self.recorder.close()


def test_a_city_list_carrying_the_province_report_gives_it_to_the_province(archive) -> None:
    site = Site(archive, "ordos-gov")
    assert site.report("内蒙古自治区2018年政府信息公开工作年度报告") == "nmg"
    assert site.report("鄂尔多斯市2018年政府信息公开年度报告") == "ordos"
    # a province the registry does not know: an unregistered agency, not under the city
    other = site.report("宁夏回族自治区2018年政府信息公开工作年度报告")
    row = site.agency_row(other)
    assert (row.name, row.registered, row.level, row.parent_id) == (
        "宁夏回族自治区",
        False,
        "province",
        None,
    )
    site.close()


def test_a_report_carried_by_two_sites_is_known_to_each_by_its_own_documents(archive) -> None:
    """The province's report on the city's list and on the province's own site is one
    report (agency × year), but each site's crawl knows the documents it found itself:
    those are the ones it asks for again with validators and checks for deletion
    (variant web seed 724730169: the province portal's report page was known only to
    the city's gkmlpt site, whose crawl had reached the report first)."""
    title = "内蒙古自治区2018年政府信息公开工作年度报告"
    city = Site(archive, "ordos-gov")
    assert city.report(title) == "nmg"
    city.close()
    other = Site(archive, "ninghai-gov")
    assert other.report(title) == "nmg"
    other.close()
    assert [d.url for d in archive.known_documents("ordos-gov")] == [
        "http://www.ordos.gov.cn/art/2021/1/7/art_1_1.html"
    ]
    assert [d.url for d in archive.known_documents("ninghai-gov")] == [
        "http://www.ninghai.gov.cn/art/2021/1/7/art_1_1.html"
    ]


def test_names_match_across_level_words_prefixes_and_abbreviations(archive) -> None:
    site = Site(archive)
    assert site.report("宁海县政府2020年政府信息公开工作年度报告") == "ninghai"
    assert site.report("宁海县2021年政府信息公开工作年度报告") == "ninghai"
    assert site.report("跃龙街道2020年政府信息公开工作年度报告") == "yuelong"
    assert site.report("宁海县长街镇2020年政府信息公开工作年度报告") == "changjie"
    assert site.report("长街镇人民政府 2021 年政府信息公开工作年度报告") == "changjie"
    assert site.report("县卫健局2020年政府信息公开工作年度报告") == "ninghai-wjj"
    assert site.report("宁海县卫健局2021年政府信息公开工作年度报告") == "ninghai-wjj"
    # two registered 城关镇: the one of the site owner's county
    assert site.report("城关镇2020年政府信息公开工作年度报告") == "ninghai-chengguan"
    # a region prefix that is not the agency's own region is no match
    other = site.report("象山县长街镇2020年政府信息公开工作年度报告")
    assert other not in ("changjie",) and not site.agency_row(other).registered
    site.close()


def test_the_issuer_places_a_report_whose_title_names_no_agency(archive) -> None:
    site = Site(archive)
    signed = BODY + "长街镇人民政府\n2021年1月7日\n"
    title = "2020年政府信息公开工作年度报告"
    assert site.report(title, page(title, body=signed)) == "changjie"
    # the first line names it
    heading = "（跃龙街道办事处）\n"
    assert site.report(title, page(title, first_line=heading)) == "yuelong"
    # only the page's ContentSource names it
    meta = '<meta content="宁海县卫生健康局" name="ContentSource">'
    assert site.report(title, page(title, meta=meta)) == "ninghai-wjj"
    # the county's office signs the county's report
    office = BODY + "宁海县人民政府办公室\n2021年1月20日\n"
    assert site.report(title, page(title, body=office)) == "ninghai"
    # nothing names it: the site's owner
    assert site.report(title) == "ninghai"
    # an issuer the registry does not know: its own unregistered agency, under the county
    new = site.report(title, page(title, body=BODY + "宁海县农业农村局\n2021年1月15日\n"))
    row = site.agency_row(new)
    assert (row.name, row.registered, row.level, row.kind, row.parent_id) == (
        "宁海县农业农村局",
        False,
        "county",
        "department",
        "ninghai",
    )
    # the issuer is kept with the extraction, as evidence
    with archive.session() as s:
        sources = {
            (e.meta or {}).get("issuer", {}).get("source") for e in s.query(ExtractionRow).all()
        }
    assert {"signature", "first_line", "meta:ContentSource"} <= sources
    site.close()


def test_the_title_comes_before_the_issuer(archive) -> None:
    site = Site(archive)
    # the county office posts the township's report: the title says whose it is
    body = BODY + "宁海县人民政府办公室\n2021年1月7日\n"
    title = "长街镇2020年政府信息公开工作年度报告"
    assert site.report(title, page(title, body=body)) == "changjie"
    # a short name in the title, the full name in the signature: the fuller name is kept
    title = "岔路镇2020年政府信息公开工作年度报告"
    signed = page(title, body=BODY + "宁海县岔路镇人民政府\n2021年1月7日\n")
    chalu = site.report(title, signed)
    row = site.agency_row(chalu)
    assert (row.name, row.aliases, row.registered, row.level, row.parent_id) == (
        "宁海县岔路镇人民政府",
        ["岔路镇"],
        False,
        "township",
        "ninghai",
    )
    title = "市教育局2020年政府信息公开工作年度报告"
    row = site.agency_row(site.report(title))
    # no issuer: the relative name is read in the owner's region, the printed form kept
    assert (row.name, row.aliases, row.parent_id) == (
        "宁波市教育局",
        ["市教育局"],
        "ningbo",
    )
    # an issuer that names another agency than the title does not move the report
    title = "岔路镇2021年政府信息公开工作年度报告"
    other = page(title, body=BODY + "宁海县卫生健康局\n2022年1月7日\n")
    assert site.report(title, other) == chalu
    site.close()


def test_agency_index_reads_issuers_and_rejects_non_names() -> None:
    index = AgencyIndex.of(
        [
            AgencyEntry("ningbo", "宁波市人民政府", level="city"),
            AgencyEntry("ninghai", "宁海县人民政府", parent_id="ningbo"),
            AgencyEntry("fgj", "宁海县发展和改革局", parent_id="ninghai", kind="department"),
        ]
    )
    assert index.match("宁海县发改局") == "fgj"
    assert index.match("宁海县发展改革局") == "fgj"
    assert index.match("宁海县府办", source=NameSource.ISSUER) == "ninghai"
    assert index.match("宁海县人民政府办公室", source=NameSource.TITLE) is None
    assert index.match("浙江省宁波市宁海县") == "ninghai"
    assert index.match("宁海县人民政府<script>x</script>") == "ninghai"
    for junk in ("本网", "2021年1月7日", "宁海县政府网", "责任编辑：张三", "", "一、总体情况"):
        assert not looks_like_agency(junk), junk
    # a spreadsheet's sheet name before the year (seed 331370: a report filed under an
    # agency called "Sheet1") is no name; the agency after the year is
    assert not plausible_name("Sheet1")
    assert agency_from_title("Sheet1 2018年凤源市水利局政府信息公开工作年度报告") == "凤源市水利局"


HOSTILE = [
    # (title as a listing shows it, the agency name the spider may hand over)
    ("海湾区<script>alert(1)</script>2020年政府信息公开工作年度报告", None),
    ("海湾区司法局2020年政府信息公开工作年度报告", "海湾区<script>alert(1)</script>司法局"),
    (
        "海湾区教育局2020年政府信息公开工作年度报告",
        "海湾区&lt;img src=x onerror=alert(1)&gt;教育局",
    ),
    (
        "海湾区民政局2020年政府信息公开工作年度报告",
        "\x1b]52;c;ZXZpbA==\x07海湾区\u200b民政局\u202e",
    ),
    ("海湾区财政局2020年政府信息公开工作年度报告", "  海湾区\n\t财政局\x00 "),
    ("海湾区统计局2020年政府信息公开工作年度报告", "海湾区统计局" + "很长" * 600),
]


def nianbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=REPO,
        env={**os.environ},
    )


def unsafe(text: str) -> list[str]:
    """Characters and markup that must not reach an export."""
    found = [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n"]
    return found + [m for m in ("<", ">", "&lt;", "&gt;", "script", "onerror") if m in text]


def test_hostile_names_are_cleaned_before_they_become_agencies(archive) -> None:
    site = Site(archive, "ninghai-gov")
    rec = site.recorder
    for n, (title, agency) in enumerate(HOSTILE):
        match = classify_title(title)
        assert match is not None
        result = rec.record(
            response(
                f"http://www.ninghai.gov.cn/art/2021/2/1/art_9_{n}.html",
                page(title),
                title=title + "\u200b\x1b[2J" + "<b>" * 3,
                year=match.year,
                agency_name=agency or match.agency,
            )
        )
        assert result.report_id is not None
    # an overlong title is cut, not refused
    long_title = "海湾区水利局2020年政府信息公开工作年度报告" + "<i>长</i>" * 4000
    rec.record(
        response(
            "http://www.ninghai.gov.cn/art/2021/2/1/art_9_long.html",
            page("海湾区水利局2020年政府信息公开工作年度报告"),
            title=long_title,
            year=2020,
            agency_name="海湾区水利局",
        )
    )
    rec.close()
    reports = {r["agency_name"]: r for r in iter_reports(archive)}
    names = set(reports)
    # the overlong agency name is not a name: the report goes to the site's owner
    assert names == {
        "海湾区",
        "海湾区司法局",
        "海湾区教育局",
        "海湾区民政局",
        "海湾区财政局",
        "海湾区水利局",
        "宁海县人民政府",
    }
    for report in reports.values():
        assert not unsafe(report["agency_name"] + report["title"]), report
        assert len(report["title"]) <= 300
    assert reports["宁海县人民政府"]["title"].startswith("海湾区统计局2020年")

    # out through the command line, JSON Lines and CSV
    db = archive.url
    out = nianbao("reports", "--db", db, "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {r["agency_name"] for r in rows} == names
    assert not unsafe(out.stdout)
    out = nianbao("reports", "--db", db, "--format", "csv")
    assert out.returncode == 0, out.stderr
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["agency_name"] for r in table} == names
    assert not any(unsafe(r["agency_name"] + r["title"]) for r in table)


def test_a_report_never_takes_its_agency_from_page_furniture(archive) -> None:
    """A footer or a ContentSource that is not a name (本网, a site) leaves the owner."""
    site = Site(archive)
    title = "2020年政府信息公开工作年度报告"
    meta = '<meta name="ContentSource" content="本网">'
    body = BODY + "责任编辑：张三\n2021-01-07\n"
    assert site.report(title, page(title, body=body, meta=meta)) == "ninghai"
    site.close()
