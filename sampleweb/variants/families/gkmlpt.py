"""Guangdong 政府信息公开目录管理平台 gkmlpt (guide §1.4).

`/gkmlpt/index` is an empty shell holding `window._CONFIG = {SID:…, TREE:[…]}`; the list
comes from `GET /gkmlpt/api/all/{catid}?page=&sid=` (JSON, 100 a page, first page 0 or 1,
`page>=2` 404 on some sites). Departments mount their own platform under a path prefix
(`/{dept}/gkmlpt/…`). Articles `content/{id//1e6}/{id//1000}/post_{id}.html` keep their
body in `window._CONFIG.DETAIL` with `\\u003C`-escaped HTML; when the API gives no `url`
the crawler must build it from the id. A TREE node may `jump_url` off the platform to an
old static column of earlier reports.
"""

from __future__ import annotations

import json
from html import escape

from sampleweb.model import Request, Resource
from sampleweb.render import html_fragment
from sampleweb.variants.content import ReportPlan, plan_reports
from sampleweb.variants.families.common import (
    NavPage,
    column_link,
    decoy_columns,
    fillers,
    nav_chain,
    news_section,
    split_decoys,
)
from sampleweb.variants.kit import BuiltSite, DynamicHandler, Entry, FileLoc, SiteKit, hexname
from sampleweb.variants.model import StepKind
from sampleweb.variants.names import Agency, NamePool, county_tree, maybe_another

KNOBS: dict[str, tuple[str, ...]] = {
    "mount": ("root", "departments"),
    "page_base": ("0", "1"),
    "paging": ("single-404", "paged"),
    "tree_node": ("annual-report", "mixed-node"),
    "titles": ("plain", "percent-u"),
    "detail_url": ("given", "empty"),
    "jump_url": ("none", "old-column"),
    "shell_path": ("index", "index-hash"),
}

PAGE_SIZE = 100
NODE_NAME = "政府信息公开工作年度报告"

CHUNK_JS = r"""/*! gkml pc chunk-common */(function(){"use strict";
var base=location.pathname.split("/gkmlpt/")[0];
var PAGE0=%(page0)d;
function fetchPostList(cat,page){return fetch(base+"/gkmlpt/api/all/"+cat+"?page="+page+"&sid="+window._CONFIG.SID,{headers:{"X-Requested-With":"XMLHttpRequest"}}).then(function(r){return r.json();});}
function postUrl(a){if(a.url){return a.url;}return base+"/gkmlpt/content/"+Math.floor(a.id/1e6)+"/"+Math.floor(a.id/1e3)+"/post_"+a.id+".html";}
function title(a){return a.title.indexOf("%%u")>=0?unescape(a.title):a.title;}
function renderTree(nodes){return "<ul>"+nodes.map(function(x){var h=x.jump_url?x.jump_url:"#"+x.id;return "<li><a href='"+h+"'>"+x.name+"("+x.post_count+")</a>"+(x.children&&x.children.length?renderTree(x.children):"")+"</li>";}).join("")+"</ul>";}
function show(){var parts=(location.hash||"#0").substring(1).split("/");var cat=parseInt(parts[0]||"0",10);var page=parts.length>1?parseInt(parts[1],10):PAGE0;
fetchPostList(cat,page).then(function(d){var html="<div class='gkml-tree'>"+renderTree(window._CONFIG.TREE)+"</div><ul class='gkml-list'>";
d.articles.forEach(function(a){html+="<li><a href='"+postUrl(a)+"' target='_blank'>"+title(a)+"</a><span>"+a.display_publish_time+"</span></li>";});
html+="</ul>";var pages=Math.ceil(d.total/100);if(d.total>100){for(var i=0;i<pages;i++){html+="<a href='#"+cat+"/"+(i+PAGE0)+"'>"+(i+1)+"</a> ";}}
document.getElementById("app").innerHTML=html;});}
window.addEventListener("hashchange",show);show();
})();"""

DETAIL_JS = r"""(function(){var d=window._CONFIG.DETAIL;var h="<h1>"+d.title+"</h1><div class='info'>"+d.publisher+" "+d.display_publish_time+"</div><div class='article-content'>"+d.content+"</div>";
if(d.attachment&&d.attachment.length){h+="<div class='fjdown'><p>附件：</p>"+d.attachment.map(function(a){return "<a href='"+a.url+"'>"+a.name+"</a>";}).join("<br>")+"</div>";}
document.getElementById("app").innerHTML=h;})();"""


def _js(value: object) -> str:
    """JSON as gkmlpt pages print it: `<`, `>` and `&` escaped as \\u003C …"""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def _percent_u(text: str) -> str:
    return "".join(c if ord(c) < 128 else f"%u{ord(c):04X}" for c in text)


class Platform:
    """One gkmlpt mount (the site's own, or a department's under /{slug})."""

    def __init__(self, kit: SiteKit, base: str, agency: Agency) -> None:
        self.kit = kit
        self.base = base  # "" or "/yjzjj"
        self.agency = agency
        self.sid = str(kit.rng.randint(2, 800000))
        self.node_id = kit.rng.randint(100, 3000)
        self.articles: list[dict[str, object]] = []
        self.fill: list[dict[str, object]] = []
        self.tree: list[dict[str, object]] = []
        self.report_ids: set[int] = set()

    @property
    def shell(self) -> str:
        return f"{self.base}/gkmlpt/index"

    def post_path(self, post_id: int) -> str:
        return f"{self.base}/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1000}/post_{post_id}.html"

    def article(
        self, post_id: int, title: str, date: str, publisher: str, attachments: list[dict[str, str]]
    ) -> dict[str, object]:
        kit = self.kit
        url = kit.url(self.post_path(post_id)) if kit.knob("detail_url") == "given" else ""
        stamp = _unix(date)
        return {
            "id": post_id,
            "title": _percent_u(title) if kit.knob("titles") == "percent-u" else title,
            "url": url,
            "post_url": url,
            "date": stamp,
            "create_time": stamp,
            "display_publish_time": date,
            "document_number": "",
            "identifier": f"{kit.head_id()[:6]}/{date[:4]}-{post_id % 100000:05d}",
            "publisher": publisher,
            "keywords": "",
            "abstract": "",
            "classify_main_name": NODE_NAME,
            "is_expired": False,
            "is_abolished": False,
            "attachment": attachments,
            "relation": [],
        }

    def detail_page(self, art: dict[str, object], content_html: str) -> str:
        detail = {
            "id": art["id"],
            "title": art["title"],
            "content": content_html,
            "publisher": art["publisher"],
            "display_publish_time": art["display_publish_time"],
            "attachment": art["attachment"],
        }
        config = f"window._CONFIG = {{SID:'{self.sid}', DETAIL: {_js(detail)}}};"
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{escape(str(art['title']))}</title>"
            f'<meta name="ArticleTitle" content="{escape(str(art["title"]))}">'
            f"<script>{config}</script></head><body><div id=app></div>"
            f"<script>{DETAIL_JS}</script></body></html>"
        )

    def shell_html(self) -> str:
        cfg = f"window._CONFIG = {{SID:'{self.sid}', SITE_NAME:{json.dumps(self.agency.name, ensure_ascii=False)}, TREE:{_js(self.tree)}}};"
        stamp = hexname(self.kit.id, self.base, n=8)
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开目录</title>'
            f"<script>{cfg}</script>"
            f"<link href=/gkmlpt/gkml/pc/css/app.{stamp}.css rel=stylesheet></head>"
            "<body><noscript><strong>请开启JavaScript</strong></noscript><div id=app></div>"
            f"<script src=/gkmlpt/gkml/pc/js/chunk-common.{stamp}.js></script></body></html>"
        )


def _unix(date: str) -> int:
    from datetime import UTC, datetime

    return int(datetime.fromisoformat(date + "T09:00:00").replace(tzinfo=UTC).timestamp())


def api_handler(kit: SiteKit, platforms: list[Platform]) -> DynamicHandler:
    page0 = int(kit.knob("page_base"))
    single = kit.knob("paging") == "single-404"

    def handle(request: Request) -> Resource | None:
        for p in platforms:
            prefix = f"{p.base}/gkmlpt/api/all/"
            if not request.path.startswith(prefix):
                continue
            if request.query.get("sid") != p.sid:
                return _json({"total": 0, "articles": [], "classify": {"post_count": 0}})
            try:
                cat = int(request.path[len(prefix) :])
                page = int(request.query.get("page", str(page0)))
            except ValueError:
                return Resource(b"Not Found", "text/html", status=404, conditional=False)
            if cat == 0:
                items = p.articles + p.fill
            elif cat == p.node_id:
                items = (
                    p.articles if kit.knob("tree_node") == "annual-report" else p.articles + p.fill
                )
            else:
                items = [a for a in p.fill if a.get("_cat") == cat]
            items = sorted(items, key=_newest_first)
            index = page - page0
            if single:
                if index >= 1:
                    return Resource(
                        b"<h1>404 Not Found</h1>", "text/html", status=404, conditional=False
                    )
                chunk = items
            else:
                chunk = items[index * PAGE_SIZE : (index + 1) * PAGE_SIZE] if index >= 0 else []
            out = [{k: v for k, v in a.items() if not k.startswith("_")} for a in chunk]
            return _json(
                {"total": len(items), "classify": {"post_count": len(items)}, "articles": out}
            )
        return None

    return handle


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | str) else 0


def _newest_first(article: dict[str, object]) -> int:
    return -_int(article["date"])


def _json(data: object) -> Resource:
    return Resource(
        json.dumps(data, ensure_ascii=False).encode("utf-8"),
        "application/json;charset=UTF-8",
        conditional=False,
    )


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "nginx"
    kit.knob("encoding", ("utf-8/both", "utf-8/meta", "utf-8/header"))
    rng = kit.rng
    tree = county_tree(
        pool,
        kit.id,
        rng,
        level=rng.choice(("county", "city")),
        n_departments=rng.randint(1, 3),
        n_townships=rng.randint(0, 2),
    )
    kit.tree = tree
    maybe_another(pool, tree, rng, kit.id)
    kit.site_name = tree.owner.name
    mount = kit.knob("mount")
    plans = plan_reports(
        rng,
        tree,
        rng.randint(2, 12),
        formats=("html", "html+pdf", "stub+pdf", "stub+docx", "html+doc"),
        cover_all=mount == "departments",
        bare_titles=True,
    )
    page0 = int(kit.knob("page_base"))
    years = (2014, 2025)
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", "/zwgk/index.html"),
        ("新闻中心", "/xwzx/index.html"),
    ]
    kit.robots(None)
    platforms = [Platform(kit, "", tree.owner)]
    if mount == "departments":
        for d in tree.departments + tree.townships:
            platforms.append(Platform(kit, "/" + d.pinyin, d))
    for p in platforms:
        p.tree = [
            {
                "id": rng.randint(1, 99),
                "name": "机构职能",
                "children": [],
                "post_count": 3,
                "jump_url": "",
            },
            {
                "id": rng.randint(100, 99999) * 10 + 1,
                "name": "政策文件",
                "children": [],
                "post_count": 0,
                "jump_url": "",
            },
        ]
    jump = kit.knob("jump_url") == "old-column"
    old_plans = [pl for pl in plans if jump and pl.year <= 2018 and pl.agency is tree.owner]
    inside, side = split_decoys(kit, tree, years)
    post_steps: list[tuple[Platform, list[ReportPlan]]] = []
    for p in platforms:
        mine = [
            pl
            for pl in plans
            if (
                pl.agency is p.agency
                or (p.base == "" and pl.agency not in [q.agency for q in platforms])
            )
            and pl not in old_plans
        ]
        node = {
            "id": p.node_id,
            "name": NODE_NAME,
            "children": [],
            "post_count": len(mine),
            "jump_url": "",
        }
        if kit.knob("tree_node") == "mixed-node":
            node["name"] = "法定主动公开内容"
        p.tree.append(node)
        if jump and p.base == "" and old_plans:
            p.tree.append(
                {
                    "id": p.node_id + 1,
                    "name": "政府信息公开年报（2018年及以前）",
                    "children": [],
                    "post_count": len(old_plans),
                    "jump_url": kit.url("/zwgk/ndbg/index.html"),
                }
            )
        for pl in mine:
            post_id = rng.randint(100_000, 3_000_000)
            locs: list[FileLoc] = []
            attachments: list[dict[str, str]] = []
            for j, f in enumerate(pl.files):
                path = f"{p.base}/attachment/0/{post_id // 1000 % 100}/{post_id // 1000}/{post_id}{'_' + str(j) if j else ''}.{f.fmt}"
                locs.append(FileLoc(path, path, label=f.display))
                attachments.append({"name": f.display, "url": path})
            art = p.article(post_id, pl.title, pl.published, pl.issuer, attachments)
            p.articles.append(art)
            p.report_ids.add(post_id)
            pl.page = True
            body = html_fragment(pl.text) if (pl.text and pl.full_page) else "<p>详见附件。</p>"
            page_doc = p.detail_page(art, body)
            kit.publish(pl, p.post_path(post_id), locs, column=NODE_NAME, page_doc=page_doc)
        post_steps.append((p, mine))
        # the other documents of the platform: filler posts, and look-alikes in the main one
        n_fill = (
            rng.randint(5, 30) if kit.knob("tree_node") == "annual-report" else rng.randint(60, 170)
        )
        for filler in fillers(kit, n_fill, n_fill):
            post_id = rng.randint(3_000_000, 9_000_000)
            art = p.article(post_id, filler.title, filler.published, p.agency.name, [])
            art["_cat"] = p.tree[0]["id"] if kit.knob("tree_node") == "annual-report" else p.node_id
            p.fill.append(art)
            kit.add_page(
                p.post_path(post_id),
                p.detail_page(art, f"<p>{escape(filler.title)}。</p>"),
                modified=filler.published,
            )
        if p.base == "":
            for decoy in inside:
                post_id = rng.randint(3_000_000, 9_000_000)
                art = p.article(post_id, decoy.title, decoy.published, p.agency.name, [])
                art["_cat"] = p.node_id
                p.articles.append(art)
                kit.publish_decoy(
                    decoy,
                    p.post_path(post_id),
                    column=NODE_NAME,
                    page_doc=p.detail_page(art, decoy.body),
                )
        p.tree[0]["post_count"] = len([a for a in p.fill if a.get("_cat") == p.tree[0]["id"]])
        kit.add_page(p.shell, p.shell_html())
        kit.add_raw(
            f"/gkmlpt/gkml/pc/js/chunk-common.{hexname(kit.id, p.base, n=8)}.js",
            (CHUNK_JS % {"page0": page0}).encode(),
            "application/javascript",
        )
    kit.dynamic["main"].append(api_handler(kit, platforms))

    # --- the portal around the platforms
    news_first, _ = news_section(kit, fillers(kit, 10, 30), "/xwzx/")
    side_links = decoy_columns(kit, side, "/zwgk/", "/zwgk/index.html")
    hash_start = kit.knob("shell_path") == "index-hash"
    main_shell = platforms[0].shell
    dept_index = "/zwgk/bmxxgk/index.html"
    links = list(side_links)
    if len(platforms) > 1:
        links.append(("部门信息公开", dept_index))
        kit.add_page(
            dept_index,
            kit.document(
                "部门信息公开",
                "<ul>"
                + "".join(
                    f'<li><a href="{p.shell}">{escape(p.agency.name)}</a></li>'
                    for p in platforms[1:]
                )
                + "</ul>",
            ),
        )
    nav_pages = [
        NavPage("/index.html", tree.owner.name, [("新闻中心", news_first)]),
        NavPage("/zwgk/index.html", "政务公开", links),
    ]
    link = column_link(kit, main_shell, "/zwgk/index.html", "政府信息公开目录", "", "")
    start = nav_chain(kit, nav_pages, link, main_shell)
    kit.start_path = start + (
        f"#{platforms[0].node_id}" if start == main_shell and hash_start else ""
    )
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]
    for p, mine in post_steps:
        if not mine and not (old_plans and p.base == ""):
            continue
        if p.base and not any(s.url.endswith(dept_index) for s in kit.nav_steps):
            if kit.knob("start") == "column":
                kit.step(StepKind.NAV, "/zwgk/index.html", reveals=[dept_index])
            kit.step(
                StepKind.NAV,
                dept_index,
                reveals=[escape(q.shell) for q, m in post_steps if m and q.base],
            )
        shell_reveals = [f"SID:'{p.sid}'", f'"id": {p.node_id}']
        if old_plans and p.base == "":
            shell_reveals.append(kit.url("/zwgk/ndbg/index.html"))
        kit.step(StepKind.SHELL, p.shell, reveals=shell_reveals)
        items = sorted(
            p.articles + (p.fill if kit.knob("tree_node") == "mixed-node" else []),
            key=_newest_first,
        )
        n_pages = 1 if kit.knob("paging") == "single-404" else max(1, -(-len(items) // PAGE_SIZE))
        for k in range(n_pages):
            chunk = items if n_pages == 1 else items[k * PAGE_SIZE : (k + 1) * PAGE_SIZE]
            ids = {_int(a["id"]) for a in chunk}
            reveals = [f'"id": {i}' for i in sorted(p.report_ids & ids)]
            kit.step(
                StepKind.API,
                f"{p.base}/gkmlpt/api/all/{p.node_id}?page={k + page0}&sid={p.sid}",
                media="application/json",
                encoding="utf-8",
                headers=(("X-Requested-With", "XMLHttpRequest"),),
                reveals=reveals,
            )
    if old_plans:
        _old_column(kit, old_plans, main_shell)
    return BuiltSite(kit, tree, [kit.url(kit.start_path)])


def _old_column(kit: SiteKit, plans: list[ReportPlan], shell: str) -> None:
    """Reports of 2018 and before on the pre-platform static column (a TREE jump_url)."""
    entries: list[Entry] = []
    for pl in plans:
        post_id = kit.rng.randint(100_000, 999_999)
        page = f"/zwgk/ndbg/content/post_{post_id}.html"
        locs = [
            FileLoc(
                f"/zwgk/ndbg/attachment/{post_id}_{j}.{f.fmt}",
                f"/zwgk/ndbg/attachment/{post_id}_{j}.{f.fmt}",
                label=f.display,
            )
            for j, f in enumerate(pl.files)
        ]
        pl.page = True
        kit.publish(pl, page, locs, column="政府信息公开年报")
        entries.append(Entry(pl.title, pl.published, page, "report", pl.key))
    entries.sort(key=lambda e: e.date, reverse=True)
    kit.add_page(
        "/zwgk/ndbg/index.html",
        kit.document("政府信息公开年报", kit.list_items(entries), column="政府信息公开年报"),
    )
    kit.step(StepKind.LISTING, "/zwgk/ndbg/index.html", reveals=[e.href for e in entries])
