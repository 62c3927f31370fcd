"""开普云/UCAP templates (`#UCAP-CONTENT`, `content_N.htm`) with year sub-columns under opaque
names — `nb_2022n/`, `nb_2023n/` and `2024n78/`, which holds the reports *on 2025* — each
carrying the county's and its townships' reports (`xzjd`); pages embed the hosted site search
form of `zs.kaipuyun.cn` and the 纠错 widget of `pucha.kaipuyun.cn`, hosts outside the site
(field guide §1.6, §2.2)."""

from __future__ import annotations

from sampleweb.holdout.kit import Doc, Resp, Site, Step, Urls, agency, html, report_page

HOST = "www.xiafeng.gov.cn"
NAME = "霞峰县人民政府"
ROOT = "/zwgk/xxgknb/"
YEARS = {"nb_2022n": 2022, "nb_2023n": 2023, "2024n78": 2025}
ISSUERS = [
    ("霞峰县人民政府", "xiafeng"),
    ("桐林镇人民政府", "xiafeng-tonglin"),
    ("白沙街道办事处", "xiafeng-baisha"),
]
CHROME = (
    '<form action="https://zs.kaipuyun.cn/search4/s" method="get"><input type="hidden" name="siteCode" value="3611000001">'
    '<input name="searchWord"><button>搜索</button></form>'
    '<a href="https://pucha.kaipuyun.cn/exposure/jiucuo.html?site_code=3611000001&url=http%3A%2F%2Fwww.xiafeng.gov.cn%2F">'
    "纠错</a>"
)


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Resp] = {}
    docs: list[Doc] = []
    steps = [Step(u(HOST, "/")), Step(u(HOST, ROOT + "index.htm"), via="xxgknb")]
    arts: list[Step] = []
    cols = []
    n = 4400
    for slug, year in YEARS.items():
        rows = []
        for name, aid in ISSUERS:
            n += 19
            title = f"{name}{year}年政府信息公开工作年度报告"
            path = f"{ROOT}{slug}/{year + 1}01/content_{n}.htm"
            routes[(HOST, path)] = report_page(
                title, name, year, container='<div id="UCAP-CONTENT">{}</div>', extra=CHROME
            )
            docs.append(Doc(u(HOST, path), year, aid, title))
            rows.append(
                f'<li><a href="../{slug}/{year + 1}01/content_{n}.htm">{title}</a><span>{year + 1}-01-3{n % 2}</span></li>'
            )
            arts.append(Step(u(HOST, path), via=f"content_{n}.htm"))
        routes[(HOST, f"{ROOT}{slug}/index.htm")] = html(
            f"{year}年度", f"<ul>{''.join(rows)}</ul>{CHROME}", column=f"{year}年度"
        )
        cols.append(f'<li><a href="{slug}/index.htm">{year}年度</a></li>')
        steps.append(Step(u(HOST, f"{ROOT}{slug}/index.htm"), via=f"{slug}/index.htm"))
    routes[(HOST, ROOT + "index.htm")] = html(
        "政府信息公开年报",
        f"<ul class='sub'>{''.join(cols)}</ul>{CHROME}",
        column="政府信息公开年报",
    )
    zn = "/zwgk/zfxxgkzn/content_4000.htm"
    routes[(HOST, zn)] = html(
        "霞峰县人民政府信息公开指南",
        '<div id="UCAP-CONTENT"><h1>霞峰县人民政府信息公开指南</h1><p>一、公开主体</p></div>',
    )
    routes[(HOST, "/")] = html(
        NAME,
        f'<a href="{ROOT}index.htm">政府信息公开年报</a> <a href="{zn}">政府信息公开指南</a>{CHROME}',
    )
    agencies = [
        agency("xiafeng", NAME, "county", aliases=["霞峰县"]),
        agency(
            "xiafeng-tonglin", "桐林镇人民政府", "township", aliases=["桐林镇"], parent="xiafeng"
        ),
        agency(
            "xiafeng-baisha", "白沙街道办事处", "township", aliases=["白沙街道"], parent="xiafeng"
        ),
    ]
    return Site(
        id="xiafeng-gov",
        platform="kaipuyun",
        dialect="UCAP content_N.htm, opaque year columns nb_2022n/2024n78, off-site search and 纠错 links",
        owner="xiafeng",
        agencies=agencies,
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=dict(routes),
        docs=docs,
        lookalikes=[u(HOST, zn)],
        steps=steps + arts,
    )
