"""What the generated sites do that a crawler must cope with: traps that really never end,
GBK pages, anti-bot challenges that stop a client without JavaScript (and let a browser
through), APIs that want a browser's headers, download dialects, bursts and mirrors."""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from sampleweb.variants import Family, SiteTruth, StepKind, TrapKind, VariantWeb


class Reply:
    def __init__(self, status: int, headers: Message, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
) -> Reply:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=5) as r:
            return Reply(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read())


@contextmanager
def site_with(
    family: Family, n_sites: int = 3, **knobs: str
) -> Iterator[tuple[VariantWeb, SiteTruth]]:
    """The first seed (in order) whose web of `family` has a site with these knob values
    (and, unless asked for, a robots.txt that lets a crawler in)."""
    knobs.setdefault("robots", "allow-all")
    for seed in range(200):
        web = VariantWeb(seed, n_sites, families=[family], stall_seconds=1.0)
        match = next(
            (s for s in web.truth().sites if all(s.dialect.get(k) == v for k, v in knobs.items())),
            None,
        )
        if match is None:
            web.stop()
            continue
        with web:
            yield web, match
        return
    raise AssertionError(f"no {family} site with {knobs} in 200 seeds")


def listing_url(site: SiteTruth) -> str:
    return next(s.url for s in site.steps if s.kind == StepKind.LISTING)


# ---------------------------------------------------------------- traps


def _items(body: bytes) -> list[str]:
    return re.findall(rb'href="([^"]*detail\.jsp[^";]*)', body) or re.findall(
        rb'href="([^"]+)" target', body
    )


def test_portal_pages_past_the_end_repeat_the_last_page() -> None:
    with site_with(Family.PORTAL) as (_web, site):
        pages = [s.url for s in site.steps if s.kind == StepKind.LISTING]
        last = fetch(pages[-1]).body
        trap = next(t for t in site.traps if t.kind == TrapKind.CLAMPED_PAGES)
        param = (
            "pageNo"
            if "pageNo=" in trap.example
            else "page"
            if "?page=" in trap.example
            else "curPage"
        )
        base = pages[-1].rsplit(f"{param}=", 1)[0]
        for n in (len(pages) + 1, len(pages) + 50, 10**6):
            beyond = fetch(f"{base}{param}={n}")
            assert beyond.status == 200
            assert _items(beyond.body) == _items(last) != []
        # every page links to further pages, so following "next" never ends
        assert f"{param}={len(pages) + 3}".encode() in fetch(f"{base}{param}={10**6}").body


def test_portal_session_ids_sort_orders_print_views_and_search_are_endless() -> None:
    with site_with(Family.PORTAL, calendar="day-links", share="nested") as (_web, site):
        pages = [s.url for s in site.steps if s.kind == StepKind.LISTING]
        page1 = fetch(pages[0]).body.decode(_codec(site))
        ids = re.compile(r"(?:jsessionid=|sid=)([0-9A-F]{24})")
        assert ids.findall(page1)  # every link carries a session id
        if len(pages) > 1:  # … that differs from page to page
            assert set(ids.findall(page1)) != set(
                ids.findall(fetch(pages[1]).body.decode(_codec(site)))
            )
        assert "order=asc" in page1
        # a calendar that links day after day without end
        url = site.base_url + "/calendar.jsp?date=2024-01-15"
        for _ in range(40):
            body = fetch(url).body.decode(_codec(site))
            nxt = re.search(r'href="(/calendar\.jsp\?date=[\d-]+)">后一天', body)
            assert nxt is not None
            url = site.base_url + nxt.group(1)
        assert url.endswith("2024-02-24")
        # share pages nest the URL they share
        report = next(r for r in site.expected_reports if r.documents[0].url.find("detail.jsp") > 0)
        page = fetch(report.documents[0].url).body.decode(_codec(site))
        share = re.search(r'href="(/share\.jsp\?[^"]+)">分享', page)
        assert share is not None
        url = site.base_url + share.group(1).replace("&amp;", "&")
        lengths = []
        for _ in range(4):
            body = fetch(url).body.decode(_codec(site))
            again = re.search(r'href="(/share\.jsp\?[^"]+)">再次分享', body)
            assert again is not None
            url = site.base_url + again.group(1).replace("&amp;", "&")
            lengths.append(len(url))
        assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
        # the site search answers any word, any sort and any page
        for q in ("年报", "随便什么", "x" * 30):
            found = fetch(f"{site.base_url}/search/search.jsp?q={quote(q)}&page=9&sort=title")
            assert found.status == 200 and b"search.jsp?q=" in found.body


def test_legacy_lists_past_the_end_clamp_or_stay_empty() -> None:
    with site_with(Family.LEGACY, beyond_last="clamp") as (_web, site):
        trap = next(t for t in site.traps if t.kind == TrapKind.CLAMPED_PAGES)
        last = [s.url for s in site.steps if s.kind == StepKind.LISTING][-1]
        assert fetch(trap.example).status == 200
        assert _rows(fetch(trap.example).body) == _rows(fetch(last).body)
    with site_with(Family.LEGACY, beyond_last="empty") as (_web, site):
        trap = next(t for t in site.traps if t.kind == TrapKind.ENDLESS_EMPTY)
        reply = fetch(trap.example)
        assert reply.status == 200 and _rows(reply.body) == []


def _rows(body: bytes) -> list[bytes]:
    return re.findall(rb'<a href="([^"]+)" (?:target|title)', body)


# ---------------------------------------------------------------- encodings


def _codec(site: SiteTruth) -> str:
    return site.dialect["encoding"].split("/")[0]


@pytest.mark.parametrize("encoding", ["gbk/header", "gbk/meta", "gbk/both", "gb18030/both"])
def test_gbk_pages_decode_as_gbk_and_declare_it_where_the_dialect_says(encoding: str) -> None:
    with site_with(Family.TRS, encoding=encoding) as (_web, site):
        reply = fetch(listing_url(site))
        codec, where = encoding.split("/")
        text = reply.body.decode(codec)
        assert "年" in text
        with pytest.raises(UnicodeDecodeError):
            reply.body.decode("utf-8")
        header = reply.headers.get("Content-Type", "")
        assert ("charset=" in header) == (where in ("header", "both"))
        head = text[:600].lower()
        assert ("charset=" in head) == (where in ("meta", "both"))


# ---------------------------------------------------------------- anti-bot layers


@pytest.mark.parametrize("challenge", ["ruishu", "jsl", "both"])
def test_challenges_stop_a_client_that_runs_no_javascript(challenge: str) -> None:
    with site_with(Family.WAF, challenge=challenge, safedog="none") as (_web, site):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        targets = [s.url for s in site.steps if s.kind == StepKind.CHALLENGE][:1]
        targets += [d.url for r in site.expected_reports for d in r.documents][:3]
        for url in targets:
            for _attempt in range(3):  # cookies the server set are sent back; it is not enough
                reply = fetch(url, opener=opener)
                assert reply.status in (412, 521)
                assert b"<script" in reply.body
        assert any(c.name in ("__jsluid_s",) or c.name.endswith("S") for c in jar)


def test_bursts_get_blank_pages() -> None:
    with site_with(Family.WAF, safedog="burst") as (_web, site):
        assert site.burst_limit is not None
        url = site.base_url + "/robots.txt"
        replies = [fetch(url) for _ in range(site.burst_limit + 6)]
        blank = [r for r in replies if r.headers.get("X-Safedog") == "waf2.0"]
        assert blank and all(r.status == 200 and b"<body></body>" in r.body for r in blank)
        time.sleep(1.1)
        assert fetch(url).headers.get("X-Safedog") is None


@pytest.mark.parametrize(
    ("mode", "failure"), [("5xx", "5xx"), ("resets", "reset"), ("stalls", "stall")]
)
def test_flaky_sites_fail_some_first_attempts_then_answer(mode: str, failure: str) -> None:
    with site_with(Family.FLAKY, misbehaviour=mode) as (web, site):
        server = web.servers[[s.site for s in web.truth().sites].index(site.site)]["main"]
        assert server.misbehaviour is not None
        urls = [s.url for s in site.steps if s.method == "GET"] + [d.url for d in site.decoys]
        # every page the site serves, not only the shortest path's (fewer documents on
        # the path left no stalled one on this site once a page-less real report kept
        # only the file its entry links)
        kit = next(b.kit for b in web.built if b.kit.id == site.site)
        urls += [kit.bases["main"] + path for path in kit.pages["main"]]
        failing = [
            u for u in urls if server.misbehaviour.decide("GET " + url_path(u), 1) == failure
        ]
        assert failing, "the share of failing URLs is large enough for every site"
        url = failing[0]
        if failure == "5xx":
            assert fetch(url).status in (502, 503)
        elif failure == "reset":
            with pytest.raises((urllib.error.URLError, ConnectionError)):
                urllib.request.urlopen(url, timeout=5)
        else:
            with pytest.raises((urllib.error.URLError, TimeoutError)):
                urllib.request.urlopen(url, timeout=0.3)
        if server.misbehaviour.decide("GET " + url_path(url), 2) is None:
            assert fetch(url).status == 200  # the retry gets the page


def url_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


# ---------------------------------------------------------------- APIs and downloads


def test_jpaas_wants_a_browsers_headers_and_compact_json() -> None:
    with site_with(Family.JPAAS, strict="headers+compact") as (_web, site):
        api = next(s for s in site.steps if s.kind == StepKind.API)
        assert fetch(api.url).status == 403
        assert fetch(api.url, headers=dict(api.headers)).status == 200
        spaced = api.url.replace("%2C", "%2C%20")
        assert fetch(spaced, headers=dict(api.headers)).status == 403


def test_hanweb_proxy_checks_headers_when_the_dialect_says() -> None:
    with site_with(Family.HANWEB, check_headers="xhr", request="post-range", placement="mixed") as (
        _web,
        site,
    ):
        api = next((s for s in site.steps if s.kind == StepKind.API), None)
        if api is None:
            pytest.skip("every record fits the first group on this site")
        assert fetch(api.url, data=api.body).status == 403
        ok = fetch(api.url, data=api.body, headers=dict(api.headers))
        assert ok.status == 200
        assert b"<record><![CDATA[" in ok.body or b"dataStore = [" in ok.body


def test_hanweb_downfile_redirects_and_gbk_names_are_raw_bytes() -> None:
    with site_with(Family.HANWEB, attachments="downfile", disposition="gbk-raw") as (_web, site):
        step = next(s for s in site.steps if s.kind == StepKind.REDIRECT)
        opener = urllib.request.build_opener(_NoRedirect())
        reply = fetch(step.url, opener=opener)
        assert reply.status == 302 and reply.headers["Location"] == step.location
        assert urlsplit(step.location or "").path.startswith("/attach/0/")
        final = fetch(step.location or "")
        raw = final.headers["Content-Disposition"].encode("latin-1")
        assert raw.startswith(b"attachment;filename=") and b'"' not in raw
        name = raw.split(b"=", 1)[1].decode("gbk")
        assert "年" in name


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_attachments_on_an_object_storage_host() -> None:
    with site_with(Family.HANWEB, attachments="oss") as (web, site):
        oss = site.hosts.get("oss")
        assert oss is not None and oss != site.base_url
        docs = [d for r in site.expected_reports for d in r.documents if d.url.startswith(oss)]
        assert docs
        assert "127.0." in web.registry_yaml().split(site.site, 1)[1].split("render")[0]
        assert fetch(docs[0].url).status == 200


def test_gkmlpt_shell_is_empty_and_its_api_pages_from_its_base() -> None:
    with site_with(Family.GKMLPT, paging="single-404") as (_web, site):
        shell = next(s for s in site.steps if s.kind == StepKind.SHELL)
        body = fetch(shell.url).body.decode()
        assert "window._CONFIG" in body and "<div id=app></div>" in body and "<a href" not in body
        api = next(s for s in site.steps if s.kind == StepKind.API)
        query = dict(parse_qsl(urlsplit(api.url).query))
        base = int(site.dialect["page_base"])
        assert int(query["page"]) == base
        second = api.url.replace(f"page={base}", f"page={base + 1}")
        assert fetch(second).status == 404


def test_mirror_hosts_serve_the_same_documents() -> None:
    with site_with(Family.PORTAL, mirror="m-host") as (_web, site):
        doc = next(d for r in site.expected_reports for d in r.documents)
        mirror = next(a for a in doc.aliases if a.startswith(site.hosts["m"]))
        assert fetch(mirror).status == 200
        assert fetch(site.hosts["m"] + "/robots.txt").status == 200


# ---------------------------------------------------------------- in a browser

CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def browser() -> Iterator[object]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@pytest.mark.browser
@pytest.mark.parametrize("challenge", ["ruishu", "jsl", "both"])
def test_a_browser_passes_the_challenge(challenge: str) -> None:
    with site_with(Family.WAF, challenge=challenge, safedog="none") as (_web, site), browser() as b:
        page = b.new_page()  # type: ignore[attr-defined]
        report = site.expected_reports[0].documents[0]
        target = next(s.url for s in site.steps if s.kind == StepKind.CHALLENGE)
        page.goto(target)
        page.wait_for_function("document.querySelector('.footer') !== null", timeout=10_000)
        content = page.content()  # the real page (its charset may be undeclared: no text check)
        assert "r='m'" not in content and "go({" not in content and 'class="footer"' in content
        # once through, the cookies carry to other pages
        reply = page.request.get(report.url)
        assert reply.status == 200


@pytest.mark.browser
@pytest.mark.parametrize(
    ("family", "knobs"),
    [
        (Family.GKMLPT, {}),
        (Family.JPAAS, {}),
        (Family.LABEL, {}),
        (Family.TRS_SEARCH, {"backend": "igs"}),
        (Family.TRS_SEARCH, {"backend": "govsearch-jsonp"}),
        (Family.COUNTY, {"lists": "spa-external"}),
        (Family.HANWEB, {}),
    ],
)
def test_shells_render_their_report_links_in_a_browser(
    family: Family, knobs: dict[str, str]
) -> None:
    with site_with(family, n_sites=3, **knobs) as (_web, site), browser() as b:
        shell = next(s for s in site.steps if s.kind in (StepKind.SHELL, StepKind.LISTING))
        wanted = {u for r in site.expected_reports for d in r.documents for u in d.urls}
        page = b.new_page()  # type: ignore[attr-defined]
        page.goto(shell.url)
        script = "wanted => Array.from(document.querySelectorAll('a[href]')).some(a => wanted.includes(a.href))"
        page.wait_for_function(script, arg=sorted(wanted), timeout=8_000)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert wanted & set(hrefs), (sorted(wanted)[:3], hrefs[:20])
