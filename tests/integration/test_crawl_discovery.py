"""Discovery through the public entry (`crawler.run.crawl`) on small loopback sites shaped
like the failures of issue 10: a report column behind generic, low-scored navigation;
pages past the end of a listing that repeat the last one, with session ids and print
views; a list filled from a JSON API by script; a site with no report (health says what
was explored)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from localsite import (
    FAST,
    REPORT,
    Answer,
    archive_for,
    failures,
    html,
    listing,
    report_page,
)

from crawler.run import crawl
from ops.health import site_health

NAV = '<a href="/index.html">首页</a><a href="/about/index.html">走进测试</a>'


def reports_of(archive) -> set[str]:
    return {d.url.split("/", 3)[-1] for d in archive.known_documents("ceshi-gov")}


def test_a_column_behind_generic_navigation_is_found(tmp_path: Path, make_site) -> None:
    # start → 机构 (score 0) → 部门 (score 0) → 专栏 (score 0) → the listing
    routes = {
        "/col/index.html": html(NAV + '<a href="/org/index.html">机构设置</a>'),
        "/about/index.html": html(NAV),
        "/index.html": html(NAV),
        "/org/index.html": html(NAV + '<a href="/org/dept/index.html">部门</a>'),
        "/org/dept/index.html": html(NAV + '<a href="/org/dept/zl/index.html">专栏</a>'),
        "/org/dept/zl/index.html": html(
            f'<ul><li><a href="/org/dept/zl/1.html">{REPORT}</a><span>2024-01-20</span></li></ul>'
        ),
        "/org/dept/zl/1.html": report_page(),
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"org/dept/zl/1.html"}


def test_pages_past_the_end_that_repeat_the_last_cost_a_few_requests(
    tmp_path: Path, make_site
) -> None:
    entries = [
        f'<li><a href="/xxgk/{i}.html">{2010 + i}年测试县政府信息公开工作年度报告</a></li>'
        for i in range(6)
    ]

    def page(n: int) -> Answer:
        last = min(n, 3)  # 3 pages; any page beyond answers page 3, with a fresh session id
        items = "".join(entries[(last - 1) * 2 : last * 2])
        links = (
            f'<a href="/list.jsp;jsessionid=S{n}X?page={n + 1}">下一页</a>'
            f'<a href="/list.jsp?page={n}&print=1">打印</a>'
        )
        return html(f"<ul>{items}</ul>{links}", title="政府信息公开年报")

    routes = {"/col/index.html": html('<a href="/list.jsp?page=1">政府信息公开年报</a>')}
    for n in range(1, 200):
        routes[f"/list.jsp?page={n}"] = page(n)
    for i in range(6):
        routes[f"/xxgk/{i}.html"] = report_page(f"{2010 + i}年测试县政府信息公开工作年度报告")
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert len(reports_of(archive)) == 6
    listing_pages = sum(v for k, v in site.hits.items() if k.startswith("/list.jsp"))
    assert listing_pages <= 5, site.hits  # 3 pages, the repeat that ends it, at most one more
    assert not any("print" in k for k in site.hits)


def test_menus_and_other_kinds_of_reports_cost_little_once_reports_are_found(
    tmp_path: Path, make_site
) -> None:
    """The report column's page lends its links a bonus (links on a disclosure page lead on),
    but not to the site's menus, which are on every page, nor to columns of other annual
    reports (住房公积金, 法治政府建设, 政府网站工作年度报表 …): once the column has given its
    reports, those are explored within the reserve, not to the budget (seed 523901: 366
    requests beyond the minimum, 155 of them in look-alike columns and their articles)."""
    menu = (
        '<div class="nav"><a href="/index.html">首页</a><a href="/xwzx/index.html">新闻中心</a>'
        '<a href="/hdjl/index.html">互动交流</a><a href="/zwfw/index.html">政务服务</a></div>'
    )
    others = {
        "gjj/gknb": "住房公积金年度报告",
        "fzzfjs": "法治政府建设年度报告",
        "zfwzgzndbb": "政府网站工作年度报表",
        "tjgb": "统计公报",
        "gqgk/ndbg": "国有企业年度报告",
    }
    side = "".join(f'<a href="/zwgk/{slug}/index.html">{name}</a>' for slug, name in others.items())
    reports = [f"测试县{y}年政府信息公开工作年度报告" for y in range(2020, 2024)]
    items = "".join(f'<li><a href="/nb/{i}.html">{t}</a></li>' for i, t in enumerate(reports))
    routes: dict[str, Answer] = {
        "/col/index.html": html(f"{menu}<ul>{items}</ul>{side}", title="政府信息公开年报"),
    }
    for i, title in enumerate(reports):
        routes[f"/nb/{i}.html"] = report_page(title, extra=menu)
    for path in ("/index.html", "/xwzx/index.html", "/hdjl/index.html", "/zwfw/index.html"):
        routes[path] = html(menu + '<a href="/xwzx/1.html">召开工作会议</a>')
    for slug, name in others.items():
        routes[f"/zwgk/{slug}/index.html"] = html(
            f'{menu}<ul><li><a href="/zwgk/{slug}/1.html">测试县2023年{name}</a></li></ul>'
        )
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {f"nb/{i}.html" for i in range(4)}
    elsewhere = [
        k for k, v in site.hits.items() if v and not k.startswith(("/nb/", "/col/", "/robots"))
    ]
    assert len(elsewhere) <= 2, elsewhere  # the reserve: a tenth of the pages the site cost


def test_a_list_filled_from_a_json_api_is_read_without_a_browser(tmp_path: Path, make_site) -> None:
    shell = (
        '<div id="list"></div><script>'
        "function load(p){fetch('/api/docs?column=nb&page='+p).then(r=>r.json()).then(d=>{"
        "document.getElementById('list').innerHTML=d.data.map(x=>'<a href='+x.url+'>'+x.title+'</a>').join('')})}"
        "load(1);</script>"
    )

    def api(page: int) -> Answer:
        rows = [
            {"title": f"{2016 + i}年测试县政府信息公开工作年度报告", "url": f"/art/{i}.html"}
            for i in range((page - 1) * 3, min(page * 3, 7))
        ]
        body = {"total": 7, "pageSize": 3, "page": page, "data": rows}
        return Answer(
            200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
        )

    routes = {"/col/index.html": html(shell, title="政府信息公开年报")}
    for p in (1, 2, 3):
        routes[f"/api/docs?column=nb&page={p}"] = api(p)
    for i in range(7):
        routes[f"/art/{i}.html"] = report_page(f"{2016 + i}年测试县政府信息公开工作年度报告")
    site = make_site(routes)
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides=FAST)  # the browser is off: the API must be found
    assert reports_of(archive) == {f"art/{i}.html" for i in range(7)}


@pytest.mark.parametrize("with_report", [True, False])
def test_a_json_list_mixing_reports_with_other_documents_is_read_past_a_page_without_one(
    tmp_path: Path, make_site, with_report: bool
) -> None:
    """A department's catalogue from a JSON API, newest first, its only report on page 2
    behind a page of other documents (seed 55213, a gkmlpt 法定主动公开内容 node): one page
    without a report does not end the list (a page with one makes it read to its end);
    NIANBAO_MAX_EMPTY_LISTING_PAGES such pages in a row do."""
    shell = (
        '<div id="list"></div><script>'
        "function load(p){fetch('/api/docs?column=all&page='+p).then(r=>r.json()).then(d=>{"
        "document.getElementById('list').innerHTML=d.data.map(x=>'<a href='+x.url+'>'+x.title+'</a>').join('')})}"
        "load(1);</script>"
    )
    report = "测试县2019年政府信息公开工作年度报告" if with_report else "关于第99批项目的通知"
    titles = [f"关于第{i}批项目的通知" for i in range(3)]
    titles += [report, "关于印发工作方案的通知", "测试县简介"]
    titles += [f"关于第{i}期工作简报的通知" for i in range(3, 12)]

    def api(page: int) -> Answer:
        rows = [
            {"title": titles[i], "url": f"/art/{i}.html"}
            for i in range((page - 1) * 3, min(page * 3, len(titles)))
        ]
        body = {"total": len(titles), "pageSize": 3, "page": page, "data": rows}
        return Answer(
            200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
        )

    routes = {"/col/index.html": html(shell, title="部门文件")}
    for p in range(1, 6):
        routes[f"/api/docs?column=all&page={p}"] = api(p)
    for i, title in enumerate(titles):
        routes[f"/art/{i}.html"] = report_page(title)
    site = make_site(routes)
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == ({"art/3.html"} if with_report else set())
    pages = sorted(p for p in site.hits if p.startswith("/api/docs"))
    read = range(1, 6) if with_report else (1, 2)
    assert pages == [f"/api/docs?column=all&page={p}" for p in read]


def test_a_site_without_reports_says_what_was_explored(tmp_path: Path, make_site) -> None:
    routes = {
        "/col/index.html": html(NAV + '<a href="/zwgk/index.html">政务公开</a>'),
        "/zwgk/index.html": html(NAV + '<a href="/zwgk/gh/index.html">规划计划</a>'),
        "/zwgk/gh/index.html": html("<p>暂无信息</p>"),
        "/about/index.html": html(NAV),
        "/index.html": html(NAV),
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    [health] = site_health(archive)
    assert health.state == "no_report_found"
    assert health.explored and health.explored["released"] >= 3
    assert "no report found; explored" in health.problems[0]
    assert not failures(archive).get("budget")


CHALLENGE = (
    b"<html><head><script>document.cookie='clearance=ok; path=/';location.reload();"
    b"</script></head><body></body></html>"
)


@pytest.mark.browser
def test_a_waf_passed_once_in_the_browser_lets_plain_requests_through(
    tmp_path: Path, make_site
) -> None:
    """瑞数/加速乐-like: every request without the cookie the challenge script sets answers
    412. The browser passes it once; the documents then come by plain requests carrying
    the browser's cookie (a PDF cannot be fetched through the browser at all)."""
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    content = {
        "/col/index.html": listing(("/nb/1.html", REPORT)),
        "/nb/1.html": report_page(extra='<a href="/nb/1.pdf">附件：年度报告.pdf</a>'),
        "/nb/1.pdf": Answer(200, pdf, {"Content-Type": "application/pdf"}),
    }
    cookies_seen: dict[str, list[str]] = {}

    def guarded(path: str) -> Callable[[int], Answer]:
        def answer(_hit: int) -> Answer:
            cookie = cookies_seen.setdefault(path, [])
            if cookie and "clearance=ok" in cookie[-1]:
                return content[path]
            return Answer(412, CHALLENGE, {"Content-Type": "text/html"})

        return answer

    site = make_site({path: guarded(path) for path in content})
    site.cookies = cookies_seen  # the server notes each request's Cookie header
    for path in content:
        cookies_seen[path] = []
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides={**FAST, "NIANBAO_RENDER_ENABLED": True})
    assert reports_of(archive) == {"nb/1.html", "nb/1.pdf"}
    assert any("clearance=ok" in c for c in cookies_seen["/nb/1.pdf"])


@pytest.mark.browser
def test_a_challenged_listing_that_declares_no_charset_is_read_from_the_servers_bytes(
    tmp_path: Path, make_site
) -> None:
    """A page behind a challenge, in UTF-8 with no charset anywhere: the browser passes the
    challenge but decodes the page by its own guess (windows-1252 here), which turned every
    title of the list into mojibake and lost its reports (seed 523901, a waf site: 8 of
    11). The page is asked for again with the browser's cookie and read from its bytes."""
    undeclared = {"Content-Type": "text/html"}
    items = "".join(
        f'<li><a href="/nb/{y}.html">（测试县）{y}年政府信息公开工作年度报告</a></li>'
        for y in (2022, 2023)
    )
    page = f"<html><head><title>政府信息公开年报</title></head><body><ul>{items}</ul></body></html>"
    content = {
        "/col/index.html": Answer(200, page.encode(), undeclared),
        "/nb/2022.html": report_page("（测试县）2022年政府信息公开工作年度报告"),
        "/nb/2023.html": report_page("（测试县）2023年政府信息公开工作年度报告"),
    }
    cookies_seen: dict[str, list[str]] = {path: [] for path in content}

    def guarded(path: str) -> Callable[[int], Answer]:
        def answer(_hit: int) -> Answer:
            cookie = cookies_seen[path]
            if cookie and "clearance=ok" in cookie[-1]:
                return content[path]
            return Answer(521, CHALLENGE, {"Content-Type": "text/html"})

        return answer

    site = make_site({path: guarded(path) for path in content})
    site.cookies = cookies_seen
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides={**FAST, "NIANBAO_RENDER_ENABLED": True})
    assert reports_of(archive) == {"nb/2022.html", "nb/2023.html"}


RUISHU = (
    b"<html><head><script>document.cookie='ts=ok; path=/';location.reload();"
    b"</script></head><body></body></html>"
)
JSL_FIRST = (
    b"<script>document.cookie=('j')+('s')+('l=tmp; path=/');"
    b"location.href=location.pathname+location.search</script>"
)
JSL_SECOND = (
    b"<html><head><meta charset='utf-8'></head><body><script>setTimeout(function(){"
    b"document.cookie='jsl=ok; path=/';location.href=location.pathname+location.search},300)"
    b"</script></body></html>"
)


@pytest.mark.browser
def test_reports_robots_txt_forbids_bound_the_exploration_as_reports_found_do(
    tmp_path: Path, make_site
) -> None:
    """A column whose reports robots.txt forbids has shown where the site's reports are:
    the rest of the site (menus, news, the sections above the column) is explored within
    the reserve, as after reports archived, not page after page to the last link (variant
    web seed 205783: 15 pages of news read on a site whose one report was forbidden)."""
    menu = (
        '<div class="nav"><a href="/index.html">首页</a><a href="/zwgk/index.html">政务公开</a>'
        '<a href="/xwzx/index.html">新闻中心</a><a href="/hdjl/index.html">互动交流</a>'
        '<a href="/zwfw/index.html">政务服务</a></div>'
    )
    reports = [f"测试县{y}年政府信息公开工作年度报告" for y in range(2020, 2024)]
    items = "".join(f'<li><a href="/nb/{i}.pdf">{t}</a></li>' for i, t in enumerate(reports))
    news = "".join(f'<li><a href="/xwzx/{i}.html">召开第{i}次工作会议</a></li>' for i in range(6))
    routes: dict[str, Answer] = {
        "/robots.txt": Answer(200, b"User-agent: *\nDisallow: /nb/\n", {"Content-Type": "text/plain"}),
        "/col/index.html": html(f"{menu}<ul>{items}</ul>", title="政府信息公开年报"),
    }  # fmt: skip
    for path in ("/index.html", "/zwgk/index.html", "/xwzx/index.html", "/hdjl/index.html"):
        routes[path] = html(f"{menu}<ul>{news}</ul>")
    routes["/zwfw/index.html"] = html(menu)
    for i in range(6):
        routes[f"/xwzx/{i}.html"] = html(f"{menu}<p>会议</p>")
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == set()
    assert not any(k.startswith("/nb/") and v for k, v in site.hits.items())
    elsewhere = [k for k, v in site.hits.items() if v and not k.startswith(("/col/", "/robots"))]
    assert len(elsewhere) <= 2, elsewhere


def test_stacked_challenges_are_passed_and_the_robots_txt_behind_them_obeyed(
    tmp_path: Path, make_site
) -> None:
    """A 瑞数-like 412 in front of a 加速乐-like 521 that answers twice: the browser reloads
    four times before the page shows, and robots.txt sits behind the same layers (seed
    731902: every site with both layers was recorded blocked, 0 of 53 reports; once
    passed, robots.txt had been read from the challenge page, as "allow everything")."""
    content = {
        "/robots.txt": Answer(200, b"User-agent: *\nDisallow: /nb/secret/\n", {"Content-Type": "text/plain"}),
        "/col/index.html": listing(("/nb/1.html", REPORT), ("/nb/secret/2.html", REPORT.replace("2023", "2022"))),
        "/nb/1.html": report_page(),
        "/nb/secret/2.html": report_page(REPORT.replace("2023", "2022")),
    }  # fmt: skip
    cookies_seen: dict[str, list[str]] = {path: [] for path in content}

    def guarded(path: str) -> Callable[[int], Answer]:
        def answer(_hit: int) -> Answer:
            cookie = cookies_seen[path][-1]
            if "ts=ok" not in cookie:
                return Answer(412, RUISHU, {"Content-Type": "text/html"})
            if "jsl=ok" in cookie:
                return content[path]
            body = JSL_SECOND if "jsl=tmp" in cookie else JSL_FIRST
            return Answer(521, body, {"Content-Type": "text/html"})

        return answer

    site = make_site({path: guarded(path) for path in content})
    site.cookies = cookies_seen
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides={**FAST, "NIANBAO_RENDER_ENABLED": True})
    assert reports_of(archive) == {"nb/1.html"}
    assert cookies_seen["/nb/secret/2.html"] == []  # forbidden: never asked for
    assert "blocked" not in failures(archive)


def _records(*links: tuple[str, str]) -> str:
    return "".join(
        f'<record><![CDATA[<li><a href="{href}" title="{text}">{text}</a><span>2024-01-20</span></li>]]></record>'
        for href, text in links
    )


def test_a_hanweb_column_mixing_reports_with_news_is_read_to_its_declared_total(
    tmp_path: Path, make_site
) -> None:
    """A Hanweb column proxy that caps every answer at one group (5 records), in a column
    where reports sit among news: groups without a report did not end the column, which
    the crawler had walked only while each answer held one (seed 731902, a 2017 report
    in records 36-40 of 48)."""
    proxy = "/module/jslib/jquery/jpage/dataproxy.jsp"
    form = "col=1&appid=1&webid=1&path=%2F&columnid=99&unitid=77&permissiontype=0"
    news = [
        (f"/art/2024/1/{i}/art_99_{i}.html", f"关于第{i}期工作简报的通知") for i in range(1, 20)
    ]
    first = [("/art/2025/1/9/art_99_100.html", REPORT), *news[:4]]
    column = html(
        '<div id="77"><script type="text/xml"><datastore><recordset>'
        + _records(*first)
        + "</recordset><totalrecord>20</totalrecord></datastore></script></div>"
        + f'<script>jpage_load({{"unitid": "77", "proxyUrl": "{proxy}", "perPage": 5, '
        + f'"groupSize": 1, "totalRecord": 20, "ajaxType": "POST", "form": "{form}"}});</script>',
        title="政务公开年报",
    )
    older = ("/art/2018/2/6/art_99_101.html", REPORT.replace("2023", "2017"))
    groups = {6: news[4:9], 11: news[9:14], 16: [*news[14:18], older]}  # capped at 5 each

    def answer(start: int) -> Answer:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>'
            + _records(*groups[start])
            + "</recordset><totalrecord>20</totalrecord></datastore>"
        )
        return Answer(200, xml.encode(), {"Content-Type": "text/xml;charset=UTF-8"})

    routes: dict[str, Answer] = {
        "/col/index.html": column,
        "/art/2025/1/9/art_99_100.html": report_page(),
        older[0]: report_page(older[1]),
    }
    for start in groups:
        routes[f"{proxy}?startrecord={start}&endrecord=20&perpage=5"] = answer(start)
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"art/2025/1/9/art_99_100.html", older[0][1:]}
    assert not any(path.startswith("/art/2024/") for path in site.hits)  # news: not asked


def _paged_hanweb_column(proxy_answers: bool) -> dict[str, Answer]:
    """A Hanweb column of 15 records: 5 embedded, 10 from its POST record-range proxy, and
    a human pager beside it (`index.html?uid=77&pageNum=N`, field guide §1.1) showing the
    same records as pages; the 2017 report sits in the last group."""
    proxy = "/module/jpage/dataproxy.jsp"
    form = "col=1&appid=1&webid=1&path=%2F&columnid=99&unitid=77&permissiontype=0"
    news = [
        (f"/art/2024/1/{i}/art_99_{i}.html", f"关于第{i}期工作简报的通知") for i in range(1, 14)
    ]
    older = ("/art/2018/2/6/art_99_101.html", REPORT.replace("2023", "2017"))
    records = [("/art/2025/1/9/art_99_100.html", REPORT), *news, older]
    pager = "".join(
        f'<a href="/col/index.html?uid=77&amp;pageNum={n}">{n}</a> ' for n in range(2, 4)
    )
    routes: dict[str, Answer] = {
        "/col/index.html": html(
            '<div id="77"><script type="text/xml"><datastore><recordset>'
            + _records(*records[:5])
            + "</recordset><totalrecord>15</totalrecord></datastore></script></div>"
            + f'<script>jpage_load({{"unitid": "77", "proxyUrl": "{proxy}", "perPage": 5, '
            + f'"groupSize": 3, "totalRecord": 15, "ajaxType": "POST", "form": "{form}"}});'
            + f"</script><div class='pagination'>{pager}</div>",
            title="政务公开年报",
        ),
        "/art/2025/1/9/art_99_100.html": report_page(),
        older[0]: report_page(older[1]),
    }
    for n in (2, 3):  # (asked for with the query sorted, as Scrapy canonicalises it)
        routes[f"/col/index.html?pageNum={n}&uid=77"] = html(
            "<ul>"
            + "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in records[5 * n - 5 : 5 * n])
            + f"</ul><div class='pagination'>{pager}</div>",
            title="政务公开年报",
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>'
        + _records(*records[5:])
        + "</recordset><totalrecord>15</totalrecord></datastore>"
    )
    routes[f"{proxy}?startrecord=6&endrecord=15&perpage=5"] = (
        Answer(200, xml.encode(), {"Content-Type": "text/xml;charset=UTF-8"})
        if proxy_answers
        else Answer(500, b"error")
    )
    return routes


def test_a_human_pager_beside_a_column_proxy_costs_nothing_when_the_proxy_answers(
    tmp_path: Path, make_site
) -> None:
    """The pager's pages show the records the proxy delivered: they wait for the proxy's
    outcome and are not asked for once its answers reach the declared total (seed 938746, a
    Hanweb column: 22 requests beyond the minimum, 11 of them 404s of a page series built
    without the links' uid)."""
    site = make_site(_paged_hanweb_column(proxy_answers=True))
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"art/2025/1/9/art_99_100.html", "art/2018/2/6/art_99_101.html"}
    assert not [path for path in site.hits if "pageNum" in path]


def test_a_human_pager_beside_a_failing_column_proxy_is_read(tmp_path: Path, make_site) -> None:
    """The same column whose proxy fails: its pages are asked for after all."""
    site = make_site(_paged_hanweb_column(proxy_answers=False))
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"art/2025/1/9/art_99_100.html", "art/2018/2/6/art_99_101.html"}
    assert {p for p in site.hits if "pageNum" in p} == {
        "/col/index.html?pageNum=2&uid=77",
        "/col/index.html?pageNum=3&uid=77",
    }


def test_a_mirror_host_costs_the_page_that_reveals_it(tmp_path: Path, make_site) -> None:
    """A mobile host (手机版) serving the same pages at the same paths: its first page shows
    the same links as the page already fetched at that path, so its host is read as the
    site's own and nothing is asked for twice (seed 731902, a portal: 38 of 80 requests
    went into walking the whole site again on its m. host)."""
    routes: dict[str, Answer] = {}
    main, mirror = make_site(routes), make_site(routes)  # one site, two host names
    menu = NAV + "".join(f'<a href="/lm{i}/index.html">栏目{i}</a>' for i in range(4))
    routes["/col/index.html"] = html(
        menu
        + f'<a href="{mirror.base}/col/index.html">手机版</a>'
        + "<ul>"
        + "".join(
            f'<li><a href="/nb/{y}.html">测试县{y}年政府信息公开工作年度报告</a><span>{y + 1}-01-20</span></li>'
            for y in (2022, 2023)
        )
        + "</ul>",
        title="政府信息公开年报",
    )
    for y in (2022, 2023):
        routes[f"/nb/{y}.html"] = report_page(f"测试县{y}年政府信息公开工作年度报告")
    for i in range(4):
        routes[f"/lm{i}/index.html"] = html(menu)
    archive = archive_for(tmp_path, main)
    crawl(archive, settings_overrides=FAST)
    assert {d.url for d in archive.known_documents("ceshi-gov")} == {
        f"{main.base}/nb/2022.html",
        f"{main.base}/nb/2023.html",
    }
    assert set(mirror.hits) <= {"/robots.txt", "/col/index.html"}


def test_many_script_filled_columns_of_one_template_are_all_read(tmp_path: Path, make_site) -> None:
    """Six agencies' 年报 columns share a URL template and are empty shells filled from an
    API: none brings links of its own, yet none is a trap."""
    organs = [f"{600 + i}" for i in range(6)]
    menu = "".join(
        f'<a href="/public/column/{o}?action=list&catId=9">第{i}乡政府信息公开年报</a>'
        for i, o in enumerate(organs)
    )
    routes: dict[str, Answer] = {"/col/index.html": html(menu, title="政府信息公开")}
    for i, organ in enumerate(organs):
        shell = (
            '<div id="list"></div><script>'
            f"fetch('/api/list?organ={organ}&page=1').then(r=>r.json()).then(d=>"
            "{document.getElementById('list').innerHTML=d.data.map(x=>x.title).join('')})"
            "</script>"
        )
        routes[f"/public/column/{organ}?action=list&catId=9"] = html(shell, title="信息公开年报")
        title = f"第{i}乡人民政府2023年政府信息公开工作年度报告"
        body = {"total": 1, "data": [{"title": title, "url": f"/public/{organ}/1.html"}]}
        routes[f"/api/list?organ={organ}&page=1"] = Answer(
            200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
        )
        routes[f"/public/{organ}/1.html"] = report_page(title)
    site = make_site(routes)
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {f"public/{o}/1.html" for o in organs}


def test_a_cut_list_title_to_a_file_is_decided_by_the_file_name(tmp_path: Path, make_site) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def named(name: str) -> Answer:
        quoted = name.encode("utf-8").hex()
        encoded = "".join(f"%{quoted[i : i + 2]}" for i in range(0, len(quoted), 2))
        return Answer(
            200,
            pdf,
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": f"attachment; filename*=UTF-8''{encoded}.pdf",
            },
        )

    routes = {
        "/col/index.html": listing(
            ("/up/1.pdf", "测试县审计局2023年政府信息公开工作…"),
            ("/up/2.pdf", "测试县2023年政府信息公开工作要…"),
        ),
        "/up/1.pdf": named("测试县审计局2023年政府信息公开工作年度报告"),
        "/up/2.pdf": named("测试县2023年政府信息公开工作要点"),
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"up/1.pdf"}
    assert site.hits.get("/up/2.pdf") == 1  # read, and left out


@pytest.mark.parametrize("base", [1, 0])
def test_a_listing_api_counting_pages_from_0_or_1_costs_one_request_when_one_holds_all(
    tmp_path: Path, make_site, base: int
) -> None:
    """gkmlpt APIs count pages from 1 on most sites and from 0 on some: page 1 is asked for
    first, page 0 only when page 1's answer does not hold the whole listing."""
    shell = (
        "<div id='list'>正在加载……</div><script>window._CONFIG = "
        '{"SID": "4455", "TREE": [{"id": 9, "name": "政府信息公开年报", "post_count": 3}]};'
        "</script>"
    )
    titles = [f"{2021 + i}年测试县政府信息公开工作年度报告" for i in range(3)]
    rows = [
        {"title": t, "url": f"/art/{i}.html", "date": "2024-01-20"} for i, t in enumerate(titles)
    ]

    def api(data: list[dict[str, str]]) -> Answer:
        body = {"total": len(data) if data else 3, "articles": data}
        return Answer(
            200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
        )

    routes = {"/col/index.html": html(shell, title="政府信息公开年报")}
    routes[f"/gkmlpt/api/all/9?page={base}&sid=4455"] = api(rows)
    if base == 0:
        routes["/gkmlpt/api/all/9?page=1&sid=4455"] = api([])  # past the end
    for i, title in enumerate(titles):
        routes[f"/art/{i}.html"] = report_page(title)
    site = make_site(routes)
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {f"art/{i}.html" for i in range(3)}
    api_requests = [p for p in site.hits if p.startswith("/gkmlpt/api/")]  # in order
    assert all(site.hits[p] == 1 for p in api_requests)
    if base == 1:
        assert api_requests == ["/gkmlpt/api/all/9?page=1&sid=4455"]
    else:
        assert api_requests == [
            "/gkmlpt/api/all/9?page=1&sid=4455",
            "/gkmlpt/api/all/9?page=0&sid=4455",
        ]


@pytest.mark.parametrize("base", [0, 1])
def test_the_short_second_page_of_an_api_counting_from_0_is_not_taken_for_its_first(
    tmp_path: Path, make_site, base: int
) -> None:
    """A department's whole catalogue, 112 records, 100 a page. Counted from 0, page 1 (asked
    first) is the short last page: its 12 records were taken for the page size, and pages
    2 to 10 were asked for, all empty (variant web seed 612044, site27: 9 requests). Its
    pages are planned once page 0 has answered; counted from 1, every page is read."""
    shell = (
        "<div id='list'>正在加载……</div><script>window._CONFIG = "
        '{"SID": "4455", "TREE": [{"id": 9, "name": "政府信息公开年报", "post_count": 112}]};'
        "</script>"
    )
    rows = [
        {"title": f"关于开展第{i}次工作检查的通知", "url": f"/art/n{i}.html", "date": "2024-01-20"}
        for i in range(112)
    ]
    rows[5] = {"title": REPORT, "url": "/art/r.html", "date": "2024-01-20"}
    rows[105] = {
        "title": REPORT.replace("2023", "2016"),
        "url": "/art/s.html",
        "date": "2016-01-20",
    }

    def api(data: list[dict[str, str]]) -> Answer:
        body = {"total": 112, "articles": data}
        return Answer(
            200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
        )

    routes = {"/col/index.html": html(shell, title="政府信息公开年报")}
    pages = [rows[:100], rows[100:]]
    for n in range(12):
        chunk = pages[n - base] if 0 <= n - base < 2 else []
        routes[f"/gkmlpt/api/all/9?page={n}&sid=4455"] = api(chunk)
    routes["/art/r.html"] = report_page(REPORT)
    routes["/art/s.html"] = report_page(REPORT.replace("2023", "2016"))
    site = make_site(routes)
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"art/r.html", "art/s.html"}
    asked = sorted(
        int(p.split("page=")[1].split("&")[0]) for p in site.hits if p.startswith("/gkmlpt/api/")
    )
    if base == 0:
        assert asked == [0, 1], asked
    else:  # and one page past the short last one, which the answers do not say is last
        assert asked in ([0, 1, 2], [0, 1, 2, 3]), asked


def test_a_cut_list_title_to_a_file_named_by_hash_is_decided_by_its_own_title(
    tmp_path: Path, make_site
) -> None:
    """Old CMSs store uploads under hash names and send no Content-Disposition: when the
    list title is cut short too, the document's own title decides (read in an isolated
    worker by the archive pipeline), and a later crawl knows the file without reading it."""
    from sampleweb.render import docx_bytes

    def doc(title: str) -> Answer:
        body = docx_bytes(f"{title}\n\n本报告由测试县人民政府办公室编制。\n")
        return Answer(200, body, {"Content-Type": "application/octet-stream"})

    routes = {
        "/col/index.html": listing(
            ("/uploadfile/2024/0118/34115186740.docx", "测试县统计局2023年政府信息公开…"),
            ("/uploadfile/2024/0120/99120000001.docx", "测试县2023年政府信息公开工作要…"),
        ),
        "/uploadfile/2024/0118/34115186740.docx": doc("测试县统计局2023年政府信息公开工作年度报告"),
        "/uploadfile/2024/0120/99120000001.docx": doc("测试县2023年政府信息公开工作要点"),
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"uploadfile/2024/0118/34115186740.docx"}
    [known] = archive.known_documents("ceshi-gov")
    assert known.title == "测试县统计局2023年政府信息公开工作年度报告" and known.year == 2023

    site.hits.clear()
    crawl(archive, settings_overrides=FAST)
    assert "/uploadfile/2024/0118/34115186740.docx" not in site.hits  # known, in cadence


def test_a_start_page_that_links_nowhere_leads_up_to_the_home_page(
    tmp_path: Path, make_site
) -> None:
    """The registry names the county's script-filled catalogue; its departments' own
    catalogues are linked from the site's home page only."""

    def shell(sid: str, node: int) -> Answer:
        return html(
            "<div id='app'>正在加载……</div><script>window._CONFIG = "
            f'{{"SID": "{sid}", "TREE": [{{"id": {node}, "name": "政府信息公开年报", '
            '"post_count": 1}]};</script>',
            title="政府信息公开目录",
        )

    def api(title: str, url: str) -> Answer:
        body = {"total": 1, "articles": [{"title": title, "url": url, "date": "2024-01-20"}]}
        return Answer(
            200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
        )

    county = "测试县2023年政府信息公开工作年度报告"
    dept = "测试县统计局2023年政府信息公开工作年度报告"
    routes = {
        "/col/index.html": shell("11", 5),
        "/gkmlpt/api/all/5?page=1&sid=11": api(county, "/gkmlpt/content/1.html"),
        "/gkmlpt/content/1.html": report_page(county),
        "/": html('<a href="/zwgk/index.html">政务公开</a>', title="测试县人民政府"),
        "/zwgk/index.html": html('<a href="/zwgk/bm/index.html">部门信息公开</a>'),
        "/zwgk/bm/index.html": html('<a href="/tjj/gkmlpt/index">测试县统计局</a>'),
        "/tjj/gkmlpt/index": shell("22", 7),
        "/tjj/gkmlpt/api/all/7?page=1&sid=22": api(dept, "/tjj/gkmlpt/content/2.html"),
        "/tjj/gkmlpt/content/2.html": report_page(dept),
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site, render="auto")
    crawl(archive, settings_overrides=FAST)
    assert reports_of(archive) == {"gkmlpt/content/1.html", "tjj/gkmlpt/content/2.html"}


def test_blank_pages_of_a_rate_limiting_waf_are_waited_out(tmp_path: Path, make_site) -> None:
    """安全狗 answers a client that goes too fast with blank 200 pages: not the page. The
    crawl slows down, asks again, and finds the reports; a page that stays blank is a
    recorded failure, not an empty listing."""
    blank = Answer(
        200,
        b"<html><head></head><body></body></html>",
        {
            "Content-Type": "text/html",
            "X-Safedog": "waf2.0",
            "Set-Cookie": "safedog-flow-item=; path=/",
        },
    )

    def flaky_listing(hit: int) -> Answer:
        return blank if hit <= 2 else listing(("/r.html", REPORT))

    routes = {
        "/col/index.html": html(
            '<a href="/nb/index.html">政府信息公开年报</a><a href="/gone/index.html">政府信息公开年报（旧）</a>'
        ),
        "/nb/index.html": flaky_listing,
        "/r.html": report_page(),
        "/gone/index.html": blank,
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    summary = crawl(archive, settings_overrides={**FAST, "NIANBAO_RATE_LIMIT_WAIT": 0.05})
    assert reports_of(archive) == {"r.html"}
    assert site.hits["/nb/index.html"] == 3
    assert site.hits["/gone/index.html"] == 4  # the first answer and three more, then given up
    assert summary.stats["nianbao/ceshi-gov/rate_limited"] == 2 + 4
    blocked = failures(archive).get("blocked", [])
    assert [str(f["url"]).rsplit("/", 2)[-2] for f in blocked] == ["gone"]


def test_a_site_that_rate_limited_once_keeps_its_slower_pace(tmp_path: Path, make_site) -> None:
    """After a blank 安全狗 page the site's pace is slowed, and AutoThrottle, which lowers
    the delay of a fast site with every quick answer, no longer brings it back to the
    pace that was answered blank (variant web seed 8675309: three bursts answered blank
    in one crawl, each blank page a request more). Here more than two requests within
    0.4 s are answered blank."""
    seen: list[float] = []
    blank = Answer(
        200,
        b"<html><head></head><body></body></html>",
        {"Content-Type": "text/html", "X-Safedog": "waf2.0"},
    )

    def limited(answer: Answer) -> Callable[[int], Answer]:
        def serve(_hit: int) -> Answer:
            now = time.monotonic()
            recent = [t for t in seen if now - t < 0.4]
            seen.append(now)
            return blank if len(recent) >= 2 else answer

        return serve

    titles = [f"测试县{y}年政府信息公开工作年度报告" for y in range(2008, 2024)]
    routes = {
        "/col/index.html": limited(listing(*((f"/nb/{i}.html", t) for i, t in enumerate(titles)))),
        **{f"/nb/{i}.html": limited(report_page(t)) for i, t in enumerate(titles)},
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    overrides = {
        **FAST,
        "AUTOTHROTTLE_ENABLED": True,
        "NIANBAO_RATE_LIMIT_WAIT": 0.05,
        "NIANBAO_RATE_LIMIT_MAX_DELAY": 0.5,
    }
    summary = crawl(archive, settings_overrides=overrides)
    assert len(reports_of(archive)) == len(titles)
    assert summary.stats.get("nianbao/ceshi-gov/rate_limited", 0) <= 2
