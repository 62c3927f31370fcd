"""A script-filled page whose list API only the browser finds: the page's script builds
the API's URL at run time from fragments the script scanner cannot put together. The
browser renders the page once; the XHR answer it sees is archived beside the page (WARC
response record `WARC-Concurrent-To` the page's, capture role `xhr`), read like an API
answer found in scripts (its reports followed), and the API's further pages are asked for
with plain requests, sent as the browser sent the first (Referer, X-Requested-With)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from localsite import BROWSER, Answer, LocalSite, archive_for, html, report_page
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from capture.fixity import verify
from capture.warc import sha256_digest
from crawler import shells
from crawler.adapters.types import ListingPage
from crawler.run import crawl
from storage.archive import Archive
from storage.models import CaptureRow

TITLES = [f"测试县{year}年政府信息公开工作年度报告" for year in (2023, 2022, 2021, 2020, 2019)]
PAGE_SIZE = 2
API = "/api/list?page={n}&size=2"

# The list is drawn without links (entries carry only ids): its reports are in the API's
# answer, nowhere in the rendered DOM. The API's path is spelt backwards.
SHELL = """<div id="list"><p>加载中…</p></div>
<script>
var base = 'tsil/ipa/'.split('').reverse().join('');
function load(n) {
  var x = new XMLHttpRequest();
  x.open('GET', base + '?' + ['page', n].join('=') + '&size=2');
  x.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
  x.onload = function () {
    var d = JSON.parse(x.responseText);
    document.getElementById('list').innerHTML = d.list.map(function (r) {
      return '<li data-id="' + r.id + '">' + r.title + '</li>';
    }).join('');
  };
  x.send();
}
load(1);
</script>"""


def _api_page(n: int) -> Answer:
    first = (n - 1) * PAGE_SIZE
    records = [
        {"id": i + 1, "title": TITLES[i], "url": f"/art/{i + 1}.html", "pubDate": "2024-01-20"}
        for i in range(first, min(first + PAGE_SIZE, len(TITLES)))
    ]
    body = {"page": n, "pageSize": PAGE_SIZE, "total": len(TITLES), "list": records}
    return Answer(
        200,
        json.dumps(body, ensure_ascii=False).encode(),
        {"Content-Type": "application/json; charset=utf-8"},
    )


def _site(make_site) -> LocalSite:
    routes = {"/col/index.html": html(SHELL, title="政府信息公开年报")}
    pages = -(-len(TITLES) // PAGE_SIZE)
    routes.update({API.format(n=n): _api_page(n) for n in range(1, pages + 1)})
    routes.update({f"/art/{i + 1}.html": report_page(title) for i, title in enumerate(TITLES)})
    site: LocalSite = make_site(routes)
    return site


def _warc_records(archive: Archive) -> list[tuple[str, dict[str, str], bytes]]:
    out = []
    for path in sorted(archive.warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                headers = dict(record.rec_headers.headers)
                out.append((record.rec_type, headers, record.content_stream().read()))
    return out


def test_the_scanner_cannot_find_this_api() -> None:
    """The premise: the API is the browser's to discover (a URL spelt plainly would be
    found in the script, and the page paged without the browser)."""
    page = ListingPage(url="http://127.0.0.1:1/col/index.html", text=html(SHELL).body.decode())
    assert shells.detect_shell(page) is not None
    assert shells.api_fetches(page, []) == []
    plain = SHELL.replace(
        "base + '?' + ['page', n].join('=') + '&size=2'", "'/api/list?page=' + n + '&size=2'"
    )
    assert plain != SHELL
    assert shells.api_fetches(ListingPage(url=page.url, text=html(plain).body.decode()), [])


@pytest.mark.browser
def test_an_api_only_the_browser_finds_is_archived_read_and_paged_without_it(
    tmp_path: Path, make_site
) -> None:
    site = _site(make_site)
    archive = archive_for(tmp_path, site, render="auto")
    summary = crawl(archive, settings_overrides=BROWSER)
    stats = summary.stats
    base = site.base

    # (d) one rendering of the listing: the shell once plain, once in the browser
    assert stats.get("nianbao/ceshi-gov/rendered") == 1
    assert site.hits["/col/index.html"] == 2
    # (b) + (c) every report, those of the first page and those of the pages after it
    assert summary.sites["ceshi-gov"].reports_found == len(TITLES)
    assert {d.title for d in archive.known_documents("ceshi-gov")} == set(TITLES)
    for i in range(len(TITLES)):
        assert site.hits[f"/art/{i + 1}.html"] == 1
    # the first page was the browser's own request, asked for once; pages 2 and 3 once
    # each, with plain requests sent as the browser sent the first
    first = API.format(n=1)
    assert site.hits[first] == 1
    [(_, browser_sent)] = [(p, h) for p, h in site.requests if p == first]
    assert "sec-fetch-mode" in browser_sent  # Chromium's own request
    for n in (2, 3):
        [(_, sent)] = [(p, h) for p, h in site.requests if p == API.format(n=n)]
        assert "sec-fetch-mode" not in sent, "a further API page was asked for by the browser"
        assert sent.get("x-requested-with") == "XMLHttpRequest"
        assert sent.get("referer") == f"{base}/col/index.html"
    assert stats.get("nianbao/ceshi-gov/xhr_apis_learnt") == 1
    assert stats.get("nianbao/ceshi-gov/captures/xhr") == 1

    # (a) the XHR answer is in WARC, a response record of its own beside the page's
    records = _warc_records(archive)
    by_id = {h["WARC-Record-ID"]: (kind, h, body) for kind, h, body in records}
    [(_, xhr, payload)] = [
        r for r in records if r[0] == "response" and r[1]["WARC-Target-URI"] == base + first
    ]
    assert json.loads(payload)["list"][0]["title"] == TITLES[0]
    assert xhr["WARC-Payload-Digest"] == sha256_digest(payload)
    page_kind, page_headers, page_body = by_id[xhr["WARC-Concurrent-To"]]
    assert page_kind == "response"
    assert page_headers["WARC-Target-URI"] == f"{base}/col/index.html"
    assert "data-id" in page_body.decode()  # the page as the browser rendered it
    # its request record: the URL and the headers the browser sent
    [request] = [
        r
        for r in records
        if r[0] == "request" and r[1].get("WARC-Concurrent-To") == xhr["WARC-Record-ID"]
    ]
    assert request[1]["WARC-Target-URI"] == base + first
    # the capture row: role xhr, where its record lies
    with archive.session() as s:
        [row] = s.scalars(select(CaptureRow).where(CaptureRow.url == base + first)).all()
    assert row.role == "xhr" and row.record_type == "response" and row.status == 200
    assert row.warc_record_id == xhr["WARC-Record-ID"]
    assert row.media_type == "application/json"
    assert verify(archive.warc_dir, archive.indexed_records())[1] == []


@pytest.mark.browser
def test_without_the_xhr_answers_the_rendered_list_yields_nothing(
    tmp_path: Path, make_site
) -> None:
    """The same site with NIANBAO_RENDER_XHR off: the rendered DOM lists no link, so the
    reports above came from the browser's XHR answer."""
    site = _site(make_site)
    archive = archive_for(tmp_path, site, render="auto")
    summary = crawl(archive, settings_overrides={**BROWSER, "NIANBAO_RENDER_XHR": False})
    assert summary.stats.get("nianbao/ceshi-gov/rendered") == 1
    assert site.hits.get(API.format(n=1)) == 1  # the browser did ask for it
    assert summary.sites["ceshi-gov"].reports_found == 0
    assert API.format(n=2) not in site.hits
    with archive.session() as s:
        assert s.scalars(select(CaptureRow).where(CaptureRow.role == "xhr")).all() == []


MANY = """<div id="list">加载中…</div><script src="/js/app.js"></script>
<script>
['a', 'b', 'c'].forEach(function (k) {
  fetch('/' + ['data', k].join('/') + '.json').then(function (r) { return r.text(); });
});
</script>"""


@pytest.mark.parametrize(
    ("limits", "kept"),
    [
        ({"NIANBAO_RENDER_XHR_MAX_ANSWERS": 2}, 2),
        ({"NIANBAO_RENDER_XHR_MAX_BYTES": 150}, 1),
        ({}, 3),
    ],
)
@pytest.mark.browser
def test_answers_kept_per_page_are_bounded(
    tmp_path: Path, make_site, limits: dict[str, int], kept: int
) -> None:
    """At most NIANBAO_RENDER_XHR_MAX_ANSWERS answers, NIANBAO_RENDER_XHR_MAX_BYTES bytes,
    of XHR/fetch requests only (not the page's script file). The shell has a script file:
    it is rendered once that file is read and names no API (`parse_script`)."""
    answer = Answer(
        200, b'{"ok": true, "pad": "' + b"x" * 100 + b'"}', {"Content-Type": "application/json"}
    )
    site = make_site(
        {
            "/col/index.html": html(MANY, title="政府信息公开年报"),
            "/js/app.js": Answer(200, b"var app = 1;", {"Content-Type": "text/javascript"}),
            **{f"/data/{k}.json": answer for k in "abc"},
        }
    )
    archive = archive_for(tmp_path, site, render="auto")
    summary = crawl(archive, settings_overrides={**BROWSER, **limits})
    stats = summary.stats
    assert stats.get("nianbao/ceshi-gov/rendered") == 1
    assert site.hits["/col/index.html"] == 2  # plain, then in the browser
    assert all(site.hits.get(f"/data/{k}.json") == 1 for k in "abc"), site.hits
    assert stats.get("nianbao/ceshi-gov/xhr_seen") == 3
    assert stats.get("nianbao/ceshi-gov/xhr_kept") == kept
    assert stats.get("nianbao/ceshi-gov/xhr_over_limits", 0) == 3 - kept
    assert stats.get("nianbao/ceshi-gov/captures/xhr") == kept
    with archive.session() as s:
        urls = s.scalars(select(CaptureRow.url).where(CaptureRow.role == "xhr")).all()
    assert len(urls) == kept and all("/data/" in u for u in urls)
