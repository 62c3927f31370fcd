"""A province portal full of traps (guide §3, §6).

The report list pages by query string and *clamps*: pages past the end repeat the last page.
Links carry session ids (`;jsessionid=` or `&sid=` that differ from page to page); articles
offer print views and share links (a share page links to sharing itself, nesting URLs
without end); a calendar links day to day forever; the site search takes any keyword, sort
and page; a mobile mirror (`m.` host) and a second host name serve the same documents.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from urllib.parse import quote

from sampleweb.model import Request, Resource
from sampleweb.variants.content import plan_reports
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
from sampleweb.variants.model import Doc, Report, StepKind, TrapKind
from sampleweb.variants.names import NamePool, province_tree

KNOBS: dict[str, tuple[str, ...]] = {
    "session": ("jsessionid", "sid-param"),
    "page_param": ("pageNo", "page", "curPage"),
    "mirror": ("none", "m-host"),
    "host_alias": ("none", "linked"),
    "calendar": ("none", "day-links"),
    "share": ("none", "nested"),
    "print": ("param", "print-jsp"),
}

LIST = "/xxgk/ndbg/list.jsp"


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "Apache-Coyote/1.1"
    kit.knob("validators", ("none", "last-modified", "both"))
    rng = kit.rng
    tree = province_tree(pool, kit.id, rng, n_departments=rng.randint(2, 5))
    kit.tree = tree
    kit.site_name = tree.owner.name
    plans = plan_reports(
        rng,
        tree,
        rng.randint(3, 15),
        formats=("html", "html+pdf", "stub+pdf", "stub+docx", "html+ofd"),
    )
    param = kit.knob("page_param")
    session = kit.knob("session")
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", "/xxgk/index.html"),
        ("新闻中心", "/xwzx/index.html"),
        ("站内搜索", "/search/search.jsp?q="),
    ]
    kit.robots(None)
    years = (2014, 2025)
    inside, side = split_decoys(kit, tree, years)

    def sid_of(page: str) -> str:
        return hexname(kit.id, "sid", page, n=24).upper()

    def with_session(href: str, on_page: str) -> str:
        if session == "jsessionid":
            head, sep, query = href.partition("?")
            return f"{head};jsessionid={sid_of(on_page)}{sep}{query}"
        return href + ("&" if "?" in href else "?") + f"sid={sid_of(on_page)}"

    print_style = kit.knob("print")
    entries: list[Entry] = []
    for plan in plans:
        plan.page = plan.page or not plan.files
        doc_id = rng.randint(100000, 999999)
        page = f"/xxgk/detail.jsp?id={doc_id}" if plan.page else None
        locs = []
        for j, f in enumerate(plan.files):
            fp = f"/xxgk/uploadfiles/{plan.published[:4]}/{hexname(kit.id, plan.key, j, n=20)}.{f.fmt}"
            locs.append(FileLoc(fp, fp, label=f.display))
        aliases: dict[str, tuple[str, ...]] = {}
        if page:
            printed = (
                f"/xxgk/print.jsp?id={doc_id}" if print_style == "print-jsp" else f"{page}&print=1"
            )
            aliases[page] = (kit.url(printed),)
        pub = kit.publish(plan, page, locs, column="政府信息公开年报", aliases=aliases)
        if page:
            report = pub.report
            doc = report.documents[0]
            # the print view serves the same report without the chrome
            kit.pages["main"][printed] = kit.html_resource(
                kit.document(
                    plan.title,
                    kit.container + kit.article_body(plan, []) + "</div>",
                    nav=False,
                    furniture=False,
                )
            )
            share = f"/share.jsp?url={quote(kit.url(page), safe='')}&title={quote(plan.title)}"
            extra = f'<div class="tools"><a href="{escape(printed)}">打印</a>'
            if kit.knob("share") == "nested":
                extra += f' <a href="{escape(share)}">分享</a>'
            extra += "</div>"
            res = kit.pages["main"][page]
            text = res.body.decode(kit.codec).replace(
                '<div class="attachments">', extra + '<div class="attachments">', 1
            )
            if extra not in text:
                text = text.replace('<div class="footer">', extra + '<div class="footer">', 1)
            kit.pages["main"][page] = kit.html_resource(text, modified=plan.published)
            del doc
        entries.append(Entry(plan.title, plan.published, page or locs[0].href, "report", plan.key))
    for d in inside:
        page = f"/xxgk/detail.jsp?id={rng.randint(100000, 999999)}"
        kit.publish_decoy(d, page, column="政府信息公开年报")
        entries.append(Entry(d.title, d.published, page, "decoy", d.key))
    for filler in fillers(kit, 30, 90):
        page = f"/xxgk/detail.jsp?id={rng.randint(100000, 999999)}"
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
    per = rng.randint(10, 15)
    n_pages = max(1, -(-len(ordered) // per))

    def list_page(page: int, order: str) -> str:
        items = ordered if order != "asc" else list(reversed(ordered))
        chunk = items[(page - 1) * per : page * per]
        here = f"{LIST}?{param}={page}"
        shown = [Entry(e.title, e.date, with_session(e.href, here), e.kind) for e in chunk]
        pager = " ".join(
            f'<a href="{escape(with_session(f"{LIST}?{param}={p}", here))}">{p}</a>'
            for p in range(max(1, page - 3), page + 4)  # the pager always offers the next pages
        )
        sorts = f'<a href="{escape(with_session(f"{LIST}?{param}={page}&order=asc", here))}">按时间正序</a> '
        sorts += f'<a href="{escape(with_session(f"{LIST}?{param}={page}&order=desc", here))}">按时间倒序</a>'
        return kit.document(
            "政府信息公开年报",
            f"<div class='list'><div class='sort'>{sorts}</div>{kit.list_items(shown)}<div class='pager'>{pager}</div></div>",
            column="政府信息公开年报",
        )

    def handle(request: Request) -> Resource | None:
        if request.path != LIST:
            return None
        try:
            page = int(request.query.get(param, "1"))
        except ValueError:
            page = 1
        page = min(max(1, page), n_pages)  # past the end: the last page again
        res = kit.html_resource(list_page(page, request.query.get("order", "desc")))
        res.conditional = kit.knob("validators") != "none"
        return res

    kit.dynamic["main"].append(handle)
    kit.trap(
        TrapKind.CLAMPED_PAGES,
        f"{LIST}?{param}={n_pages + 5}",
        "pages past the end repeat the last page",
    )
    kit.trap(
        TrapKind.SESSION_ID,
        with_session(f"{LIST}?{param}=1", "/x"),
        "session ids differ from page to page",
    )
    kit.trap(TrapKind.SORT_VARIANTS, f"{LIST}?{param}=1&order=asc")
    kit.trap(
        TrapKind.PRINT_VIEW,
        "/xxgk/print.jsp?id=1" if print_style == "print-jsp" else "/xxgk/detail.jsp?id=1&print=1",
    )
    _search(kit, ordered)
    if kit.knob("share") == "nested":
        _share(kit)
    if kit.knob("calendar") == "day-links":
        _calendar(kit)

    news_first, _ = news_section(kit, fillers(kit, 15, 40), "/xwzx/")
    side_links = decoy_columns(kit, side, "/xxgk/", "/xxgk/index.html")
    home_links = [("新闻中心", news_first), ("站内搜索", "/search/search.jsp?q=%E5%B9%B4%E6%8A%A5")]
    if kit.knob("calendar") == "day-links":
        home_links.append(("活动日历", "/calendar.jsp?date=2024-01-15"))
    alias_links: list[tuple[str, str]] = []
    if kit.knob("mirror") == "m-host":
        home_links.append(("手机版", kit.url("/index.html", "m")))
        kit.trap(
            TrapKind.MOBILE_MIRROR, "/index.html", "the m. host serves the same pages", host="m"
        )
    if kit.knob("host_alias") == "linked":
        alias_links.append(("English", kit.url("/index.html", "alias")))
        kit.trap(TrapKind.HOST_ALIAS, "/index.html", "a second host name of the site", host="alias")
    nav_pages = [
        NavPage("/index.html", tree.owner.name, home_links + alias_links),
        NavPage("/xxgk/index.html", "政府信息公开", side_links),
    ]
    first = f"{LIST}?{param}=1"
    link = column_link(kit, first, "/xxgk/index.html", "政府信息公开年报", "", "")
    kit.start_path = nav_chain(kit, nav_pages, link, first)
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]
    for number in range(1, n_pages + 1):
        here = f"{LIST}?{param}={number}"
        chunk = ordered[(number - 1) * per : number * per]
        reveals = [escape(with_session(e.href, here)) for e in chunk if e.kind == "report"]
        if number < n_pages:
            reveals.append(escape(with_session(f"{LIST}?{param}={number + 1}", here)))
        kit.step(StepKind.LISTING, here, reveals=reveals)
    # the same documents on the mirror and alias hosts
    for role in ("m", "alias"):
        wanted = (role == "m" and kit.knob("mirror") == "m-host") or (
            role == "alias" and kit.knob("host_alias") == "linked"
        )
        if not wanted:
            continue
        kit.pages[role] = kit.pages["main"]
        kit.dynamic[role] = kit.dynamic["main"]
        kit.uses.add(role)
        kit.reports = [_with_aliases(r, kit.bases["main"], kit.bases[role]) for r in kit.reports]
    return BuiltSite(kit, tree, [kit.url(kit.start_path)], registry_hosts=["m", "alias"])


def _with_aliases(report: Report, main: str, other: str) -> Report:
    docs = tuple(
        Doc(d.url, d.role, d.media_type, d.filename, (*d.aliases, d.url.replace(main, other, 1)))
        if d.url.startswith(main)
        else d
        for d in report.documents
    )
    return replace(report, documents=docs)


def _search(kit: SiteKit, ordered: list[Entry]) -> None:
    """Site search: any keyword, any sort, any page (an unbounded URL space)."""

    def handle(request: Request) -> Resource | None:
        if request.path != "/search/search.jsp":
            return None
        q = request.query.get("q", "")
        try:
            page = max(1, int(request.query.get("page", "1")))
        except ValueError:
            page = 1
        hits = [e for e in ordered if q and any(ch in e.title for ch in q)] or ordered[:5]
        chunk = hits[(page - 1) * 10 : page * 10] or hits[-10:]
        links = "".join(f'<li><a href="{escape(e.href)}">{escape(e.title)}</a></li>' for e in chunk)
        more = " ".join(
            f'<a href="/search/search.jsp?q={quote(q)}&amp;page={p}&amp;sort={s}">{p}{s[0]}</a>'
            for p in (page + 1, page + 2)
            for s in ("relevance", "date", "title")
        )
        related = " ".join(
            f'<a href="/search/search.jsp?q={quote(q + w)}">{escape(q + w)}</a>'
            for w in ("年报", "报告", "公开")
        )
        body = f"<form action='/search/search.jsp'><input name='q' value='{escape(q)}'></form><ul>{links}</ul><div>{more}</div><div>相关搜索：{related}</div>"
        res = kit.html_resource(kit.document("搜索结果", body, nav=False))
        res.conditional = False
        return res

    kit.dynamic["main"].append(handle)
    kit.trap(TrapKind.SEARCH, "/search/search.jsp?q=%E5%B9%B4%E6%8A%A5&page=7&sort=date")


def _share(kit: SiteKit) -> None:
    def handle(request: Request) -> Resource | None:
        if request.path != "/share.jsp":
            return None
        url = request.query.get("url", "")
        title = request.query.get("title", "")
        again = f"/share.jsp?url={quote(kit.url('/share.jsp?url=' + quote(url, safe='') + '&title=' + quote(title)), safe='')}&title={quote(title)}"
        body = f'<p>分享：{escape(title)}</p><a href="{escape(url)}">原文</a> <a href="{escape(again)}">再次分享</a>'
        res = kit.html_resource(kit.document("分享", body, nav=False))
        res.conditional = False
        return res

    kit.dynamic["main"].append(handle)
    kit.trap(
        TrapKind.SHARE_LINK, "/share.jsp?url=x&title=y", "a share page links to sharing itself"
    )


def _calendar(kit: SiteKit) -> None:
    from datetime import date, timedelta

    def handle(request: Request) -> Resource | None:
        if request.path != "/calendar.jsp":
            return None
        try:
            day = date.fromisoformat(request.query.get("date", "2024-01-15"))
        except ValueError:
            day = date(2024, 1, 15)
        prev, nxt = day - timedelta(days=1), day + timedelta(days=1)
        body = f'<h3>{day.isoformat()} 活动安排</h3><p>暂无活动</p><a href="/calendar.jsp?date={prev.isoformat()}">前一天</a> <a href="/calendar.jsp?date={nxt.isoformat()}">后一天</a>'
        res = kit.html_resource(kit.document("活动日历", body, nav=False))
        res.conditional = False
        return res

    kit.dynamic["main"].append(handle)
    kit.trap(TrapKind.CALENDAR, "/calendar.jsp?date=2031-05-05", "day links without end")
