"""The held-out web is coherent: its truth is reachable by the minimal path it claims, with
plain urllib (through the server used as an HTTP proxy), and its traps behave as described.
Nothing here measures the crawler."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pdfplumber
import pytest

from registry.loader import parse_yaml
from sampleweb.holdout import HoldoutWeb, Site, Step
from sampleweb.holdout.kit import SECTIONS

SITE_IDS = [s.id for s in HoldoutWeb().sites]  # building is cheap; the server is not started


@pytest.fixture(scope="module")
def web() -> Iterator[HoldoutWeb]:
    with HoldoutWeb() as w:
        yield w


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes


def fetch(web: HoldoutWeb, step: Step | str, encoding: str = "utf-8") -> Answer:
    step = Step(step) if isinstance(step, str) else step
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{web.port}"}), _NoRedirect
    )
    data = urlencode(step.data, encoding=encoding).encode() if step.data is not None else None
    req = urllib.request.Request(step.url, data=data, headers=step.headers, method=step.method)
    try:
        with opener.open(req, timeout=10) as resp:
            return Answer(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def walk(web: HoldoutWeb, site: Site) -> dict[str, Answer]:
    """Follow the minimal path; every step must be announced by what came before it."""
    seen = ""
    answers: dict[str, Answer] = {}
    for i, step in enumerate(site.steps):
        if i:
            assert step.via and step.via in seen, (
                f"{site.id}: {step.url} not announced by {step.via!r}"
            )
        answer = fetch(web, step, site.encoding)
        assert answer.status in (200, 302), f"{site.id}: {step.method} {step.url} → {answer.status}"
        seen += answer.body.decode(site.encoding, "replace") + (
            answer.headers.get("Location") or ""
        )
        answers.setdefault(step.url, answer)
    return answers


@pytest.mark.parametrize("site_id", SITE_IDS)
def test_minimal_path_reaches_every_report_document(web: HoldoutWeb, site_id: str) -> None:
    site = web.site(site_id)
    assert site.docs and site.steps[0].url in site.start_urls
    answers = walk(web, site)
    for doc in site.docs:
        got = [answers[u] for u in [doc.url, *doc.aliases] if u in answers]
        assert got, f"{doc.url} is not on the minimal path"
        final = got[-1]
        assert final.status == 200, doc.url
        if doc.kind == "file":
            assert final.body[:4] in (b"%PDF", b"PK\x03\x04"), doc.url
        else:
            text = final.body.decode(site.encoding)
            assert doc.title in text and SECTIONS[1] in text, doc.url
    assert len({s.url + str(s.data) for s in site.steps}) == site.minimum  # no step twice


def test_the_web_needs_many_platforms_and_dialects(web: HoldoutWeb) -> None:
    assert len(web.sites) >= 14
    assert len({s.platform for s in web.sites}) >= 8
    assert len({s.dialect for s in web.sites}) == len(web.sites)


@pytest.mark.parametrize("site_id", [s for s in SITE_IDS if s != "hannan-gov"])
def test_lookalikes_are_served_and_are_not_reports(web: HoldoutWeb, site_id: str) -> None:
    site = web.site(site_id)
    truth = {u for d in site.docs for u in [d.url, *d.aliases]}
    for url in site.lookalikes:
        answer = fetch(web, url)
        assert answer.status == 200 and url not in truth
        body = answer.body
        text = body.decode(site.encoding) if body[:4] != b"%PDF" else ""
        assert SECTIONS[1] not in text
        assert "政府信息公开工作年度报告" not in text


def test_robots_rules_forbid_the_draft_and_allow_the_truth(web: HoldoutWeb) -> None:
    for site in web.sites:
        for host in site.hosts:
            rules = urllib.robotparser.RobotFileParser()
            rules.parse(fetch(web, web.urls(host, "/robots.txt")).body.decode().splitlines())
            for url in [s.url for s in site.steps if urlsplit(s.url).hostname == host]:
                assert rules.can_fetch("nianbao", url), url
            for url in site.forbidden:
                if urlsplit(url).hostname == host:
                    assert not rules.can_fetch("nianbao", url)
                    assert fetch(web, url).status == 200  # served: only robots.txt keeps it out
    portal = web.site("lingdong-portal")
    first = fetch(web, portal.steps[1]).body.decode()
    assert "/zwgk/nb/draft/2025.jsp" in first and portal.forbidden


def _detail_ids(body: bytes) -> list[str]:
    return re.findall(r"detail\.jsp;jsessionid=\w+\?id=(\d+)", body.decode())


def test_pages_past_the_end_repeat_the_last_page(web: HoldoutWeb) -> None:
    site = web.site("lingdong-portal")
    last = max(int(s.url.rsplit("=", 1)[1]) for s in site.steps if "pageNo=" in s.url)
    base = site.steps[1].url.rsplit("=", 1)[0]
    pages = {n: fetch(web, f"{base}={n}").body for n in (last, last + 1, last + 40)}
    assert _detail_ids(pages[last]) and len({tuple(_detail_ids(b)) for b in pages.values()}) == 1
    assert f"pageNo={last + 1}" in pages[last].decode()  # the last page still offers "next"
    assert _detail_ids(fetch(web, f"{base}=1").body) != _detail_ids(pages[last])
    # every answer hands out fresh session ids: the same page, different URLs
    again = fetch(web, f"{base}={last}").body
    assert again != pages[last] and _detail_ids(again) == _detail_ids(pages[last])


@pytest.mark.parametrize("site_id", ["xizhou-gov", "chaoxi-zwgk"])
def test_gbk_pages_decode(web: HoldoutWeb, site_id: str) -> None:
    site = web.site(site_id)
    for step in site.steps[:3]:
        answer = fetch(web, step, site.encoding)
        assert "charset=gbk" in answer.headers["Content-Type"]
        with pytest.raises(UnicodeDecodeError):
            answer.body.decode("utf-8")
        assert re.search("[\u4e00-\u9fff]{4}", answer.body.decode("gbk"))


def test_content_disposition_names_are_raw_gbk(web: HoldoutWeb) -> None:
    for site_id in ("longxi-gov", "mingzhou-gov"):
        doc = next(d for d in web.site(site_id).docs if d.kind == "file")
        answer = fetch(web, doc.aliases[0] if doc.aliases else doc.url)
        raw = answer.headers["Content-Disposition"].split("filename=", 1)[1]
        assert raw.encode("latin-1").decode("gbk").startswith(doc.title)


def test_downfile_redirects_to_the_attachment(web: HoldoutWeb) -> None:
    doc = next(d for d in web.site("longxi-gov").docs if "downfile.jsp" in d.url)
    answer = fetch(web, doc.url)
    assert answer.status == 302 and doc.aliases[0].endswith(answer.headers["Location"])


def test_dialects_refuse_requests_made_the_wrong_way(web: HoldoutWeb) -> None:
    jp = web.site("jingang-gov")
    post = next(s for s in jp.steps if s.method == "POST")
    assert fetch(web, post).status == 200
    assert fetch(web, Step(post.url, "POST", post.data)).status == 403  # no XHR headers
    spaced = {**(post.data or {}), "paramJson": '{"pageNo": 1, "pageSize": 5}'}
    assert fetch(web, Step(post.url, "POST", spaced, post.headers)).status == 403
    hw = next(s for s in web.site("longxi-gov").steps if s.method == "POST")
    assert b"totalRecord=0;" in fetch(web, hw.url).body  # GET answers nothing
    assert b"totalRecord=13.0;" in fetch(web, hw).body
    asp = next(s for s in web.site("xizhou-gov").steps if s.method == "POST")
    no_state = {k: v for k, v in (asp.data or {}).items() if k != "__VIEWSTATE"}
    assert fetch(web, Step(asp.url, "POST", no_state)).status == 500
    api = next(s for s in web.site("yunjiang-zjj").steps if "/api/all/" in s.url)
    assert fetch(web, api.url.replace("page=1", "page=2")).status == 404
    label = next(s for s in web.site("huaxi-xxgk").steps if s.method == "POST")
    past = Step(label.url, "POST", {**(label.data or {}), "pageIndex": "2"})
    assert "暂无相关信息" in fetch(web, past).body.decode()
    ilist = [s for s in web.site("mingzhou-gov").steps if "cur_page=" in s.url][-1]
    beyond = ilist.url.rsplit("=", 1)[0] + "=" + str(int(ilist.url.rsplit("=", 1)[1]) + 1)
    assert "暂无数据" in fetch(web, beyond).body.decode()


def test_report_columns_hidden_from_plain_links(web: HoldoutWeb) -> None:
    """Shells and script navigation: the list is not in the page's hrefs."""
    shell = fetch(web, web.site("hannan-gov").start_urls[0]).body
    assert len(shell) < 1000 and b"t2025" not in shell
    nav = fetch(web, web.site("shiqiao-gov").steps[1]).body.decode()
    assert "xxgkml.jsp?lm=xxgknb" not in nav and "goXxgkml('xxgknb')" in nav
    jp = fetch(web, web.site("jingang-gov").steps[2]).body.decode()
    assert "/art/" not in jp and "queryData" in jp


def test_registry_imports_and_names_every_registered_agency(web: HoldoutWeb) -> None:
    registry = parse_yaml(web.registry_yaml())
    ids = {a.id for a in registry.agencies}
    names = {a.name for a in registry.agencies}
    assert {s.id for s in registry.sites} == set(SITE_IDS)
    unregistered = {d.agency for s in web.sites for d in s.docs if d.agency not in ids}
    assert unregistered and not unregistered & names  # arrive unregistered, by title
    oss = web.site("qinglan-gov")
    assert any(urlsplit(d.url).hostname != urlsplit(oss.start_urls[0]).hostname for d in oss.docs)
    assert all(urlsplit(d.url).hostname in oss.hosts for d in oss.docs)


def test_pdf_reports_have_extractable_chinese_text(web: HoldoutWeb) -> None:
    doc = next(d for d in web.site("shiqiao-gov").docs if d.kind == "file")
    with pdfplumber.open(io.BytesIO(fetch(web, doc.url).body)) as pdf:
        text = pdf.pages[0].extract_text()
    assert doc.title in text.replace(" ", "") and "主动公开" in text


def test_truth_exports_as_plain_data(web: HoldoutWeb) -> None:
    import json

    truth = json.loads(json.dumps(web.truth(), ensure_ascii=False))
    assert [t["site"] for t in truth] == SITE_IDS
    for entry, site in zip(truth, web.sites, strict=True):
        assert entry["minimum_requests"] == len(entry["minimal_path"]) == site.minimum
        assert all(2008 <= d["year"] <= 2025 and d["agency"] for d in entry["documents"])


RENDERED = [  # (site, URL path of a script-driven page, text its rendered DOM must link to)
    ("longxi-gov", "/col/col4821/index.html", "art_4821_88123.html"),
    ("qinglan-gov", "/col/col1229445/index.html", "art_1229445_59012345.html"),
    ("jingang-gov", "/col/col7731/nb/index.html", "/art/2025/art_"),
    ("yunjiang-zjj", "/yjzjj/gkmlpt/index", "post_963149.html"),
    ("yunjiang-zjj", "/yjzjj/gkmlpt/content/0/963/post_963149.html", "963149.pdf"),
    ("huaxi-xxgk", "/public/column/6596431?type=4&catId=7143702&action=list", "/public/6596431/"),
    ("lanxi-xxgk", "/col/col1589/index.html", "art_1590_"),
    ("xiyang-gov", "/zwgk/zfxxgknb/index.shtml", "index_1.shtml"),
    ("jinglu-gov", "/zwgk/zfxxgk/zfxxgknb/list.htm", "list_2.htm"),
    ("hannan-gov", "/xxgk/xxgknb/", "t20250201_5521_1.html"),
]


@pytest.mark.browser
def test_script_driven_pages_render_their_links_in_a_browser(web: HoldoutWeb) -> None:
    """The pages' own scripts work: a browser crawler sees what a visitor sees."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian chromium not installed")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu"],
            proxy={"server": f"http://127.0.0.1:{web.port}"},
        )
        try:
            page = b.new_page()
            for site_id, path, wanted in RENDERED:
                host = urlsplit(web.site(site_id).start_urls[0]).hostname or ""
                if site_id != "qinglan-gov":  # its first group sits in the page as XML
                    raw = fetch(web, web.urls(host, path)).body.decode(errors="replace")
                    assert not re.search("href=[\"'][^\"']*" + re.escape(wanted), raw)
                page.goto(web.urls(host, path))
                page.wait_for_function(
                    "w => document.querySelector(`a[href*='${w}']`) !== null",
                    arg=wanted,
                    timeout=10_000,
                )
        finally:
            b.close()
