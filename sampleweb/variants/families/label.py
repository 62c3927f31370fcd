"""The Anhui-style 信息公开目录 label engine (guide §1.5).

Each publishing body (organ) has a column page per catalogue category
`/public/column/{organId}?type=4&catId=&action=list&nav=3` whose list is loaded from
`/site/label/8888?labelName=publicInfoList&siteId=&organId=&catId=&type=4&pageSize=&pageIndex=&action=list&file=…`
(GET or POST, sometimes with `IsAjax=1&dataType=html&_=<timestamp>`), an HTML fragment that
says `暂无相关信息` when empty. Details `/public/{organId}/{id}.html`, files on FastDFS
`/group6/M00/…`. Counties may run it on an xxgk host of their own.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode

from sampleweb.model import Request, Resource
from sampleweb.variants.content import DecoyPlan, plan_reports
from sampleweb.variants.families.common import (
    NavPage,
    column_link,
    decoy_columns,
    fillers,
    merge_entries,
    nav_chain,
    news_section,
    split_decoys,
)
from sampleweb.variants.kit import BuiltSite, Entry, FileLoc, SiteKit, hexname
from sampleweb.variants.model import StepKind
from sampleweb.variants.names import Agency, NamePool, county_tree

KNOBS: dict[str, tuple[str, ...]] = {
    "method": ("GET", "POST"),
    "ajax_params": ("plain", "isajax"),
    "xxgk_host": ("same", "own-host"),
    "catid": ("shared", "per-organ"),
    "page_size": ("5", "15"),
}

LABEL = "/site/label/8888"


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "nginx"
    rng = kit.rng
    tree = county_tree(
        pool, kit.id, rng, n_departments=rng.randint(1, 4), n_townships=rng.randint(1, 3)
    )
    kit.tree = tree
    kit.site_name = tree.owner.name
    years = (2014, 2025)
    plans = plan_reports(
        rng,
        tree,
        rng.randint(4, 15),
        formats=("html", "html+pdf", "stub+docx", "stub+pdf", "html+doc", "xlsx"),
        cover_all=True,
    )
    host = "xxgk" if kit.knob("xxgk_host") == "own-host" else "main"
    site_id = str(rng.randint(6000000, 6999999))
    per = int(kit.knob("page_size"))
    method = kit.knob("method")
    isajax = kit.knob("ajax_params") == "isajax"
    file_param = rng.choice(
        (
            "/xxgk/publicInfoList_newest2020",
            "/xxgk/publicInfoList_newest",
            "/xsxxgk/publicInfoList-xs",
        )
    )
    shared_cat = str(rng.randint(7000000, 7999999))
    organs: list[tuple[Agency, str, str]] = []
    for agency in tree.all:
        if agency in tree.others:
            continue
        organ = str(rng.randint(6500000, 6599999))
        cat = shared_cat if kit.knob("catid") == "shared" else str(rng.randint(7000000, 7999999))
        organs.append((agency, organ, cat))
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", "/zwgk/index.html"),
        ("新闻中心", "/xwzx/index.html"),
    ]
    kit.robots(None)
    inside, side = split_decoys(kit, tree, years)
    lists: dict[tuple[str, str], list[Entry]] = {}
    for agency, organ, cat in organs:
        mine = [
            p
            for p in plans
            if p.agency is agency or (agency is tree.owner and p.agency in tree.others)
        ]
        entries: list[Entry] = []
        for plan in mine:
            plan.page = plan.page or not plan.files
            doc_id = rng.randint(10_000_000, 99_999_999)
            page = f"/public/{organ}/{doc_id}.html" if plan.page else None
            locs = []
            for j, f in enumerate(plan.files):
                path = f"/group6/M00/0{rng.randint(0, 9)}/{rng.randint(10, 99)}/wKg{hexname(kit.id, plan.key, j, n=22)}.{f.fmt}"
                locs.append(FileLoc(path, path, host=host, label=f.display))
            kit.publish(
                plan, page, locs, column="政府信息公开年报", page_host=host, info_table=True
            )
            entries.append(
                Entry(plan.title, plan.published, page or locs[0].href, "report", plan.key)
            )
        if agency is tree.owner:
            for d in inside:
                page = f"/public/{organ}/{rng.randint(10_000_000, 99_999_999)}.html"
                _decoy_on(kit, d, page, host)
                entries.append(Entry(d.title, d.published, page, "decoy", d.key))
        lists[(organ, cat)] = merge_entries(
            [e for e in entries if e.kind == "report"], [e for e in entries if e.kind != "report"]
        )

    def fragment(organ: str, cat: str, index: int) -> str:
        items = lists.get((organ, cat), [])
        chunk = items[(index - 1) * per : index * per]
        if not chunk:
            return '<div class="no-data">暂无相关信息</div>'
        rows = "".join(
            f'<li><a href="{e.href}" title="{escape(e.title)}" target="_blank">{escape(kit.list_text(e.title)[0])}</a>'
            f'<span class="date">{e.date}</span></li>'
            for e in chunk
        )
        pages = -(-len(items) // per)
        pager = f'<div class="pagination" data-total="{len(items)}" data-pages="{pages}">共{len(items)}条 {index}/{pages}页 '
        if index < pages:
            pager += f'<a href="javascript:;" onclick="getPage({index + 1})">下一页</a>'
        return f'<ul class="clearfix xxgk_nav_list">{rows}</ul>{pager}</div>'

    def handle(request: Request) -> Resource | None:
        if request.path != LABEL:
            return None
        params = dict(request.query)
        if request.method == "POST":
            params.update(parse_qsl(request.body.decode("utf-8", "replace")))
        if params.get("labelName") != "publicInfoList" or params.get("siteId") != site_id:
            return kit.html_resource('<div class="no-data">暂无相关信息</div>')
        try:
            index = int(params.get("pageIndex", "1"))
        except ValueError:
            index = 1
        html = fragment(params.get("organId", ""), params.get("catId", ""), index)
        return Resource(
            html.encode(kit.codec, "xmlcharrefreplace"),
            f"text/html;charset={kit.codec}",
            conditional=False,
        )

    kit.dynamic[host].append(handle)

    def params_of(organ: str, cat: str, index: int) -> dict[str, str]:
        out = {
            "labelName": "publicInfoList",
            "siteId": site_id,
            "organId": organ,
            "catId": cat,
            "type": "4",
            "pageSize": str(per),
            "pageIndex": str(index),
            "action": "list",
            "file": file_param,
        }
        if isajax:
            out |= {"IsAjax": "1", "dataType": "html", "_": "1704067200000"}
        return out

    # the organs' catalogue pages: an index of categories, and the 年报 category's shell
    organ_links: list[tuple[str, str]] = []
    for agency, organ, cat in organs:
        index_path = f"/public/column/{organ}?nav=1"
        column = f"/public/column/{organ}?type=4&catId={cat}&action=list&nav=3"
        extra = ",IsAjax:1,dataType:'html',_:new Date().getTime()" if isajax else ""
        script = (
            "<script>function getPage(i){var data={labelName:'publicInfoList',"
            f"siteId:'{site_id}',organId:'{organ}',catId:'{cat}',type:4,pageSize:{per},pageIndex:i,"
            f"action:'list',file:'{file_param}'{extra}}};"
            "var body=Object.keys(data).map(function(k){return k+'='+encodeURIComponent(data[k]);}).join('&');"
            f"var req='{method}'=='GET'?fetch('{LABEL}?'+body,{{headers:{{'X-Requested-With':'XMLHttpRequest'}}}}):"
            f"fetch('{LABEL}',{{method:'POST',headers:{{'Content-Type':'application/x-www-form-urlencoded; charset=UTF-8','X-Requested-With':'XMLHttpRequest'}},body:body}});"
            "req.then(function(r){return r.text();}).then(function(h){document.getElementById('publicInfoList').innerHTML=h;});}"
            "getPage(1);</script>"
        )
        kit.pages[host][column] = kit.html_resource(
            kit.document(
                "政府信息公开年报",
                f'<div class="xxgk-main"><h3>{escape(agency.name)} 政府信息公开年报</h3><div id="publicInfoList"></div></div>{script}',
                column="政府信息公开年报",
            )
        )
        cats = [
            ("机构信息", f"/public/column/{organ}?type=4&catId={int(cat) + 1}&action=list&nav=3"),
            ("政策文件", f"/public/column/{organ}?type=4&catId={int(cat) + 2}&action=list&nav=3"),
            ("政府信息公开年报", column),
        ]
        kit.pages[host][index_path] = kit.html_resource(
            kit.document(
                agency.name + "信息公开",
                "<ul class='catalog'>"
                + "".join(f'<li><a href="{escape(h)}">{t}</a></li>' for t, h in cats)
                + "</ul>",
                column="政府信息公开",
            )
        )
        organ_links.append((agency.name, index_path))
    directory = "/xxgk/index.html" if host == "main" else "/index.html"
    kit.pages[host][directory] = kit.html_resource(
        kit.document(
            "政府信息公开",
            "<div class='organs'><ul>"
            + "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in organ_links)
            + "</ul></div>",
            column="政府信息公开",
        )
    )
    if host != "main":
        kit.pages[host]["/"] = kit.pages[host][directory]
        kit.add_raw("/robots.txt", b"User-agent: *\nDisallow: /admin/\n", "text/plain", host=host)

    news_first, _ = news_section(kit, fillers(kit, 10, 25), "/xwzx/")
    side_links = decoy_columns(kit, side, "/zwgk/", "/zwgk/index.html")
    nav_pages = [
        NavPage("/index.html", tree.owner.name, [("新闻中心", news_first)]),
        NavPage("/zwgk/index.html", "政务公开", side_links),
    ]
    target = kit.url(directory, host) if host != "main" else directory
    if host != "main":
        kit.force("column_link", "href")
        link = column_link(kit, directory, "/zwgk/index.html", "政府信息公开", "", "")
        link.html = f'<li><a href="{escape(target)}">政府信息公开</a></li>'
        link.reveals = [escape(target)]
    else:
        link = column_link(kit, directory, "/zwgk/index.html", "政府信息公开", "", "")
    start = nav_chain(kit, nav_pages, link, directory)
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]
    if kit.knob("start") == "column":
        kit.start_path = directory
        start_url = kit.url(directory, host)
    else:
        kit.start_path = start
        start_url = kit.url(start)
    kit.step(StepKind.NAV, directory, host=host, reveals=[escape(h) for _t, h in organ_links])
    for _agency, organ, cat in organs:
        items = lists[(organ, cat)]
        if not any(e.kind == "report" for e in items):
            continue
        column = f"/public/column/{organ}?type=4&catId={cat}&action=list&nav=3"
        kit.step(StepKind.NAV, f"/public/column/{organ}?nav=1", host=host, reveals=[escape(column)])
        kit.step(
            StepKind.SHELL,
            column,
            host=host,
            reveals=[LABEL, f"organId:'{organ}'", f"catId:'{cat}'", f"siteId:'{site_id}'"],
        )
        pages = -(-len(items) // per)
        for index in range(1, pages + 1):
            chunk = items[(index - 1) * per : index * per]
            params = params_of(organ, cat, index)
            reveals = [e.href for e in chunk if e.kind == "report"]
            headers = (("Referer", kit.url(column, host)), ("X-Requested-With", "XMLHttpRequest"))
            if method == "GET":
                kit.step(
                    StepKind.API,
                    f"{LABEL}?{urlencode(params)}",
                    host=host,
                    headers=headers,
                    reveals=reveals,
                )
            else:
                kit.step(
                    StepKind.API,
                    LABEL,
                    host=host,
                    method="POST",
                    body=urlencode(params).encode(),
                    headers=(
                        *headers,
                        ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),
                    ),
                    reveals=reveals,
                )
    return BuiltSite(kit, tree, [start_url], registry_hosts=["xxgk"])


def _decoy_on(kit: SiteKit, d: DecoyPlan, page: str, host: str) -> None:
    if host == "main":
        kit.publish_decoy(d, page, column="政府信息公开年报")
        return
    from sampleweb.variants.model import Decoy

    kit.pages[host][page] = kit.html_resource(kit.article(d, d.body, [], column="政府信息公开年报"))
    kit.decoys.append(Decoy(kit.id, d.kind, d.title, kit.url(page, host)))
