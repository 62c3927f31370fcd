"""TRS 6-argument pager `createPageHTML(2, 0, "index", "shtml", "", 7)` (0-based, record total
last; field guide §1.3) on a city site whose 年报 list also carries the province's report,
next to columns of look-alikes: a 住房公积金年度报告 under `gknb/` and a state-owned company's
年度报告 under `ndbg/` (§2.3)."""

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
from sampleweb.holdout.scripts import TRS_PAGE6, js

HOST = "www.xiyang.gov.cn"
NAME = "溪阳市人民政府"
COL = "/zwgk/zfxxgknb/"
PER = 4


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Resp] = {}
    docs: list[Doc] = []
    items: list[tuple[str, str]] = []
    arts: list[Step] = []
    files: list[Step] = []
    entries = [(NAME, "xiyang", y) for y in range(2024, 2018, -1)]
    entries.insert(1, ("岭东省人民政府", "lingdong", 2024))
    for n, (issuer, aid, year) in enumerate(entries):
        title = f"{issuer}{year}年政府信息公开工作年度报告"
        month = f"{year + 1}0{2 + n % 2}"
        path = f"{COL}{month}/t{month}1{n}_{88231 + n}.shtml"
        extra = ""
        if n % 2 == 0:
            name = f"P0{month}1{n}5{n}41062{n}.pdf"
            routes[(HOST, f"{COL}{month}/{name}")] = file_resp(
                pdf(title, report_text(issuer, year))
            )
            extra = f'<a href="./{name}">{title}.pdf</a>'
            docs.append(Doc(u(HOST, f"{COL}{month}/{name}"), year, aid, title, "file"))
            files.append(Step(u(HOST, f"{COL}{month}/{name}"), via=name))
        routes[(HOST, path)] = report_page(
            title, issuer, year, extra=extra, container='<div class="TRS_UEDITOR">{}</div>'
        )
        docs.append(Doc(u(HOST, path), year, aid, title))
        items.append((f"./{month}/t{month}1{n}_{88231 + n}.shtml", title))
        arts.append(Step(u(HOST, path), via=f"t{month}1{n}_{88231 + n}.shtml"))
    pages = [items[i : i + PER] for i in range(0, len(items), PER)]
    steps = [Step(u(HOST, "/")), Step(u(HOST, "/zwgk/index.shtml"), via="/zwgk/index.shtml")]
    for p, chunk in enumerate(pages):
        name = "index.shtml" if p == 0 else f"index_{p}.shtml"
        rows = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in chunk)
        pager = f'<script src="/js/page.js"></script><script>createPageHTML({len(pages)}, {p}, "index", "shtml", "", {len(items)});</script>'
        routes[(HOST, COL + name)] = html(
            "政府信息公开年报", f"<ul>{rows}</ul>{pager}", column="政府信息公开年报"
        )
        steps.append(
            Step(u(HOST, COL + name), via="zfxxgknb/" if p == 0 else "createPageHTML(2, 0")
        )
    look = {
        "/gjj/gknb/202403/t20240330_5501.shtml": "溪阳市住房公积金2023年年度报告",
        "/gzw/qyxx/ndbg/202404/t20240428_6602.shtml": "溪阳城市建设投资集团有限公司2023年年度报告",
    }
    for path, title in look.items():
        routes[(HOST, path)] = html(title, f"<h1>{title}</h1><p>一、基本情况 二、主要财务数据</p>")
        col = path.rsplit("/", 2)[0] + "/index.shtml"
        routes[(HOST, col)] = html(
            title.split("2023")[0], f'<ul><li><a href="{path}">{title}</a></li></ul>'
        )
    routes[(HOST, "/zwgk/index.shtml")] = html(
        "政务公开",
        '<a href="/zwgk/zfxxgknb/index.shtml">政府信息公开年报</a> <a href="/gjj/gknb/index.shtml">住房公积金年度报告</a> <a href="/gzw/qyxx/ndbg/index.shtml">国有企业年度报告</a>',
    )
    routes[(HOST, "/js/page.js")] = js(TRS_PAGE6)
    routes[(HOST, "/")] = html(NAME, '<a href="/zwgk/index.shtml">政务公开</a>')
    return Site(
        id="xiyang-gov",
        platform="trs",
        dialect="6-arg createPageHTML .shtml, province report in a city list, 公积金/company 年报 look-alikes",
        owner="xiyang",
        agencies=[agency("xiyang", NAME, "city", aliases=["溪阳市"])],
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=dict(routes),
        docs=docs,
        lookalikes=[u(HOST, p) for p in look],
        steps=steps + arts + files,
    )
