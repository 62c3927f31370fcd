"""The 年报 column is reachable only through `javascript:goXxgkml('xxgknb')` (field guide §2.2):
the nav's hrefs are JavaScript calls to a function that builds `/xxgk/xxgkml.jsp?lm=…`. The
年报 column lists bare PDF files; sibling columns reached the same way hold the 指南 and the
政府网站工作年度报表 (§2.3)."""

from __future__ import annotations

from sampleweb.holdout.kit import (
    Doc,
    Handler,
    Req,
    Resp,
    Site,
    Step,
    Urls,
    agency,
    file_resp,
    html,
    pdf,
    report_text,
)

HOST = "www.shiqiao.gov.cn"
NAME = "石桥区人民政府"
NAV = (
    "<script>function goXxgkml(lm){ window.location.href = '/xxgk/xxgkml.jsp?lm=' + lm; }</script><ul class='nav'>"
    "<li><a href=\"javascript:goXxgkml('zfxxgkzn')\">政府信息公开指南</a></li>"
    "<li><a href=\"javascript:goXxgkml('fdzdgknr')\">法定主动公开内容</a></li>"
    "<li><a href=\"javascript:goXxgkml('xxgknb')\">政府信息公开年报</a></li>"
    "<li><a href=\"javascript:goXxgkml('zfwzgzndbb')\">政府网站工作年度报表</a></li></ul>"
)


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    columns: dict[str, str] = {}
    rows, files, look = [], [], []
    for n, year in enumerate(range(2024, 2018, -1)):
        title = f"石桥区{year}年政府信息公开工作年度报告"
        path = f"/uploadfiles/xxgknb/{year + 1}0{n % 3 + 1}2{n}103011{n}.pdf"
        routes[(HOST, path)] = file_resp(pdf(title, report_text(NAME, year)))
        docs.append(Doc(u(HOST, path), year, "shiqiao", title, "file"))
        rows.append(
            f'<li><a href="{path}" target="_blank">{title}</a><span>{year + 1}-01-25</span></li>'
        )
        files.append(Step(u(HOST, path), via=path))
    columns["xxgknb"] = "<ul>" + "".join(rows) + "</ul>"
    bb_rows = []
    for year in (2024, 2023):
        path = f"/uploadfiles/zfwzgzndbb/{year + 1}011509{year}.pdf"
        title = f"石桥区人民政府门户网站{year}年政府网站工作年度报表"
        routes[(HOST, path)] = file_resp(
            pdf(title, ["网站名称：石桥区人民政府门户网站", "独立用户访问总量"])
        )
        bb_rows.append(f'<li><a href="{path}">{title}</a></li>')
        look.append(u(HOST, path))
    columns["zfwzgzndbb"] = "<ul>" + "".join(bb_rows) + "</ul>"
    columns["zfxxgkzn"] = "<h1>石桥区人民政府信息公开指南</h1><p>一、主动公开</p>"
    columns["fdzdgknr"] = "<p>机构职能 政策文件 规划信息</p>"
    look.append(u(HOST, "/xxgk/xxgkml.jsp?lm=zfxxgkzn"))

    def xxgkml(req: Req) -> Resp:
        lm = req.query.get("lm", "")
        if lm not in columns:
            return Resp(404, b"not found")
        return html("信息公开目录", NAV + columns[lm])

    routes[(HOST, "/xxgk/xxgkml.jsp")] = xxgkml
    routes[(HOST, "/xxgk/index.html")] = html(
        "信息公开", NAV + "<p>欢迎访问石桥区政府信息公开专栏</p>"
    )
    routes[(HOST, "/")] = html(NAME, '<a href="/xxgk/index.html">信息公开</a>')
    steps = [
        Step(u(HOST, "/")),
        Step(u(HOST, "/xxgk/index.html"), via="/xxgk/index.html"),
        Step(u(HOST, "/xxgk/xxgkml.jsp?lm=xxgknb"), via="goXxgkml('xxgknb')"),
    ]
    return Site(
        id="shiqiao-gov",
        platform="custom-js-nav",
        dialect="年报 column only via javascript:goXxgkml('xxgknb'), bare PDFs",
        owner="shiqiao",
        agencies=[agency("shiqiao", NAME, "county", aliases=["石桥区"])],
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        lookalikes=look,
        steps=steps + files,
    )
