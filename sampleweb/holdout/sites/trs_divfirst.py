"""TRS WCM with the div-first, 1-based `createPageHTML(divName, count, current, "list", "htm", sum)`
pager whose function definition is written inline before the call (field guide §1.3, §7.1),
relative `./P0….pdf` attachments whose name date differs from the month directory, a 指南
column beside the 年报 column and a 政府网站工作年度报表 inside the list."""

from __future__ import annotations

from sampleweb.holdout.kit import (
    Doc,
    Resp,
    Site,
    Step,
    Urls,
    agency,
    file_resp,
    html,
    pdf,
    report_page,
    report_text,
)

HOST = "www.jinglu.gov.cn"
NAME = "景陆县人民政府"
COL = "/zwgk/zfxxgk/zfxxgknb/"
PAGER_DEF = """<script>
function createPageHTML(divName, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nPageSum){
  if(_nPageSum == 0) return;
  var h = "";
  for (var i = 1; i <= _nPageCount; i++) {
    var f = (i == 1) ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    h += (i == _nCurrIndex) ? "<span>" + i + "</span>" : "<a href='" + f + "'>" + i + "</a>";
  }
  document.getElementById(divName).innerHTML = h;
}
</script>"""


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Resp] = {}
    docs: list[Doc] = []
    items: list[tuple[str, str, str]] = []  # href, title, date
    look: list[str] = []
    for n, year in enumerate(range(2024, 2014, -1)):
        title = f"景陆县人民政府{year}年政府信息公开工作年度报告"
        month = f"{year + 1}01"
        art = f"{COL}{month}/t{year + 1}01{20 + n % 8}_{7100 + n}.html"
        extra = ""
        docs.append(Doc(u(HOST, art), year, "jinglu", title))
        if year >= 2020:
            name = f"P0{year + 1}0{n % 9 + 1}15093012{n}.pdf"  # month in the name ≠ directory
            extra = f'<p>附件：<a href="./{name}">{title}.pdf</a></p>'
            routes[(HOST, f"{COL}{month}/{name}")] = file_resp(pdf(title, report_text(NAME, year)))
            docs.append(Doc(u(HOST, f"{COL}{month}/{name}"), year, "jinglu", title, "file"))
        routes[(HOST, art)] = report_page(title, NAME, year, extra=extra)
        items.append((art, title, f"{year + 1}-01-2{n % 8}"))
    bb = f"{COL}202301/t20230110_7090.html"
    routes[(HOST, bb)] = html(
        "景陆县人民政府2022年政府网站工作年度报表",
        "<h1>政府网站工作年度报表</h1><table><tr><td>网站名称</td><td>景陆县人民政府网</td></tr></table>",
    )
    items.insert(3, (bb, "景陆县人民政府2022年政府网站工作年度报表", "2023-01-10"))
    look.append(u(HOST, bb))
    per = 4
    pages = [items[i : i + per] for i in range(0, len(items), per)]
    steps = [Step(u(HOST, "/")), Step(u(HOST, "/zwgk/index.html"), via="/zwgk/index.html")]
    for p, chunk in enumerate(pages, 1):
        name = "list.htm" if p == 1 else f"list_{p}.htm"
        lis = "".join(
            f'<li><a href="{h}" target="_blank">{t}</a><span>{d}</span></li>' for h, t, d in chunk
        )
        body = (
            f"{PAGER_DEF}<div class='list'><ul>{lis}</ul></div><div id='page_div'></div>"
            f"<script>createPageHTML('page_div', {len(pages)}, {p}, 'list', 'htm', {len(items)});</script>"
        )
        routes[(HOST, COL + name)] = html("政府信息公开年报", body, column="政府信息公开年报")
        steps.append(Step(u(HOST, COL + name), via="list" if p > 1 else "zfxxgknb/list.htm"))
    for h, _t, _d in items:
        if h != bb:
            steps.append(Step(u(HOST, h), via=h))
    for d in docs:
        if d.kind == "file":
            steps.append(Step(d.url, via=d.url.rsplit("/", 1)[1]))
    routes[(HOST, "/")] = html(
        "景陆县人民政府",
        '<a href="/zwgk/index.html">政务公开</a> <a href="/xwzx/index.html">新闻中心</a>',
    )
    routes[(HOST, "/zwgk/index.html")] = html(
        "政务公开",
        '<a href="/zwgk/zfxxgk/zfxxgkzn/index.html">政府信息公开指南</a> '
        '<a href="/zwgk/zfxxgk/zfxxgknb/list.htm">政府信息公开年报</a> '
        '<a href="/zwgk/zfxxgk/fdzdgknr/index.html">法定主动公开内容</a>',
    )
    zn = "/zwgk/zfxxgk/zfxxgkzn/index.html"
    routes[(HOST, zn)] = html(
        "景陆县人民政府信息公开指南",
        "<h1>景陆县人民政府信息公开指南</h1><p>一、公开的主体和范围</p>",
    )
    look.append(u(HOST, zn))
    return Site(
        id="jinglu-gov",
        platform="trs",
        dialect="div-first createPageHTML list_N.htm, inline pager definition",
        owner="jinglu",
        agencies=[agency("jinglu", NAME, "county", aliases=["景陆县"])],
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=dict(routes),
        docs=docs,
        lookalikes=look,
        steps=steps,
    )
