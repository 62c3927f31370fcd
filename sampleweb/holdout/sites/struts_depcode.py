"""Struts 信息公开 platform in GBK keyed by department code (field guide §1.5, Jieyang style):
`showDeptType.action?depCode=` lists a department's categories, `openInfo.action?depCode=&menuCat=219`
is its 政府信息公开年度报告 (menuCat 218 the 指南). The county platform carries several
departments' reports; one department is not in the registry."""

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

HOST = "zwgk.chaoxi.gov.cn"
ENC = "gbk"
DEPTS = [
    ("007026393", "潮溪县财政局", "chaoxi-czj"),
    ("007026401", "潮溪县教育局", "chaoxi-jyj"),
    ("007026415", "潮溪县卫生健康局", ""),
]
MENUS = {"211": "机构职能", "218": "政府信息公开指南", "219": "政府信息公开年度报告"}


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    lists: dict[tuple[str, str], str] = {}
    details: dict[str, Resp] = {}
    steps = [Step(u(HOST, "/zwgk/index.action"))]
    dept_steps, list_steps, arts, look = [], [], [], []
    for k, (code, name, aid) in enumerate(DEPTS):
        rows = []
        for year in (2024, 2023):
            iid = f"{code[-3:]}{year}"
            title = f"{name}{year}年政府信息公开工作年度报告"
            details[iid] = report_page(title, name, year, encoding=ENC)
            docs.append(Doc(u(HOST, f"/zwgk/detail.action?id={iid}"), year, aid or name, title))
            rows.append(
                f'<tr><td><a href="detail.action?id={iid}" target="_blank">{title}</a></td><td>{year + 1}-01-2{k}</td></tr>'
            )
            arts.append(Step(u(HOST, f"/zwgk/detail.action?id={iid}"), via=f"id={iid}"))
        gid = f"{code[-3:]}zn"
        details[gid] = html(
            f"{name}政府信息公开指南", f"<h1>{name}政府信息公开指南</h1>", encoding=ENC
        )
        look.append(u(HOST, f"/zwgk/detail.action?id={gid}"))
        lists[(code, "219")] = "<table>" + "".join(rows) + "</table>"
        lists[(code, "218")] = (
            f'<table><tr><td><a href="detail.action?id={gid}">{name}政府信息公开指南</a></td></tr></table>'
        )
        lists[(code, "211")] = f"<p>{name}主要职责</p>"
        dept_steps.append(
            Step(u(HOST, f"/zwgk/showDeptType.action?depCode={code}"), via=f"depCode={code}")
        )
        list_steps.append(
            Step(u(HOST, f"/zwgk/openInfo.action?depCode={code}&menuCat=219"), via="menuCat=219")
        )

    def dept(req: Req) -> Resp:
        code = req.query.get("depCode", "")
        if (code, "219") not in lists:
            return Resp(404, b"not found")
        menu = "".join(
            f'<li><a href="openInfo.action?depCode={code}&amp;menuCat={m}">{t}</a></li>'
            for m, t in MENUS.items()
        )
        return html("部门信息公开", f"<ul>{menu}</ul>", encoding=ENC)

    def open_info(req: Req) -> Resp:
        key = (req.query.get("depCode", ""), req.query.get("menuCat", ""))
        return (
            html(MENUS.get(key[1], ""), lists[key], encoding=ENC)
            if key in lists
            else Resp(404, b"not found")
        )

    routes[(HOST, "/zwgk/showDeptType.action")] = dept
    routes[(HOST, "/zwgk/openInfo.action")] = open_info
    routes[(HOST, "/zwgk/detail.action")] = lambda req: details.get(
        req.query.get("id", ""), Resp(404, b"not found")
    )
    links = "".join(
        f'<li><a href="showDeptType.action?depCode={c}">{n}</a></li>' for c, n, _a in DEPTS
    )
    routes[(HOST, "/zwgk/index.action")] = html(
        "潮溪县政府信息公开", f"<h2>部门信息公开</h2><ul>{links}</ul>", encoding=ENC
    )
    agencies = [
        agency("chaoxi", "潮溪县人民政府", "county", aliases=["潮溪县"]),
        agency("chaoxi-czj", "潮溪县财政局", "county", "department", parent="chaoxi"),
        agency("chaoxi-jyj", "潮溪县教育局", "county", "department", parent="chaoxi"),
    ]
    return Site(
        id="chaoxi-zwgk",
        platform="struts-depcode",
        dialect="openInfo.action?depCode=&menuCat=219 per department, GBK",
        owner="chaoxi",
        agencies=agencies,
        start_urls=[u(HOST, "/zwgk/index.action")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        lookalikes=look,
        encoding=ENC,
        steps=steps + dept_steps + list_steps + arts,
    )
