"""Hanweb 信息公开 module (field guide §1.1 end): the county's 年报 directory is one JSP
endpoint, `/module/xxgk/search.jsp?infotypeId=&jdid=&area=&divid=&currpage=N`, and the
townships' directories are the *same endpoint with another jdid/area*, picked from a tree
whose entries are `onclick` handlers, not links. Pages are 0 records past the end; the
pager is `javascript:setPage(n)`."""

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
    html,
    report_page,
)
from sampleweb.holdout.scripts import JQUERY, js

HOST = "www.lanxi-zj.gov.cn"
SEARCH = "/module/xxgk/search.jsp"
ORGS = [  # jdid, area code, name, agency id, years
    ("1", "330781", "澜溪县人民政府", "lanxi", list(range(2024, 2017, -1))),
    ("31", "330781101", "云山镇人民政府", "lanxi-yunshan", [2024, 2023, 2022]),
    ("32", "330781102", "枫桥街道办事处", "lanxi-fengqiao", [2024, 2023]),
]
PER = 5


def _query(jdid: str, area: str, page: int) -> str:
    return f"infotypeId=NB01&jdid={jdid}&area={area}&divid=div1590&vc_title=&vc_number=&sortfield=compaltedate:0&currpage={page}"


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    rows: dict[tuple[str, str], list[str]] = {}
    steps = [Step(u(HOST, "/")), Step(u(HOST, "/col/col1589/index.html"), via="col1589")]
    arts: list[Step] = []
    tree = []
    for jdid, area, name, aid, years in ORGS:
        mine = []
        for year in years:
            iid = f"{area[-3:]}{year}"
            title = f"{name}{year}年度政府信息公开工作年度报告"
            path = f"/art/{year + 1}/1/2{year % 7}/art_1590_{iid}.html"
            routes[(HOST, path)] = report_page(
                title, name, year, container='<div id="zoom">{}</div>'
            )
            docs.append(Doc(u(HOST, path), year, aid, title))
            mine.append(
                f'<tr><td><a href="{path}" target="_blank">{title}</a></td><td>{year + 1}-01-2{year % 7}</td></tr>'
            )
            arts.append(Step(u(HOST, path), via=f"art_1590_{iid}"))
        rows[(jdid, area)] = mine
        tree.append(f"<li onclick=\"loadXxgk('{jdid}','{area}')\">{name}</li>")
        for page in range(1, -(-len(mine) // PER) + 1):
            via = f"loadXxgk('{jdid}','{area}')" if page == 1 else f"setPage({page})"
            steps.append(Step(u(HOST, f"{SEARCH}?{_query(jdid, area, page)}"), via=via))

    def search(req: Req) -> Resp:
        mine = rows.get((req.query.get("jdid", ""), req.query.get("area", "")), [])
        page = int(req.query.get("currpage", "1") or 1)
        chunk = mine[(page - 1) * PER : page * PER] if req.query.get("infotypeId") == "NB01" else []
        pages = -(-len(mine) // PER)
        pager = " ".join(f'<a href="javascript:setPage({p})">{p}</a>' for p in range(1, pages + 1))
        return html(
            "信息公开",
            f"<table>{''.join(chunk)}</table><div class='page'>共{len(mine)}条 {pager}</div>",
        )

    routes[(HOST, SEARCH)] = search
    routes[(HOST, "/module/jslib/jquery/jquery.js")] = js(JQUERY)
    script = (
        "<script src='/module/jslib/jquery/jquery.js'></script><script>var jd='1', ar='330781';"
        f"function loadXxgk(j,a){{jd=j;ar=a;setPage(1);}}"
        f"function setPage(p){{$('#div1590').load('{SEARCH}?infotypeId=NB01&jdid='+jd+'&area='+ar+"
        "'&divid=div1590&vc_title=&vc_number=&sortfield=compaltedate:0&currpage='+p);}</script>"
    )
    body = f"<ul class='jdtree'>{''.join(tree)}</ul><div id='div1590'></div>{script}<script>setPage(1);</script>"
    routes[(HOST, "/col/col1589/index.html")] = html(
        "政府信息公开年报", body, column="政府信息公开年报"
    )
    routes[(HOST, "/")] = html(
        "澜溪县人民政府", '<a href="/col/col1589/index.html">政府信息公开年报</a>'
    )
    agencies = [
        agency("lanxi", "澜溪县人民政府", "county", aliases=["澜溪县"]),
        agency("lanxi-yunshan", "云山镇人民政府", "township", aliases=["云山镇"], parent="lanxi"),
        agency(
            "lanxi-fengqiao", "枫桥街道办事处", "township", aliases=["枫桥街道"], parent="lanxi"
        ),
    ]
    return Site(
        id="lanxi-xxgk",
        platform="hanweb-xxgk",
        dialect="module/xxgk/search.jsp jdid/area per township, onclick tree, setPage(n) pager",
        owner="lanxi",
        agencies=agencies,
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        steps=steps + arts,
    )
