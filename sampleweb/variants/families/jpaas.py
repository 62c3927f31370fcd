"""Hanweb jpaas, the new-generation JCMS (guide §1.2).

A column page holds no list: only `<script url="/api-gateway/jpaas-publish-server/front/page/build/unit"
queryData="{…'pageId':…}">`, filled by a loader script from
`…/build/unit?parseType=buildstatic&webId=&tplSetId=&pageType=column&tagId=右侧内容&editType=null&pageId=&paramJson={"pageNo":n,"pageSize":m}`,
whose JSON `data.html` is an HTML fragment with a `div.pagination` carrying `rows`/`count`.
The API answers 403 without the Referer and X-Requested-With a browser sends, and on some
sites when `paramJson` is not compact JSON; a gateway variant ignores the page size asked
for. `webId` is numeric or 32-hex; `pageId` is the column number, or a hash for sub-columns
`/col/col{parent}/{sub}/index.html`.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

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
from sampleweb.variants.families.hanweb import art_path
from sampleweb.variants.kit import BuiltSite, Entry, FileLoc, SiteKit, hexname
from sampleweb.variants.model import StepKind
from sampleweb.variants.names import NamePool, county_tree, maybe_another

KNOBS: dict[str, tuple[str, ...]] = {
    "web_id": ("numeric", "hex32"),
    "column": ("top", "sub"),
    "strict": ("headers", "headers+compact"),
    "page_size": ("honoured", "fixed-5"),
    "tag": ("右侧内容", "概览信息列表", "信息列表"),
    "attachments": ("downfile", "oss", "direct"),
    "placement": ("dedicated", "mixed"),
}

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"

LOADER = r"""(function(){
function load(el,pageNo){var q=JSON.parse(el.getAttribute('queryData').replace(/'/g,'"'));
var size=parseInt(q.pageSize||'15',10);
var url=el.getAttribute('url')+'?parseType=buildstatic&webId='+q.webId+'&tplSetId='+q.tplSetId+'&pageType='+q.pageType+'&tagId='+encodeURIComponent(q.tagId)+'&editType=null&pageId='+q.pageId+'&paramJson='+encodeURIComponent(JSON.stringify({pageNo:pageNo,pageSize:size}));
fetch(url,{headers:{'X-Requested-With':'XMLHttpRequest'}}).then(function(r){return r.json();}).then(function(d){
var box=document.getElementById('jpaas-'+q.pageId);if(!box){box=document.createElement('div');box.id='jpaas-'+q.pageId;el.parentNode.insertBefore(box,el);}
box.innerHTML=d.data.html;var p=box.querySelector('div.pagination');if(!p)return;
var rows=parseInt(p.getAttribute('rows'),10),count=parseInt(p.getAttribute('count'),10),n=Math.ceil(rows/count),h='';
for(var i=1;i<=n;i++){h+='<a href="javascript:void(0)" data-page="'+i+'">'+i+'</a> ';}p.innerHTML=h;
p.querySelectorAll('a').forEach(function(a){a.onclick=function(){load(el,parseInt(a.getAttribute('data-page'),10));};});});}
document.querySelectorAll('script[url]').forEach(function(el){load(el,1);});})();"""


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "nginx"
    kit.knob("encoding", ("utf-8/both", "utf-8/meta", "utf-8/header", "utf-8/none"))
    rng = kit.rng
    tree = county_tree(
        pool,
        kit.id,
        rng,
        level=rng.choice(("county", "city")),
        n_departments=rng.randint(1, 4),
        n_townships=rng.randint(0, 3),
    )
    kit.tree = tree
    maybe_another(pool, tree, rng, kit.id)
    kit.site_name = tree.owner.name
    years = (2014, 2025)
    plans = plan_reports(
        rng,
        tree,
        rng.randint(2, 14),
        formats=("html", "html+pdf", "stub+pdf", "stub+docx", "html+ofd"),
    )
    web_id = (
        hexname(kit.id, "web") if kit.knob("web_id") == "hex32" else str(rng.randint(1000, 9999))
    )
    tpl = str(rng.randint(1, 9999))
    tag = kit.knob("tag")
    parent = rng.randint(1229000000, 1229999999)
    if kit.knob("column") == "sub":
        sub = rng.choice(("zfxxgknb", "xxgknb", "nb"))
        column_path = f"/col/col{parent}/{sub}/index.html"
        page_id = hexname(kit.id, "page", n=32)
    else:
        column_path = f"/col/col{parent}/index.html"
        page_id = str(parent)
    size = 5 if kit.knob("page_size") == "fixed-5" else rng.randint(8, 20)
    asked = rng.choice((10, 15, 20)) if kit.knob("page_size") == "fixed-5" else size
    column_name = rng.choice(COLUMN_NAMES)
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", "/col/col1229000100/index.html"),
        ("新闻中心", "/col/col1229000200/index.html"),
    ]
    kit.robots(None)
    inside, side = split_decoys(kit, tree, years)
    col_num = parent

    entries: list[Entry] = []
    style = kit.knob("attachments")
    for plan in plans:
        plan.page = plan.page or not plan.files
        page = art_path(plan.published, col_num, 4000 + plan.key * 11) if plan.page else None
        locs: list[FileLoc] = []
        for j, f in enumerate(plan.files):
            name = f"{hexname(kit.id, plan.key, j)}.{f.fmt}"
            if style == "downfile":
                down = f"/module/download/downfile.jsp?classid=0&filename={name}"
                locs.append(FileLoc(down, f"/attach/0/{name}", redirect_from=down, label=f.display))
            elif style == "oss":
                path = f"/jpaas-jpaas-web-server/{web_id}/attach/{name}"
                locs.append(FileLoc(kit.url(path, "oss"), path, host="oss", label=f.display))
            else:
                locs.append(FileLoc(f"/picture/0/{name}", f"/picture/0/{name}", label=f.display))
        kit.publish(plan, page, locs, column=column_name)
        entries.append(Entry(plan.title, plan.published, page or locs[0].href, "report", plan.key))
    for d in inside:
        page = art_path(d.published, col_num, 6000 + d.key)
        kit.publish_decoy(d, page, column=column_name)
        entries.append(Entry(d.title, d.published, page, "decoy", d.key))
    if kit.knob("placement") == "mixed":
        for filler in fillers(kit, 15, 50):
            page = art_path(filler.published, col_num, 8000 + filler.key)
            kit.add_page(
                page,
                kit.document(
                    filler.title,
                    f"<div class='article'><h2>{escape(filler.title)}</h2>{kit.container}<p>{escape(filler.title)}。</p></div></div>",
                ),
                modified=filler.published,
            )
            entries.append(Entry(filler.title, filler.published, page, "filler", filler.key))
    ordered = merge_entries(
        [e for e in entries if e.kind == "report"], [e for e in entries if e.kind != "report"]
    )
    total = len(ordered)
    n_pages = max(1, -(-total // size))

    def fragment(page: int) -> str:
        chunk = ordered[(page - 1) * size : page * size]
        items = "".join(
            f'<li class="cf"><a href="{e.href}" title="{escape(e.title)}" target="_blank">'
            f"{escape(kit.list_text(e.title)[0])}</a><span>{e.date}</span></li>"
            for e in chunk
        )
        return f'<ul class="list">{items}</ul><div class="pagination" rows="{total}" count="{size}"></div>'

    strict = kit.knob("strict")

    def handle(request: Request) -> Resource | None:
        if request.path != API:
            return None
        if (
            not request.headers.get("referer")
            or request.headers.get("x-requested-with") != "XMLHttpRequest"
        ):
            return Resource(
                b'{"success":false,"message":"403 Forbidden"}',
                "application/json",
                status=403,
                conditional=False,
            )
        raw = request.query.get("paramJson", "{}")
        if strict == "headers+compact" and (" " in raw or "\n" in raw):
            return Resource(
                b'{"success":false,"message":"403 Forbidden"}',
                "application/json",
                status=403,
                conditional=False,
            )
        if request.query.get("pageId") != page_id or request.query.get("webId") != web_id:
            return Resource(
                json.dumps({"success": True, "data": {"html": ""}}).encode(),
                "application/json;charset=UTF-8",
                conditional=False,
            )
        try:
            params = json.loads(raw)
            page = int(params.get("pageNo", 1))
        except (ValueError, TypeError, AttributeError):
            return Resource(
                b'{"success":false,"message":"bad paramJson"}',
                "application/json",
                status=400,
                conditional=False,
            )
        html = fragment(page) if 1 <= page <= n_pages else ""
        body = json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False)
        return Resource(body.encode("utf-8"), "application/json;charset=UTF-8", conditional=False)

    kit.dynamic["main"].append(handle)
    query = (
        f"{{'webId':'{web_id}','pageId':'{page_id}','tplSetId':'{tpl}','pageType':'column',"
        f"'tagId':'{tag}','editType':'null','pageSize':'{asked}'}}"
    )
    body = (
        f'<div class="main"><h2>{escape(column_name)}</h2>'
        f'<script url="{API}" queryData="{query}" type="text/javascript"></script>'
        '</div><script src="/jpaas/static/js/unit-loader.js"></script>'
    )
    kit.add_page(column_path, kit.document(column_name, body, column=column_name))
    kit.add_raw("/jpaas/static/js/unit-loader.js", LOADER.encode(), "application/javascript")
    news_first, _ = news_section(kit, fillers(kit, 10, 25), "/col/col1229000200/")
    xxgk = "/col/col1229000100/index.html"
    side_links = decoy_columns(kit, side, "/col/col1229000100/", xxgk)
    nav_pages = [
        NavPage("/index.html", tree.owner.name, [("新闻中心", news_first)]),
        NavPage(xxgk, "政府信息公开", side_links),
    ]
    link = column_link(kit, column_path, xxgk, column_name, "", "")
    kit.start_path = nav_chain(kit, nav_pages, link, column_path)
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]
    kit.step(
        StepKind.SHELL,
        column_path,
        reveals=[API, f"'pageId':'{page_id}'", f"'webId':'{web_id}'", f"'tagId':'{tag}'"],
    )
    headers = (("Referer", kit.url(column_path)), ("X-Requested-With", "XMLHttpRequest"))
    for number in range(1, n_pages + 1):
        param = json.dumps({"pageNo": number, "pageSize": asked}, separators=(",", ":"))
        chunk = ordered[(number - 1) * size : number * size]
        kit.step(
            StepKind.API,
            f"{API}?parseType=buildstatic&webId={web_id}&tplSetId={tpl}&pageType=column"
            f"&tagId={quote(tag)}&editType=null&pageId={page_id}&paramJson={quote(param)}",
            media="application/json",
            encoding="utf-8",
            headers=headers,
            reveals=[e.href for e in chunk if e.kind == "report"] + [f'rows=\\"{total}\\"'],
        )
    return BuiltSite(kit, tree, [kit.url(kit.start_path)], registry_hosts=["oss"])
