"""The one spider of a crawl run: every site of the run, focused on annual reports.

Roles of a request (meta `nb_role`):
- `page`: navigation (start URLs, links that score as likely to lead to reports);
- `listing`: a further page of a listing (pagination, a Hanweb dataproxy group, a JSON
  API page);
- `report`: a report's own page (its title classified as an annual report);
- `attachment`: a file of a report, or a report published as a bare file.

When a site's listings are exhausted (the crawl goes idle), the spider reads the archived
copies of the known report pages it did not download (they answered 304, or were checked
within the re-verify cadence) for attachment links, and then asks again for every known
report page and attachment that no listing of this crawl reached: a document taken down
answers 404/410 and is recorded as vanished.

Requests carry only JSON-able meta and callbacks by name, so a scheduler may serialise them.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from parsel import Selector
from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from capture.types import Role
from crawler import render, shells
from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.anchors import (
    Anchor,
    comment_anchors,
    extract_anchors,
    page_title,
    title_candidates,
)
from crawler.archive_access import archive_for
from crawler.archived import archived_page
from crawler.attachments import content_disposition_filename, filename_from_url, sniff_file_type
from crawler.discovery.titles import classify_title, link_score, maybe_report_title
from crawler.encoding import as_text_response
from crawler.evidence import fetched_response
from crawler.frontier import Candidate, SiteFrontier
from crawler.items import CrawlFailure, ListedDocument
from crawler.links import (
    canonical_url,
    dedup_key,
    is_attachment_link,
    is_ignored_link,
    novelty_pattern,
    trap_reason,
)
from crawler.listings import hanweb, listing_fetches_for
from crawler.listings.pager_links import is_pager_text
from crawler.middlewares.conditional import NOT_MODIFIED
from crawler.middlewares.waf import block_site
from crawler.refusals import Refused
from crawler.sitebook import SiteState

ARTICLE_TITLE_LENGTH = 16
"""Anchor texts longer than this on a listing are entries, not column navigation."""
PRIORITY = {"attachment": 400, "report": 300, "listing": 200}
_SHELL_MARKERS = (
    'id="app"',
    "id='app'",
    "v-for",
    "ng-repeat",
    "x-template",
    "innerHTML",
    "template",
    ".ajax",
    "fetch(",
    "axios",
    "XMLHttpRequest",
)


_NOISE_ANCHOR = re.compile(
    r"日历|打印|分享|登录|注册|无障碍|English|繁體|关闭窗口|返回顶部|收藏|设为首页|微博|微信"
)
_AGENCY_ANCHOR = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,24}(?:人民政府|政府|办事处|街道|镇|乡|局|委员会|委|办公室|办|中心|署|厅)$"
)
_BREADCRUMB = re.compile(r"(?:当前位置|您的位置|所在位置)\s*[:：]?(.{0,120})")


def _report_title(selector: Selector) -> tuple[str, Any]:
    """The page's own title that reads as a report's, and its reading ('', None if none)."""
    for text in title_candidates(selector):
        match = classify_title(text)
        if match is not None:
            return text, match
    return "", None


_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)


def _reads_as_article(page: TextResponse, anchors: list[Anchor], shell: Any) -> bool:
    """A page with a text of its own or files attached, and no list filled by script
    (``shell``: the page's `crawler.shells.detect_shell` reading)."""
    if shell is not None:
        return False
    if any(is_attachment_link(a.url, a.text) for a in anchors):
        return True
    visible = "".join(_TAGS.sub(" ", page.text[:400_000]).split())
    return len(visible) >= 400


def _page_context(selector: Selector, text: str) -> str:
    """What a page says it is: its title, column meta and breadcrumb."""
    parts = [page_title(selector), " ".join(selector.xpath("//title//text()").getall())]
    parts += selector.xpath(
        "//meta[translate(@name,'COLUMNAME','columname')='columnname']/@content"
    ).getall()
    crumb = _BREADCRUMB.search(" ".join(selector.xpath("//body//text()").getall())[:20000])
    if crumb:
        parts.append(crumb.group(1))
    return " ".join(p for p in parts if p)


_LEADS = frozenset({"page", "listing", "script"})
"""Request roles whose answers may lead to more: navigation waits for them."""


_FILE_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _is_file(response: Response) -> bool:
    """A document rather than a page: a binary answer of a file type, or any answer that
    starts like one (a small PDF is ASCII enough to be taken for text)."""
    if response.body[:8].startswith(_FILE_MAGIC):
        return True
    return not isinstance(response, TextResponse) and bool(
        sniff_file_type(response.body, response.url)
    )


def _fetch_of(meta: Any) -> ListingFetch | None:
    """The listing fetch a JSON request was made from (kept in its meta as a dict)."""
    data = meta.get("nb_fetch")
    if not data:
        return None
    return ListingFetch(**{**data, "format": ListingFormat(data["format"])})


def _listing_key_of(meta: Any) -> str:
    fetch = _fetch_of(meta)
    return fetch.listing_key if fetch is not None else ""


class ReportsSpider(Spider):
    name = "reports"

    def __init__(self, *args: Any, site_ids: str | list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(site_ids, str):
            site_ids = [s for s in site_ids.split(",") if s]
        self.site_ids: list[str] | None = site_ids or None
        self.book: dict[str, SiteState] = {}
        self._tokens = itertools.count(1)
        self._listed: dict[str, list[tuple[str, str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportsSpider:
        spider: ReportsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if spider.site_ids is None and settings.getlist("NIANBAO_SITES"):
            spider.site_ids = settings.getlist("NIANBAO_SITES")
        spider.run_id = settings.getint("NIANBAO_RUN_ID") or None
        spider.max_depth = settings.getint("NIANBAO_MAX_DEPTH", 8)
        spider.explore_reserve = settings.getfloat("NIANBAO_EXPLORE_RESERVE", 0.1)
        spider.explore_concurrency = settings.getint("NIANBAO_EXPLORE_CONCURRENCY", 1)
        spider.trap_pattern_limit = settings.getint("NIANBAO_TRAP_PATTERN_LIMIT", 4)
        spider.page_budget = settings.getint("NIANBAO_PAGE_BUDGET", 2000)
        spider.hold_navigation = settings.getbool("NIANBAO_FRONTIER_HOLD", True)
        spider.min_link_score = settings.getfloat("NIANBAO_MIN_LINK_SCORE", 0.2)
        spider.max_listing_pages = settings.getint("NIANBAO_MAX_LISTING_PAGES", 200)
        spider.reverify_days = settings.getfloat("NIANBAO_REVERIFY_DAYS", 7.0)
        spider.max_empty_listing_pages = settings.getint("NIANBAO_MAX_EMPTY_LISTING_PAGES", 1)
        spider.render_enabled = settings.getbool("NIANBAO_RENDER_ENABLED", True)
        spider.focused = settings.getbool("NIANBAO_FOCUSED", True)
        render.configure(settings.getint("NIANBAO_RENDER_MAX_RELOADS", 3))
        archive = archive_for(crawler)
        sites = archive.sites(spider.site_ids)
        if spider.site_ids:
            missing = set(spider.site_ids) - {s.id for s in sites}
            if missing:
                raise ValueError(f"sites not in the registry: {', '.join(sorted(missing))}")
        for site in sites:
            state = SiteState.of(site, archive.known_documents(site.id))
            state.frontier = SiteFrontier(
                threshold=spider.min_link_score,
                max_depth=spider.max_depth,
                reserve=spider.explore_reserve,
                concurrency=spider.explore_concurrency,
            )
            spider.book[site.id] = state
        crawler.signals.connect(spider.after_discovery, signal=signals.spider_idle)
        crawler.signals.connect(spider._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    # ------------------------------------------------------------------ requests

    async def start(self) -> AsyncIterator[Request]:
        for state in self.book.values():
            for url in state.site.start_urls:
                state.frontier.mark_seen(url)
                yield self._request(
                    state, url, role="page", depth=0, priority=250, extra={"nb_start": True}
                )

    def after_discovery(self) -> None:
        """spider_idle: every listing is exhausted. Follow the attachment links of the
        archived copies of report pages not downloaded, then re-request the known
        documents no listing reached; keep the spider open while that brings requests."""
        scheduled = 0
        for state in self.book.values():
            state.outstanding.clear()  # idle: nothing is in flight, whatever was missed
            for key in list(state.alternates):
                # candidates whose first request never got an outcome (dropped)
                for request in self._next_alternate(state, key):
                    self.crawler.engine.crawl(request)
                    scheduled += 1
            for request in self._release(state):
                self.crawler.engine.crawl(request)
                scheduled += 1
        if scheduled:
            raise DontCloseSpider
        for state in self.book.values():
            for request in self._after_discovery_requests(state):
                self.crawler.engine.crawl(request)
                scheduled += 1
        if scheduled:
            raise DontCloseSpider

    def _after_discovery_requests(self, state: SiteState) -> Iterator[Request]:
        if state.blocked:
            state.unread_pages.clear()
            return
        if state.unread_pages:
            archive = archive_for(self.crawler)
            while state.unread_pages:
                _key, meta = state.unread_pages.popitem()
                yield from self._archived_page_requests(state, archive, meta)
        if not state.swept:
            state.swept = True
            yield from self._unreached_requests(state)

    def _archived_page_requests(
        self, state: SiteState, archive: Any, meta: dict[str, Any]
    ) -> Iterator[Request]:
        """The attachment requests of a report page read back from the archive, as if the
        page had been downloaded (`nb_only_new`: only those the archive does not hold).
        Without a readable copy, the page is asked for again without validators."""
        url = meta["nb_url"]
        page = archived_page(archive, url, {**meta, "site": state.id})
        if page is None:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/archived_copy_missing")
            yield self._request(
                state,
                url,
                role="report",
                depth=meta.get("nb_depth", 1),
                extra={**meta, "nb_unconditional": True},
            ).replace(dont_filter=True)
            return
        self.crawler.stats.inc_value(f"nianbao/{state.id}/archived_copies_read")
        selector = Selector(text=page.text or "<html></html>")
        yield from self._attachment_requests(
            state,
            url,
            extract_anchors(selector, page.url),
            depth=meta.get("nb_depth", 1),
            title=meta.get("nb_title") or page_title(selector),
            year=meta.get("nb_year"),
            agency=meta.get("nb_agency"),
            published=meta.get("nb_published"),
            only_new=bool(meta.get("nb_only_new")),
        )

    def _unreached_requests(self, state: SiteState) -> Iterator[Request]:
        """Known report pages and attachments that no listing of this crawl reached are
        asked for again (conditionally: 304 says still there): a report taken down
        answers 404/410 and is marked vanished; one moved is found at its new place."""
        for key, doc in list(state.known.items()):
            if doc.role not in ("report", "attachment") or key in state.reached:
                continue
            if getattr(doc, "status", "present") == "vanished":
                continue
            self.crawler.stats.inc_value(f"nianbao/{state.id}/unlisted_reverified")
            parent = getattr(doc, "parent_url", None)
            yield self._request(
                state,
                doc.url,
                role=doc.role,
                depth=1,
                priority=10,
                extra={
                    "nb_title": doc.title,
                    "nb_year": doc.year,
                    "nb_agency": getattr(doc, "agency_name", None),
                    "nb_parent": parent,
                    "nb_bare": doc.role == "attachment" and not parent,
                    "nb_unlisted": True,
                },
            )

    def _request(
        self,
        state: SiteState,
        url: str,
        *,
        role: str,
        depth: int,
        priority: int | None = None,
        callback: str | None = None,
        fetch: ListingFetch | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Request:
        meta: dict[str, Any] = {
            "site": state.id,
            "nb_role": role,
            "nb_depth": depth,
            "nb_token": next(self._tokens),
        }
        if extra:
            meta.update(extra)
        if role in ("report", "attachment") and fetch is None:
            state.reached.add(canonical_url(url))
        if not state.site.obey_robots:
            meta["dont_obey_robotstxt"] = True
        if role in ("report", "attachment"):
            meta["handle_httpstatus_list"] = [304, 404, 410]
        fmt = fetch.format if fetch else ListingFormat.HTML
        meta["nb_format"] = str(fmt)
        if fetch is not None and fetch.expected_records is not None:
            meta["nb_expected_records"] = fetch.expected_records
        if fetch is not None and fetch.listing_key:
            meta["nb_listing_key"] = fetch.listing_key
        if fetch is not None and fmt == ListingFormat.JSON:
            meta["nb_fetch"] = {**dataclasses.asdict(fetch), "format": str(fetch.format)}
        if (
            self.render_enabled
            and state.site.render == "always"
            and role != "attachment"
            and fmt == ListingFormat.HTML
        ):
            meta["playwright"] = True
        if callback is None:
            callback = {
                "attachment": "parse_attachment",
                "report": "parse_report",
            }.get(role, "parse_page")
            if fmt == ListingFormat.HANWEB_XML:
                callback = "parse_hanweb"
            elif fmt == ListingFormat.JSON:
                callback = "parse_json"
        method = fetch.method if fetch else "GET"
        return Request(
            # pages by their canonical URL (no session id); an API's as its page makes it
            canonical_url(url) if fmt == ListingFormat.HTML and method == "GET" else url,
            # API answers are de-duplicated by the spider (per listing and page): the same
            # URL may have been asked for as a page; HTML pages by the (shared) dupefilter
            dont_filter=fetch is not None and (fmt != ListingFormat.HTML or method != "GET"),
            method=fetch.method if fetch else "GET",
            body=fetch.body if fetch else None,
            headers=fetch.headers if fetch else None,
            callback=getattr(self, callback),
            errback=self.on_error,
            priority=PRIORITY.get(role, 0) if priority is None else priority,
            meta=meta,
        )

    # ------------------------------------------------------------------ the frontier

    def _scheduled(self, request: Request, spider: Spider) -> None:
        state = self.book.get(request.meta.get("site", ""))
        token = request.meta.get("nb_token")
        if state is not None and token is not None and request.meta.get("nb_role") in _LEADS:
            # reports and attachments download beside navigation: they hold nothing up
            state.outstanding.add(token)

    def _dropped(self, request: Request, spider: Spider) -> None:
        self._settle(request.meta)

    def _settle(self, meta: Any) -> SiteState | None:
        """A request of the site has its outcome (or was dropped): no longer in flight."""
        state = self.book.get(meta.get("site", ""))
        if state is not None:
            state.outstanding.discard(meta.get("nb_token"))
        return state

    def _release(self, state: SiteState) -> Iterator[Request]:
        """Navigation the site's frontier releases now (it waits while the site has
        requests in flight: listings and reports first, best links next)."""
        if not self.focused or state.blocked:
            return
        if (
            0 < self.page_budget <= state.pages_scheduled
            and len(state.frontier)
            and not state.budget_exhausted
            and not state.outstanding
        ):
            # links left at the end of the budget: one more request, which the budget
            # middleware refuses and records (`budget` failure, once per site)
            left = state.frontier.release(busy=0, pages_used=0, budget=0, found_reports=False)
            for candidate in left:
                yield self._request(state, candidate.url, role="page", depth=candidate.depth)
            return
        for candidate in state.frontier.release(
            busy=len(state.outstanding) if self.hold_navigation else -(10**9),
            pages_used=state.pages_scheduled,
            budget=self.page_budget,
            found_reports=bool(state.reports),
        ):
            if self._pattern_closed(state, candidate.url):
                continue
            if dedup_key(candidate.url) in state.listing_urls:
                continue  # asked for as a listing page meanwhile
            yield self._request(
                state,
                candidate.url,
                role="page",
                depth=candidate.depth,
                priority=int(100 * min(candidate.priority, 1.0)),
                extra={
                    "nb_score": candidate.priority,
                    "nb_trail": [*candidate.trail, candidate.parent],
                },
            )

    def _ascend(self, state: SiteState, url: str) -> None:
        """Queue the site's home page as navigation from a start page that links nowhere."""
        home = urljoin(url, "/")
        if home == url.split("#", 1)[0] or not state.in_scope(home):
            return
        candidate = Candidate(
            url=home, text="", score=self.min_link_score, depth=1, parent=dedup_key(url)
        )
        if state.frontier.push(candidate):
            self.crawler.stats.inc_value(f"nianbao/{state.id}/ascended")

    def _push_navigation(
        self,
        state: SiteState,
        page: TextResponse,
        selector: Selector,
        anchors: Iterable[Anchor],
        depth: int,
        *,
        listing: bool,
        entries: set[str] | None = None,
    ) -> None:
        """Queue the page's navigation links in the site's frontier, scored by their own
        evidence and the page's (a page that is itself a report column lends its links)."""
        context = _page_context(selector, page.text)
        context_score = link_score(page.url, context)
        context_bonus = 0.3 if context_score >= 0.45 else 0.0
        # on a disclosure page, links named after agencies lead to their own catalogues
        agency_bonus = 0.25 if context_score >= 0.3 else 0.0
        parent = dedup_key(page.url)
        trail = tuple(page.meta.get("nb_trail") or ())
        for anchor in anchors:
            if listing and (anchor.published or len(anchor.text) > ARTICLE_TITLE_LENGTH):
                continue
            if entries and novelty_pattern(anchor.url) in entries:
                continue
            if is_ignored_link(anchor.url) or is_attachment_link(anchor.url, anchor.text):
                continue
            if not state.in_scope(anchor.url):
                self.crawler.stats.inc_value(f"nianbao/{state.id}/offsite_links")
                continue
            if trap_reason(anchor.url) or _NOISE_ANCHOR.search(anchor.text):
                self.crawler.stats.inc_value(f"nianbao/{state.id}/trap_links")
                continue
            score = link_score(anchor.url, anchor.text)
            if anchor.published or len(anchor.text) > ARTICLE_TITLE_LENGTH:
                # an entry of a list (an article, a look-alike), not column navigation
                score *= 0.25
            elif context_bonus:
                score += context_bonus
            if agency_bonus and _AGENCY_ANCHOR.search(anchor.text):
                score += agency_bonus
            state.frontier.push(
                Candidate(
                    url=anchor.url,
                    text=anchor.text,
                    score=score,
                    depth=depth,
                    parent=parent,
                    trail=trail,
                )
            )

    @staticmethod
    def _new_items(state: SiteState, listing_key: str, items: set[str]) -> set[str]:
        """The items of a listing page not seen on an earlier page of the same listing
        (without a listing key: not seen anywhere on the site)."""
        if not listing_key:
            return items - state.seen_links
        seen = state.listing_items.setdefault(listing_key, set())
        new = items - seen
        seen |= new
        return new

    def _pattern_closed(self, state: SiteState, url: str) -> bool:
        return novelty_pattern(url) in state.closed_patterns

    def _note_novelty(self, state: SiteState, url: str, novel: bool) -> None:
        """Per URL pattern, how many pages in a row brought nothing new: a pattern whose
        last NIANBAO_TRAP_PATTERN_LIMIT pages brought nothing is closed (a trap costs a
        few requests, whatever its shape)."""
        pattern = novelty_pattern(url)
        if novel:
            state.barren[pattern] = 0
            return
        state.barren[pattern] = state.barren.get(pattern, 0) + 1
        if state.barren[pattern] >= self.trap_pattern_limit:
            if pattern not in state.closed_patterns:
                self.crawler.stats.inc_value(f"nianbao/{state.id}/closed_patterns")
            state.closed_patterns.add(pattern)

    # ------------------------------------------------------------------ script-filled pages

    def _scripts_of(self, state: SiteState, listing: ListingPage) -> list[str]:
        """Texts of the page's own scripts fetched so far (a site's pages share them)."""
        return [
            state.scripts[url] for url in shells.script_sources(listing) if url in state.scripts
        ]

    def _shell_fetches(
        self, state: SiteState, page: TextResponse, listing: ListingPage, scripts: list[str]
    ) -> tuple[list[ListingFetch], list[Request]]:
        """The list APIs of a script-filled page, from its inline scripts and config; when
        they say nothing, the page's own script files are fetched first (the page waits
        for them: `parse_script`)."""
        fetches = shells.api_fetches(listing, scripts)
        if fetches:
            return shells.report_fetches(fetches), []
        sources = [u for u in shells.script_sources(listing) if state.in_scope(u)]
        missing = [u for u in sources if u not in state.scripts]
        if not missing:
            return [], []
        state.shell_pages[page.url] = {
            "text": page.text,
            "waiting": sorted(set(missing)),
            "meta": {
                key: page.meta.get(key)
                for key in ("nb_depth", "nb_trail", "nb_score", "nb_start")
                if page.meta.get(key) is not None
            },
        }
        requests = []
        for url in missing:
            if url in state.scripts_requested:
                continue
            state.scripts_requested.add(url)
            request = self._request(
                state, url, role="script", depth=page.meta.get("nb_depth", 0), priority=220
            )
            requests.append(
                request.replace(
                    callback=self.parse_script, headers={"Referer": page.url}, dont_filter=True
                )
            )
        return [], requests

    def parse_script(self, response: Response) -> Iterator[Any]:
        state = self._settle(response.meta)
        if state is None:
            return
        url = response.request.url
        body = response.body[:2_000_000]
        state.scripts[url] = body.decode(getattr(response, "encoding", None) or "utf-8", "replace")
        yield from self._scripts_arrived(state, url)
        yield from self._release(state)

    def _scripts_arrived(self, state: SiteState, url: str) -> Iterator[Request]:
        for page_url, pending in list(state.shell_pages.items()):
            waiting = [u for u in pending["waiting"] if u != url and u not in state.scripts]
            pending["waiting"] = waiting
            if waiting:
                continue
            del state.shell_pages[page_url]
            listing = ListingPage(url=page_url, text=pending["text"])
            meta = pending["meta"]
            scripts = self._scripts_of(state, listing)
            fetches = shells.report_fetches(shells.api_fetches(listing, scripts))
            for anchor in shells.script_links(listing, scripts):
                if state.in_scope(anchor.url) and not trap_reason(anchor.url):
                    state.frontier.push(
                        Candidate(
                            url=anchor.url,
                            text=anchor.text,
                            score=link_score(anchor.url, anchor.text),
                            depth=meta.get("nb_depth", 0) + 1,
                            parent=dedup_key(page_url),
                            trail=tuple(meta.get("nb_trail") or ()),
                        )
                    )
            for fetch in fetches:
                if not state.in_scope(fetch.url):
                    continue
                if fetch.listing_key and fetch.listing_key in state.complete_listings:
                    continue
                yield self._request(
                    state,
                    fetch.url,
                    role="listing",
                    depth=meta.get("nb_depth", 0),
                    fetch=fetch,
                    extra={"nb_trail": list(meta.get("nb_trail") or ())},
                )
            if not fetches and self.render_enabled and state.site.render == "auto":
                # no API in the page or its scripts: the browser shows what they fill
                self.crawler.stats.inc_value(f"nianbao/{state.id}/rendered")
                yield self._request(
                    state,
                    page_url,
                    role="page",
                    depth=meta.get("nb_depth", 0),
                    extra={**meta, "playwright": True, "nb_rendered": True},
                ).replace(dont_filter=True)

    def _failure_of_script(self, state: SiteState, url: str) -> Iterator[Request]:
        state.scripts.setdefault(url, "")
        yield from self._scripts_arrived(state, url)

    # ------------------------------------------------------------------ pages

    def parse_page(self, response: Response) -> Iterator[Any]:
        state = self._settle(response.meta)
        assert state is not None
        yield from self._page(state, response)
        yield from self._release(state)

    def _page(self, state: SiteState, response: Response) -> Iterator[Any]:
        if _is_file(response):
            yield from self._attachment_found_as_page(state, response)
            return
        page = as_text_response(response)
        selector = Selector(text=page.text or "<html></html>")
        anchors = extract_anchors(selector, page.url)
        if hanweb.is_hanweb_page(page.text):
            # Records embedded as CDATA in <script type="text/xml"> are not markup.
            anchors += extract_anchors(hanweb.records_html(page.text), page.url)
        depth = response.meta.get("nb_depth", 0)
        role = response.meta.get("nb_role", "page")
        listing = ListingPage(url=page.url, text=page.text)
        scripts = self._scripts_of(state, listing)
        if role in ("page", "listing") and not response.meta.get("nb_maybe_report"):
            # links only scripts make: javascript: functions, onclick, redirect shells…
            anchors += shells.script_links(listing, scripts)
            if "<!--" in page.text:
                anchors += comment_anchors(page.text, page.url)
        report_requests, report_links = self._report_requests(state, page, anchors)
        # read once: a list filled by script (the page is no report, its API is looked for)
        shell = shells.detect_shell(listing) if not report_links else None
        if role == "page" and (not report_links or response.meta.get("nb_maybe_report")):
            # (a list entry whose title was cut short: its page's title decides, whatever
            # its attachment links say)
            match = _report_title(selector)[1]
            if (
                match is not None
                and not response.meta.get("nb_start")
                and (
                    response.meta.get("nb_maybe_report") or _reads_as_article(page, anchors, shell)
                )
            ):
                # A report page reached through navigation rather than a listing (a column
                # named like a report, whose list is elsewhere or filled by script, is not).
                yield from self._report_page(state, page, selector, anchors, match)
                return
        if response.meta.get("nb_maybe_report"):
            self.crawler.stats.inc_value(f"nianbao/{state.id}/cut_titles_not_reports")
            yield from self._page_capture(page, Role.PAGE)
            return  # a list entry whose title was cut short, and not a report
        yield from report_requests
        if report_requests:
            # links queued earlier with the URL template of these reports were entries of
            # this list (documents that are not reports), not navigation
            state.frontier.forget_entries({novelty_pattern(r.url) for r in report_requests})
        likely_listing = (
            bool(response.meta.get("nb_start"))
            or response.meta.get("nb_score", 0) >= self.min_link_score
        )
        # A listing page that brings no link not seen before on the site (the empty pages
        # of endless pagination) counts towards NIANBAO_MAX_EMPTY_LISTING_PAGES.
        items = {  # what the page shows: no pager, print views or other traps
            dedup_key(a.url)
            for a in anchors
            if not is_pager_text(a.text) and not trap_reason(a.url)
        }
        listing_key = response.meta.get("nb_listing_key") or ""
        new_items = self._new_items(state, listing_key, items)
        fresh_links = items - state.seen_links
        state.seen_links |= fresh_links
        empty_streak = (
            0 if report_links or fresh_links else response.meta.get("nb_empty_streak", 0) + 1
        )
        fetches: list[ListingFetch] = []
        if report_links:
            state.frontier.productive(tuple(response.meta.get("nb_trail") or ()), page.url)
            yield from self._page_capture(page, Role.LISTING)
            yield from self._listed_on(page.url)
        elif not response.meta.get("playwright"):
            yield from self._page_capture(page, Role.PAGE)
        if role == "listing" and listing_key and not new_items:
            # a page that repeats its listing's items (pages past the end clamped to the
            # last one) or brings none: the listing is finished
            state.complete_listings.add(listing_key)
            self.crawler.stats.inc_value(f"nianbao/{state.id}/listings_finished_by_repeat")
        elif (
            report_links
            or role == "page"
            or (role == "listing" and empty_streak < self.max_empty_listing_pages)
        ):
            paged = ListingPage(url=page.url, text=page.text, listing_key=listing_key)
            found = listing_fetches_for(paged, anchors, self.max_listing_pages)
            if not report_links and not (likely_listing or role == "listing"):
                # a page whose list is not in its markup (a column proxy): its records are
                # asked for; further HTML pages only of lists that hold reports
                found = [f for f in found if f.format != ListingFormat.HTML][:2]
            if role == "page":
                for key in {f.listing_key for f in found if f.listing_key}:
                    self._new_items(state, key, items)  # the first page's items
            fetches += found
        waiting = False
        if report_links and role == "page" and "<script" in page.text:
            # a list the browser (or the server) filled from an API: the API pages it
            fetches += shells.report_fetches(shells.api_fetches(listing, scripts))
        elif role == "page" and shell is not None:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/shells")
            api, script_requests = self._shell_fetches(state, page, listing, scripts)
            fetches += api
            waiting = bool(script_requests)
            yield from script_requests
        if role in ("page", "listing") and not response.meta.get("nb_start"):
            # a page that brought links, reports, or the requests of its list (a shell's
            # API, a column proxy) was not barren
            novel = bool(report_links or fresh_links or fetches or waiting)
            self._note_novelty(state, page.url, novel)
        trail = list(response.meta.get("nb_trail") or ())
        for fetch in self._hold_alternates(state, fetches, depth, trail):
            if not self._new_listing_fetch(state, fetch):
                continue
            yield self._request(
                state,
                fetch.url,
                role="listing",
                depth=depth,
                fetch=fetch,
                extra={"nb_empty_streak": empty_streak, "nb_trail": trail},
            )
        if not self.focused and depth < self.max_depth:
            yield from self._navigation_requests(state, anchors, depth + 1, min_score=-1.0)
        elif role == "page" and depth < self.max_depth:
            if response.meta.get("nb_start") and not items:
                # a start page with no way out (a script-filled catalogue): the site's
                # other columns are reached from its home page
                self._ascend(state, page.url)
            # the other entries of a list of reports share their URL template: documents
            # that are not reports, not navigation
            entries = {novelty_pattern(r.url) for r in report_requests}
            self._push_navigation(
                state,
                page,
                selector,
                anchors,
                depth + 1,
                listing=bool(report_links),
                entries=entries,
            )
        if (
            not report_links
            and not fetches
            and not waiting
            and (likely_listing or shell is not None)
            and self._should_render(state, response, page.text)
        ):
            meta = dict(response.meta)
            meta.update({"playwright": True, "nb_rendered": True})
            for key in ("download_slot", "download_latency", "depth", "retry_times"):
                meta.pop(key, None)
            self.crawler.stats.inc_value(f"nianbao/{state.id}/rendered")
            yield response.request.replace(meta=meta, dont_filter=True)

    def _page_capture(self, page: Response, role: Role) -> Iterator[Any]:
        """A navigation or listing page as evidence (and for a later crawl to ask for it
        conditionally); nothing for the archived copy an unchanged page was read from, nor
        for anything but a full answer to a GET."""
        if "archived" in page.flags:
            self.crawler.stats.inc_value(f"nianbao/{page.meta.get('site')}/archived_pages_read")
            not_modified = page.meta.get(NOT_MODIFIED)
            if role == Role.LISTING and not_modified is not None:
                # the publisher's 304: this crawl's evidence that the listing still holds
                # what its archived copy shows
                answer = Response(
                    page.url, status=304, headers=not_modified, body=b"", request=page.request
                )
                yield fetched_response(answer, role, run_id=self.run_id)
            return
        if role == Role.PAGE and (
            page.status != 200 or page.request is None or page.request.method != "GET"
        ):
            return
        yield fetched_response(page, role, run_id=self.run_id)

    def _hold_alternates(
        self, state: SiteState, fetches: list[ListingFetch], depth: int, trail: list[str]
    ) -> list[ListingFetch]:
        """Of the first-page candidates of one templated JSON listing (its API may count
        pages from 1 or from 0), the first is asked for now; the others wait for its answer
        (`_next_alternate`). Not in a distributed crawl: another worker may get the answer."""
        if not self.hold_navigation:
            return fetches
        out: list[ListingFetch] = []
        firsts: set[str] = set()
        for fetch in fetches:
            if (
                fetch.format == ListingFormat.JSON
                and fetch.listing_key
                and fetch.page_number in (0, 1)
                and (fetch.url_template or fetch.body_template)
            ):
                if fetch.listing_key in firsts:
                    state.alternates.setdefault(fetch.listing_key, []).append((fetch, depth, trail))
                    continue
                firsts.add(fetch.listing_key)
            out.append(fetch)
        return out

    def _next_alternate(self, state: SiteState, key: str) -> Iterator[Request]:
        """After an answer (or a failure) of a first-page candidate of the listing `key`:
        the next candidate, unless that answer held the whole listing."""
        waiting = state.alternates.pop(key, None) if key else None
        if not waiting or key in state.complete_listings:
            return
        (nxt, depth, trail), rest = waiting[0], waiting[1:]
        if rest:
            state.alternates[key] = rest
        self.crawler.stats.inc_value(f"nianbao/{state.id}/alternate_first_pages")
        if self._new_listing_fetch(state, nxt):
            yield self._request(
                state, nxt.url, role="listing", depth=depth, fetch=nxt, extra={"nb_trail": trail}
            )

    def _new_listing_fetch(self, state: SiteState, fetch: ListingFetch) -> bool:
        """Whether a further page of a listing is still to be asked for (in scope, its
        listing not finished, that page and that URL not asked for yet); marks it asked."""
        if not state.in_scope(fetch.url) or self._pattern_closed(state, fetch.url):
            return False
        if fetch.listing_key and fetch.listing_key in state.complete_listings:
            return False
        if fetch.listing_key and fetch.page_number is not None:
            page_key = (fetch.listing_key, fetch.page_number)
            if page_key in state.listing_pages:
                return False  # asked for already (a postback's form state differs)
            state.listing_pages.add(page_key)
        if fetch.method == "GET":
            key = dedup_key(fetch.url)
            if key in state.listing_urls:
                return False
            state.listing_urls.add(key)
            state.frontier.mark_seen(fetch.url)
        return True

    def _should_render(self, state: SiteState, response: Response, text: str) -> bool:
        if not self.render_enabled or state.site.render != "auto":
            return False
        if response.meta.get("nb_rendered") or response.meta.get("playwright"):
            return False
        lowered = text.lower()
        return "<script" in lowered and any(marker.lower() in lowered for marker in _SHELL_MARKERS)

    def _report_requests(
        self, state: SiteState, page: TextResponse, anchors: Iterable[Anchor]
    ) -> tuple[list[Request], int]:
        """Requests for the reports a page links, and how many report links it has (those
        known and within the re-verify cadence included: the page is a listing all the
        same, and they are no navigation)."""
        depth = page.meta.get("nb_depth", 0)
        seen: set[str] = set()
        requests: list[Request] = []
        for anchor in anchors:
            if is_ignored_link(anchor.url) or not state.in_scope(anchor.url):
                continue
            if trap_reason(anchor.url):
                continue
            match = classify_title(anchor.text)
            if match is None and maybe_report_title(anchor.text):
                # a title cut short of a report the archive knows: its archived title
                # decides (the page need not be downloaded again to read it)
                known = state.known.get(canonical_url(anchor.url))
                if known is not None and known.role in ("report", "attachment") and known.title:
                    match = classify_title(known.title)
                    if match is not None:
                        anchor = dataclasses.replace(anchor, text=known.title)
            if match is None:
                if maybe_report_title(anchor.text) and not state.frontier.seen(anchor.url):
                    # a title cut short: the page's own title decides
                    state.frontier.mark_seen(anchor.url)
                    seen.add(canonical_url(anchor.url))
                    requests.append(
                        self._request(
                            state,
                            anchor.url,
                            role="page",
                            depth=depth + 1,
                            priority=PRIORITY["report"],
                            extra={
                                "nb_maybe_report": True,
                                "nb_published": anchor.published,
                                "nb_parent": page.url,
                            },
                        )
                    )
                continue
            key = canonical_url(anchor.url)
            if key in seen:
                continue
            seen.add(key)
            extra = {
                "nb_title": anchor.text,
                "nb_year": match.year,
                "nb_agency": match.agency,
                "nb_published": anchor.published,
                "nb_parent": page.url,
            }
            role = "attachment" if is_attachment_link(anchor.url, anchor.text) else "report"
            if self._fresh(state, key):
                self._listed.setdefault(page.url, []).append((state.id, state.known[key].url))
                state.reports.add(key)
                state.reached.add(key)
                state.reached.update(canonical_url(d.url) for d in state.children.get(key, []))
                if role == "report":
                    # Its archived copy is read once listings are exhausted, for any
                    # attachment the archive does not hold yet (an interrupted crawl).
                    state.unread_pages.setdefault(
                        key,
                        {
                            **extra,
                            "nb_url": state.known[key].url,
                            "nb_depth": depth + 1,
                            "nb_only_new": True,
                        },
                    )
                self.crawler.stats.inc_value(f"nianbao/{state.id}/reverify_skipped")
                continue
            if role == "attachment":
                extra["nb_bare"] = True
            requests.append(
                self._request(state, anchor.url, role=role, depth=depth + 1, extra=extra)
            )
        return requests, len(seen)

    def _listed_on(self, listing_url: str) -> Iterator[ListedDocument]:
        """The known documents the listing at ``listing_url`` links to and this crawl does
        not fetch again: yielded after the listing's capture, which is their evidence."""
        now = datetime.now(UTC)
        for site_id, url in self._listed.pop(listing_url, []):
            yield ListedDocument(site_id, url, listing_url, self.run_id, now)

    def _fresh(self, state: SiteState, key: str) -> bool:
        """A known report checked within the re-verify cadence is not fetched again (the
        attachment links of a page are then read from its archived copy)."""
        known = state.known.get(key)
        if known is None or self.reverify_days <= 0:
            return False
        if getattr(known, "status", "present") == "vanished":
            return False
        seen_at = getattr(known, "last_seen_at", None)
        if seen_at is None:
            return False
        if seen_at.tzinfo is None:
            seen_at = seen_at.replace(tzinfo=UTC)
        return datetime.now(UTC) - seen_at < timedelta(days=self.reverify_days)

    def _navigation_requests(
        self,
        state: SiteState,
        anchors: Iterable[Anchor],
        depth: int,
        *,
        listing: bool = False,
        min_score: float | None = None,
    ) -> Iterator[Request]:
        """Links worth following for what they may lead to. On a listing, the other entries
        of the list (dated, or titled like articles) are look-alikes, not navigation."""
        for anchor in anchors:
            if listing and (anchor.published or len(anchor.text) > ARTICLE_TITLE_LENGTH):
                continue
            if is_ignored_link(anchor.url) or is_attachment_link(anchor.url, anchor.text):
                continue
            if not state.in_scope(anchor.url):
                self.crawler.stats.inc_value(f"nianbao/{state.id}/offsite_links")
                continue
            if trap_reason(anchor.url):
                self.crawler.stats.inc_value(f"nianbao/{state.id}/trap_links")
                continue
            score = link_score(anchor.url, anchor.text)
            if score < (self.min_link_score if min_score is None else min_score):
                continue
            if 0 <= score <= 0 and min_score == 0.0 and not anchor.text:
                continue
            yield self._request(
                state,
                anchor.url,
                role="page",
                depth=depth,
                priority=int(100 * min(score, 1.0)),
                extra={"nb_score": score},
            )

    # ------------------------------------------------------------------ listings from APIs

    def parse_hanweb(self, response: Response) -> Iterator[Any]:
        state = self._settle(response.meta)
        yield from self._hanweb_response(response)
        if state is not None:
            yield from self._release(state)

    def _hanweb_response(self, response: Response) -> Iterator[Any]:
        state = self.book[response.meta["site"]]
        page = as_text_response(response)
        html = hanweb.records_html(page.text)
        anchors = extract_anchors(html, page.url)
        requests, report_links = self._report_requests(state, page, anchors)
        yield from requests
        if report_links:
            state.frontier.productive(tuple(response.meta.get("nb_trail") or ()), page.url)
            yield from self._page_capture(page, Role.LISTING)
            yield from self._listed_on(page.url)
            body = (response.request.body or b"").decode("utf-8", "replace")
            for fetch in hanweb.follow_up_fetches(
                page.text,
                page.url,
                body,
                max_records=self.max_listing_pages * 50,
                known_total=response.meta.get("nb_expected_records"),
                referer=str(response.request.headers.get("Referer", b"") or b"", "latin-1"),
                listing_key=response.meta.get("nb_listing_key") or "",
            ):
                if not self._new_listing_fetch(state, fetch):
                    continue
                yield self._request(
                    state,
                    fetch.url,
                    role="listing",
                    depth=response.meta.get("nb_depth", 0),
                    fetch=fetch,
                    extra={"nb_trail": list(response.meta.get("nb_trail") or ())},
                )

    def parse_json(self, response: Response) -> Iterator[Any]:
        state = self._settle(response.meta)
        yield from self._json_response(response)
        if state is not None:
            yield from self._next_alternate(state, _listing_key_of(response.meta))
            yield from self._release(state)

    def _json_response(self, response: Response) -> Iterator[Any]:
        state = self.book[response.meta["site"]]
        page = as_text_response(response)
        fetch = _fetch_of(response.meta)
        if fetch is not None and fetch.listing_key in state.complete_listings:
            return  # one answer of this listing held all of it already
        data = shells.parse_json(page.text)
        if data is None:
            yield CrawlFailure(
                state.id, response.url, "extraction", "listing API answer is not JSON"
            )
            return
        base = (fetch.headers.get("Referer") if fetch else None) or page.url
        anchors = shells.entries(data, base, page.url)
        requests, report_links = self._report_requests(state, page, anchors)
        yield from requests
        items = {dedup_key(a.url) for a in anchors}
        fresh = self._new_items(state, fetch.listing_key if fetch else page.url, items)
        state.seen_links |= items
        self._note_novelty(state, page.url, bool(report_links or fresh))
        if report_links:
            state.frontier.productive(tuple(response.meta.get("nb_trail") or ()), page.url)
            yield from self._page_capture(page, Role.LISTING)
            yield from self._listed_on(page.url)
        if fetch is not None and fetch.listing_key and shells.listing_complete(data, page.url):
            state.complete_listings.add(fetch.listing_key)
        label_says_reports = fetch is not None and link_score("", fetch.label) >= 0.45
        if not fresh or not (report_links or label_says_reports):
            return
        for nxt in shells.next_fetches(data, page.url, self.max_listing_pages, fetch=fetch):
            if not self._new_listing_fetch(state, nxt):
                continue
            yield self._request(
                state,
                nxt.url,
                role="listing",
                depth=response.meta.get("nb_depth", 0),
                fetch=nxt,
                extra={"nb_trail": list(response.meta.get("nb_trail") or ())},
            )

    # ------------------------------------------------------------------ reports and files

    def parse_report(self, response: Response) -> Iterator[Any]:
        state = self._settle(response.meta)
        yield from self._report_response(response)
        if state is not None:
            yield from self._release(state)

    def _report_response(self, response: Response) -> Iterator[Any]:
        state = self.book[response.meta["site"]]
        meta = response.meta
        if response.status in (304, 404, 410):
            yield from self._status_only(state, response, Role.REPORT)
            return
        if _is_file(response):
            yield from self._attachment_found_as_page(state, response)
            return
        page = as_text_response(response)
        selector = Selector(text=page.text or "<html></html>")
        match = classify_title(meta.get("nb_title") or "")
        if match is None:
            match = _report_title(selector)[1]
        anchors = extract_anchors(selector, page.url)
        if "<script" in page.text:
            # attachments named only in the page's data (gkmlpt `_CONFIG.DETAIL`…)
            anchors += shells.script_links(ListingPage(url=page.url, text=page.text))
        yield from self._report_page(state, page, selector, anchors, match)

    def _report_page(
        self,
        state: SiteState,
        page: TextResponse,
        selector: Selector,
        anchors: list[Anchor],
        match: Any,
    ) -> Iterator[Any]:
        meta = page.meta
        title = meta.get("nb_title") or _report_title(selector)[0] or page_title(selector)
        state.reports.add(canonical_url(page.url))
        state.reached.add(canonical_url(page.url))
        yield fetched_response(
            page,
            Role.REPORT,
            run_id=self.run_id,
            title=title,
            year=meta.get("nb_year") or (match.year if match else None),
            agency_name=meta.get("nb_agency") or (match.agency if match else None),
            published_at=meta.get("nb_published"),
        )
        yield from self._attachment_requests(
            state,
            page.url,
            anchors,
            depth=meta.get("nb_depth", 0),
            title=title,
            year=meta.get("nb_year") or (match.year if match else None),
            agency=meta.get("nb_agency") or (match.agency if match else None),
            published=meta.get("nb_published"),
        )

    def _attachment_requests(
        self,
        state: SiteState,
        page_url: str,
        anchors: Iterable[Anchor],
        *,
        depth: int,
        title: str | None,
        year: int | None,
        agency: str | None,
        published: str | None,
        only_new: bool = False,
    ) -> Iterator[Request]:
        """Requests for the attachments a report page links (`only_new`: those the archive
        does not hold; the others count as reached)."""
        seen: set[str] = set()
        for anchor in anchors:
            if not is_attachment_link(anchor.url, anchor.text) or is_ignored_link(anchor.url):
                continue
            key = canonical_url(anchor.url)
            if key in seen or not state.in_scope(anchor.url) or trap_reason(anchor.url):
                continue
            seen.add(key)
            if only_new and key in state.known:
                state.reached.add(key)
                continue
            yield self._request(
                state,
                anchor.url,
                role="attachment",
                depth=depth + 1,
                extra={
                    "nb_title": title,
                    "nb_year": year,
                    "nb_agency": agency,
                    "nb_parent": page_url,
                    "nb_link_text": anchor.text,
                    "nb_published": published,
                },
            )

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        state = self._settle(response.meta)
        yield from self._attachment_response(response)
        if state is not None:
            yield from self._release(state)

    def _attachment_response(self, response: Response) -> Iterator[Any]:
        state = self.book[response.meta["site"]]
        if response.status in (304, 404, 410):
            yield from self._status_only(state, response, Role.ATTACHMENT)
            return
        meta = response.meta
        filename = content_disposition_filename(response.headers.get(b"Content-Disposition"))
        kind = sniff_file_type(response.body, response.url, filename)
        if kind is None:
            if b"<html" in response.body[:2048].lower() and meta.get("nb_bare"):
                # A "file" link that answers with the report's own HTML page.
                yield from self._report_response(response)
                return
            yield CrawlFailure(
                state.id,
                response.url,
                "extraction",
                "attachment link did not return a document",
                response.status,
            )
            return
        if not filename:
            text = meta.get("nb_link_text") or ""
            filename = text if "." in text[-6:] else filename_from_url(response.url)
        self.crawler.stats.inc_value(f"nianbao/{state.id}/attachments/{kind}")
        decide = bool(meta.get("nb_decide_by_content"))
        if meta.get("nb_bare") and not decide:
            state.reports.add(canonical_url(response.url))
        state.reached.add(canonical_url(response.url))
        captured = fetched_response(
            response,
            Role.ATTACHMENT,
            run_id=self.run_id,
            title=meta.get("nb_title"),
            year=meta.get("nb_year"),
            agency_name=meta.get("nb_agency"),
            parent_url=None if meta.get("nb_bare") else meta.get("nb_parent"),
            filename=filename,
            published_at=meta.get("nb_published"),
        )
        yield dataclasses.replace(captured, decide_by_content=True) if decide else captured

    def _attachment_found_as_page(self, state: SiteState, response: Response) -> Iterator[Any]:
        """A navigation link that turned out to be a file: keep it only if it is a report
        (by its link's title, else by the file name the server gives it: a list title cut
        short is often whole there)."""
        title = response.meta.get("nb_title") or ""
        match = classify_title(title)
        if match is None:
            filename = content_disposition_filename(response.headers.get(b"Content-Disposition"))
            stem = (filename or "").rsplit(".", 1)[0]
            match = classify_title(stem)
            if match is None:
                if not response.meta.get("nb_maybe_report"):
                    return
                # a list title cut short, a file name that says nothing: the document's
                # own title decides (read by the archive pipeline, in an isolated worker)
                response.meta["nb_bare"] = True
                response.meta["nb_decide_by_content"] = True
                yield from self._attachment_response(response)
                return
            response.meta["nb_title"] = stem
            response.meta.setdefault("nb_year", match.year)
            response.meta.setdefault("nb_agency", match.agency)
        if response.meta.get("nb_maybe_report"):
            response.meta["nb_bare"] = True  # a report published as a bare file
        yield from self._attachment_response(response)

    def _status_only(self, state: SiteState, response: Response, role: Role) -> Iterator[Any]:
        meta = response.meta
        if response.status == 304:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/not_modified")
            if role == Role.REPORT or meta.get("nb_bare"):
                state.reports.add(canonical_url(response.url))
            if role == Role.REPORT:
                # An unchanged page: its archived copy names its attachments (read once
                # listings are exhausted, off the download path).
                state.unread_pages.setdefault(
                    canonical_url(response.url),
                    {
                        key: meta.get(key)
                        for key in ("nb_title", "nb_year", "nb_agency", "nb_published")
                    }
                    | {"nb_url": response.url, "nb_depth": meta.get("nb_depth", 0)},
                )
            yield fetched_response(
                response,
                role,
                run_id=self.run_id,
                title=meta.get("nb_title"),
                year=meta.get("nb_year"),
                agency_name=meta.get("nb_agency"),
                parent_url=meta.get("nb_parent") if role == Role.ATTACHMENT else None,
            )
            return
        yield CrawlFailure(
            state.id, response.url, "http_status", f"HTTP {response.status}", response.status
        )
        if canonical_url(response.url) in state.known:
            # The recorder marks a known document vanished.
            yield fetched_response(response, role, run_id=self.run_id, title=meta.get("nb_title"))

    # ------------------------------------------------------------------ failures

    def on_error(self, failure: Failure) -> Iterator[CrawlFailure | Request]:
        request: Request = failure.request  # type: ignore[attr-defined]
        state = self._settle(request.meta)
        if state is not None and request.meta.get("nb_role") == "script":
            yield from self._failure_of_script(state, request.url)
            yield from self._release(state)
            return
        yield from self._failure(failure)
        if state is not None:
            yield from self._next_alternate(state, _listing_key_of(request.meta))
            yield from self._release(state)

    def _failure(self, failure: Failure) -> Iterator[CrawlFailure]:
        request: Request = failure.request  # type: ignore[attr-defined]
        site_id = request.meta.get("site", "")
        error = failure.value
        status: int | None = None
        if request.meta.get("nb_waf_retry") and not isinstance(error, Refused | HttpError):
            block_site(self.crawler, request)
            kind, detail = "blocked", f"JavaScript challenge not passed in the browser: {error}"
        elif isinstance(error, Refused):
            if error.kind is None:
                return
            kind, detail, status = error.kind, error.detail, error.status
        elif isinstance(error, HttpError):
            status = error.response.status
            kind, detail = "http_status", f"HTTP {status}"
        elif "robots.txt" in str(error):
            kind, detail = "robots", "forbidden by robots.txt"
        elif (
            isinstance(error, TimeoutError | TCPTimedOutError) or "Timeout" in type(error).__name__
        ):
            kind, detail = "timeout", str(error) or "timed out"
        elif isinstance(error, DNSLookupError):
            kind, detail = "dns", str(error)
        elif isinstance(
            error, ConnectionRefusedError | ConnectionLost | ResponseFailed | ResponseNeverReceived
        ):
            kind, detail = "connection", f"{type(error).__name__}: {error}"
        else:
            kind, detail = "connection", f"{type(error).__name__}: {error}"
        yield CrawlFailure(site_id, request.url, kind, detail[:500], status)
