"""The sample government web: each site behaves like its CMS, and truth() matches what is served."""

from __future__ import annotations

import io
import json
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from sampleweb import SampleWeb, registry_yaml
from sampleweb.large import LargeSite
from sampleweb.render import sniff_media_type
from sampleweb.texts import SEEDS, seed_text, synth_report
from sampleweb.web import SiteDescriptor


class Reply:
    def __init__(self, status: int, headers: Message, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    retry_503: bool = True,
) -> Reply:
    for _attempt in range(2):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, error.headers, error.read())
            if error.code == 503 and retry_503:
                continue
            return reply
    return reply


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    with SampleWeb(stall_seconds=0.2) as running:
        yield running


def _first(pattern: str, text: str) -> str:
    """The first group of ``pattern``'s first match in ``text``, which must match."""
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1)


def site(web: SampleWeb, site_id: str) -> SiteDescriptor:
    return next(s for s in web.sites if s["id"] == site_id)


def base(web: SampleWeb, site_id: str) -> str:
    return str(site(web, site_id)["base_url"])


def hanweb_records(web: SampleWeb) -> list[tuple[str, str]]:
    """(href, title) of every record: the inline ones, then the dataproxy's."""
    root = base(web, "ninghai-gov")
    page = fetch(root + "/col/col1229051395/index.html").body.decode("utf-8")
    inline = re.search(r'<script type="text/xml">(.*?)</script>', page, re.S)
    assert inline is not None
    total = int(_first(r"totalRecord: (\d+)", page))
    per = int(_first(r"perPage: (\d+)", page))
    records = re.findall(r'<a href="([^"]+)" title="([^"]+)"', inline.group(1))
    assert len(records) == per
    form = b"col=1&appid=1&webid=3&path=%2F&columnid=1229051395&sourceContentType=1&unitid=5473&permissiontype=0"
    proxied = fetch(
        f"{root}/module/web/jpage/dataproxy.jsp?startrecord={per + 1}&endrecord={per * 3}&perpage={per}",
        data=form,
    )
    assert proxied.status == 200
    assert proxied.headers["Content-Type"].startswith("text/xml")
    xml = proxied.body.decode("utf-8")
    assert xml.startswith("<?xml") and "<recordset>" in xml and "<![CDATA[<li>" in xml
    records += re.findall(r'<a href="([^"]+)" title="([^"]+)"', xml)
    assert len(records) == total
    return records


def test_hanweb_dataproxy_answers_posts_and_lists_every_report(web: SampleWeb) -> None:
    records = hanweb_records(web)
    root = base(web, "ninghai-gov")
    listed = {root + href.split(";jsessionid=")[0] for href, _title in records}
    truth = web.truth()
    for report in truth.reports:
        if report.site == "ninghai-gov":
            assert report.page_url in listed
    get = fetch(root + "/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=30&perpage=10")
    assert get.status == 405
    other_column = fetch(
        root + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=30&perpage=10",
        data=b"columnid=999&unitid=1",
    )
    assert b"<record>" not in other_column.body


def test_hanweb_downloads_name_files_in_gbk_and_rfc5987(web: SampleWeb) -> None:
    truth = web.truth()
    by_agency = {(r.agency, r.year): r for r in truth.reports}
    gbk = fetch(by_agency[("长街镇", 2020)].attachments[0].url)
    raw = gbk.headers["Content-Disposition"].encode("latin-1")
    assert "长街镇2020年度政府信息公开年度报告.docx".encode("gbk") in raw
    rfc = fetch(by_agency[("宁海县人民政府", 2020)].attachments[0].url)
    star = re.search(r"filename\*=UTF-8''(\S+)", rfc.headers["Content-Disposition"])
    assert star and unquote(star.group(1)) == "宁海县人民政府2020年政府信息公开工作年度报告.docx"
    lying = by_agency[("宁海县教育局", 2020)].attachments[0]
    body = fetch(lying.url).body
    assert lying.url.endswith(".doc") and body.startswith(b"PK\x03\x04")
    assert lying.media_type == sniff_media_type(body) != "application/msword"


def test_gbk_pages_decode_with_header_or_meta_only(web: SampleWeb) -> None:
    root = base(web, "langao-gov")
    first = fetch(root + "/zwgk/zfxxgknb/index.html")
    assert first.headers["Content-Type"].lower() == "text/html; charset=gbk"
    second = fetch(root + "/zwgk/zfxxgknb/index_1.html")
    assert second.headers["Content-Type"] == "text/html"
    assert b'<meta charset="gb2312">' in second.body
    for reply in (first, second):
        with pytest.raises(UnicodeDecodeError):
            reply.body.decode("utf-8")
        assert "政府信息公开年报" in reply.body.decode("gbk")
    assert 'createPageHTML(3, 0, "index", "html")' in first.body.decode("gbk")


def test_conditional_requests_get_304_while_furniture_changes(web: SampleWeb) -> None:
    url = web.truth().reports[0].page_url
    assert url is not None
    one, two = fetch(url), fetch(url)
    assert one.status == two.status == 200
    assert one.body != two.body  # view counter and clock
    assert one.headers["ETag"] == two.headers["ETag"]
    assert fetch(url, headers={"If-None-Match": one.headers["ETag"]}).status == 304
    assert fetch(url, headers={"If-Modified-Since": one.headers["Last-Modified"]}).status == 304
    assert fetch(url, headers={"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"}).status == 200
    assert fetch(url, headers={"If-None-Match": '"other"'}).status == 200
    attachment = next(r for r in web.truth().reports if r.attachments).attachments[0].url
    etag = fetch(attachment).headers["ETag"]
    assert fetch(attachment, headers={"If-None-Match": etag}).status == 304


def test_truth_matches_what_is_served(web: SampleWeb) -> None:
    truth = web.truth()
    assert truth.state == "before"
    robots = {
        urlsplit(str(s["base_url"])).netloc: fetch(str(s["base_url"]) + "/robots.txt").body.decode()
        for s in web.sites
        if s["id"] != "xingyang-gov"
    }
    for report in truth.reports:
        if report.reason == "waf":
            continue
        for attachment in report.attachments:
            reply = fetch(attachment.url)
            assert reply.status == 200, attachment.url
            assert sniff_media_type(reply.body) == attachment.media_type
        if report.page_url:
            reply = fetch(report.page_url)
            assert reply.status == 200, report.page_url
            charset = reply.headers.get_content_charset() or (
                "gbk" if b'charset="gb2312"' in reply.body else "utf-8"
            )
            assert report.title in reply.body.decode(charset)
        path = urlsplit(report.urls[0]).path
        disallowed = [
            line.split(":", 1)[1].strip()
            for line in robots[urlsplit(report.urls[0]).netloc].splitlines()
            if line.startswith("Disallow:")
        ]
        forbidden = any(prefix and path.startswith(prefix) for prefix in disallowed)
        assert forbidden == (report.reason == "robots"), report.title
    for url in truth.decoys:
        assert fetch(url).status == 200
    for url in truth.broken_links:
        assert fetch(url).status == 404
    for entry in truth.min_fetches:
        method, url = entry.split(" ", 1)
        if "xingyang" in url or url.startswith(base(web, "xingyang-gov")):
            continue
        data = b"columnid=1229051395&unitid=5473" if method == "POST" else None
        assert fetch(url, data=data).status == 200, entry
    expected = {r.urls[0] for r in truth.expected_reports}
    fetched = {e.split(" ", 1)[1] for e in truth.min_fetches}
    assert expected <= fetched
    assert len(truth.robots_forbidden) == 1 and len(truth.waf_blocked) == 2


def test_waf_site_answers_only_challenges(web: SampleWeb) -> None:
    root = base(web, "xingyang-gov")
    page = fetch(str(site(web, "xingyang-gov")["start_urls"][0]))
    assert page.status == 521 and b"__jsl_clearance" in page.body.replace(b"')+('", b"")
    home = fetch(root + "/", headers={"Cookie": "__jsl_clearance=anything"})
    assert home.status == 412 and b"$_ts" in home.body
    assert "FSSBBIl1UgzbN7NO" in home.headers["Set-Cookie"]
    for report in web.truth().waf_blocked:
        assert fetch(str(report.page_url)).status in (412, 521)


def test_json_api_site_lists_reports_only_through_the_api(web: SampleWeb) -> None:
    start = str(site(web, "haiwan-gov")["start_urls"][0])
    page = fetch(start).body.decode("utf-8")
    assert "/api/list?page=" in page and "年度报告</a>" not in page
    root = base(web, "haiwan-gov")
    first = json.loads(fetch(root + "/api/list?page=1").body)
    urls = []
    for n in range(1, first["pages"] + 1):
        urls += [
            root + x["url"] for x in json.loads(fetch(f"{root}/api/list?page={n}").body)["list"]
        ]
    assert len(urls) == first["total"]
    for report in web.truth().reports:
        if report.site == "haiwan-gov":
            assert report.page_url in urls
    assert json.loads(fetch(root + "/api/list?page=99").body)["list"] == []
    assert fetch(root + "/api/list?page=x").status == 400


def test_query_string_site_paginates(web: SampleWeb) -> None:
    root = base(web, "jianzha-gov")
    first = fetch(root + "/list.jsp?catid=12&page=1").body.decode()
    pages = int(_first(r"共(\d+)页", first))
    assert pages >= 2 and "page=2" in first
    last = fetch(f"{root}/list.jsp?catid=12&page={pages}").body.decode()
    assert "下一页" not in last


def test_traps_serve_valid_pages(web: SampleWeb) -> None:
    truth = web.truth()
    for url in truth.traps:
        assert fetch(url).status == 200, url
    root = base(web, "langao-gov")
    far = fetch(root + "/zwgk/zfxxgknb/index_40.html").body.decode("gbk")
    assert "index_41.html" in far and "<li>" not in far
    cal = fetch(root + "/site/calendar.jsp?ym=2099-12").body.decode("gbk")
    assert "ym=2100-01" in cal
    printed = next(u for u in truth.traps if u.endswith("?print=1"))
    assert "打印本页" not in fetch(printed).body.decode()


def test_flaky_pages_fail_once_then_succeed() -> None:
    with SampleWeb(stall_seconds=1.0) as web:
        reports = {(r.agency, r.year): r for r in web.truth().reports}
        flaky = str(reports[("海滨街", 2020)].page_url)
        assert fetch(flaky, retry_503=False).status == 503
        assert fetch(flaky, retry_503=False).status == 200
        stalled = str(reports[("尖扎县人民政府", 2019)].page_url)
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            fetch(stalled, timeout=0.2)
        assert fetch(stalled).status == 200


def test_state_switch_applies_every_change() -> None:
    with SampleWeb() as web:
        before = web.truth()
        changes = {c.kind: c for c in before.changes}
        assert set(changes) == {"edited", "deleted", "moved", "late", "copied", "inconsistent"}
        edited = fetch(changes["edited"].url).body.decode()
        assert fetch(changes["deleted"].url).status == 200
        assert fetch(str(changes["moved"].old_url)).status == 200
        for kind in ("moved", "late", "copied", "inconsistent"):
            assert fetch(changes[kind].url).status == 404, kind
        web.set_state("after")
        after = web.truth()
        assert after.state == "after"
        assert fetch(changes["edited"].url).body.decode() != edited
        assert "<td>26</td>" in fetch(changes["edited"].url).body.decode()
        assert fetch(changes["deleted"].url).status == 404
        assert fetch(str(changes["moved"].old_url)).status == 404
        for kind in ("moved", "late", "copied", "inconsistent"):
            assert fetch(changes[kind].url).status == 200, kind
        late = next(r for r in after.reports if r.page_url == changes["late"].url)
        assert late.published == "2021-05-20" and late.year == 2020
        before_urls = {r.page_url for r in before.reports}
        after_urls = {r.page_url for r in after.reports}
        assert changes["deleted"].url in before_urls - after_urls
        assert {
            changes[k].url for k in ("moved", "late", "copied", "inconsistent")
        } <= after_urls - before_urls
        web.set_state("before")
        assert fetch(changes["deleted"].url).status == 200


def test_registry_yaml_leaves_some_agencies_unregistered(web: SampleWeb) -> None:
    data = yaml.safe_load(web.registry_yaml())
    names = {a["name"] for a in data["agencies"]} | {
        x for a in data["agencies"] for x in a.get("aliases", [])
    }
    assert {s["id"] for s in data["sites"]} == {s["id"] for s in web.sites}
    truth = web.truth()
    for report in truth.reports:
        assert (report.agency in names) == report.registered, report.agency
    assert sum(1 for r in truth.reports if not r.registered) >= 3
    fixed = yaml.safe_load(registry_yaml(port=8380))
    assert fixed["sites"][0]["start_urls"][0].startswith("http://127.0.0.11:8380/")


def test_synthetic_reports_are_consistent_unless_broken() -> None:
    good = synth_report("某某局", 2020, 1)
    assert good.values["t3.new.total"] >= 0 and "某某局2020年" in good.text
    broken = synth_report("某某局", 2020, 1, break_rule=True)
    assert broken.values["t3.new.total"] == good.values["t3.new.total"] + 2
    assert set(SEEDS) == {"000", "001", "002", "003", "004"}
    assert seed_text("000").startswith("长街镇2020")
    with pytest.raises(KeyError):
        seed_text("999")


def test_bad_state_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown state"):
        SampleWeb(state="later")


def test_large_site_serves_its_hierarchy() -> None:
    with LargeSite(pages=500) as large:
        assert large.total_pages >= 500
        home = fetch(large.start_url).body.decode()
        columns = re.findall(r'href="(/col/\d+/index.html)"', home)
        assert len(columns) == large.layout.columns
        listing = fetch(f"{large.base_url}/col/0/list_1.html").body.decode()
        assert "list_2.html" in listing
        for entry in large.min_fetches:
            assert fetch(entry.split(" ", 1)[1]).status == 200, entry
        report = fetch(large.report_urls[0]).body.decode()
        assert "政府信息公开工作年度报告" in report
        assert (
            fetch(f"{large.base_url}/art/0/{large.layout.articles_per_column}.html").status == 404
        )
    with pytest.raises(ValueError):
        LargeSite(pages=10)


def test_generated_pdfs_hold_their_synthetic_text() -> None:
    from pdfminer.high_level import extract_text

    from sampleweb.assets_files import GENERATED_SPECS, generated, generated_text

    for spec in GENERATED_SPECS:
        data = generated(spec.stem)
        assert sniff_media_type(data) in {
            "application/pdf",
            "application/msword",
            "application/vnd.ms-excel",
        }
        if spec.fmt != "pdf":
            continue
        text = re.sub(r"\s+", "", extract_text(io.BytesIO(data)))
        first_line = generated_text(spec.stem).split("\n", 1)[0]
        assert first_line in text, f"{spec.path} is stale: run python -m sampleweb.build_assets"
