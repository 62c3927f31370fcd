"""TRS search back-ends as the real list behind a shell page (guide §1.3).

The static column page (`…/index.shtml`) holds an empty list box and a script that asks a
search back-end: govsearch JSONP (`/govsearch/jsonp/zf_jd_list.jsp?page=&callback=result&channelId=`),
govsearch HTML (`/govsearch/search.jsp?SType=1&page=`), 海云 IGS JSON
(`/igs/front/search/list.html?index=&type=governmentdocuments&pageNumber=&pageSize=&siteId=&filter[CHANNELID]=`)
or WAS5 (`/was5/web/search?channelid=&templet=docs.jsp&sortfield=-pubdate&prepage=&page=`).
Every back-end also takes any search word (`searchword=` …): an unbounded URL space.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote, urlencode

from sampleweb.model import Request, Resource
from sampleweb.variants.content import plan_reports
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
from sampleweb.variants.names import NamePool, county_tree, department_tree

KNOBS: dict[str, tuple[str, ...]] = {
    "backend": ("govsearch-jsonp", "govsearch-html", "igs", "was5"),
    "script": ("inline", "external"),
    "owner": ("county", "department"),
    "placement": ("dedicated", "mixed"),
}


class Backend:
    def __init__(self, kit: SiteKit, entries: list[Entry], size: int) -> None:
        self.kit = kit
        self.kind = kit.knob("backend")
        self.entries = entries
        self.size = size
        self.channel = str(kit.rng.randint(100000, 999999))
        self.index_alias = f"{kit.id}-xxgk-index"
        self.pages = max(1, -(-len(entries) // size))

    @property
    def path(self) -> str:
        return {
            "govsearch-jsonp": "/govsearch/jsonp/zf_jd_list.jsp",
            "govsearch-html": "/govsearch/search.jsp",
            "igs": "/igs/front/search/list.html",
            "was5": "/was5/web/search",
        }[self.kind]

    def query(self, page: int) -> dict[str, str]:
        if self.kind == "govsearch-jsonp":
            return {
                "page": str(page),
                "lb": "",
                "callback": "result",
                "sword": "",
                "searchColumn": "all",
                "SType": "1",
                "channelId": self.channel,
            }
        if self.kind == "govsearch-html":
            return {"SType": "1", "page": str(page), "channelid": self.channel}
        if self.kind == "igs":
            return {
                "index": self.index_alias,
                "type": "governmentdocuments",
                "pageNumber": str(page),
                "pageSize": str(self.size),
                "siteId": "2",
                "filter[CHANNELID]": self.channel,
                "orderProperty": "PUBDATE",
                "orderDirection": "desc",
            }
        return {
            "channelid": self.channel,
            "templet": "docs.jsp",
            "sortfield": "-pubdate",
            "prepage": str(self.size),
            "page": str(page),
        }

    def url(self, page: int) -> str:
        return f"{self.path}?{urlencode(self.query(page), safe='[]')}"

    def page_param(self) -> str:
        return "pageNumber" if self.kind == "igs" else "page"

    def script(self) -> str:
        """The list script of the shell page (it builds the first URL and the pager)."""
        q = self.query(1)
        q.pop(self.page_param())
        fixed = urlencode(q, safe="[]")
        if self.kind == "govsearch-jsonp":
            return (
                "function result(d){var h='<ul>';for(var i=0;i<d.data.length;i++){h+='<li><a href=\"'+d.data[i].url+'\">'+d.data[i].title+'</a><span>'+d.data[i].pubDate+'</span></li>';}"
                "document.getElementById('list').innerHTML=h+'</ul>';var p='';for(var k=1;k<=d.pageCount;k++){p+='<a href=\"javascript:load('+k+')\">'+k+'</a> ';}document.getElementById('pager').innerHTML=p;}"
                f"function load(n){{var s=document.createElement('script');s.src='{self.path}?{fixed}&page='+n;document.body.appendChild(s);}}load(1);"
            )
        if self.kind == "igs":
            return (
                f"function load(n){{fetch('{self.path}?{fixed}&pageNumber='+n).then(function(r){{return r.json();}}).then(function(d){{"
                "var h='<ul>';d.page.content.forEach(function(x){h+='<li><a href=\"'+x.DOCPUBURL+'\">'+x.DOCTITLE+'</a><span>'+x.PUBDATE+'</span></li>';});"
                "document.getElementById('list').innerHTML=h+'</ul>';var p='';for(var k=1;k<=d.page.totalPages;k++){p+='<a href=\"javascript:load('+k+')\">'+k+'</a> ';}document.getElementById('pager').innerHTML=p;});}load(1);"
            )
        return f"function load(n){{fetch('{self.path}?{fixed}&page='+n).then(function(r){{return r.text();}}).then(function(t){{document.getElementById('list').innerHTML=t;}});}}load(1);"

    def script_reveals(self) -> list[str]:
        return [self.path, self.channel]

    def answer(self, page: int, word: str) -> Resource:
        kit = self.kit
        items = [e for e in self.entries if not word or any(ch in e.title for ch in word)]
        pages = max(1, -(-len(items) // self.size))
        chunk = items[(page - 1) * self.size : page * self.size]
        if self.kind == "govsearch-jsonp":
            data = {
                "total": len(items),
                "pageCount": pages,
                "data": [
                    {"title": e.title, "url": kit.url(e.href), "pubDate": e.date} for e in chunk
                ],
            }
            return Resource(
                f"result({json.dumps(data, ensure_ascii=False)});".encode(),
                "text/javascript;charset=utf-8",
                conditional=False,
            )
        if self.kind == "igs":
            data = {
                "page": {
                    "content": [
                        {
                            "DOCTITLE": e.title,
                            "DOCPUBURL": kit.url(e.href),
                            "PUBDATE": e.date,
                            "CHANNELID": self.channel,
                        }
                        for e in chunk
                    ],
                    "totalPages": pages,
                    "totalElements": len(items),
                    "number": page,
                    "size": self.size,
                }
            }
            return Resource(
                json.dumps(data, ensure_ascii=False).encode(),
                "application/json;charset=UTF-8",
                conditional=False,
            )
        rows = "".join(
            f'<li><a href="{escape(kit.url(e.href))}" target="_blank">{escape(e.title)}</a><span>{e.date}</span></li>'
            for e in chunk
        )
        pager = ""
        if self.kind == "govsearch-html" and page < pages:
            pager = f'<a href="{escape(self.url(page + 1))}">下一页</a>'
        elif self.kind == "was5":
            pager = f"<span>共{len(items)}条 共{pages}页</span>"
        html = f"<ul class='list'>{rows}</ul><div class='pager'>{pager}</div>"
        if self.kind == "govsearch-html":
            return kit.html_resource(kit.document("信息公开", html, nav=False))
        return Resource(
            html.encode(kit.codec, "xmlcharrefreplace"),
            f"text/html;charset={kit.codec}",
            conditional=False,
        )

    def handler(self) -> DynamicHandler:
        def handle(request: Request) -> Resource | None:
            if request.path != self.path:
                return None
            q = request.query
            channel = q.get("channelId") or q.get("channelid") or q.get("filter[CHANNELID]")
            word = q.get("searchword") or q.get("sword") or q.get("q") or ""
            if channel != self.channel and not word:
                return self.answer(1, "\x00")
            try:
                page = max(1, int(q.get(self.page_param(), "1")))
            except ValueError:
                page = 1
            return self.answer(page, word)

        return handle


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "TRS WCM"
    rng = kit.rng
    if kit.knob("owner") == "county":
        tree = county_tree(
            pool, kit.id, rng, n_departments=rng.randint(1, 3), n_townships=rng.randint(0, 3)
        )
        n = rng.randint(3, 15)
    else:
        tree = department_tree(pool, kit.id, rng)
        n = rng.randint(1, 8)
    kit.tree = tree
    kit.site_name = tree.owner.name
    kit.force("links", "root")
    plans = plan_reports(
        rng,
        tree,
        n,
        formats=("html", "html+pdf", "stub+pdf", "stub+doc", "pdf"),
        bare_titles=kit.knob("owner") == "department",
    )
    col = rng.choice(("/zwgk/zfxxgknb/", "/xxgk/gknb/", "/zfxxgk/ndbg/"))
    column_name = rng.choice(COLUMN_NAMES)
    kit.nav = [
        ("首页", "/index.shtml"),
        ("政务公开", "/zwgk/index.shtml"),
        ("新闻中心", "/xwzx/index.html"),
    ]
    kit.robots(None)
    inside, side = split_decoys(kit, tree, (2014, 2025))
    entries: list[Entry] = []
    for plan in plans:
        day = plan.published.replace("-", "")
        art_dir = f"{col}{day[:6]}/"
        page = f"{art_dir}t{day}_{rng.randint(10000, 99999)}.shtml" if plan.page else None
        locs = [
            FileLoc(
                f"./P0{day}{rng.randint(10**5, 10**6 - 1)}{j}.{f.fmt}"
                if plan.page
                else f"{art_dir}P0{day}{rng.randint(10**5, 10**6 - 1)}{j}.{f.fmt}",
                "",
                label=f.display,
            )
            for j, f in enumerate(plan.files)
        ]
        for loc in locs:
            loc.path = art_dir + loc.href[2:] if loc.href.startswith("./") else loc.href
        kit.publish(plan, page, locs, column=column_name)
        entries.append(Entry(plan.title, plan.published, page or locs[0].path, "report", plan.key))
    for d in inside:
        page = f"{col}{d.published[:7].replace('-', '')}/t{d.published.replace('-', '')}_{rng.randint(10000, 99999)}.shtml"
        kit.publish_decoy(d, page, column=column_name)
        entries.append(Entry(d.title, d.published, page, "decoy", d.key))
    if kit.knob("placement") == "mixed":
        for f in fillers(kit, 10, 40):
            page = f"{col}{f.published[:7].replace('-', '')}/t{f.published.replace('-', '')}_{rng.randint(10000, 99999)}.shtml"
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
    backend = Backend(kit, ordered, rng.randint(8, 15))
    kit.dynamic["main"].append(backend.handler())
    external = kit.knob("script") == "external"
    script_path = f"/js/list_{backend.channel}.js"
    tag = (
        f'<script src="{script_path}"></script>'
        if external
        else f"<script>{backend.script()}</script>"
    )
    if external:
        kit.add_raw(script_path, backend.script().encode(), "application/javascript")
    shell = col + "index.shtml"
    kit.add_page(
        shell,
        kit.document(
            column_name,
            f'<div class="column"><h2>{escape(column_name)}</h2><div id="list"></div><div id="pager"></div>{tag}</div>',
            column=column_name,
        ),
    )
    kit.trap(TrapKind.SEARCH, f"{backend.path}?searchword={quote('报告')}&page=3")
    news_first, _ = news_section(kit, fillers(kit, 8, 25), "/xwzx/")
    side_links = decoy_columns(kit, side, "/zwgk/", "/zwgk/index.shtml")
    nav_pages = [
        NavPage("/index.shtml", tree.owner.name, [("新闻中心", news_first)]),
        NavPage("/zwgk/index.shtml", "政务公开", side_links),
    ]
    link = column_link(kit, shell, "/zwgk/index.shtml", column_name, "", "")
    kit.start_path = nav_chain(kit, nav_pages, link, shell)
    kit.pages["main"]["/"] = kit.pages["main"]["/index.shtml"]
    kit.step(StepKind.SHELL, shell, reveals=[script_path] if external else backend.script_reveals())
    if external:
        kit.step(
            StepKind.SCRIPT,
            script_path,
            media="application/javascript",
            encoding="utf-8",
            reveals=backend.script_reveals(),
        )
    media = {"govsearch-jsonp": "text/javascript", "igs": "application/json"}.get(
        backend.kind, "text/html"
    )
    encoding = "utf-8" if backend.kind in ("govsearch-jsonp", "igs") else "page"
    for number in range(1, backend.pages + 1):
        chunk = ordered[(number - 1) * backend.size : number * backend.size]
        reveals = [
            kit.url(e.href)
            if backend.kind in ("govsearch-jsonp", "igs")
            else escape(kit.url(e.href))
            for e in chunk
            if e.kind == "report"
        ]
        kit.step(StepKind.API, backend.url(number), media=media, encoding=encoding, reveals=reveals)
    return BuiltSite(kit, tree, [kit.url(kit.start_path)])
