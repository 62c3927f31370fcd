"""Report pages as government sites serve them.

Page families: the CMS article pages of the field guide (TRS WCM ``TRS_Editor``, Hanweb
``#zoom``, 开普云 ``#UCAP-CONTENT`` with its metadata table), and templates no selector list
knows: Word-exported HTML (``MsoNormalTable``, ``<o:p>``, ``<![if !supportMisc]>``) inside an
ASP.NET ``<form id="form1">`` with ``__VIEWSTATE``; old table-layout sites with the report
table nested two layout tables deep; ``<div>`` grids laid out by CSS; tables split across
several ``<table>`` elements; articles split over several pages (``t2021…_1.html``); bodies
delivered as data (gkmlpt ``window._CONFIG.DETAIL`` with ``\\u003C``-escaped HTML, Hanweb jpaas
JSON fragments, JSONP callbacks). Every page carries the furniture of real sites: navigation,
sidebars and footers full of numbers (visitor counters, dates, phone numbers, ICP numbers).
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, field

from sampleweb.renderings.model import Block, Cell, Kind, Para, Report, Table, grid, placements

# ---------------------------------------------------------------- tables


def _text(cell: Cell, br: str = "<br>") -> str:
    return br.join(html.escape(part) for part in cell.text.split("\n")) if cell.text else ""


def table_plain(table: Table, rng: random.Random) -> str:
    """A CMS rich-text editor table (UEditor/TRS): ``<td>`` with spans, ``&nbsp;`` blanks."""
    style = rng.choice(["border", "css", "thead"])
    padded = rng.random() < 0.15
    pad = rng.choice(["&nbsp;", "　", " &nbsp;"])
    attrs = (
        ' border="1" cellspacing="0" cellpadding="0"'
        if style != "css"
        else ' class="MsoTable" style="border-collapse:collapse;width:100%"'
    )
    out = [f"<table{attrs}>"]
    if style == "thead" and table.header_rows:
        out.append("<thead>")
    for r, row in enumerate(table.rows):
        if style == "thead" and r == table.header_rows and table.header_rows:
            out.append("</thead><tbody>")
        out.append("<tr>")
        for cell in row:
            tag = "th" if style == "thead" and cell.header else "td"
            span = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (
                f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
            )
            body = _text(cell) or rng.choice(["&nbsp;", "", "<br>"])
            if cell.key and cell.text and padded:  # editors pad numbers with spaces
                body = f"{pad}{body}{pad}"
            if rng.random() < 0.5:
                body = f'<p style="text-align:center">{body}</p>'
            css = ' style="border:1px solid #000;padding:2px"' if style == "css" else ""
            out.append(f"<{tag}{span}{css}>{body}</{tag}>")
        out.append("</tr>")
    if style == "thead" and table.header_rows:
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def table_word(table: Table, rng: random.Random) -> str:
    """A table as Word's “Save as Web Page” writes it."""
    out = [
        '<div align="center"><table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
        'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
        'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">'
    ]
    for r, row in enumerate(table.rows):
        out.append(
            f"<tr style='mso-yfti-irow:{r};height:{rng.choice(['19.85', '22.7', '14.2'])}pt'>"
        )
        for cell in row:
            span = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (
                f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
            )
            width = 40 * cell.colspan
            lines = cell.text.split("\n") if cell.text else [""]
            paras = []
            for line in lines:
                content = html.escape(line) if line else "<o:p>&nbsp;</o:p>"
                paras.append(
                    "<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>"
                    f"<span style='font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体;"
                    f"mso-font-kerning:0pt'>{content}<span lang=EN-US><o:p></o:p></span></span></p>"
                )
            out.append(
                f"<td width={width}{span} valign=middle style='width:{width / 1.33:.1f}pt;border:solid windowtext 1.0pt;"
                f"mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'>{''.join(paras)}</td>"
            )
        out.append("</tr>")
    out.append(
        "<![if !supportMisc]><tr height=0>"
        + "<td width=40 style='border:none'></td>" * table.width
        + "</tr><![endif]>"
    )
    out.append("</table></div>")
    return "\n".join(out)


def table_divgrid(table: Table, rng: random.Random) -> str:
    """A table as a CSS grid of ``<div>``s (front-end frameworks, some site builders)."""
    cls = rng.choice(["tb-grid", "report-grid", "el-table-grid"])
    out = [
        f'<div class="{cls}" style="display:grid;grid-template-columns:repeat({table.width},1fr);border-top:1px solid #333;border-left:1px solid #333">'
    ]
    for r, c, cell in placements(table):
        style = f"grid-row:{r + 1} / span {cell.rowspan};grid-column:{c + 1} / span {cell.colspan};border-right:1px solid #333;border-bottom:1px solid #333"
        out.append(f'<div class="cell" style="{style}"><span>{_text(cell)}</span></div>')
    out.append("</div>")
    return "\n".join(out)


def table_pieces(table: Table, rng: random.Random) -> str:
    """One printed table as several ``<table>`` elements: the header rows in one, the body cut
    into runs (each run its own table, as editors do when a table is pasted in parts)."""
    cut_points = [table.header_rows] if table.header_rows else []
    rows = grid(table)
    safe = [
        r
        for r in range(table.header_rows + 1, len(rows))
        if all(cell is None or placed_row(table, cell) >= r for cell in rows[r])
    ]
    if safe:
        cut_points.append(rng.choice(safe))
    cut_points = sorted(set(p for p in cut_points if 0 < p < len(table.rows)))
    parts: list[str] = []
    start = 0
    for end in [*cut_points, len(table.rows)]:
        piece = Table(table.name, table.rows[start:end])
        parts.append(table_plain(piece, rng))
        start = end
    return "\n".join(parts)


def placed_row(table: Table, target: Cell) -> int:
    for r, row in enumerate(table.rows):
        if any(cell is target for cell in row):
            return r
    return -1


TABLE_STYLES = {
    "plain": table_plain,
    "word": table_word,
    "divgrid": table_divgrid,
    "pieces": table_pieces,
}


def body_html(
    blocks: list[Block], rng: random.Random, table_style: str = "plain", *, word: bool = False
) -> str:
    out: list[str] = []
    render = TABLE_STYLES[table_style]
    for block in blocks:
        if isinstance(block, Table):
            out.append(render(block, rng))
            continue
        text = html.escape(block.text)
        if word:
            align = (
                " align=center style='text-align:center'"
                if block.kind == Kind.TITLE
                else " style='text-indent:21.0pt'"
            )
            weight = "font-weight:bold;" if block.kind != Kind.PARAGRAPH else ""
            out.append(
                f"<p class=MsoNormal{align}><span style='{weight}font-size:14.0pt;font-family:仿宋_GB2312'>{text}<span lang=EN-US><o:p></o:p></span></span></p>"
            )
        elif block.kind == Kind.TITLE:
            out.append(f'<p style="text-align:center"><strong>{text}</strong></p>')
        elif block.kind == Kind.HEADING:
            out.append(
                rng.choice(
                    [
                        f"<p><strong>{text}</strong></p>",
                        f"<h3>{text}</h3>",
                        f'<p style="text-indent:2em"><b>{text}</b></p>',
                    ]
                )
            )
        else:
            out.append(f'<p style="text-indent:2em">{text}</p>')
    return "\n".join(out)


# ---------------------------------------------------------------- page furniture


@dataclass
class Page:
    """One rendered page (or data response) with how a server would send it."""

    name: str
    data: bytes
    url: str
    content_type: str
    family: str
    details: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    """The report blocks printed on this page (all of them unless the article is paged)."""


def _site(report: Report, rng: random.Random) -> dict[str, str]:
    agency = report.agency or "某县人民政府"
    host = (
        rng.choice(["www.", "xxgk.", "zwgk.", ""])
        + "".join(rng.choice("abcdefghjklmnpqrstwxyz") for _ in range(rng.randint(2, 5)))
        + ".gov.cn"
    )
    site = agency
    return {
        "agency": agency,
        "site": f"{site}门户网站",
        "host": host,
        "phone": f"0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}",
        "icp": f"{rng.choice(['苏', '浙', '粤', '川', '豫', '鲁', '京'])}ICP备{rng.randint(10000000, 99999999)}号-{rng.randint(1, 9)}",
        "code": f"{rng.randint(1101000000, 6599999999)}",
        "police": f"{rng.randint(11010002000000, 65010002999999)}",
        "visits": str(rng.randint(1000, 99999999)),
        "hits": str(rng.randint(10, 99999)),
        "today": f"{(report.year or 2020) + 1}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日 星期{rng.choice('一二三四五六日')}",
        "pubdate": f"{report.published_at or f'{(report.year or 2020) + 1}-01-20'} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        "title": report.title,
        "year": str(report.year or 2020),
    }


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _metas(s: dict[str, str], rng: random.Random, charset: str | None) -> str:
    metas = []
    if charset:
        metas.append(
            rng.choice(
                [
                    f'<meta charset="{charset}">',
                    f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
                ]
            )
        )
    if rng.random() < 0.8:
        metas += [
            f'<meta name="SiteName" content="{_e(s["site"])}">',
            f'<meta name="SiteDomain" content="{s["host"]}">',
            f'<meta name="SiteIDCode" content="{s["code"]}">',
            '<meta name="ColumnName" content="政府信息公开年报">',
            '<meta name="ColumnType" content="信息公开年报">',
            f'<meta name="ArticleTitle" content="{_e(s["title"])}">',
            f'<meta name="PubDate" content="{s["pubdate"][:16]}">',
            f'<meta name="ContentSource" content="{_e(s["agency"])}">',
        ]
        rng.shuffle(metas)
    return "\n".join(metas)


def _header(s: dict[str, str]) -> str:
    return f"""<div class="top"><div class="w1200"><span class="date">今天是：{s["today"]}</span>
<span class="weather">晴 12℃~21℃</span><a href="/wza/">无障碍</a> | <a href="/zzms/">长者模式</a> | <a href="/login">登录</a></div></div>
<div class="head"><div class="logo"><img src="/images/logo.png" alt="{_e(s["site"])}"></div>
<div class="search"><input type="text" placeholder="请输入关键字"><button>搜索</button></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxq/">走进{_e(s["agency"][:4])}</a></li><li><a href="/ztzl/">专题专栏</a></li></ul></div>"""


def _sidebar(s: dict[str, str], rng: random.Random) -> str:
    years = int(s["year"])
    items = "".join(
        f'<li><a href="/zwgk/ndbg/{y}/">{y}年政府信息公开工作年度报告</a><span>{y + 1}-01-{rng.randint(10, 31)}</span></li>'
        for y in range(years - 1, years - 5, -1)
    )
    hot = "".join(
        f'<li><span class="num">{i}</span><a href="/art/{i}.html">关于{rng.choice(["公布", "印发", "做好"])}第{rng.randint(1, 30)}批事项的通知</a></li>'
        for i in range(1, 6)
    )
    return f"""<div class="left-side"><div class="side-title">信息公开年报</div><ul class="side-list">{items}</ul>
<div class="side-title">热点排行</div><ol class="rank">{hot}</ol></div>"""


def _footer(s: dict[str, str]) -> str:
    return f"""<div class="foot"><div class="links">相关链接：<a href="http://www.gov.cn/">中国政府网</a></div>
<p>主办单位：{_e(s["agency"])}办公室　承办：{_e(s["agency"])}大数据中心　联系电话：{s["phone"]}</p>
<p>网站标识码：{s["code"]}　<a href="https://beian.miit.gov.cn/">{s["icp"]}</a>　公网安备 {s["police"]}号</p>
<p>您是第 <span id="counter">{s["visits"]}</span> 位访问者　建议使用1920×1080分辨率浏览</p></div>"""


def _info_line(s: dict[str, str]) -> str:
    return (f'<div class="info"><span>发布时间：{s["pubdate"][:16]}</span><span>来源：{_e(s["agency"])}</span>'
            f'<span>浏览次数：<em id="hits">{s["hits"]}</em></span><span>字号：[<a>大</a> <a>中</a> <a>小</a>]</span></div>')  # fmt: skip


def _page(
    s: dict[str, str], rng: random.Random, charset: str | None, main: str, *, head_extra: str = ""
) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{_metas(s, rng, charset)}
<title>{_e(s["title"])}_{_e(s["site"])}</title>
<link rel="stylesheet" href="/css/common.css">
<script src="/js/jquery.min.js"></script>
{head_extra}
</head>
<body>
{_header(s)}
<div class="crumb">您当前的位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<div class="container">
{_sidebar(s, rng) if rng.random() < 0.7 else ""}
{main}
</div>
{_footer(s)}
<script>var _hmt = _hmt || [];(function(){{var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?{rng.getrandbits(64):016x}";}})();</script>
</body>
</html>
"""


# ---------------------------------------------------------------- templates


def _trs(
    report: Report,
    s: dict[str, str],
    rng: random.Random,
    charset: str | None,
    blocks: list[Block],
    pager: str = "",
) -> str:
    body = body_html(blocks, rng)
    main = f"""<div class="article"><h1 class="art-title">{_e(report.title)}</h1>{_info_line(s)}
<div class="art-con"><div class="TRS_Editor"><style type="text/css">.TRS_Editor P{{margin-top:5px;line-height:2;font-size:12pt;}}</style>
{body}
</div>{pager}</div>
<div class="bdshare">分享到：<a class="bds_weixin"></a><a class="bds_tsina"></a></div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div></div>"""
    return _page(s, rng, charset, main)


def _hanweb(
    report: Report, s: dict[str, str], rng: random.Random, charset: str | None, blocks: list[Block]
) -> str:
    body = body_html(blocks, rng)
    main = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main-table"><tr><td>
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="title" align="center">{_e(report.title)}</td></tr>
<tr><td align="center" class="fbxx">发布日期：{s["pubdate"][:10]}　信息来源：{_e(s["agency"])}　访问次数：<script>document.write("{s["hits"]}")</script>　字体：〖大 中 小〗</td></tr>
<tr><td><div id="zoom">{body}</div></td></tr></table></td></tr></table>
<script type="text/javascript">var webid="{rng.randint(1, 200)}";var columnid="{rng.randint(1000, 99999)}";</script>"""
    return _page(s, rng, charset, main)


def _ucap(
    report: Report, s: dict[str, str], rng: random.Random, charset: str | None, blocks: list[Block]
) -> str:
    body = body_html(blocks, rng)
    index = f"{rng.randint(11000000, 65999999)}X/{s['year']}-{rng.randint(100, 99999):05d}"
    meta = f"""<table class="xxgk-table" width="100%" border="1" cellspacing="0"><tr><td>索引号：</td><td>{index}</td><td>主题分类：</td><td>政务公开</td></tr>
<tr><td>发文机关：</td><td>{_e(s["agency"])}</td><td>成文日期：</td><td>{s["pubdate"][:10]}</td></tr>
<tr><td>标题：</td><td colspan="3">{_e(report.title)}</td></tr><tr><td>发文字号：</td><td>〔{s["year"]}〕{rng.randint(1, 99)}号</td><td>发布日期：</td><td>{s["pubdate"][:10]}</td></tr></table>"""
    main = f"""<div class="pages_content">{meta}<div class="article-title"><h1>{_e(report.title)}</h1></div>
<div id="UCAP-CONTENT"><div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">{body}</div></div>
<div class="editor">责任编辑：王{rng.choice("明丽华芳")}</div></div>"""
    return _page(s, rng, charset, main)


def _word_aspnet(
    report: Report, s: dict[str, str], rng: random.Random, charset: str | None, blocks: list[Block]
) -> str:
    body = body_html(blocks, rng, "word", word=True)
    viewstate = (
        "/wEPDwUK"
        + "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            for _ in range(rng.randint(600, 1600))
        )
        + "=="
    )
    word_head = """<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom><w:PunctuationKerning/><w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing></w:WordDocument></xml><![endif]-->
<style><!-- /* Font Definitions */ @font-face {font-family:宋体;panose-1:2 1 6 0 3 1 1 1 1 1;}
p.MsoNormal, li.MsoNormal, div.MsoNormal {mso-style-parent:"";margin:0cm;margin-bottom:.0001pt;text-align:justify;text-justify:inter-ideograph;font-size:10.5pt;font-family:"Times New Roman";}
table.MsoNormalTable {mso-style-name:普通表格;mso-tstyle-rowband-size:0;mso-padding-alt:0cm 5.4pt 0cm 5.4pt;}
@page Section1 {size:595.3pt 841.9pt;margin:72.0pt 90.0pt 72.0pt 90.0pt;} div.Section1 {page:Section1;} --></style>"""
    main = f"""<form name="form1" method="post" action="./ShowArticle.aspx?ArticleID={rng.randint(1000, 99999)}" id="form1">
<div><input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" /><input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{viewstate}" /></div>
<script type="text/javascript">var theForm = document.forms['form1'];function __doPostBack(eventTarget, eventArgument) {{ theForm.__EVENTTARGET.value = eventTarget; theForm.submit(); }}</script>
<div><input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="{rng.getrandbits(32):08X}" /></div>
<table width="980" align="center" cellpadding="0" cellspacing="0"><tr><td class="ArticleTitle"><span id="lblTitle">{_e(report.title)}</span></td></tr>
<tr><td class="ArticleInfo">作者：<span id="lblAuthor">办公室</span> 来源：<span id="lblSource">{_e(s["agency"])}</span> 点击数：<span id="lblHits">{s["hits"]}</span> 更新时间：<span id="lblDate">{s["pubdate"]}</span></td></tr>
<tr><td class="ArticleContent"><span id="lblContent"><div class=Section1 style='layout-grid:15.6pt'>
{body}
</div></span></td></tr></table>
<input type="submit" name="btnPrint" value="打印" id="btnPrint" /></form>"""
    return _page(s, rng, charset, main, head_extra=word_head)


def _nested(
    report: Report, s: dict[str, str], rng: random.Random, charset: str | None, blocks: list[Block]
) -> str:
    body = body_html(blocks, rng)
    main = f"""<table width="960" border="0" cellspacing="0" cellpadding="0" align="center" bgcolor="#FFFFFF"><tr>
<td width="200" valign="top"><table width="100%"><tr><td class="lm">栏目导航</td></tr><tr><td><a href="/xxgk/">信息公开</a></td></tr><tr><td>访问统计：{s["visits"]}</td></tr></table></td>
<td valign="top"><table width="100%" border="0" cellpadding="8" cellspacing="0"><tr><td height="40" align="center"><font size="4" color="#C00000"><b>{_e(report.title)}</b></font></td></tr>
<tr><td align="center" style="font-size:12px;color:#666">{s["pubdate"][:10]}　阅读：{s["hits"]}次</td></tr>
<tr><td class="nr"><table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td style="line-height:28px;font-size:14px">
{body}
</td></tr></table></td></tr></table></td></tr></table>"""
    return _page(s, rng, charset, main)


def _generic(
    report: Report,
    s: dict[str, str],
    rng: random.Random,
    charset: str | None,
    blocks: list[Block],
    table_style: str,
) -> str:
    container = rng.choice(["detail-main", "news_content", "xl-main", "con-box", "wz_text"])
    body = body_html(blocks, rng, table_style)
    main = f"""<div class="{container}"><div class="detail-title">{_e(report.title)}</div>{_info_line(s)}
<div class="detail-body" data-v-3c1a2b7e>{body}</div>
<div class="detail-ops"><a onclick="window.print()">打印</a><a onclick="window.close()">关闭</a></div></div>"""
    return _page(s, rng, charset, main)


def _gkmlpt(
    report: Report, s: dict[str, str], rng: random.Random, charset: str | None, blocks: list[Block]
) -> str:
    post = rng.randint(100000, 9999999)
    detail = {
        "id": post,
        "title": report.title,
        "content": body_html(blocks, rng),
        "date": rng.randint(1580000000, 1720000000),
        "publisher": s["agency"],
        "identifier": f"{rng.randint(11000000, 65999999)}/{s['year']}-{rng.randint(100, 99999)}",
        "document_number": "",
        "classify_main_name": "政府信息公开年报",
        "attachment": [],
        "post_url": f"/gkmlpt/content/{post // 1000000}/{post // 1000}/post_{post}.html",
    }
    config = json.dumps(
        {"SID": str(rng.randint(1000, 999999)), "DETAIL": detail}, ensure_ascii=True
    )
    config = config.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    main = """<div id="app"><div class="gkml-detail"><div class="loading">正在加载……</div></div></div>"""
    head = f"<script>window._CONFIG = {config};</script>"
    return _page(s, rng, charset, main, head_extra=head)


def _jpaas(report: Report, s: dict[str, str], rng: random.Random, blocks: list[Block]) -> str:
    fragment = f'<div class="article-title">{_e(report.title)}</div>{_info_line(s)}<div class="article-content">{body_html(blocks, rng)}</div>'
    return json.dumps(
        {"success": True, "code": 0, "msg": "操作成功", "data": {"html": fragment, "total": 1}},
        ensure_ascii=rng.random() < 0.5,
    )


def _jsonp(report: Report, s: dict[str, str], rng: random.Random, blocks: list[Block]) -> str:
    callback = rng.choice(["result", "jQuery112409876543210_1612345678901", "callback"])
    record = {
        "title": report.title,
        "pubDate": s["pubdate"],
        "source": s["agency"],
        "content": body_html(blocks, rng),
        "hits": int(s["hits"]),
    }
    return f"{callback}({json.dumps({'data': [record], 'total': 1}, ensure_ascii=rng.random() < 0.5)});"


def _split_pages(blocks: list[Block], rng: random.Random) -> list[list[Block]]:
    """Cut between blocks (never inside a table), 2-3 pages, at section headings."""
    heads = [
        i for i, b in enumerate(blocks) if isinstance(b, Para) and b.kind == Kind.HEADING and i > 1
    ]
    cuts = sorted(rng.sample(heads, k=min(len(heads), rng.randint(1, 2)))) if heads else []
    pages, start = [], 0
    for cut in [*cuts, len(blocks)]:
        pages.append(blocks[start:cut])
        start = cut
    return [p for p in pages if p]


FAMILIES = (
    "trs",
    "hanweb",
    "ucap",
    "word-aspnet",
    "nested-layout",
    "div-grid",
    "split-tables",
    "paged",
    "gkmlpt",
    "jpaas",
    "jsonp",
)


def render_family(
    report: Report, family: str, rng: random.Random, *, charset: str = "utf-8"
) -> list[Page]:
    """The pages of ``report`` in page family ``family``; ``charset`` (utf-8, gbk, gb18030)
    encodes them, declared in the page or only in the HTTP header."""
    s = _site(report, rng)
    declare = charset == "utf-8" or rng.random() < 0.7
    meta_charset = charset if declare else None
    content_type = (
        f"text/html; charset={charset}" if (not declare or rng.random() < 0.5) else "text/html"
    )
    stamp = (report.published_at or f"{(report.year or 2020) + 1}-01-20").replace("-", "")
    art = rng.randint(100000, 999999)
    url = f"https://{s['host']}/zwgk/ndbg/{stamp[:6]}/t{stamp}_{art}.html"
    blocks = report.blocks
    details = {"charset": charset, "declared": str(declare)}

    def page(
        text: str,
        name_url: str = url,
        page_blocks: list[Block] = blocks,
        extra: dict[str, str] | None = None,
    ) -> Page:
        return Page(
            "",
            text.encode(charset),
            name_url,
            content_type,
            family,
            details | (extra or {}),
            page_blocks,
        )

    if family == "trs":
        return [page(_trs(report, s, rng, meta_charset, blocks))]
    if family == "hanweb":
        d = report.published_at or "2021-01-20"
        url = f"https://{s['host']}/art/{int(d[:4])}/{int(d[5:7])}/{int(d[8:10])}/art_{rng.randint(1000, 1229999999)}_{art}.html"
        return [page(_hanweb(report, s, rng, meta_charset, blocks), url)]
    if family == "ucap":
        return [page(_ucap(report, s, rng, meta_charset, blocks))]
    if family == "word-aspnet":
        url = f"http://{s['host']}/Item/ShowArticle.aspx?ArticleID={art}"
        return [page(_word_aspnet(report, s, rng, meta_charset, blocks), url)]
    if family == "nested-layout":
        return [page(_nested(report, s, rng, meta_charset, blocks), url.replace(".html", ".htm"))]
    if family == "div-grid":
        return [page(_generic(report, s, rng, meta_charset, blocks, "divgrid"))]
    if family == "split-tables":
        return [page(_generic(report, s, rng, meta_charset, blocks, "pieces"))]
    if family == "gkmlpt":
        url = f"http://{s['host']}/gkmlpt/content/{art // 1000000}/{art // 1000}/post_{art}.html"
        return [page(_gkmlpt(report, s, rng, meta_charset, blocks), url)]
    if family == "jpaas":
        url = f"https://{s['host']}/api-gateway/jpaas-publish-server/front/page/build/unit?webId={rng.randint(1, 9999)}&pageId={art}&tagId=%E6%AD%A3%E6%96%87"
        return [
            Page(
                "",
                _jpaas(report, s, rng, blocks).encode("utf-8"),
                url,
                "application/json;charset=UTF-8",
                family,
                {"charset": "utf-8"},
                blocks,
            )
        ]
    if family == "jsonp":
        url = f"https://{s['host']}/govsearch/jsonp/detail.jsp?id={art}&callback=result"
        return [
            Page(
                "",
                _jsonp(report, s, rng, blocks).encode("utf-8"),
                url,
                "application/javascript;charset=UTF-8",
                family,
                {"charset": "utf-8"},
                blocks,
            )
        ]
    if family == "paged":
        parts = _split_pages(blocks, rng)
        pages = []
        base = url[: -len(".html")]
        for number, part in enumerate(parts):
            pager = f'<div class="page-fy"><script>createPageHTML({len(parts)}, {number}, "t{stamp}_{art}", "html");</script>'
            pager += (
                "".join(
                    f'<a href="t{stamp}_{art}{"" if i == 0 else f"_{i}"}.html">{i + 1}</a>'
                    for i in range(len(parts))
                )
                + "</div>"
            )
            part_url = url if number == 0 else f"{base}_{number}.html"
            pages.append(
                page(
                    _trs(report, s, rng, meta_charset, part, pager),
                    part_url,
                    part,
                    {"part": f"{number + 1}/{len(parts)}"},
                )
            )
        return pages
    raise ValueError(f"unknown page family {family!r}; known: {', '.join(FAMILIES)}")
