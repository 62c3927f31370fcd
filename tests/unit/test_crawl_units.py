"""Unit tests of the crawler's pure parts: URLs, encodings, attachments, platform adapters."""

from __future__ import annotations

import io
import zipfile

import pytest

from crawler.adapters.types import ListingFormat, ListingPage
from crawler.anchors import extract_anchors, page_title
from crawler.attachments import content_disposition_filename, sniff_file_type
from crawler.encoding import detect_encoding
from crawler.items import CrawlFailure
from crawler.links import canonical_url, is_attachment_link, is_private_address, trap_reason
from crawler.listings import hanweb


# ---------------------------------------------------------------------- links
def test_canonical_url_drops_sessions_fragments_and_sorts_query() -> None:
    assert (
        canonical_url("HTTP://Www.Example.GOV.cn:80/art/1.html;jsessionid=ABC?b=2&a=1&_=999#top")
        == "http://www.example.gov.cn/art/1.html?a=1&b=2"
    )
    assert canonical_url("http://x.cn/list.jsp?PHPSESSID=1&page=2") == "http://x.cn/list.jsp?page=2"
    assert canonical_url("http://x.cn:8080/a") == "http://x.cn:8080/a"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://x.cn/art/1.html?print=1", "print-view"),
        ("http://x.cn/print/1.html", "print-view"),
        ("http://x.cn/calendar/2021-01.html", "calendar"),
        ("http://x.cn/events.jsp?month=2021-02", "calendar"),
        ("http://x.cn/a/b/a/b/a/b/a/b/index.html", "path-loop"),
        ("http://x.cn/col/col1/index.html", None),
        ("http://x.cn/list.jsp?catid=12&page=2", None),
    ],
)
def test_trap_reason(url: str, reason: str | None) -> None:
    assert trap_reason(url) == reason


def test_attachment_links_by_extension_endpoint_or_text() -> None:
    assert is_attachment_link("http://x.cn/u/P020210128.pdf")
    assert is_attachment_link("http://x.cn/u/report.WPS")
    assert is_attachment_link("http://x.cn/module/download/downfile.jsp?classid=0&filename=1.docx")
    assert is_attachment_link("http://x.cn/getfile?id=3", "")
    assert is_attachment_link("http://x.cn/f?id=3", "2020年报.docx")
    assert not is_attachment_link("http://x.cn/art/1.html", "2020年度报告")
    assert not is_attachment_link("http://x.cn/logo.png")


def test_private_addresses() -> None:
    assert is_private_address("127.0.0.11")
    assert is_private_address("10.1.2.3")
    assert is_private_address("localhost")
    assert is_private_address("[::1]")
    assert not is_private_address("www.gov.cn")
    assert not is_private_address("8.8.8.8")


def test_crawl_failure_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown failure kind 'oops'"):
        CrawlFailure("s", "http://x.cn/", "oops", "detail")  # type: ignore[arg-type]  # on purpose


# ---------------------------------------------------------------------- encodings
def test_encoding_from_header_meta_and_bytes() -> None:
    text = "岚皋县2020年政府信息公开工作年度报告"
    gbk = f"<html><body>{text}</body></html>".encode("gbk")
    assert detect_encoding(gbk, "text/html; charset=GBK") == "gb18030"
    assert detect_encoding(b'<meta charset="gb2312">' + gbk, "text/html") == "gb18030"
    # no declaration at all: strict UTF-8 fails, GB18030 decodes (never "Korean")
    assert detect_encoding(gbk, "text/html") == "gb18030"
    assert gbk.decode(detect_encoding(gbk, None)).endswith(f"{text}</body></html>")
    utf8 = f"<p>{text}</p>".encode()
    assert detect_encoding(utf8, None) == "utf-8"
    # the header wins over a wrong meta
    assert detect_encoding(b'<meta charset="utf-8">' + gbk, "text/html;charset=gb2312") == "gb18030"


# ---------------------------------------------------------------------- attachments
def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_sniff_file_type_reads_content_not_extension() -> None:
    assert sniff_file_type(b"%PDF-1.7\n...", "http://x.cn/a.doc") == "pdf"
    docx = _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"})
    assert sniff_file_type(docx, "http://x.cn/a.doc") == "docx"
    assert sniff_file_type(_zip({"xl/workbook.xml": b"<w/>"}), "") == "xlsx"
    assert sniff_file_type(_zip({"OFD.xml": b"<ofd/>"}), "http://x.cn/a.zip") == "ofd"
    assert sniff_file_type(_zip({"a.txt": b"x"}), "http://x.cn/a.pdf") == "zip"
    assert sniff_file_type(b"<html><body>404</body></html>", "http://x.cn/a.pdf") is None
    assert sniff_file_type(b"", "http://x.cn/a.pdf") is None


def test_content_disposition_names() -> None:
    name = "长街镇2020年度政府信息公开年度报告.docx"
    assert content_disposition_filename(f'attachment; filename="{name}"'.encode("gbk")) == name
    assert content_disposition_filename(f"attachment; filename={name}".encode()) == name
    rfc = "attachment; filename=\"report.docx\"; filename*=UTF-8''" + "".join(
        f"%{b:02X}" for b in name.encode()
    )
    assert content_disposition_filename(rfc.encode("ascii")) == name
    percent = "attachment; filename=" + "".join(f"%{b:02X}" for b in name.encode())
    assert content_disposition_filename(percent.encode()) == name
    assert content_disposition_filename(b"inline") is None
    assert content_disposition_filename(None) is None


# ---------------------------------------------------------------------- anchors
def test_anchors_prefer_full_title_and_find_dates() -> None:
    html = (
        '<ul><li><a href="/art/1.html" title="宁海县2020年政府信息公开工作年度报告">宁海县2020年政府...</a>'
        "<span>2021-01-29</span></li><li><a href='javascript:void(0)'>x</a></li></ul>"
    )
    [anchor] = extract_anchors(html, "http://x.cn/col/index.html")
    assert anchor.url == "http://x.cn/art/1.html"
    assert anchor.text == "宁海县2020年政府信息公开工作年度报告"
    assert anchor.published == "2021-01-29"


def test_page_title_prefers_article_title_meta() -> None:
    from parsel import Selector

    html = '<html><head><title>站点</title><meta name="ArticleTitle" content="某镇2020年年报"></head></html>'
    assert page_title(Selector(text=html)) == "某镇2020年年报"


# ---------------------------------------------------------------------- adapters
HANWEB_PAGE = """<div id="5473"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=11&amp;webid=3&amp;columnid=77&amp;unitid=5473"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2021/1/7/art_77_1.html" title="长街镇2020年度政府信息公开年度报告">长街镇…</a><span>2021-01-07</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/1/8/art_77_2.html">其他</a></li>]]></record>
</recordset></datastore></script>
<script>var cfg = {totalRecord: 40, perPage: 2, columnid: '77', unitid: '5473'};</script></div>"""


def test_hanweb_records_and_dataproxy_posts() -> None:
    page = ListingPage("http://x.cn/col/col77/index.html", HANWEB_PAGE)
    anchors = extract_anchors(hanweb.records_html(page.text), page.url)
    assert [a.url for a in anchors] == [
        "http://x.cn/art/2021/1/7/art_77_1.html",
        "http://x.cn/art/2021/1/8/art_77_2.html",
    ]
    [fetch] = hanweb.listing_fetches(page)
    assert fetch.method == "POST" and fetch.format == ListingFormat.HANWEB_XML
    assert (
        fetch.url
        == "http://x.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=40&perpage=2"
    )
    assert "columnid=77" in fetch.body and "unitid=5473" in fetch.body and "page=" not in fetch.body
    # a server that caps the group at 10 records: the rest is asked for next
    answer = (
        "<datastore><recordset>"
        + "<record><![CDATA[<a href='/a'>a</a>]]></record>" * 10
        + "</recordset></datastore>"
    )
    [more] = hanweb.follow_up_fetches(answer, fetch.url, fetch.body, known_total=40)
    assert "startrecord=13&endrecord=40" in more.url
    assert (
        hanweb.follow_up_fetches(
            "<datastore><recordset></recordset></datastore>", fetch.url, fetch.body
        )
        == []
    )


def test_site_figures_progress_and_summary_tables() -> None:
    from rich.console import Console

    from crawler.extensions.progress import progress_table
    from crawler.frontier import SiteFrontier
    from crawler.run import RunSummary, overall_outcome
    from crawler.sitebook import SiteState
    from crawler.sitestats import site_figures
    from registry.model import Site

    stats = {
        "nianbao/a/requests": 12,
        "nianbao/a/pages": 11,
        "nianbao/a/bytes": 2_500_000,
        "nianbao/a/new_versions": 3,
        "nianbao/a/errors/http_status": 2,
        "nianbao/a/errors/robots": 1,
        "nianbao/b/blocked": True,
    }
    a = site_figures(stats, "a", reports_found=4)
    assert (a.requests, a.pages, a.bytes, a.new_versions) == (12, 11, 2_500_000, 3)
    assert a.errors == {"http_status": 2, "robots": 1} and a.outcome == "partial"
    b = site_figures(stats, "b", reports_found=0)
    assert b.blocked and b.outcome == "blocked"
    assert (
        site_figures({"nianbao/c/pages": 1, "nianbao/c/errors/robots": 1}, "c", 1).outcome
        == "success"
    )
    assert site_figures({}, "d", 0).outcome == "failed"
    assert overall_outcome({"a": a, "b": b}) == "partial"

    def frontier() -> SiteFrontier:
        return SiteFrontier(threshold=0.2, max_depth=8, reserve=0.0)

    book = {
        "a": SiteState.of(Site(id="a", agency_id="x", start_urls=["http://a.cn/"]), [], frontier()),
        "b": SiteState.of(Site(id="b", agency_id="x", start_urls=["http://b.cn/"]), [], frontier()),
    }
    book["b"].blocked = True
    console = Console(width=120, record=True)
    console.print(progress_table(stats, book, elapsed=3.0))
    text = console.export_text()
    assert "blocked" in text and "2.5" in text and "2 sites" in text
    summary = RunSummary(run_id=7, outcome="partial", elapsed=1.5, sites={"a": a, "b": b})
    console.print(summary.table())
    text = console.export_text()
    assert "crawl run 7: partial" in text and "http_status 2" in text
