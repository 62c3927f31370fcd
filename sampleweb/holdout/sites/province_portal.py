"""A province JSP portal full of traps (field guide §3, §6): list pages past the end repeat
the last page (`pageNo` clamped), every link carries a fresh `;jsessionid=`, each report has a
print view, a calendar widget links months forever, a search form takes any keyword, and
robots.txt forbids the search and a drafts directory that holds a 征求意见稿. The list also
carries a provincial department's report (attributed by title)."""

from __future__ import annotations

import itertools

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

HOST = "www.lingdong.gov.cn"
NAME = "岭东省人民政府"
PER = 4
ROBOTS = "User-agent: *\nDisallow: /search.jsp\nDisallow: /zwgk/nb/draft/\n"
_sid = itertools.count(0x5A3F10)


def _j(path: str) -> str:
    """Insert a fresh session id the way JSP containers rewrite URLs."""
    head, _, query = path.partition("?")
    return f"{head};jsessionid={next(_sid):08X}C0FFEE{('?' + query) if query else ''}"


def _chrome() -> str:
    return (
        f'<form action="/search.jsp" method="get"><input name="q"><button>搜索</button></form>'
        f'<div class="cal"><a href="{_j("/calendar.jsp?ym=2026-11")}">上月</a> <a href="{_j("/calendar.jsp?ym=2027-01")}">下月</a></div>'
    )


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    items: list[tuple[str, str]] = []
    bodies: dict[str, tuple[str, str, int]] = {}
    arts: list[Step] = []
    entries = [(NAME, "lingdong", y) for y in range(2024, 2015, -1)]
    entries.insert(2, ("岭东省财政厅", "lingdong-czt", 2023))
    for n, (issuer, aid, year) in enumerate(entries):
        iid = str(101 + n)
        title = f"{issuer}{year}年政府信息公开工作年度报告"
        bodies[iid] = (title, issuer, year)
        docs.append(
            Doc(
                u(HOST, f"/zwgk/nb/detail.jsp?id={iid}"),
                year,
                aid,
                title,
                aliases=[u(HOST, f"/zwgk/nb/print.jsp?id={iid}")],
            )
        )
        items.append((f"/zwgk/nb/detail.jsp?id={iid}", title))
        arts.append(Step(u(HOST, f"/zwgk/nb/detail.jsp?id={iid}"), via="detail.jsp;jsessionid="))
    pages = [items[i : i + PER] for i in range(0, len(items), PER)]

    def listing(req: Req) -> Resp:
        page = min(
            max(1, int(req.query.get("pageNo", "1") or 1)), len(pages)
        )  # clamped, never empty
        rows = "".join(f'<li><a href="{_j(h)}">{t}</a></li>' for h, t in pages[page - 1])
        rows += (
            f'<li><a href="{_j("/zwgk/nb/draft/2025.jsp")}">岭东省2025年政府信息公开工作年度报告（征求意见稿）</a></li>'
            if page == 1
            else ""
        )
        pager = (
            f'<a href="{_j(f"/zwgk/nb/list.jsp?pageNo={page + 1}")}">下一页</a> 共{len(pages)}页'
        )
        sort = f'<a href="{_j(f"/zwgk/nb/list.jsp?pageNo={page}&sort=date")}">按日期</a>'
        return html(
            "政府信息公开年报",
            f"<ul>{rows}</ul>{pager} {sort}{_chrome()}",
            column="政府信息公开年报",
        )

    def detail(req: Req) -> Resp:
        iid = req.query.get("id", "")
        if iid not in bodies:
            return Resp(404, b"not found")
        title, issuer, year = bodies[iid]
        extra = f'<a href="{_j(f"/zwgk/nb/print.jsp?id={iid}")}">打印本页</a>' + (
            _chrome() if req.path.endswith("detail.jsp") else ""
        )
        return report_page(title, issuer, year, extra=extra)

    def calendar(req: Req) -> Resp:
        y, m = (int(x) for x in (req.query.get("ym") or "2026-12").split("-")[:2])
        prev, nxt = (f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}", f"{y + (m == 12)}-{m % 12 + 1:02d}")
        return html(
            f"{y}年{m}月",
            f'<a href="{_j(f"/calendar.jsp?ym={prev}")}">上月</a> <a href="{_j(f"/calendar.jsp?ym={nxt}")}">下月</a>',
        )

    def search(req: Req) -> Resp:
        q = req.query.get("q", "")
        return html(
            "搜索",
            f'<a href="{_j(f"/search.jsp?q={q}&sort=1")}">相关度</a><a href="{_j(f"/search.jsp?q={q}&page=2")}">下一页</a>',
        )

    draft = report_page("岭东省2025年政府信息公开工作年度报告（征求意见稿）", NAME, 2025)
    routes.update(
        {
            (HOST, "/zwgk/nb/list.jsp"): listing,
            (HOST, "/zwgk/nb/detail.jsp"): detail,
            (HOST, "/zwgk/nb/print.jsp"): detail,
            (HOST, "/calendar.jsp"): calendar,
            (HOST, "/search.jsp"): search,
            (HOST, "/zwgk/nb/draft/2025.jsp"): draft,
        }
    )
    routes[(HOST, "/index.jsp")] = lambda req: html(
        NAME, f'<a href="{_j("/zwgk/nb/list.jsp?pageNo=1")}">政府信息公开年报</a>{_chrome()}'
    )
    steps = [Step(u(HOST, "/index.jsp"))]
    steps += [
        Step(u(HOST, f"/zwgk/nb/list.jsp?pageNo={p}"), via=f"pageNo={p}")
        for p in range(1, len(pages) + 1)
    ]
    agencies = [
        agency("lingdong", NAME, "province", aliases=["岭东省"]),
        agency("lingdong-czt", "岭东省财政厅", "province", "department", parent="lingdong"),
    ]
    return Site(
        id="lingdong-portal",
        platform="jsp-portal",
        dialect="clamped pageNo, jsessionid, print views, calendar, search, robots-forbidden drafts",
        owner="lingdong",
        agencies=agencies,
        start_urls=[u(HOST, "/index.jsp")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        steps=steps + arts,
        robots={HOST: ROBOTS},
        forbidden=[u(HOST, "/zwgk/nb/draft/2025.jsp")],
    )
