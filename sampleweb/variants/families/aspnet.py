"""Legacy ASP.NET WebForms info-public sites (guide §1.7, §1.5).

The list `InfoPublic.aspx?cid=&pid=` pages by posting the whole form back: `__EVENTTARGET`
names the pager control (`AspNetPager1` with the page in `__EVENTARGUMENT`; a DataPager whose
number buttons show ten pages and whose `…` button opens the next block; a GridView
`LinkButtonNextPage`), with the current `__VIEWSTATE` (over a thousand characters, re-read
from every answer), `__VIEWSTATEGENERATOR`, `__EVENTVALIDATION`, and on some sites the
`ASP.NET_SessionId` cookie. Other sites of the same kind page by GET (`&page=N`). Details
`Detail.aspx?id=`, files `DownLoad.aspx?FileID=` (name only in Content-Disposition) or
`/UploadFiles/…`.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import parse_qsl, quote, urlencode

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
from sampleweb.variants.kit import BuiltSite, Entry, FileLoc, SiteKit
from sampleweb.variants.model import StepKind
from sampleweb.variants.names import NamePool, county_tree, maybe_another

KNOBS: dict[str, tuple[str, ...]] = {
    "pager": ("aspnetpager", "datapager", "gridview-next", "get-page"),
    "session": ("none", "required"),
    "files": ("download-aspx", "uploadfiles"),
    "detail": ("detail-id", "showinfo-guid"),
}

AJAX_FORM = ("Content-Type", "application/x-www-form-urlencoded")
DATAPAGER = "ctl00$ContentPlaceHolder1$DataPager1$ctl01$ctl"
GRIDNEXT = "ctl00$ContentPlaceHolder1$GridView1$ctl23$LinkButtonNextPage"


def viewstate(secret: str, page: int) -> str:
    raw = f"{secret}|{page}|".encode()
    filler = hashlib.sha512(raw).digest() * 14
    return base64.b64encode(raw + filler).decode()


def page_of(secret: str, state: str) -> int | None:
    try:
        raw = base64.b64decode(state.encode(), validate=True)
        head, page, _rest = raw.split(b"|", 2)
    except (ValueError, TypeError):
        return None
    if head.decode(errors="replace") != secret:
        return None
    try:
        return int(page)
    except ValueError:
        return None


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "Microsoft-IIS/8.5"
    kit.extra_headers = {"X-Powered-By": "ASP.NET", "X-AspNet-Version": "4.0.30319"}
    kit.knob("validators", ("none", "none", "last-modified"))
    rng = kit.rng
    tree = county_tree(
        pool,
        kit.id,
        rng,
        level=rng.choice(("county", "city")),
        n_departments=rng.randint(1, 3),
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
        formats=("html", "stub+doc", "stub+pdf", "html+docx", "html+xls"),
    )
    pager = kit.knob("pager")
    cid, pid = rng.randint(1000, 1099), rng.randint(900, 999)
    list_path = f"/InfoPublic.aspx?cid={cid}&pid={pid}"
    secret = hashlib.sha1(f"{kit.id}|vs".encode()).hexdigest()[:12]
    generator = hashlib.sha1(f"{kit.id}|gen".encode()).hexdigest()[:8].upper()
    validation = base64.b64encode(hashlib.sha256(secret.encode()).digest()).decode()
    column_name = rng.choice(COLUMN_NAMES)
    kit.nav = [
        ("首页", "/Default.aspx"),
        ("政务公开", "/zwgk/Index.aspx"),
        ("新闻中心", "/News/List.aspx"),
    ]
    kit.robots(None)
    inside, side = split_decoys(kit, tree, years)
    entries: list[Entry] = []
    for plan in plans:
        plan.page = plan.page or not plan.files
        if kit.knob("detail") == "detail-id":
            page = f"/Detail.aspx?id={kit.number(10000, 99999)}"
        else:
            page = f"/ShowInfo.aspx?InfoID={_guid(kit, plan.key)}"
        locs = []
        for j, f in enumerate(plan.files):
            if kit.knob("files") == "download-aspx":
                path = f"/DownLoad.aspx?FileID={rng.randint(1000, 99999)}"
            else:
                path = f"/UploadFiles/{plan.published[:7].replace('-', '')}/{plan.published.replace('-', '')}{rng.randint(100000, 999999)}{j}.{f.fmt}"
            locs.append(FileLoc(path, path, label=f.display))
        kit.publish(plan, page if plan.page else None, locs, column=column_name, info_table=True)
        entries.append(
            Entry(
                plan.title, plan.published, page if plan.page else locs[0].href, "report", plan.key
            )
        )
    for d in inside:
        page = f"/Detail.aspx?id={rng.randint(100000, 199999)}"
        kit.publish_decoy(d, page, column=column_name)
        entries.append(Entry(d.title, d.published, page, "decoy", d.key))
    for filler in fillers(kit, 20, 110):
        page = f"/Detail.aspx?id={rng.randint(200000, 299999)}"
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
    per = rng.randint(5, 12)
    n_pages = max(1, -(-len(ordered) // per))

    def pager_html(page: int) -> str:
        if pager == "get-page":
            links = "".join(
                f'<a href="{escape(list_path)}&amp;page={p}">{p}</a> '
                for p in range(1, n_pages + 1)
                if p != page
            )
            return f'<div class="pager">共{n_pages}页 {links}</div>'
        if pager == "aspnetpager":
            links = "".join(
                f"<a href=\"javascript:__doPostBack('AspNetPager1','{p}')\">{p}</a> "
                for p in range(1, n_pages + 1)
                if p != page
            )
            return f'<div id="AspNetPager1" class="pages">{links}<input name="AspNetPager1_input" type="text" value="{page}"></div>'
        if pager == "datapager":
            block = (page - 1) // 10
            out = []
            if block > 0:
                out.append(f"<a href=\"javascript:__doPostBack('{DATAPAGER}11','')\">...</a>")
            for k in range(10):
                p = block * 10 + k + 1
                if p > n_pages:
                    break
                out.append(
                    f"<span>{p}</span>"
                    if p == page
                    else f"<a href=\"javascript:__doPostBack('{DATAPAGER}{k:02d}','')\">{p}</a>"
                )
            if (block + 1) * 10 < n_pages:
                out.append(f"<a href=\"javascript:__doPostBack('{DATAPAGER}10','')\">...</a>")
            return '<div class="datapager">' + " ".join(out) + "</div>"
        nxt = (
            f"<a id=\"LinkButtonNextPage\" href=\"javascript:__doPostBack('{GRIDNEXT}','')\">下一页</a>"
            if page < n_pages
            else ""
        )
        return f'<div class="gridpager">第{page}页/共{n_pages}页 {nxt}</div>'

    def list_page(page: int) -> str:
        chunk = ordered[(page - 1) * per : page * per]
        rows = "".join(
            f'<tr><td><a href="{escape(e.href)}" target="_blank" title="{escape(e.title)}">{escape(kit.list_text(e.title)[0])}</a></td><td>{e.date}</td></tr>'
            for e in chunk
        )
        form = (
            f'<form name="aspnetForm" method="post" action="./InfoPublic.aspx?cid={cid}&amp;pid={pid}" id="aspnetForm">'
            '<div><input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />'
            '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />'
            f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{viewstate(secret, page)}" /></div>'
            "<script type=\"text/javascript\">var theForm = document.forms['aspnetForm'];"
            "function __doPostBack(eventTarget, eventArgument) { if (!theForm.onsubmit || (theForm.onsubmit() != false)) {"
            "theForm.__EVENTTARGET.value = eventTarget; theForm.__EVENTARGUMENT.value = eventArgument; theForm.submit(); } }</script>"
            f'<div><input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="{generator}" />'
            f'<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="{validation}" /></div>'
            f'<table class="list">{rows}</table>{pager_html(page)}</form>'
        )
        return kit.document(
            column_name, f"<h2>{escape(column_name)}</h2>{form}", column=column_name
        )

    session_required = kit.knob("session") == "required"

    def handle(request: Request) -> Resource | None:
        if request.path != "/InfoPublic.aspx" or request.query.get("cid") != str(cid):
            return None
        if request.method == "GET":
            page = 1
            if pager == "get-page":
                try:
                    page = min(max(1, int(request.query.get("page", "1"))), n_pages)
                except ValueError:
                    page = 1
            res = kit.html_resource(list_page(page))
            if session_required and "ASP.NET_SessionId" not in request.headers.get("cookie", ""):
                res.headers["Set-Cookie"] = (
                    f"ASP.NET_SessionId={hashlib.md5(kit.id.encode()).hexdigest()[:24]}; path=/; HttpOnly"
                )
                res.conditional = False
            return res
        form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
        if session_required and "ASP.NET_SessionId" not in request.headers.get("cookie", ""):
            return Resource(
                b"<html><body><h2>Session expired</h2><a href='/'>home</a></body></html>",
                "text/html",
                conditional=False,
                status=200,
            )
        current = page_of(secret, form.get("__VIEWSTATE", ""))
        if current is None or form.get("__EVENTVALIDATION") != validation:
            return Resource(
                b"<html><body><h1>Server Error in '/' Application.</h1><h2><i>Validation of viewstate MAC failed.</i></h2></body></html>",
                "text/html; charset=utf-8",
                status=500,
                conditional=False,
            )
        target = form.get("__EVENTTARGET", "")
        page = current
        if pager == "aspnetpager" and target == "AspNetPager1":
            try:
                page = int(form.get("__EVENTARGUMENT", "1"))
            except ValueError:
                page = current
        elif pager == "datapager" and target.startswith(DATAPAGER):
            k = int(target[len(DATAPAGER) :] or 0)
            block = (current - 1) // 10
            page = (
                (block + 1) * 10 + 1
                if k == 10
                else (block - 1) * 10 + 1
                if k == 11
                else block * 10 + k + 1
            )
        elif pager == "gridview-next" and target == GRIDNEXT:
            page = current + 1
        page = min(max(1, page), n_pages)
        return kit.html_resource(list_page(page))

    kit.dynamic["main"].append(handle)
    news_first, _ = news_section(kit, fillers(kit, 8, 20), "/News/")
    side_links = decoy_columns(kit, side, "/zwgk/", "/zwgk/Index.aspx")
    nav_pages = [
        NavPage("/Default.aspx", tree.owner.name, [("新闻中心", news_first)]),
        NavPage("/zwgk/Index.aspx", "政务公开", side_links),
    ]
    link = column_link(kit, list_path, "/zwgk/Index.aspx", column_name, "", "")
    kit.start_path = nav_chain(kit, nav_pages, link, list_path)
    kit.pages["main"]["/"] = kit.pages["main"]["/Default.aspx"]
    kit.step(StepKind.LISTING, list_path, reveals=_reveals(ordered, 1, per, n_pages, pager, secret))
    headers = (("Referer", kit.url(list_path)), AJAX_FORM)
    for number in range(2, n_pages + 1):
        if pager == "get-page":
            kit.step(
                StepKind.LISTING,
                f"{list_path}&page={number}",
                reveals=_reveals(ordered, number, per, n_pages, pager, secret),
            )
            continue
        if pager == "aspnetpager":
            target, argument = "AspNetPager1", str(number)
        elif pager == "datapager":
            target = (
                f"{DATAPAGER}10"
                if (number - 1) % 10 == 0
                else f"{DATAPAGER}{(number - 1) % 10:02d}"
            )
            argument = ""
        else:
            target, argument = GRIDNEXT, ""
        form = {
            "__EVENTTARGET": target,
            "__EVENTARGUMENT": argument,
            "__VIEWSTATE": viewstate(secret, number - 1),
            "__VIEWSTATEGENERATOR": generator,
            "__EVENTVALIDATION": validation,
        }
        kit.step(
            StepKind.API,
            list_path,
            method="POST",
            body=urlencode(form, quote_via=quote).encode(),
            headers=headers,
            reveals=_reveals(ordered, number, per, n_pages, pager, secret),
        )
    return BuiltSite(kit, tree, [kit.url(kit.start_path)])


def _reveals(
    ordered: list[Entry], page: int, per: int, n_pages: int, pager: str, secret: str
) -> list[str]:
    out = [escape(e.href) for e in ordered[(page - 1) * per : page * per] if e.kind == "report"]
    if page < n_pages:
        if pager == "get-page":
            out.append(f"&amp;page={page + 1}")
        else:
            out.append(viewstate(secret, page))
            if pager == "datapager":
                out.append(f"{DATAPAGER}10" if page % 10 == 0 else f"{DATAPAGER}{page % 10:02d}")
            elif pager == "aspnetpager":
                out.append(f"__doPostBack('AspNetPager1','{page + 1}')")
            else:
                out.append(GRIDNEXT)
    return out


def _guid(kit: SiteKit, key: int) -> str:
    h = hashlib.md5(f"{kit.id}|{key}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
