"""List items of a sample site: reports, look-alikes (decoys) and ordinary news."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from sampleweb.model import Attachment, ReportTruth, Resource
from sampleweb.sites.base import at, attachment_truth, html_document, html_resource
from sampleweb.texts import synth_report

DECOY_TITLES = (
    "关于做好2020年政府信息公开工作年度报告编制工作的通知",
    "政府信息公开指南",
    "2021年政务公开工作要点",
    "政府信息公开工作年度报告格式",
    "2021年部门预算",
    "2020年部门决算报告",
    "政府工作报告",
)

FILLER_TITLES = (
    "召开2021年政务公开工作推进会",
    "开展政府网站内容保障专项检查",
    "举办政务公开业务培训班",
    "关于公布第一批政务公开示范点的通知",
    "政务新媒体工作月报（2021年1月）",
    "组织收看全省政务公开视频会议",
    "开展“政府开放日”活动",
    "关于调整政务公开工作领导小组成员的通知",
)

DECOY_BODY = (
    "<p>各乡镇（街道）、县级各部门：</p><p>根据《中华人民共和国政府信息公开条例》规定，现将有关事项通知如下，"
    "请认真抓好落实。</p><p>一、高度重视。二、规范编制。三、按时发布。</p>"
)


@dataclass
class Item:
    title: str
    date: str  # YYYY-MM-DD
    path: str  # where the list links to (a page, or a file for direct links)
    kind: str  # report | decoy | filler
    resources: dict[str, Resource] = field(default_factory=dict)
    report: ReportTruth | None = None
    link_suffix: str = ""  # e.g. ";jsessionid=..." added to the list link only

    @property
    def link(self) -> str:
        return self.path + self.link_suffix


def article_html(
    title: str,
    date: str,
    body_html: str,
    attachments: list[tuple[str, str]],
    *,
    source: str,
    print_view: bool = False,
    extra: str = "",
) -> str:
    links = "".join(
        f'<li><a href="{escape(href)}">{escape(name)}</a></li>' for href, name in attachments
    )
    att = f'<div class="attachments">附件：<ul>{links}</ul></div>' if attachments else ""
    tools = "" if print_view else '<a href="?print=1" target="_blank">打印本页</a>'
    return (
        f'<div class="article"><h1 id="title">{escape(title)}</h1>'
        f'<div class="info">发布时间：{date} 信息来源：{escape(source)} {tools}</div>'
        f'<div id="zoom">{body_html}</div>{att}{extra}</div>'
    )


def report_truth(
    site: str,
    agency: str,
    registered: bool,
    year: int,
    title: str,
    page_url: str | None,
    attachments: list[Attachment],
    published: str,
    *,
    reason: str | None = None,
) -> ReportTruth:
    return ReportTruth(
        site=site,
        agency=agency,
        registered=registered,
        year=year,
        title=title,
        page_url=page_url,
        attachments=tuple(attachments),
        published=published,
        expected=reason is None,
        reason=reason,
    )


def decoy_page(
    title: str, date: str, *, encoding: str = "utf-8", meta: str | None = "utf-8"
) -> Resource:
    doc = html_document(
        title, article_html(title, date, DECOY_BODY, [], source="办公室"), meta_charset=meta
    )
    return html_resource(doc, encoding=encoding, modified=at(date))


def synth_text(agency: str, year: int, seed: int, *, break_rule: bool = False) -> str:
    return synth_report(agency, year, seed, break_rule=break_rule).text


__all__ = ["Item", "article_html", "attachment_truth", "decoy_page", "report_truth", "synth_text"]
