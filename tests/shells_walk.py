"""Walk the script-filled listings of a generated variant web with `crawler.shells` and
plain urllib: what a spider using those functions would reach, and at what cost.

Used by tests/unit/test_shells.py and benchmarks/shells.py. Policy (what the spider should do):

1. fetch the page; `detect_shell(page)`;
2. `api_fetches(page)`; when it finds none, fetch `script_sources(page)` and call
   `api_fetches(page, scripts)` (a browser would run them);
3. fetch `report_fetches(...)` (年报 columns when some are labelled so, else all) in
   order, with the fetches' own method, body and headers; `parse_json`,
   `entries(data, base_url=page URL, request_url=API URL)`, and
   `next_fetches(data, url, fetch=fetch)` while a page brings new records; once
   `listing_complete(data, url)`, skip the other fetches with the same `listing_key`
   (gkmlpt's page 0 after a page 1 that held everything);
4. follow `script_links(page, scripts)` one level: a shell again goes to 2, any other page
   is read as an ordinary listing (its anchors are entries).
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url

from crawler.adapters.types import ListingFetch, ListingPage
from crawler.anchors import extract_anchors
from crawler.encoding import detect_encoding
from crawler.shells import (
    api_fetches,
    detect_shell,
    entries,
    listing_complete,
    next_fetches,
    parse_json,
    report_fetches,
    script_links,
    script_sources,
)
from sampleweb.variants import Report, SiteTruth, StepKind

UA = "Mozilla/5.0 (X11; Linux x86_64) nianbao-shells-test"


def canon(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


@dataclass
class SiteWalk:
    site: str
    family: str
    shells: int = 0
    detected: int = 0
    requests: int = 0
    entries: set[str] = field(default_factory=set)
    expected: int = 0
    reached: int = 0
    missed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Walker:
    def __init__(self, site: SiteTruth, max_pages: int = 50) -> None:
        self.site = site
        self.max_pages = max_pages
        self.walk = SiteWalk(site.site, str(site.family))
        self.done: set[tuple[str, str, str]] = set()
        self.complete: set[str] = set()
        """Listings one answer held entirely (their other first-page candidates are skipped)."""
        self.scripts: dict[str, str] = {}
        """Script texts by URL: a site's pages share their scripts (a spider must keep them
        too: its duplicate filter drops a second request for the same script)."""

    def get(
        self, url: str, method: str = "GET", body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        key = (method, url, body)
        self.walk.requests += 1
        self.done.add(key)
        request = urllib.request.Request(
            url,
            data=body.encode("utf-8") if method == "POST" else None,
            method=method,
            headers={"User-Agent": UA, **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:
                raw = answer.read()
                status = answer.status
                content_type = answer.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except OSError as error:
            self.walk.failures.append(f"{url}: {error}")
            return 0, ""
        return status, raw.decode(detect_encoding(raw, content_type), "replace")

    def listing(self, fetch: ListingFetch, page_url: str) -> None:
        """All pages of one listing, stopping at a page that brings nothing new."""
        if fetch.listing_key in self.complete:
            return
        queue: deque[ListingFetch] = deque([fetch])
        seen: set[str] = set()
        while queue:
            f = queue.popleft()
            if (f.method, f.url, f.body) in self.done:
                continue
            status, text = self.get(f.url, f.method, f.body, f.headers)
            if status != 200:
                continue
            data = parse_json(text)
            if data is None:
                self.walk.failures.append(f"not an answer: {f.url}")
                continue
            found = {canon(a.url) for a in entries(data, page_url, f.url)}
            if not found - seen:
                continue
            seen |= found
            self.walk.entries |= found
            if listing_complete(data, f.url):
                self.complete.add(f.listing_key)
            queue.extend(next_fetches(data, f.url, self.max_pages, fetch=f))

    def shell(self, url: str, depth: int = 0) -> None:
        status, text = self.get(url)
        if status != 200:
            self.walk.failures.append(f"shell {url}: {status}")
            return
        page = ListingPage(url, text)
        evidence = detect_shell(page)
        if depth == 0:
            self.walk.shells += 1
            self.walk.detected += evidence is not None
        fetches = api_fetches(page)
        scripts: list[str] = []
        if not fetches:
            for src in script_sources(page):
                if src not in self.scripts:
                    status, script = self.get(src, headers={"Referer": url})
                    self.scripts[src] = script if status == 200 else ""
                scripts.append(self.scripts[src])
            fetches = api_fetches(page, scripts)
        for fetch in report_fetches(fetches):
            self.listing(fetch, url)
        if depth > 0:
            return
        for anchor in script_links(page, scripts):
            if any(anchor.url == u for m, u, _b in self.done if m == "GET"):
                continue
            status, linked = self.get(anchor.url)
            if status != 200:
                continue
            linked_page = ListingPage(anchor.url, linked)
            if detect_shell(linked_page) is not None:
                self.done.discard(("GET", anchor.url, ""))
                self.walk.requests -= 1
                self.shell(anchor.url, depth + 1)
            else:
                self.walk.entries |= {canon(a.url) for a in extract_anchors(linked, anchor.url)}

    def run(self) -> SiteWalk:
        for step in self.site.steps:
            if step.kind == StepKind.SHELL:
                self.shell(step.url)
        for report in listed_reports(self.site):
            self.walk.expected += 1
            urls = {canon(u) for d in report.documents for u in d.urls}
            if urls & self.walk.entries:
                self.walk.reached += 1
            else:
                self.walk.missed.append(f"{report.title} {sorted(urls)[:2]}")
        return self.walk


def _identifies(reveal: str, path: str) -> bool:
    """Does a step's revealed string point at this document path? A link (absolute,
    root-relative or relative), or a record id (`"id": 963149` for `post_963149.html`)."""
    reveal = html.unescape(reveal).replace("\\/", "/")
    if reveal.startswith(("http://", "https://")):
        parts = urlsplit(reveal)
        reveal = parts.path + ("?" + parts.query if parts.query else "")
    reveal = reveal.lstrip("./")
    if "/" in reveal or "." in reveal:
        return bool(reveal) and path.endswith(reveal)
    ident = re.fullmatch(r'"?id"?\s*:\s*(\d+)', reveal)
    return ident is not None and re.search(rf"\D{ident.group(1)}\.\w+$", path) is not None


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def listed_reports(site: SiteTruth) -> list[Report]:
    """Expected reports some listing step of the truth reveals: what a perfect crawler
    reaches from the listings (a report no listing shows is out of reach by design, or by
    accident of generation — two year columns drawn with one name)."""
    reveals = [
        r
        for step in site.steps
        if step.kind in (StepKind.API, StepKind.LISTING, StepKind.SHELL)
        for r in step.reveals
    ]
    out = []
    for report in site.expected_reports:
        paths = [_path(u) for d in report.documents for u in d.urls]
        if any(_identifies(r, p) for r in reveals for p in paths):
            out.append(report)
    return out


def shell_sites(sites: list[SiteTruth]) -> list[SiteTruth]:
    """Sites with at least one script-filled listing."""
    return [s for s in sites if any(step.kind == StepKind.SHELL for step in s.steps)]
