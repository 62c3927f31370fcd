"""A county site hosting its townships' and departments' reports (guide §2.1, §2.2).

政务公开 → 政府信息公开 → 法定主动公开内容 → 政府信息公开年报 → a sub-column per year, named
inconsistently (`nb_2022n`, `gknb2017`, `2022nb`, `2022n`, `2022{random}`, opaque numbers;
on some sites one directory is named for the year before the reports it holds, like
通州's `2024n78` holding 2025), with township (`xzjd`) and department (`bm`) sub-columns.
Year links may be JavaScript calls (`javascript:getMainData('…')`); the year lists may be
SPA shells (`<div id="app">`) filled from a JSON API whose URL is in an inline or an
external script.
"""

from __future__ import annotations

import json
from html import escape

from sampleweb.model import Request, Resource
from sampleweb.variants.content import ReportPlan, _one_report
from sampleweb.variants.families.common import (
    COLUMN_NAMES,
    NavPage,
    column_link,
    decoy_columns,
    fillers,
    nav_chain,
    news_section,
    split_decoys,
)
from sampleweb.variants.kit import BuiltSite, Entry, FileLoc, SiteKit, hexname
from sampleweb.variants.model import StepKind
from sampleweb.variants.names import NamePool, county_tree

KNOBS: dict[str, tuple[str, ...]] = {
    "column_slug": ("zfxxgknb", "xxgknb", "gknb", "ndbg", "nb"),
    "year_naming": ("nb_Yn", "gknbY", "Ynb", "Yn", "Y-rand", "opaque"),
    "year_offset": ("exact", "off-by-one"),
    "sub_columns": ("none", "xzjd", "xzjd+bm"),
    "year_links": ("href", "js-getMainData"),
    "lists": ("server", "spa-inline", "spa-external"),
    "township_titles": ("plain", "underscore"),
}


def year_slug(kit: SiteKit, year: int, shown_year: int) -> str:
    style = kit.knob("year_naming")
    y = shown_year
    return {
        "nb_Yn": f"nb_{y}n",
        "gknbY": f"gknb{y}",
        "Ynb": f"{y}nb",
        "Yn": f"{y}n",
        "Y-rand": f"{y}{kit.rng.randint(10, 99)}",
        "opaque": f"c100{kit.rng.randint(2000, 2999)}",
    }[style]


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    rng = kit.rng
    tree = county_tree(
        pool, kit.id, rng, n_departments=rng.randint(2, 5), n_townships=rng.randint(3, 7)
    )
    kit.tree = tree
    kit.site_name = tree.owner.name
    sub = kit.knob("sub_columns")
    n_years = rng.randint(1, 3)
    years = sorted(rng.sample(range(2016, 2026), n_years))
    # which agencies report in which year: the county always, then some others, ≤ 15 in all
    budget = rng.randint(max(n_years, 4), 15)
    others = tree.townships + tree.departments
    plans: list[ReportPlan] = []
    for y in years:
        plans.append(_one_report(rng, tree.owner, y, ("html", "html+pdf", "stub+pdf"), False, tree))
    while len(plans) < budget and others:
        agency = rng.choice(others)
        y = rng.choice(years)
        if any(p.agency is agency and p.year == y for p in plans):
            if len(plans) >= len(years) * (len(others) + 1):
                break
            continue
        plan = _one_report(
            rng,
            agency,
            y,
            ("html", "html+pdf", "stub+pdf", "stub+docx", "pdf", "html+doc"),
            False,
            tree,
        )
        if agency.level == "township" and kit.knob("township_titles") == "underscore":
            plan.title = f"{agency.short}_{y}年_政府信息公开工作年度报告"
            plan.named = agency.short
        plans.append(plan)
    for i, p in enumerate(plans):
        p.key = i + 1

    slug = kit.knob("column_slug")
    xxgk = "/zwgk/zfxxgk/"
    fd = f"{xxgk}fdzdgknr/"
    col = f"{fd}{slug}/"
    column_name = rng.choice(COLUMN_NAMES)
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", "/zwgk/index.html"),
        ("新闻中心", "/xwdt/index.html"),
    ]
    kit.robots(None)
    inside, side = split_decoys(kit, tree, (2016, 2025))
    offset = kit.knob("year_offset") == "off-by-one"
    lists_mode = kit.knob("lists")
    spa = lists_mode != "server"
    api = f"/api/zfxxgk/{rng.choice(('list', 'getList', 'column/articles'))}"
    app_js = f"/static/js/nb.{hexname(kit.id, 'app', n=8)}.js"

    # --- the year sub-columns and their township/department sub-columns
    year_cols: list[tuple[int, str, str]] = []  # (year, path, link text)
    for i, y in enumerate(years):
        shown = y - 1 if offset and i == len(years) - 1 else y
        path = f"{col}{year_slug(kit, y, shown)}/"
        if any(path == other for _y, other, _t in year_cols):
            # the year before has a column of its own: the newest keeps its own name (two
            # years' lists at one address would leave one of them unreachable)
            path = f"{col}{year_slug(kit, y, y)}/"
        text = rng.choice((f"{y}年", f"{y}年度", f"{y}年度报告", str(y)))
        year_cols.append((y, path, text))
    lists: dict[str, tuple[str, list[Entry], int]] = {}  # path -> (name, entries, column id)
    for y, path, _text in year_cols:
        mine = [p for p in plans if p.year == y]
        groups: list[tuple[str, str, list[ReportPlan]]] = []
        if sub == "none":
            groups.append((path, f"{y}年{column_name}", mine))
        else:
            towns = [p for p in mine if p.agency.level == "township"]
            depts = [p for p in mine if p.agency.kind == "department"]
            own = [p for p in mine if p not in towns and (sub == "xzjd" or p not in depts)]
            groups.append((path, f"{y}年{column_name}", own))
            groups.append((f"{path}xzjd/", f"{y}年乡镇（街道）", towns))
            if sub == "xzjd+bm":
                groups.append((f"{path}bm/", f"{y}年部门", depts))
        for gpath, gname, gplans in groups:
            entries: list[Entry] = []
            for plan in gplans:
                plan.page = plan.page or not plan.files
                day = plan.published.replace("-", "")
                page = (
                    f"{gpath}{day[:6]}/t{day}_{rng.randint(100000, 999999)}.html"
                    if plan.page
                    else None
                )
                locs = []
                for j, f in enumerate(plan.files):
                    fp = f"{gpath}{day[:6]}/P0{day}{rng.randint(10**5, 10**6 - 1)}{j}.{f.fmt}"
                    locs.append(FileLoc(fp, fp, label=f.display))
                kit.publish(plan, page, locs, column=gname)
                entries.append(
                    Entry(plan.title, plan.published, page or locs[0].href, "report", plan.key)
                )
            entries.sort(key=lambda e: e.date, reverse=True)
            lists[gpath] = (gname, entries, rng.randint(10000, 99999))
    # look-alikes inside the column: on the newest year's list
    newest = year_cols[-1][1]
    for d in inside:
        page = f"{newest}{d.published[:7].replace('-', '')}/t{d.published.replace('-', '')}_{d.key}.html"
        kit.publish_decoy(d, page, column=column_name)
        lists[newest][1].append(Entry(d.title, d.published, page, "decoy", d.key))

    def sub_links(path: str) -> list[tuple[str, str]]:
        out = []
        if f"{path}xzjd/" in lists:
            out.append(("乡镇（街道）", f"{path}xzjd/"))
        if f"{path}bm/" in lists:
            out.append(("部门", f"{path}bm/"))
        return out

    def list_body(path: str) -> tuple[str, list[str]]:
        name, entries, cid = lists[path]
        subs = sub_links(path)
        sub_html = "".join(
            f'<li class="sub"><a href="{escape(kit.href(h + "index.html", path + "index.html"))}">{escape(t)}</a></li>'
            for t, h in subs
        )
        reveals = [escape(kit.href(h + "index.html", path + "index.html")) for _t, h in subs]
        if spa:
            call = f"{api}?columnId={cid}&pageNo=1&pageSize=20"
            script = (
                "function load(){fetch(API+'?columnId='+document.getElementById('app').getAttribute('data-column')"
                "+'&pageNo=1&pageSize=20').then(function(r){return r.json();}).then(function(d){"
                "document.getElementById('app').innerHTML='<ul>'+d.data.list.map(function(x){return \"<li><a href='\"+x.url+\"'>\"+x.title+'</a><span>'+x.publishDate+'</span></li>';}).join('')+'</ul>';});}"
                "load();"
            )
            js = f"var API='{api}';{script}"
            tag = (
                f"<script>{js}</script>"
                if lists_mode == "spa-inline"
                else f'<script src="{app_js}"></script>'
            )
            body = f'<div class="main"><h2>{escape(name)}</h2><ul class="subcols">{sub_html}</ul><div id="app" data-column="{cid}"></div>{tag}</div>'
            reveals += [f'data-column="{cid}"'] + (
                [f"var API='{api}'"] if lists_mode == "spa-inline" else [app_js]
            )
            del call
            return body, reveals
        items = kit.list_items(
            [Entry(e.title, e.date, kit.href(e.href, path + "index.html"), e.kind) for e in entries]
        )
        reveals += [
            escape(kit.href(e.href, path + "index.html")) for e in entries if e.kind == "report"
        ]
        return (
            f'<div class="main"><h2>{escape(name)}</h2><ul class="subcols">{sub_html}</ul>{items}</div>',
            reveals,
        )

    for path in lists:
        body, _r = list_body(path)
        kit.add_page(path + "index.html", kit.document(lists[path][0], body, column=lists[path][0]))
    if spa:
        kit.add_raw(
            app_js,
            (
                f"var API='{api}';"
                + "(function(){var el=document.getElementById('app');fetch(API+'?columnId='+el.getAttribute('data-column')+'&pageNo=1&pageSize=20').then(function(r){return r.json();}).then(function(d){el.innerHTML='<ul>'+d.data.list.map(function(x){return \"<li><a href='\"+x.url+\"'>\"+x.title+'</a></li>';}).join('')+'</ul>';});})();"
            ).encode(),
            "application/javascript",
        )
        by_id = {cid: entries for _n, entries, cid in lists.values()}

        def handle(request: Request) -> Resource | None:
            if request.path != api:
                return None
            try:
                entries = by_id.get(int(request.query.get("columnId", "0")), [])
                page = int(request.query.get("pageNo", "1"))
                size = int(request.query.get("pageSize", "20"))
            except ValueError:
                return Resource(b'{"code":400}', "application/json", status=400, conditional=False)
            chunk = entries[(page - 1) * size : page * size]
            data = {
                "code": 200,
                "data": {
                    "total": len(entries),
                    "list": [
                        {"title": e.title, "url": e.href, "publishDate": e.date} for e in chunk
                    ],
                },
            }
            return Resource(
                json.dumps(data, ensure_ascii=False).encode(),
                "application/json;charset=UTF-8",
                conditional=False,
            )

        kit.dynamic["main"].append(handle)

    # --- the 年报 column page: links to the years (hrefs or getMainData calls)
    js_years = kit.knob("year_links") == "js-getMainData"
    if js_years:
        items = "".join(
            f"<li><a href=\"javascript:getMainData('{p[len(col) : -1]}')\">{escape(t)}</a></li>"
            for _y, p, t in reversed(year_cols)
        )
        script = f"<script>function getMainData(code){{window.location.href='{col}'+code+'/index.html';}}</script>"
        col_reveals = [f"getMainData('{p[len(col) : -1]}')" for _y, p, _t in year_cols] + [
            f"'{col}'+code+'/index.html'"
        ]
    else:
        items = "".join(
            f'<li><a href="{escape(kit.href(p + "index.html", col + "index.html"))}">{escape(t)}</a></li>'
            for _y, p, t in reversed(year_cols)
        )
        script = ""
        col_reveals = [
            escape(kit.href(p + "index.html", col + "index.html")) for _y, p, _t in year_cols
        ]
    kit.add_page(
        col + "index.html",
        kit.document(
            column_name,
            f'<div class="main"><h2>{escape(column_name)}</h2><ul class="years">{items}</ul>{script}</div>',
            column=column_name,
        ),
    )

    news_first, _ = news_section(kit, fillers(kit, 10, 30), "/xwdt/")
    side_links = decoy_columns(kit, side, xxgk, xxgk + "index.html")
    fd_links = [
        ("政策文件", f"{fd}zcwj/index.html"),
        ("规划计划", f"{fd}ghjh/index.html"),
        ("财政信息", f"{fd}czxx/index.html"),
    ]
    for t, h in fd_links:
        kit.add_page(
            h,
            kit.document(
                t,
                kit.list_items(
                    [
                        Entry(f.title, f.published, "/xwdt/index.html", "filler")
                        for f in fillers(kit, 3, 8)
                    ]
                ),
                column=t,
            ),
        )
    nav_pages = [
        NavPage(
            "/index.html",
            tree.owner.name,
            [("新闻动态", news_first), ("政务服务", "/zwfw/index.html")],
        ),
        NavPage("/zwgk/index.html", "政务公开", [("政策解读", "/zwgk/zcjd/index.html")]),
        NavPage(xxgk + "index.html", "政府信息公开", side_links),
        NavPage(fd + "index.html", "法定主动公开内容", fd_links),
    ]
    link = column_link(kit, col + "index.html", fd + "index.html", column_name, slug, fd)
    kit.start_path = nav_chain(kit, nav_pages, link, col + "index.html")
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]
    kit.step(StepKind.NAV, col + "index.html", reveals=col_reveals)
    script_fetched = False
    for path, (_name, entries, cid) in lists.items():
        if not any(e.kind == "report" for e in entries) and not sub_links(path):
            continue
        _body, reveals = list_body(path)
        kit.step(StepKind.SHELL if spa else StepKind.LISTING, path + "index.html", reveals=reveals)
        if spa and any(e.kind == "report" for e in entries):
            if lists_mode == "spa-external" and not script_fetched:
                kit.step(
                    StepKind.SCRIPT,
                    app_js,
                    media="application/javascript",
                    encoding="utf-8",
                    reveals=[f"var API='{api}'", "columnId="],
                )
                script_fetched = True
            kit.step(
                StepKind.API,
                f"{api}?columnId={cid}&pageNo=1&pageSize=20",
                media="application/json",
                encoding="utf-8",
                reveals=[json.dumps(e.href)[1:-1] for e in entries if e.kind == "report"],
            )
    return BuiltSite(kit, tree, [kit.url(kit.start_path)])
