"""Report pages in templates the extractor has no selector for, built around the bodies of
the seed pages (``sampleweb/assets/reports/seedNNN.html``, whose values the hand labels
give): the families of ``shared/field-guide/cms-variants.md`` and beyond.

Each builder takes the seed's article body (paragraphs and tables, as HTML) and returns
the bytes a site would serve. Distractor numbers (visit counters, pagers, a statistics
side box, phone numbers) surround the body so that a leak into values shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import lxml.html

REPORTS = Path(__file__).resolve().parents[1] / "sampleweb" / "assets" / "reports"
DISTRACTOR_NAV = (
    "<ul><li><a href='/'>首页</a></li><li><a href='/zwgk'>政务公开 12</a></li>"
    "<li><a href='/bs'>办事服务 2021</a></li><li><a href='/hd'>互动交流 7</a></li></ul>"
)
DISTRACTOR_SIDE = (
    "<table class='tj'><tr><td>今日访问</td><td>1234</td></tr><tr><td>累计访问</td>"
    "<td>987654</td></tr><tr><td>本年信件</td><td>56</td></tr></table>"
)
DISTRACTOR_FOOT = (
    "<p>主办：某某县人民政府办公室 电话：0574-65306724 网站标识码：3302260001</p>"
    "<p>第1页 共3页 访问量：45678 ICP备05012345号</p>"
)


def seed_body(number: int) -> tuple[str, list[str]]:
    """The seed page's title and its body as a list of top-level HTML blocks."""
    root = lxml.html.document_fromstring((REPORTS / f"seed{number:03d}.html").read_bytes())
    (zoom,) = root.xpath("//*[@id='zoom']")
    title = root.findtext(".//title") or ""
    blocks = [lxml.html.tostring(node, encoding="unicode").strip() for node in zoom]
    return title.split("_")[0], blocks


def _page(title: str, body: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>{head}</head><body>{body}</body></html>"
    )


def _word(blocks: list[str]) -> str:
    """Word's "save as web page": MsoNormal paragraphs, MsoNormalTable tables with spans,
    o:p tags, conditional comments, a WordSection div."""
    out = []
    for block in blocks:
        if block.startswith("<table"):
            table = re.sub(
                r"<table[^>]*>",
                "<table class=MsoNormalTable border=1 "
                "cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
                "mso-table-layout-alt:fixed'>",
                block,
                count=1,
            )
            table = re.sub(
                r"<td([^>]*)>(.*?)</td>",
                lambda m: (
                    f"<td{m.group(1)} valign=top style='border:solid windowtext 1.0pt'>"
                    f"<p class=MsoNormal align=center><span lang=EN-US style='font-size:10.5pt;"
                    f"font-family:仿宋_GB2312'>{m.group(2) or '&nbsp;'}<o:p></o:p></span></p></td>"
                ),
                table,
                flags=re.S,
            )
            out.append(table)
        else:
            text = re.sub(r"</?p[^>]*>", "", block)
            out.append(
                "<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
                f"<span style='font-family:仿宋_GB2312'>{text}</span><span lang=EN-US>"
                "<o:p></o:p></span></p>"
            )
    return (
        "<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->"
        "<div class=WordSection1 style='layout-grid:15.6pt'>" + "".join(out) + "</div>"
    )


def aspnet_form(title: str, blocks: list[str]) -> bytes:
    """An ASP.NET WebForms page: everything inside ``<form>``, the report a Word export."""
    body = (
        "<form name='form1' method='post' action='./ShowNews.aspx?id=1234' id='form1'>"
        "<input type='hidden' name='__VIEWSTATE' id='__VIEWSTATE' value='/wEPDwUKMTY1NDU2MTA1MmRk' />"
        f"<div id='top'>{DISTRACTOR_NAV}</div><div id='left'>{DISTRACTOR_SIDE}</div>"
        f"<div id='right'><span id='lblTitle'>{title}</span>"
        "<span id='lblTime'>2021-01-20</span><span id='lblHits'>点击：321</span>"
        f"<div id='lblContent'>{_word(blocks)}</div></div>"
        f"<div id='bottom'>{DISTRACTOR_FOOT}<a href=\"javascript:__doPostBack('pager','2')\">2</a>"
        "</div></form>"
    )
    return _page(title, body).encode("utf-8")


def nested_layout_tables(title: str, blocks: list[str]) -> bytes:
    """A table-layout page of the 2000s: navigation, side box and body in cells of nested
    layout tables; the report tables two levels down."""
    body = (
        "<table width='980' border='0' align='center'><tr><td colspan='2'>"
        f"<table width='100%'><tr><td>{DISTRACTOR_NAV}</td></tr></table></td></tr>"
        f"<tr><td width='200' valign='top'>{DISTRACTOR_SIDE}</td><td valign='top'>"
        "<table width='100%' border='0'><tr><td align='center' class='bt'>"
        f"{title}</td></tr><tr><td>发布日期：2021-01-20 浏览：88次</td></tr>"
        f"<tr><td class='nr'>{''.join(blocks)}</td></tr></table></td></tr>"
        f"<tr><td colspan='2'>{DISTRACTOR_FOOT}</td></tr></table>"
    )
    return _page(title, body).encode("utf-8")


def _div_table(table_html: str, style: str) -> str:
    """A table rewritten as divs: ARIA roles, class names, or a CSS grid with spans."""
    root = lxml.html.fragment_fromstring(table_html)
    rows = []
    for tr in root.iter("tr"):
        cells = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            text = td.text_content().strip()
            colspan = int(td.get("colspan", "1"))
            rowspan = int(td.get("rowspan", "1"))
            if style == "aria":
                attrs = " role='cell'"
                attrs += f" aria-colspan='{colspan}' colspan='{colspan}'" if colspan > 1 else ""
                attrs += f" aria-rowspan='{rowspan}' rowspan='{rowspan}'" if rowspan > 1 else ""
                cells.append(f"<div{attrs}>{text}</div>")
            else:
                spans = []
                if colspan > 1:
                    spans.append(f"grid-column: span {colspan}")
                if rowspan > 1:
                    spans.append(f"grid-row: span {rowspan}")
                style_attr = f" style='{';'.join(spans)}'" if spans else ""
                cells.append(f"<div class='td'{style_attr}>{text}</div>")
        if style == "aria":
            rows.append("<div role='row'>" + "".join(cells) + "</div>")
        else:
            rows.append("<div class='tr'>" + "".join(cells) + "</div>")
    if style == "aria":
        return "<div role='table' class='tbl'>" + "".join(rows) + "</div>"
    return "<div class='table-box'>" + "".join(rows) + "</div>"


def div_grid(style: str) -> Callable[[str, list[str]], bytes]:
    def build(title: str, blocks: list[str]) -> bytes:
        content = "".join(
            _div_table(block, style) if block.startswith("<table") else block for block in blocks
        )
        body = (
            f"<div class='head'>{DISTRACTOR_NAV}</div><div class='mainbox'>"
            f"<div class='leftbox'>{DISTRACTOR_SIDE}</div><div class='rightbox'>"
            f"<h2>{title}</h2><div class='xxnr'>{content}</div></div></div>"
            f"<div class='foot'>{DISTRACTOR_FOOT}</div>"
        )
        return _page(title, body).encode("utf-8")

    return build


def split_tables(title: str, blocks: list[str]) -> bytes:
    """Every table cut into pieces of a few rows, each its own ``<table>`` (page breaks of
    an editor, or one table per row)."""
    out = []
    for block in blocks:
        if not block.startswith("<table"):
            out.append(block)
            continue
        rows = re.findall(r"<tr.*?</tr>", block, flags=re.S)
        for start in range(0, len(rows), 3):
            out.append("<table border='1'>" + "".join(rows[start : start + 3]) + "</table>")
    body = (
        f"<div class='top'>{DISTRACTOR_NAV}</div><div class='box'><div class='l'>"
        f"{DISTRACTOR_SIDE}</div><div class='r'><p class='title'>{title}</p>"
        + "".join(out)
        + f"</div></div><div class='copy'>{DISTRACTOR_FOOT}</div>"
    )
    return _page(title, body).encode("utf-8")


def gkmlpt_detail(title: str, blocks: list[str]) -> bytes:
    """A gkmlpt article page: ``window._CONFIG.DETAIL`` holds the body as JSON with
    ``\\u003C``-escaped HTML; the visible page says only 正在加载……"""
    detail = {
        "id": 3678466,
        "title": title,
        "publisher": "某某县人民政府办公室",
        "date": 1611100800,
        "content": "".join(blocks),
        "attachment": [],
    }
    encoded = json.dumps(detail, ensure_ascii=True).replace("<", "\\u003C").replace(">", "\\u003E")
    script = (
        "<script>window._CONFIG = {SID: '4306', TREE: [{id: 1, name: '年报'}], "
        f"DETAIL: {encoded}, LEVEL: 2}};</script>"
    )
    body = (
        f"<div class='header'>{DISTRACTOR_NAV}</div><div id='app'><div class='loading'>"
        f"正在加载……</div></div><div class='footer'>{DISTRACTOR_FOOT}</div>"
    )
    return _page(title, body, head=script).encode("utf-8")


def jpaas_json(title: str, blocks: list[str]) -> bytes:
    """A Hanweb jpaas ``build/unit`` answer: JSON whose ``data.html`` is the body."""
    answer = {
        "success": True,
        "code": 200,
        "data": {"html": f"<div class='article'><h1>{title}</h1>{''.join(blocks)}</div>"},
    }
    return json.dumps(answer, ensure_ascii=False).encode("utf-8")


def jsonp(title: str, blocks: list[str]) -> bytes:
    """A JSONP answer ``jQuery1124(…)`` with the body in ``data.content``."""
    answer = {"result": {"title": title, "content": "".join(blocks)}, "total": 1}
    return f"jQuery112406({json.dumps(answer, ensure_ascii=True)});".encode()


def js_string(title: str, blocks: list[str]) -> bytes:
    """A page that writes its body from JS strings joined with ``+``."""
    pieces = " +\n  ".join(json.dumps(block, ensure_ascii=False) for block in blocks)
    script = f"<script>var content = {pieces};\ndocument.getElementById('c').innerHTML = content;</script>"
    body = (
        f"<div class='nav'>{DISTRACTOR_NAV}</div><h1>{title}</h1><div id='c'></div>{script}"
        f"<div class='foot'>{DISTRACTOR_FOOT}</div>"
    )
    return _page(title, body).encode("utf-8")


def document_write(title: str, blocks: list[str]) -> bytes:
    """A page that ``document.write``s its body in single-quoted pieces."""
    calls = "\n".join(
        "document.write('"
        + block.replace("\\", "\\\\").replace("'", "\\'").replace("\n", " ")
        + "');"
        for block in blocks
    )
    body = (
        f"<div id='nav'>{DISTRACTOR_NAV}</div><div class='wrap'><script>{calls}</script></div>"
        f"<div id='foot'>{DISTRACTOR_FOOT}</div>"
    )
    return _page(title, body).encode("utf-8")


def tables_outside_body(title: str, blocks: list[str]) -> bytes:
    """A TRS page whose body container (a fast-path selector) holds the prose only; the
    tables sit in a sibling box the template adds (table-first recovery)."""
    prose = "".join(block for block in blocks if not block.startswith("<table"))
    tables = "".join(block for block in blocks if block.startswith("<table"))
    body = (
        f"<div class='nav'>{DISTRACTOR_NAV}</div><div class='main'>"
        f"<div class='TRS_Editor'>{prose}</div>"
        f"<div class='side-tables'>{tables}</div>{DISTRACTOR_SIDE}</div>"
        f"<div class='footer'>{DISTRACTOR_FOOT}</div>"
    )
    return _page(title, body).encode("utf-8")


VARIANTS: dict[str, Callable[[str, list[str]], bytes]] = {
    "aspnet-form-word": aspnet_form,
    "nested-layout-tables": nested_layout_tables,
    "div-grid-aria": div_grid("aria"),
    "div-grid-css": div_grid("css"),
    "split-tables": split_tables,
    "gkmlpt-detail": gkmlpt_detail,
    "jpaas-json": jpaas_json,
    "jsonp": jsonp,
    "js-string": js_string,
    "document-write": document_write,
    "tables-outside-body": tables_outside_body,
}
