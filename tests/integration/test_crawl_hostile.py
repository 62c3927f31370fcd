"""The crawler against small hostile or awkward local sites (http.server on 127.0.0.1,
port 0): scope and redirects, retries, WAF challenges, encodings, traps, budgets, robots,
JavaScript-only listings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from localsite import (
    BROWSER,
    FAST,
    REPORT,
    Answer,
    Route,
    archive_for,
    failures,
    html,
    listing,
    report_page,
)

from crawler.run import crawl


def test_redirects_offsite_or_to_unnamed_private_addresses_are_refused(
    tmp_path: Path, make_site
) -> None:
    site = make_site({})
    site.routes.update(
        {
            "/col/index.html": listing(
                ("/a.html", REPORT), ("/b.html", "测试县2022年政府信息公开工作年度报告")
            ),
            "/a.html": Answer(302, b"", {"Location": "http://www.example.com/a.html"}),
            "/b.html": Answer(
                302, b"", {"Location": f"http://10.0.0.7:{site.server.server_port}/b.html"}
            ),
            "/robots.txt": Answer(200, b"User-agent: *\n", {"Content-Type": "text/plain"}),
        }
    )
    archive = archive_for(tmp_path, site)
    summary = crawl(archive, settings_overrides=FAST)
    found = failures(archive)
    [offsite] = found["offsite"]
    assert "www.example.com" in str(offsite["detail"]) and "redirected from" in str(
        offsite["detail"]
    )
    [private] = found["private_address"]
    assert "10.0.0.7" in str(private["detail"])
    assert summary.sites["ceshi-gov"].reports_found == 0
    assert archive.known_documents("ceshi-gov") == []


def test_5xx_is_retried_with_backoff_and_failures_are_recorded(tmp_path: Path, make_site) -> None:
    flaky = {"n": 0}

    def once_503(hit: int) -> Answer:
        flaky["n"] = hit
        return Answer(503, b"busy") if hit == 1 else report_page()

    site = make_site(
        {
            "/col/index.html": listing(
                ("/a.html", REPORT), ("/b.html", "测试县2022年政府信息公开工作年度报告")
            ),
            "/a.html": once_503,
            "/b.html": Answer(500, b"broken"),
        }
    )
    archive = archive_for(tmp_path, site)
    summary = crawl(archive, settings_overrides={**FAST, "RETRY_TIMES": 2})
    assert site.hits["/a.html"] == 2
    assert site.hits["/b.html"] == 3  # the first try and two retries
    [failure] = failures(archive)["http_status"]
    assert failure["url"].endswith("/b.html") and failure["status"] == 500
    assert summary.sites["ceshi-gov"].reports_found == 1
    assert summary.sites["ceshi-gov"].outcome == "partial"
    [doc] = archive.known_documents("ceshi-gov")
    assert doc.title == REPORT


def test_a_redirect_target_has_its_own_retries(tmp_path: Path, make_site) -> None:
    """A download endpoint that fails once and then redirects to its file: the file gets
    its own attempts (Scrapy carried the endpoint's count over the redirect, and a file
    that failed twice was given up after one retry: seed 17788, a flaky Hanweb site)."""
    pdf = b"%PDF-1.4\n" + REPORT.encode() + b"\n%%EOF\n"

    def endpoint(hit: int) -> Answer:
        return Answer(503, b"busy") if hit == 1 else Answer(302, b"", {"Location": "/f/a.pdf"})

    def file(hit: int) -> Answer:
        return (
            Answer(502, b"bad gateway")
            if hit <= 2
            else Answer(200, pdf, {"Content-Type": "application/pdf"})
        )

    page = report_page(extra='<a href="/down.jsp?id=1">附件：年度报告.pdf</a>')
    site = make_site(
        {
            "/col/index.html": listing(("/a.html", REPORT)),
            "/a.html": page,
            "/down.jsp?id=1": endpoint,
            "/f/a.pdf": file,
        }
    )
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides={**FAST, "RETRY_TIMES": 2})
    assert site.hits["/down.jsp?id=1"] == 2 and site.hits["/f/a.pdf"] == 3
    assert "http_status" not in failures(archive)
    assert any(d.url.endswith("/f/a.pdf") for d in archive.known_documents("ceshi-gov"))


RUISHU = (
    b"<html><head><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=1;</script>"
    b'<script src="/x/c.js"></script></head><body></body></html>'
)


def test_waf_challenge_without_browser_blocks_the_site(tmp_path: Path, make_site) -> None:
    site = make_site(
        {
            "/col/index.html": Answer(412, RUISHU, {"Content-Type": "text/html"}),
            "/robots.txt": Answer(412, RUISHU, {"Content-Type": "text/html"}),
        }
    )
    archive = archive_for(tmp_path, site, render="never")
    summary = crawl(archive, settings_overrides=FAST)
    [blocked] = failures(archive)["blocked"]
    assert blocked["status"] == 412 and "challenge" in str(blocked["detail"])
    assert summary.sites["ceshi-gov"].blocked
    assert summary.outcome == "blocked"
    assert site.hits["/col/index.html"] == 1


def test_gbk_pages_without_declaration_and_gbk_file_names(tmp_path: Path, make_site) -> None:
    name = "测试县2023年政府信息公开工作年度报告.pdf"
    site = make_site(
        {
            "/col/index.html": html(
                f'<ul><li><a href="/a.html">{REPORT}</a></li></ul>', charset=None, encoding="gbk"
            ),
            "/a.html": Answer(
                200,
                f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                f'<title>{REPORT}</title></head><body><a href="/down?id=7">附件下载</a></body></html>'.encode(
                    "gbk"
                ),
                {"Content-Type": "text/html"},
            ),
            "/down?id=7": Answer(
                200,
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                {
                    "Content-Type": "application/octet-stream",
                    "Content-Disposition": 'attachment; filename="' + name + '"',
                },
            ),
        }
    )
    # http.server sends header values as Latin-1: re-encode the GBK file name byte for byte
    site.routes["/down?id=7"].headers["Content-Disposition"] = (
        'attachment; filename="' + name.encode("gbk").decode("latin-1") + '"'
    )
    archive = archive_for(tmp_path, site)
    summary = crawl(archive, settings_overrides=FAST)
    docs = {d.role: d for d in archive.known_documents("ceshi-gov")}
    assert docs["report"].title == REPORT
    assert "attachment" in docs
    assert summary.stats.get("nianbao/ceshi-gov/attachments/pdf") == 1
    from sqlalchemy import select

    from storage.models import DocumentRow

    with archive.session() as session:
        names = set(session.scalars(select(DocumentRow.filename)))
    assert name in names, names


def test_traps_and_endless_pagination_do_not_bloat_the_crawl(tmp_path: Path, make_site) -> None:
    def endless(n: int) -> Callable[[int], Answer]:
        return lambda _hit: html(
            f'<ul><li>暂无信息</li></ul><a href="/list?page={n + 1}">下一页</a>'
        )

    routes: dict[str, Route] = {
        "/col/index.html": html(
            f'<ul><li><a href="/a.html">{REPORT}</a><span>2024-01-02</span></li></ul>'
            '<a href="/col/index_1.html">下一页</a>'
            '<a href="/calendar/2024-01.html">信息公开日历</a>'
            '<a href="/a.html?print=1">打印本页</a>'
            '<a href="/xxgk/a;jsessionid=XYZ">政府信息公开</a>',
            title="政府信息公开年报",
        ),
        "/a.html": report_page(),
        "/xxgk/a": html("<p>政府信息公开</p>"),
    }
    for n in range(1, 200):
        routes[f"/col/index_{n}.html"] = endless(n)
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    summary = crawl(archive, settings_overrides=FAST)
    assert summary.sites["ceshi-gov"].reports_found == 1
    pages = [p for p in site.hits if p.startswith("/col/index_")]
    assert pages == ["/col/index_1.html"], pages  # one page without reports, then the pager stops
    assert not any("calendar" in p or "print" in p for p in site.hits)
    assert "/xxgk/a" in site.hits and not any("jsessionid" in p for p in site.hits)


def test_page_budget_is_enforced_and_recorded(tmp_path: Path, make_site) -> None:
    links = "".join(f'<a href="/xxgk/{i}.html">政府信息公开{i}</a>' for i in range(30))
    routes: dict[str, Route] = {"/col/index.html": html(links)}
    for i in range(30):
        routes[f"/xxgk/{i}.html"] = html("<p>政府信息公开</p>")
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides={**FAST, "NIANBAO_PAGE_BUDGET": 5})
    assert sum(site.hits.get(f"/xxgk/{i}.html", 0) for i in range(30)) == 4
    [budget] = failures(archive)["budget"]
    assert "budget of 5 pages" in str(budget["detail"])


def test_robots_obeyed_unless_the_registry_overrides(tmp_path: Path, make_site) -> None:
    routes: dict[str, Route] = {
        "/col/index.html": listing(("/nbbk/a.html", REPORT)),
        "/nbbk/a.html": report_page(),
        "/robots.txt": Answer(
            200, b"User-agent: *\nDisallow: /nbbk/\n", {"Content-Type": "text/plain"}
        ),
    }
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    crawl(archive, settings_overrides=FAST)
    assert "/nbbk/a.html" not in site.hits
    [robots] = failures(archive)["robots"]
    assert robots["url"].endswith("/nbbk/a.html")

    other = make_site(dict(routes))
    archive2 = archive_for(tmp_path / "2", other, obey_robots=False)
    crawl(archive2, settings_overrides=FAST)
    assert other.hits.get("/nbbk/a.html") == 1
    assert "/robots.txt" not in other.hits


@pytest.mark.browser
def test_render_auto_renders_a_javascript_only_listing(tmp_path: Path, make_site) -> None:
    script = (
        "<div id='app'></div><script>var items=[['/a.html','" + REPORT + "']];"
        "document.getElementById('app').innerHTML=items.map(function(x){"
        "return '<li><a href=\"'+x[0]+'\">'+x[1]+'</a></li>'}).join('');</script>"
    )
    site = make_site({"/col/index.html": html(script, title="年度报告"), "/a.html": report_page()})
    archive = archive_for(tmp_path, site, render="auto")
    summary = crawl(archive, settings_overrides=BROWSER)
    assert summary.stats.get("nianbao/ceshi-gov/rendered") == 1
    assert summary.sites["ceshi-gov"].reports_found == 1
    assert site.hits["/a.html"] == 1

    never = make_site(dict(site.routes))
    archive2 = archive_for(tmp_path / "2", never, render="never")
    summary2 = crawl(archive2, settings_overrides=BROWSER)
    assert summary2.sites["ceshi-gov"].reports_found == 0
    assert "/a.html" not in never.hits
