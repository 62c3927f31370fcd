"""The one spider of a crawl run: every site of the run, focused on annual reports.

Roles of a request (its `crawler.hints.Hint`, `RequestRole`):
- `page`: navigation (start URLs, links that score as likely to lead to reports);
- `listing`: a further page of a listing (pagination, a Hanweb dataproxy group, a JSON
  API page);
- `report`: a report's own page (its title classified as an annual report);
- `attachment`: a file of a report, or a report published as a bare file.

When a site's listings are exhausted (the crawl goes idle), `crawler.extensions.reverify`
reads the archived copies of the known report pages it did not download (they answered
304, or were checked within the re-verify cadence) for attachment links, and then asks
again for every known report page and attachment that no listing of this crawl reached: a
document taken down answers 404/410 and is recorded as vanished.

Requests carry only JSON-able meta and callbacks by name, so a scheduler may serialise them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from parsel import Selector
from scrapy import Request, Spider, signals
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from capture.types import Role
from crawler import render, shells
from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.anchors import (
    Anchor,
    comment_anchors,
    extract_anchors,
)
from crawler.archive_access import ArchiveAccess
from crawler.browser_exchanges import BrowserExchange, exchanges_of, with_exchanges
from crawler.config import CrawlConfig
from crawler.discovery.incremental import nothing_new
from crawler.discovery.navigation import Navigation
from crawler.discovery.pages import (
    is_file,
    looks_script_filled,
    reads_as_article,
    report_title,
)
from crawler.discovery.titles import classify_title, link_score, maybe_report_title
from crawler.documents import Documents
from crawler.encoding import as_text_response
from crawler.evidence import fetched_response
from crawler.failures import classify
from crawler.frontier import Candidate, SiteFrontier
from crawler.hints import Hint, RequestRole
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
from crawler.listings.series import same_folder
from crawler.middlewares.waf import block_site
from crawler.request_builder import PRIORITY, RequestBuilder
from crawler.sitebook import DeferredPlan, SiteState, listing_place
from storage.vocab import FailureKind


@dataclasses.dataclass(frozen=True)
class _Answer:
    """An XHR/fetch answer of a rendered page read as a list answer."""

    exchange: BrowserExchange
    data: Any
    """the answer parsed (`crawler.shells.parse_json`)"""
    anchors: list[Anchor]
    """its records"""


def _reportish(hint: Hint) -> bool:
    """A request for a report or its file, or for a list entry that may be one."""
    return hint.role in (RequestRole.REPORT, RequestRole.ATTACHMENT) or (
        hint.maybe_report or hint.decide_by_content
    )


def _listing_key_of(hint: Hint) -> str:
    """The listing key of a JSON listing request (its fetch's)."""
    return hint.fetch.listing_key if hint.fetch is not None else ""


class ReportsSpider(Spider):
    name = "reports"
    navigation: Navigation
    documents: Documents

    def __init__(self, *args: Any, site_ids: str | list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(site_ids, str):
            site_ids = [s for s in site_ids.split(",") if s]
        self.site_ids: list[str] | None = site_ids or None
        self.book: dict[str, SiteState] = {}
        self._listed: dict[str, list[tuple[str, str]]] = {}
        self.config = CrawlConfig()
        self.requests = RequestBuilder(self, self.config)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = CrawlConfig.of(crawler)
        spider.config = config
        spider.requests = RequestBuilder(spider, config)
        spider.navigation = Navigation(crawler, config, spider.requests)
        spider.documents = Documents(
            spider.book, config, spider.requests, spider.navigation, crawler
        )
        if spider.site_ids is None and config.sites:
            spider.site_ids = list(config.sites)
        render.configure(config.render_max_reloads)
        archive = ArchiveAccess.of(crawler).archive
        sites = archive.sites(spider.site_ids)
        if spider.site_ids:
            missing = set(spider.site_ids) - {s.id for s in sites}
            if missing:
                raise ValueError(f"sites not in the registry: {', '.join(sorted(missing))}")
        for site in sites:
            frontier = SiteFrontier(
                threshold=config.min_link_score,
                max_depth=config.max_depth,
                reserve=config.explore_reserve,
                concurrency=config.explore_concurrency,
            )
            spider.book[site.id] = SiteState.of(
                site,
                archive.known_documents(site.id),
                frontier,
                last_complete_crawl=archive.last_complete_crawl(site.id),
            )
        crawler.signals.connect(spider._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    # ------------------------------------------------------------------ requests

    async def start(self) -> AsyncIterator[Request]:
        for state in self.book.values():
            for url in state.site.start_urls:
                state.frontier.mark_seen(url)
                yield self.requests.start(state, url)

    def release_on_idle(self) -> int:
        """The crawl is idle (crawler.extensions.reverify calls this first on spider_idle):
        nothing is in flight, whatever was missed; the navigation each site's frontier
        releases is scheduled. How many requests that made."""
        scheduled = 0
        for state in self.book.values():
            state.outstanding.clear()
            for key in list(state.alternates):
                # candidates whose first request never got an outcome (dropped)
                for request in self._next_alternate(state, key):
                    self.crawler.engine.crawl(request)
                    scheduled += 1
            for key in list(state.held_pages):
                # a column whose proxy never answered to the end (a request dropped)
                for request in self._proxy_ended(state, key, complete=False):
                    self.crawler.engine.crawl(request)
                    scheduled += 1
            for request in self.navigation.release(state):
                self.crawler.engine.crawl(request)
                scheduled += 1
        return scheduled

    # ------------------------------------------------------------------ the frontier

    def _scheduled(self, request: Request, spider: Spider) -> None:
        hint = Hint.of(request)
        state = self.book.get(hint.site or "")
        if state is not None and hint.token is not None and hint.role.leads:
            # reports and attachments download beside navigation: they hold nothing up
            state.outstanding.add(hint.token)

    def _dropped(self, request: Request, spider: Spider) -> None:
        self._settle(request)

    def _settle(self, holder: Request | Response) -> SiteState | None:
        """A request of the site has its outcome (or was dropped): no longer in flight."""
        hint = Hint.of(holder)
        state = self.book.get(hint.site or "")
        if state is not None:
            state.outstanding.discard(hint.token)
        return state

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
        hint = Hint.of(page)
        state.shell_pages[page.url] = {
            "text": page.text,
            "waiting": sorted(set(missing)),
            "hint": Hint(depth=hint.depth, trail=hint.trail, score=hint.score, start=hint.start),
        }
        requests = []
        for url in missing:
            if url in state.scripts_requested:
                continue
            state.scripts_requested.add(url)
            requests.append(self.requests.script(state, url, depth=hint.depth, referer=page.url))
        return [], requests

    def parse_script(self, response: Response) -> Iterator[Any]:
        state = self._settle(response)
        if state is None:
            return
        assert response.request is not None
        url = response.request.url
        body = response.body[:2_000_000]
        state.scripts[url] = body.decode(getattr(response, "encoding", None) or "utf-8", "replace")
        yield from self._scripts_arrived(state, url)
        yield from self.navigation.release(state)

    def _scripts_arrived(self, state: SiteState, url: str) -> Iterator[Request]:
        for page_url, pending in list(state.shell_pages.items()):
            waiting = [u for u in pending["waiting"] if u != url and u not in state.scripts]
            pending["waiting"] = waiting
            if waiting:
                continue
            del state.shell_pages[page_url]
            listing = ListingPage(url=page_url, text=pending["text"])
            hint: Hint = pending["hint"]
            scripts = self._scripts_of(state, listing)
            fetches = shells.report_fetches(shells.api_fetches(listing, scripts))
            for anchor in shells.script_links(listing, scripts):
                if state.in_scope(anchor.url) and not trap_reason(anchor.url):
                    state.frontier.push(
                        Candidate(
                            url=anchor.url,
                            text=anchor.text,
                            score=link_score(anchor.url, anchor.text),
                            depth=hint.depth + 1,
                            parent=dedup_key(page_url),
                            trail=hint.trail,
                        )
                    )
            for fetch in fetches:
                if not state.in_scope(fetch.url):
                    continue
                if fetch.listing_key and fetch.listing_key in state.complete_listings:
                    continue
                yield self.requests.listing(
                    state, fetch, depth=hint.depth, hint=Hint(trail=hint.trail)
                )
            if not fetches and self.config.render_enabled and state.site.render == "auto":
                # no API in the page or its scripts: the browser shows what they fill
                self.crawler.stats.inc_value(f"nianbao/{state.id}/rendered")
                yield self.requests.navigation(
                    state,
                    page_url,
                    depth=hint.depth,
                    hint=hint.replace(rendered=True),
                    playwright=True,
                ).replace(dont_filter=True)

    def _failure_of_script(self, state: SiteState, url: str) -> Iterator[Request]:
        state.scripts.setdefault(url, "")
        yield from self._scripts_arrived(state, url)

    # ------------------------------------------------------------------ pages

    def parse_page(self, response: Response) -> Iterator[Any]:
        state = self._settle(response)
        assert state is not None
        yield from self._page(state, response)
        yield from self.navigation.release(state)

    def _page(self, state: SiteState, response: Response) -> Iterator[Any]:
        if is_file(response):
            yield from self.documents.attachment_found_as_page(state, response)
            return
        page = as_text_response(response)
        selector = Selector(text=page.text or "<html></html>")
        anchors = extract_anchors(selector, page.url)
        if hanweb.is_hanweb_page(page.text):
            # Records embedded as CDATA in <script type="text/xml"> are not markup.
            anchors += extract_anchors(hanweb.records_html(page.text), page.url)
        if state.mirrors.observe(page.url, anchors, state.in_scope):
            self.crawler.stats.inc_value(f"nianbao/{state.id}/mirror_hosts")
        anchors = state.mirrors.fold(anchors)
        self.navigation.sight(state, page.url, anchors)
        hint = Hint.of(response)
        depth = hint.depth
        role = hint.role
        listing = ListingPage(url=page.url, text=page.text)
        scripts = self._scripts_of(state, listing)
        if role in (RequestRole.PAGE, RequestRole.LISTING) and not hint.maybe_report:
            # links only scripts make: javascript: functions, onclick, redirect shells…
            anchors += shells.script_links(listing, scripts)
            if "<!--" in page.text:
                anchors += comment_anchors(page.text, page.url)
        # what the browser's XHR/fetch requests answered while it rendered the page (its
        # list API's answer, read like one found in scripts)
        answers = self._browser_answers(state, page) if not hint.maybe_report else []
        for answer in answers:
            anchors += answer.anchors
        anchors = state.mirrors.fold(anchors)
        report_requests, report_links = self._report_requests(state, page, anchors)
        # read once: a list filled by script (the page is no report, its API is looked for)
        shell = shells.detect_shell(listing) if not report_links else None
        if role == RequestRole.PAGE and (not report_links or hint.maybe_report):
            # (a list entry whose title was cut short: its page's title decides, whatever
            # its attachment links say)
            match = report_title(selector)[1]
            if (
                match is not None
                and not hint.start
                and (hint.maybe_report or reads_as_article(page, anchors, shell))
            ):
                # A report page reached through navigation rather than a listing (a column
                # named like a report, whose list is elsewhere or filled by script, is not).
                yield from self.documents.report_page(state, page, selector, anchors, match)
                return
        if hint.maybe_report:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/cut_titles_not_reports")
            yield from self._page_capture(page, Role.PAGE)
            return  # a list entry whose title was cut short, and not a report
        yield from report_requests
        if report_requests:
            # links queued earlier with the URL template of these reports were entries of
            # this list (documents that are not reports), not navigation
            state.frontier.forget_entries({novelty_pattern(r.url) for r in report_requests})
        likely_listing = hint.start or (hint.score or 0) >= self.config.min_link_score
        # A listing page that brings no link not seen before on the site (the empty pages
        # of endless pagination) counts towards NIANBAO_MAX_EMPTY_LISTING_PAGES.
        items = {  # what the page shows: no pager, print views or other traps
            dedup_key(a.url)
            for a in anchors
            if not is_pager_text(a.text) and not trap_reason(a.url)
        }
        listing_key = hint.listing_key
        new_items = self.navigation.new_items(state, listing_key, items)
        fresh_links = items - state.seen_links
        state.seen_links |= fresh_links
        empty_streak = 0 if report_links or fresh_links else hint.empty_streak + 1
        fetches: list[ListingFetch] = []
        if report_links:
            state.frontier.productive(hint.trail, page.url)
            if listing_key:
                state.productive_listings.add(listing_key)
            yield from self._page_capture(page, Role.LISTING)
            yield from self._listed_on(page.url)
        elif not response.meta.get("playwright") or exchanges_of(page):
            # (a rendered page is kept as evidence when its XHR answers are: beside it)
            yield from self._page_capture(page, Role.PAGE)
        if role == RequestRole.LISTING and listing_key and not new_items:
            # a page that repeats its listing's items (pages past the end clamped to the
            # last one) or brings none: the listing is finished
            state.complete_listings.add(listing_key)
            self.crawler.stats.inc_value(f"nianbao/{state.id}/listings_finished_by_repeat")
        elif (
            report_links
            or role == RequestRole.PAGE
            or (role == RequestRole.LISTING and empty_streak < self.config.max_empty_listing_pages)
        ):
            paged = ListingPage(url=page.url, text=page.text, listing_key=listing_key)
            found = listing_fetches_for(paged, anchors, self.config.max_listing_pages)
            found = self.navigation.past_the_end(state, listing_key, len(items), found)
            if found and self.config.incremental_listings and nothing_new(state, anchors):
                self._unchanged_listing(state, page.url, found)
                found = []
            if not report_links and not (likely_listing or role == RequestRole.LISTING):
                # a page whose list is not in its markup (a column proxy): its records are
                # asked for; further HTML pages only of lists that hold reports
                proxies = [f for f in found if f.format != ListingFormat.HTML][:2]
                if any(f.format == ListingFormat.HANWEB_XML for f in proxies):
                    # the column's own pages (a human pager beside the proxy) are held
                    # for the proxy's outcome, not followed as navigation
                    proxies += [
                        f
                        for f in found
                        if f.format == ListingFormat.HTML and same_folder(f.url, page.url)
                    ]
                found = proxies
            if role == RequestRole.PAGE:
                for key in {f.listing_key for f in found if f.listing_key}:
                    self.navigation.new_items(state, key, items)  # the first page's items
                    if report_links:
                        state.productive_listings.add(key)
            fetches += found
        # the list API the browser showed, paged on with plain requests
        fetches += self._learnt_fetches(state, answers)
        waiting = False
        if report_links and role == RequestRole.PAGE and "<script" in page.text:
            # a list the browser (or the server) filled from an API: the API pages it
            fetches += shells.report_fetches(shells.api_fetches(listing, scripts))
        elif role == RequestRole.PAGE and shell is not None:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/shells")
            api, script_requests = self._shell_fetches(state, page, listing, scripts)
            fetches += api
            waiting = bool(script_requests)
            yield from script_requests
        if role in (RequestRole.PAGE, RequestRole.LISTING) and not hint.start:
            # a page that brought links, reports, or the requests of its list (a shell's
            # API, a column proxy) was not barren
            novel = bool(report_links or fresh_links or fetches or waiting)
            self.navigation.note_novelty(state, page.url, novel)
        for fetch in self._hold_alternates(state, fetches, depth, hint.trail, page.url):
            if not self.navigation.new_listing_fetch(state, fetch):
                continue
            yield self.requests.listing(
                state, fetch, depth=depth, hint=Hint(empty_streak=empty_streak, trail=hint.trail)
            )
        if not self.config.focused and depth < self.config.max_depth:
            yield from self.navigation.follow_all(state, anchors, depth + 1, min_score=-1.0)
        elif role == RequestRole.PAGE and depth < self.config.max_depth:
            if hint.start and not items:
                # a start page with no way out (a script-filled catalogue): the site's
                # other columns are reached from its home page
                self.navigation.ascend(state, page.url)
            # the other entries of a list of reports share their URL template: documents
            # that are not reports, not navigation
            entries = {novelty_pattern(r.url) for r in report_requests}
            self.navigation.push(
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
            self.crawler.stats.inc_value(f"nianbao/{state.id}/rendered")
            assert response.request is not None
            yield self.requests.rendered(response.request, hint)

    # ------------------------------------------------------------------ what the browser saw

    def _browser_answers(self, state: SiteState, page: TextResponse) -> list[_Answer]:
        """The XHR/fetch answers of a rendered page that read as list answers (records
        with titles and URLs), with their records as anchors (placed as the browser placed
        them: against the page)."""
        out: list[_Answer] = []
        for exchange in exchanges_of(page):
            if exchange.status != 200:
                continue
            data = shells.parse_json(exchange.text())
            if data is None:
                continue
            anchors = shells.entries(data, page.url, exchange.url)
            if anchors:
                self.crawler.stats.inc_value(f"nianbao/{state.id}/xhr_list_answers")
                out.append(_Answer(exchange, data, anchors))
        return out

    def _learnt_fetches(self, state: SiteState, answers: list[_Answer]) -> list[ListingFetch]:
        """The further pages of the list APIs the browser showed that list reports: the
        request the page's script made, sent again as a plain request with the page number
        changed (as `_json_response` pages an API found in scripts)."""
        fetches: list[ListingFetch] = []
        for answer in answers:
            if not any(classify_title(a.text) for a in answer.anchors):
                continue
            first = answer.exchange.fetch()
            following = shells.next_fetches(
                answer.data, first.url, self.config.max_listing_pages, fetch=first
            )
            if not following:
                continue
            key = following[0].listing_key
            # the first page is the browser's: its items and URL are this listing's
            self.navigation.new_items(state, key, {dedup_key(a.url) for a in answer.anchors})
            if first.method == "GET":
                state.listing_urls.add(dedup_key(first.url))
            self.crawler.stats.inc_value(f"nianbao/{state.id}/xhr_apis_learnt")
            fetches += following
        return fetches

    def _page_capture(self, page: Response, role: Role) -> Iterator[Any]:
        """A navigation or listing page as evidence (and for a later crawl to ask for it
        conditionally), with the XHR answers the browser kept if it was rendered; nothing
        for the archived copy an unchanged page was read from, nor for anything but a full
        answer to a GET."""
        if "archived" in page.flags:
            hint = Hint.of(page)
            self.crawler.stats.inc_value(f"nianbao/{hint.site}/archived_pages_read")
            if role == Role.LISTING and hint.not_modified is not None:
                # the publisher's 304: this crawl's evidence that the listing still holds
                # what its archived copy shows
                answer = Response(
                    page.url,
                    status=304,
                    headers=hint.not_modified,  # type: ignore[arg-type]
                    body=b"",
                    request=page.request,
                )
                yield fetched_response(answer, role, run_id=self.config.run_id)
            return
        if role == Role.PAGE and (
            page.status != 200 or page.request is None or page.request.method != "GET"
        ):
            return
        yield with_exchanges(fetched_response(page, role, run_id=self.config.run_id), page)

    def _hold_alternates(
        self,
        state: SiteState,
        fetches: list[ListingFetch],
        depth: int,
        trail: tuple[str, ...],
        page_url: str,
    ) -> list[ListingFetch]:
        """Of the first-page candidates of one templated JSON listing (its API may count
        pages from 1 or from 0), the first is asked for now; the others wait for its answer
        (`_next_alternate`). Likewise the HTML pages of a column beside the column proxy
        that pages it (`_proxy_ended`). Not in a distributed crawl: another worker may get
        the answer."""
        if not self.config.frontier_hold:
            return fetches
        out: list[ListingFetch] = []
        firsts: set[str] = set()
        proxied = {
            f.listing_key
            for f in fetches
            if f.format == ListingFormat.HANWEB_XML and f.method == "POST" and f.listing_key
        }
        for fetch in fetches:
            if (
                fetch.format == ListingFormat.HTML
                and len(proxied) == 1
                and same_folder(fetch.url, page_url)
            ):
                # a human pager beside the column proxy shows the same records: its pages
                # wait for the proxy's answers (`_proxy_ended`)
                key = next(iter(proxied))
                state.held_pages.setdefault(key, []).append((fetch, depth, trail))
                if fetch.method == "GET":
                    state.frontier.mark_seen(fetch.url)  # its pager link is no navigation
                continue
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

    def _proxy_ended(self, state: SiteState, key: str, complete: bool) -> Iterator[Request]:
        """A column proxy asked for no further records: when its answers reached the declared
        total, the held HTML pages of the column are not needed; otherwise they are asked
        for (the proxy refused, was cut short or is gone)."""
        held = state.held_pages.pop(key, None) if key else None
        if not held:
            return
        if complete:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/pages_spared_by_proxy", len(held))
            return
        for fetch, depth, trail in held:
            if self.navigation.new_listing_fetch(state, fetch):
                yield self.requests.listing(state, fetch, depth=depth, hint=Hint(trail=trail))

    def _next_alternate(self, state: SiteState, key: str) -> Iterator[Request]:
        """After an answer (or a failure) of a first-page candidate of the listing `key`:
        the next candidate, unless that answer held the whole listing."""
        waiting = state.alternates.pop(key, None) if key else None
        if not waiting or key in state.complete_listings:
            if key and not waiting and (plan := state.deferred_plans.pop(key, None)):
                # page 0 held nothing, or failed: the API counts from 1 after all
                yield from self._plan_pages(state, plan)
            return
        (nxt, depth, trail), rest = waiting[0], waiting[1:]
        if rest:
            state.alternates[key] = rest
        self.crawler.stats.inc_value(f"nianbao/{state.id}/alternate_first_pages")
        if self.navigation.new_listing_fetch(state, nxt):
            yield self.requests.listing(state, nxt, depth=depth, hint=Hint(trail=tuple(trail)))

    def _should_render(self, state: SiteState, response: Response, text: str) -> bool:
        if not self.config.render_enabled or state.site.render != "auto":
            return False
        if Hint.of(response).rendered or response.meta.get("playwright"):
            return False
        return looks_script_filled(text)

    def _report_requests(
        self, state: SiteState, page: TextResponse, anchors: Iterable[Anchor]
    ) -> tuple[list[Request], int]:
        """Requests for the reports a page links, and how many report links it has (those
        known and within the re-verify cadence included: the page is a listing all the
        same, and they are no navigation)."""
        depth = Hint.of(page).depth
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
                        self.requests.navigation(
                            state,
                            anchor.url,
                            depth=depth + 1,
                            priority=PRIORITY[RequestRole.REPORT],
                            hint=Hint(
                                maybe_report=True, published=anchor.published, parent=page.url
                            ),
                        )
                    )
                continue
            key = canonical_url(anchor.url)
            if key in seen:
                continue
            seen.add(key)
            hint = Hint(
                title=anchor.text,
                year=match.year,
                agency=match.agency,
                published=anchor.published,
                parent=page.url,
            )
            role = (
                RequestRole.ATTACHMENT
                if is_attachment_link(anchor.url, anchor.text)
                else RequestRole.REPORT
            )
            if self._fresh(state, key):
                self._listed.setdefault(page.url, []).append((state.id, state.known[key].url))
                state.reports.add(key)
                state.reached.add(key)
                state.reached.update(canonical_url(d.url) for d in state.children.get(key, []))
                if role == RequestRole.REPORT:
                    # Its archived copy is read once listings are exhausted, for any
                    # attachment the archive does not hold yet (an interrupted crawl).
                    state.unread_pages.setdefault(
                        key,
                        (state.known[key].url, hint.replace(depth=depth + 1, only_new=True)),
                    )
                self.crawler.stats.inc_value(f"nianbao/{state.id}/reverify_skipped")
                continue
            if role == RequestRole.ATTACHMENT:
                hint = hint.replace(bare=True)
            requests.append(
                self.requests.build(state, anchor.url, role=role, depth=depth + 1, hint=hint)
            )
        return requests, len(seen)

    def _listed_on(self, listing_url: str) -> Iterator[ListedDocument]:
        """The known documents the listing at ``listing_url`` links to and this crawl does
        not fetch again: yielded after the listing's capture, which is their evidence."""
        now = datetime.now(UTC)
        for site_id, url in self._listed.pop(listing_url, []):
            yield ListedDocument(site_id, url, listing_url, self.config.run_id, now)

    def _unchanged_listing(
        self, state: SiteState, page_url: str, fetches: list[ListingFetch]
    ) -> None:
        """The rest of the listing at ``page_url`` holds nothing new
        (`crawler.discovery.incremental`): its further pages are not asked for, and the
        known documents found on it before (on any page of the same place), checked within
        the re-verify cadence, count as reached: the sweep of unreached documents leaves
        them alone, as it does a listed document within the cadence."""
        self.crawler.stats.inc_value(f"nianbao/{state.id}/listings_unchanged")
        keys = {listing_place(page_url)} | {listing_place(f.url) for f in fetches}
        for fetch in fetches:
            if fetch.listing_key:
                state.complete_listings.add(fetch.listing_key)
            if fetch.method == "GET":
                state.frontier.mark_seen(fetch.url)  # its pager's links are no navigation
        for key in keys:
            for doc in state.listed.get(key, []):
                if self._fresh(state, doc):
                    state.reached.add(doc)
                    state.reached.update(canonical_url(d.url) for d in state.children.get(doc, []))

    def _fresh(self, state: SiteState, key: str) -> bool:
        """A known report checked within the re-verify cadence is not fetched again (the
        attachment links of a page are then read from its archived copy)."""
        known = state.known.get(key)
        if known is None or self.config.reverify_days <= 0:
            return False
        if getattr(known, "status", "present") == "vanished":
            return False
        seen_at: datetime | None = getattr(known, "last_seen_at", None)
        if seen_at is None:
            return False
        if seen_at.tzinfo is None:
            seen_at = seen_at.replace(tzinfo=UTC)
        return datetime.now(UTC) - seen_at < timedelta(days=self.config.reverify_days)

    # ------------------------------------------------------------------ listings from APIs

    def parse_hanweb(self, response: Response) -> Iterator[Any]:
        state = self._settle(response)
        yield from self._hanweb_response(response)
        if state is not None:
            yield from self.navigation.release(state)

    def _hanweb_response(self, response: Response) -> Iterator[Any]:
        hint = Hint.of(response)
        state = self.book[hint.site or ""]
        page = as_text_response(response)
        following: list[ListingFetch] = []
        html = hanweb.records_html(page.text)
        anchors = state.mirrors.fold(extract_anchors(html, page.url))
        requests, report_links = self._report_requests(state, page, anchors)
        yield from requests
        if report_links:
            state.frontier.productive(hint.trail, page.url)
            if hint.listing_key:
                state.productive_listings.add(hint.listing_key)
            yield from self._page_capture(page, Role.LISTING)
            yield from self._listed_on(page.url)
        if anchors and (report_links or hint.listing_key in state.productive_listings):
            # the column's other records, up to its declared total: a group of records
            # with no report in a column that holds reports does not end it
            assert response.request is not None
            body = (response.request.body or b"").decode("utf-8", "replace")
            following = hanweb.follow_up_fetches(
                page.text,
                page.url,
                body,
                max_records=self.config.max_listing_pages * 50,
                known_total=hint.expected_records,
                referer=str(response.request.headers.get("Referer", b"") or b"", "latin-1"),
                listing_key=hint.listing_key,
            )
            for fetch in following:
                if not self.navigation.new_listing_fetch(state, fetch):
                    continue
                yield self.requests.listing(
                    state, fetch, depth=hint.depth, hint=Hint(trail=hint.trail)
                )
        if not following:
            complete = hanweb.range_reaches_total(page.text, page.url, hint.expected_records)
            yield from self._proxy_ended(state, hint.listing_key, complete)

    def parse_json(self, response: Response) -> Iterator[Any]:
        state = self._settle(response)
        yield from self._json_response(response)
        if state is not None:
            yield from self._next_alternate(state, _listing_key_of(Hint.of(response)))
            yield from self.navigation.release(state)

    def _json_response(self, response: Response) -> Iterator[Any]:
        hint = Hint.of(response)
        state = self.book[hint.site or ""]
        page = as_text_response(response)
        fetch = hint.fetch
        if fetch is not None and fetch.listing_key in state.complete_listings:
            return  # one answer of this listing held all of it already
        data = shells.parse_json(page.text)
        if data is None:
            yield CrawlFailure(
                state.id, response.url, FailureKind.EXTRACTION, "listing API answer is not JSON"
            )
            return
        base = (fetch.headers.get("Referer") if fetch else None) or page.url
        anchors = state.mirrors.fold(shells.entries(data, base, page.url))
        if fetch is not None and fetch.page_number == 0 and anchors:
            # the API counts from 0: page 1 was its second page, planned from here
            state.deferred_plans.pop(fetch.listing_key, None)
        requests, report_links = self._report_requests(state, page, anchors)
        yield from requests
        items = {dedup_key(a.url) for a in anchors}
        fresh = self.navigation.new_items(state, fetch.listing_key if fetch else page.url, items)
        state.seen_links |= items
        self.navigation.note_novelty(state, page.url, bool(report_links or fresh))
        if report_links:
            state.frontier.productive(hint.trail, page.url)
            if fetch is not None and fetch.listing_key:
                state.productive_listings.add(fetch.listing_key)
            yield from self._page_capture(page, Role.LISTING)
            yield from self._listed_on(page.url)
        if fetch is not None and fetch.listing_key and shells.listing_complete(data, page.url):
            state.complete_listings.add(fetch.listing_key)
        if self.config.incremental_listings and nothing_new(state, anchors):
            self._unchanged_listing(state, page.url, [fetch] if fetch is not None else [])
            return
        label_says_reports = fetch is not None and link_score("", fetch.label) >= 0.45
        productive = fetch is not None and fetch.listing_key in state.productive_listings
        # a page without a report does not end a list that mixes them with other documents
        # (a department's whole catalogue, newest first): NIANBAO_MAX_EMPTY_LISTING_PAGES
        # such pages in a row do, as on HTML listings
        first = fetch is None or fetch.page_number in (None, 0, 1)
        streak = 0 if report_links else (0 if first else hint.empty_streak) + 1
        patient = streak <= self.config.max_empty_listing_pages
        if not fresh or not (report_links or label_says_reports or productive or patient):
            return
        patience = not (report_links or label_says_reports or productive)
        plan = DeferredPlan(data, page.url, fetch, hint.depth, hint.trail, streak, patience)
        if fetch is not None and fetch.page_number == 1 and state.alternates.get(fetch.listing_key):
            # page 1 of an API that may count from 0 is its second page, perhaps the short
            # last one: its page count waits for page 0's answer (`_next_alternate`)
            state.deferred_plans[fetch.listing_key] = plan
            return
        yield from self._plan_pages(state, plan)

    def _plan_pages(self, state: SiteState, plan: DeferredPlan) -> Iterator[Request]:
        """The listing's next pages after this answer (only the next one when patient)."""
        following = shells.next_fetches(
            plan.data, plan.url, self.config.max_listing_pages, fetch=plan.fetch
        )
        if plan.patience:
            # patience: the next page, not all of them
            following = sorted(following, key=lambda f: f.page_number or 0)[:1]
        for nxt in following:
            if not self.navigation.new_listing_fetch(state, nxt):
                continue
            yield self.requests.listing(
                state, nxt, depth=plan.depth, hint=Hint(trail=plan.trail, empty_streak=plan.streak)
            )

    # ------------------------------------------------------------------ reports and files

    def parse_report(self, response: Response) -> Iterator[Any]:
        state = self._settle(response)
        yield from self.documents.report_response(response)
        if state is not None:
            yield from self.navigation.release(state)

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        state = self._settle(response)
        yield from self.documents.attachment_response(response)
        if state is not None:
            yield from self.navigation.release(state)

    # ------------------------------------------------------------------ failures

    def on_error(self, failure: Failure) -> Iterator[CrawlFailure | Request]:
        request: Request = failure.request  # type: ignore[attr-defined]
        state = self._settle(request)
        if state is not None and Hint.of(request).role == RequestRole.SCRIPT:
            yield from self._failure_of_script(state, request.url)
            yield from self.navigation.release(state)
            return
        for found in self._failure(failure):
            if (
                state is not None
                and found.kind == FailureKind.ROBOTS
                and _reportish(Hint.of(request))
            ):
                # the site shows where its reports are, and forbids them
                state.forbidden_reports.add(canonical_url(request.url))
            yield found
        if state is not None:
            yield from self._proxy_ended(state, Hint.of(request).listing_key, complete=False)
            yield from self._next_alternate(state, _listing_key_of(Hint.of(request)))
            yield from self.navigation.release(state)

    def _failure(self, failure: Failure) -> Iterator[CrawlFailure]:
        request: Request = failure.request  # type: ignore[attr-defined]
        hint = Hint.of(request)
        assert failure.value is not None
        found = classify(failure.value, waf_retry=hint.waf_retry)
        if found is None:
            return
        if found.blocks_site:
            block_site(self.crawler, request)
        yield CrawlFailure(hint.site or "", request.url, found.kind, found.detail, found.status)
