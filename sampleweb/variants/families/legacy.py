"""2010s ASP/JSP county sites (guide §1.5, §3).

Server-rendered lists paged by a query parameter (`cur_page`, `curPage`, `pageIndex`, `p`,
`page`, or `offset` counted in records), with numbered links, only 下一页/尾页, or only a
jump form; `;jsessionid=` in every link on some; an Epoint-like `iList.jsp?node_id=&cat_id=&cur_page=`
with `ewb-` markup and old items pinned on top; Struts `openInfo.action?depCode=&menuCat=`
per department. Past the last page they answer an empty list, repeat the last page
(clamping), 404, or a 500 error page.
"""

from __future__ import annotations

from html import escape

from sampleweb.model import Request, Resource
from sampleweb.variants.content import DecoyPlan, ReportPlan, plan_reports
from sampleweb.variants.families.common import (
    COLUMN_NAMES,
    NavPage,
    column_link,
    decoy_columns,
    fillers,
    merge_entries,
    nav_chain,
    news_section,
    split_decoys,
)
from sampleweb.variants.kit import BuiltSite, DynamicHandler, Entry, FileLoc, SiteKit
from sampleweb.variants.model import StepKind, TrapKind
from sampleweb.variants.names import Agency, NamePool, county_tree

KNOBS: dict[str, tuple[str, ...]] = {
    "platform": ("jsp", "asp", "epoint", "struts"),
    "page_param": ("cur_page", "curPage", "pageIndex", "p", "page", "offset"),
    "pager_links": ("numbered", "next-last", "jump-form"),
    "beyond_last": ("empty", "clamp", "404", "error500"),
    "session_ids": ("none", "jsessionid"),
    "pinned": ("none", "old-on-top"),
}

JSESSION = ";jsessionid=8A1C0E7F3B2D4A5E9F60718293A4B5C6"


class Listing:
    """One server-rendered list with query-string pages."""

    def __init__(
        self, kit: SiteKit, path: str, base_query: str, name: str, entries: list[Entry], per: int
    ) -> None:
        self.kit = kit
        self.path = path
        self.base_query = base_query
        self.name = name
        self.entries = entries
        self.per = per
        self.param = kit.knob("page_param")
        self.pages = max(1, -(-len(entries) // per))

    def value(self, page: int) -> int:
        return (page - 1) * self.per if self.param == "offset" else page

    def page_of(self, raw: str) -> int:
        n = int(raw)
        return n // self.per + 1 if self.param == "offset" else n

    def url(self, page: int) -> str:
        return f"{self.path}?{self.base_query}&{self.param}={self.value(page)}"

    def first(self) -> str:
        return f"{self.path}?{self.base_query}"

    def link(self, target: str) -> str:
        if self.kit.knob("session_ids") == "jsessionid":
            head, sep, query = target.partition("?")
            return head + JSESSION + sep + query
        return target

    def html(self, page: int) -> str:
        kit = self.kit
        chunk = self.entries[(page - 1) * self.per : page * self.per]
        epoint = kit.knob("platform") == "epoint"
        rows = "".join(
            (
                f'<li class="ewb-list-node clearfix"><a href="{escape(self.link(e.href))}" title="{escape(e.title)}" class="ewb-list-name">{escape(kit.list_text(e.title)[0])}</a><span class="ewb-list-date">{e.date}</span></li>'
                if epoint
                else f'<tr><td><a href="{escape(self.link(e.href))}" target="_blank">{escape(kit.list_text(e.title)[0])}</a></td><td>{e.date}</td></tr>'
            )
            for e in chunk
        )
        rows = (
            f'<ul class="ewb-list">{rows}</ul>' if epoint else f'<table class="list">{rows}</table>'
        )
        style = kit.knob("pager_links")
        pager = f"<span>共{len(self.entries)}条记录 共{self.pages}页 当前第{page}页</span> "
        if style == "numbered":
            pager += " ".join(
                f'<a href="{escape(self.link(self.url(p)))}">{p}</a>'
                for p in range(1, self.pages + 1)
                if p != page
            )
        elif style == "next-last":
            if page < self.pages:
                pager += f'<a href="{escape(self.link(self.url(page + 1)))}">下一页</a> '
                pager += f'<a href="{escape(self.link(self.url(self.pages)))}">尾页</a>'
        else:
            hidden = "".join(
                f'<input type="hidden" name="{k}" value="{escape(v)}">'
                for k, _, v in (kv.partition("=") for kv in self.base_query.split("&"))
            )
            shown = "1" if self.param != "offset" else "0"
            pager += (
                f'<form action="{self.path}" method="get">{hidden}'
                f'<input type="text" name="{self.param}" value="{shown}" size="3"><input type="submit" value="跳转"></form>'
            )
        return kit.document(
            self.name,
            f'<div class="{"ewb-info" if epoint else "list"}"><h2>{escape(self.name)}</h2>{rows}<div class="pager">{pager}</div></div>',
            column=self.name,
        )

    def reveals(self, page: int) -> list[str]:
        chunk = self.entries[(page - 1) * self.per : page * self.per]
        out = [escape(self.link(e.href)) for e in chunk if e.kind == "report"]
        if page < self.pages:
            style = self.kit.knob("pager_links")
            if style == "jump-form":
                out += [f'name="{self.param}"', f"共{self.pages}页"]
            elif style == "numbered":
                out.append(escape(self.link(self.url(page + 1))))
            else:
                out.append(escape(self.link(self.url(page + 1))))
        return out

    def handler(self) -> DynamicHandler:
        kit = self.kit
        beyond = kit.knob("beyond_last")
        wanted = dict(kv.partition("=")[::2] for kv in self.base_query.split("&"))

        def handle(request: Request) -> Resource | None:
            if request.path != self.path or any(
                request.query.get(k) != v for k, v in wanted.items()
            ):
                return None
            raw = request.query.get(self.param, "")
            try:
                page = self.page_of(raw) if raw else 1
            except ValueError:
                page = 1
            if page < 1:
                page = 1
            if page > self.pages:
                if beyond == "clamp":
                    page = self.pages
                elif beyond == "404":
                    return Resource(b"<h1>404</h1>", "text/html", status=404, conditional=False)
                elif beyond == "error500":
                    return Resource(
                        b"<html><body><h1>HTTP Status 500 - java.lang.IndexOutOfBoundsException</h1></body></html>",
                        "text/html;charset=utf-8",
                        status=500,
                        conditional=False,
                    )
            res = kit.html_resource(self.html(page))
            res.conditional = False
            return res

        return handle


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    rng = kit.rng
    platform = kit.knob("platform")
    kit.server_name = {
        "asp": "Microsoft-IIS/6.0",
        "jsp": "Apache-Coyote/1.1",
        "epoint": "Apache-Coyote/1.1",
        "struts": "Apache-Coyote/1.1",
    }[platform]
    if platform == "asp":
        kit.knob("encoding", ("gbk/both", "gbk/meta", "gbk/header", "utf-8/both"))
    kit.knob("validators", ("none", "none", "last-modified", "both"))
    tree = county_tree(
        pool, kit.id, rng, n_departments=rng.randint(1, 4), n_townships=rng.randint(0, 3)
    )
    kit.tree = tree
    kit.site_name = tree.owner.name
    years = (2014, 2025)
    struts = platform == "struts"
    plans = plan_reports(
        rng,
        tree,
        rng.randint(2, 13),
        formats=("html", "html+doc", "stub+pdf", "stub+docx", "pdf", "doc"),
        cover_all=struts,
    )
    column_name = rng.choice(COLUMN_NAMES)
    ext = {"asp": "asp", "jsp": "jsp", "epoint": "jsp", "struts": "action"}[platform]
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", f"/zwgk/index.{ext if ext != 'action' else 'jsp'}"),
        ("新闻中心", "/news/index.html"),
    ]
    kit.robots(None)
    inside, side = split_decoys(kit, tree, years)
    xxgk = kit.nav[1][1]

    def detail(key: int) -> str:
        n = kit.number(10000, 99999, key)
        return {
            "asp": f"/show.asp?id={n}",
            "jsp": f"/content.jsp?id={n}",
            "epoint": f"/info/iInfo.jsp?node_id=GK{kit.id[-2:]}&cat_id=15971&info_id={n}",
            "struts": f"/openInfoDetail.action?id={n}",
        }[platform]

    def publish(plans_: list[ReportPlan]) -> list[Entry]:
        out: list[Entry] = []
        for plan in plans_:
            plan.page = plan.page or not plan.files
            page = detail(plan.key) if plan.page else None
            locs = []
            for j, f in enumerate(plan.files):
                path = f"/uploadfile/{plan.published[:4]}/{plan.published[5:7]}{plan.published[8:]}/{rng.randint(10**9, 10**10)}{j}.{f.fmt}"
                locs.append(FileLoc(path, path, label=f.display))
            aliases: dict[str, tuple[str, ...]] | None = (
                {page: (kit.url(page.split("?")[0] + JSESSION + "?" + page.split("?")[1]),)}
                if page and kit.knob("session_ids") == "jsessionid"
                else None
            )
            kit.publish(
                plan, page, locs, column=column_name, info_table=platform != "asp", aliases=aliases
            )
            out.append(Entry(plan.title, plan.published, page or locs[0].href, "report", plan.key))
        return out

    def others(
        entries: list[Entry], n_fill: tuple[int, int], decoys: list[DecoyPlan]
    ) -> list[Entry]:
        for d in decoys:
            page = detail(d.key)
            kit.publish_decoy(d, page, column=column_name)
            entries.append(Entry(d.title, d.published, page, "decoy", d.key))
        for f in fillers(kit, *n_fill):
            page = detail(f.key + 1000)
            kit.add_page(
                page,
                kit.document(
                    f.title,
                    f"<div class='article'><h2>{escape(f.title)}</h2>{kit.container}<p>{escape(f.title)}。</p></div></div>",
                ),
                modified=f.published,
            )
            entries.append(Entry(f.title, f.published, page, "filler", f.key))
        ordered = merge_entries(
            [e for e in entries if e.kind == "report"], [e for e in entries if e.kind != "report"]
        )
        if kit.knob("pinned") == "old-on-top" and len(ordered) > 3:
            ordered = ordered[-2:] + ordered[:-2]  # the oldest items pinned above the rest
        return ordered

    listings: list[tuple[Listing, Agency | None]] = []
    if struts:
        for agency in [tree.owner, *tree.departments, *tree.townships]:
            mine = [
                p
                for p in plans
                if p.agency is agency or (agency is tree.owner and p.agency in tree.others)
            ]
            entries = others(publish(mine), (0, 12), inside if agency is tree.owner else [])
            code = f"{rng.randint(100000000, 999999999):09d}"
            listings.append(
                (
                    Listing(
                        kit,
                        "/openInfo.action",
                        f"depCode={code}&menuCat=219",
                        f"{agency.name} 政府信息公开年度报告",
                        entries,
                        rng.randint(8, 15),
                    ),
                    agency,
                )
            )
    else:
        entries = others(publish(plans), (15, 70), inside)
        per = rng.randint(8, 20)
        if platform == "epoint":
            lst = Listing(
                kit,
                "/info/iList.jsp",
                f"node_id=GK{kit.id[-2:]}&cat_id={rng.randint(15000, 16000)}",
                column_name,
                entries,
                per,
            )
        elif platform == "asp":
            lst = Listing(
                kit, "/list.asp", f"classid={rng.randint(10, 99)}", column_name, entries, per
            )
        else:
            lst = Listing(
                kit, "/list.jsp", f"catid={rng.randint(10, 99)}", column_name, entries, per
            )
        listings.append((lst, None))
    for lst, _a in listings:
        kit.dynamic["main"].append(lst.handler())
    news_first, _ = news_section(kit, fillers(kit, 8, 25), "/news/")
    side_links = decoy_columns(kit, side, "/zwgk/", xxgk)
    nav_pages = [
        NavPage("/index.html", tree.owner.name, [("新闻中心", news_first)]),
        NavPage(xxgk, "政务公开", side_links),
    ]
    main_list = listings[0][0]
    if struts:
        index = "/openInfo/deptList.action"
        kit.add_page(
            index,
            kit.document(
                "政府信息公开",
                "<ul>"
                + "".join(
                    f'<li><a href="{escape(main_list.link(lst.first()))}">{escape(a.name if a else "")}</a></li>'
                    for lst, a in listings
                )
                + "</ul>",
                column="政府信息公开",
            ),
        )
        nav_pages[-1].links.append(("部门信息公开", index))
        link = column_link(kit, main_list.first(), xxgk, "政府信息公开年度报告", "", "")
    else:
        link = column_link(kit, main_list.first(), xxgk, column_name, "", "")
    kit.start_path = nav_chain(kit, nav_pages, link, main_list.first())
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]
    if struts:
        if kit.knob("start") == "column":
            kit.step(StepKind.NAV, xxgk, reveals=[index])
        kit.step(
            StepKind.NAV,
            index,
            reveals=[escape(main_list.link(lst.first())) for lst, _a in listings[1:]],
        )
    for lst, _a in listings:
        if not any(e.kind == "report" for e in lst.entries):
            continue
        for page in range(1, lst.pages + 1):
            path = lst.first() if page == 1 else lst.url(page)
            kit.step(StepKind.LISTING, path, reveals=lst.reveals(page))
    trap_kind = {"clamp": TrapKind.CLAMPED_PAGES, "empty": TrapKind.ENDLESS_EMPTY}.get(
        kit.knob("beyond_last")
    )
    if trap_kind is not None:
        kit.trap(trap_kind, main_list.url(main_list.pages + 3), "pages past the end answer 200")
    if kit.knob("session_ids") == "jsessionid":
        kit.trap(
            TrapKind.SESSION_ID,
            main_list.link(main_list.first()),
            "every link carries ;jsessionid=",
        )
    return BuiltSite(kit, tree, [kit.url(kit.start_path)])
