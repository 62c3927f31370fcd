"""Navigation of a site: the links of its pages scored into its frontier and released best
first while the site is quiet, URL patterns that bring nothing new closed as traps, the
items of listings told apart from what earlier pages showed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.http import TextResponse

from crawler.adapters.types import ListingFetch
from crawler.anchors import Anchor
from crawler.config import CrawlConfig
from crawler.discovery.pages import AGENCY_ANCHOR, ARTICLE_TITLE_LENGTH, NOISE_ANCHOR, page_context
from crawler.discovery.titles import DEFAULT_PAGE, link_score, lookalike_anchor
from crawler.frontier import Candidate
from crawler.hints import Hint, RequestRole
from crawler.links import (
    dedup_key,
    is_attachment_link,
    is_ignored_link,
    novelty_pattern,
    trap_reason,
)
from crawler.request_builder import RequestBuilder
from crawler.sitebook import SiteState


def leads_up(page_url: str, link_url: str) -> bool:
    """A link to a folder above the page on the same host (``/zwgk/index.html`` from
    ``/zwgk/zfxxgk/gkndbg/index.html``), or to the site's home."""
    page, link = urlsplit(page_url), urlsplit(link_url)
    if page.netloc.lower() != link.netloc.lower() or link.query:
        return False
    page_folder, _, _ = page.path.rpartition("/")
    link_folder, _, tail = link.path.rpartition("/")
    if tail and not DEFAULT_PAGE.match(tail):
        return False
    return page_folder != link_folder and (page_folder + "/").startswith(link_folder + "/")


class Navigation:
    """The spider's navigation over its sites (`crawler.frontier.SiteFrontier` per site)."""

    def __init__(self, crawler: Any, config: CrawlConfig, requests: RequestBuilder) -> None:
        self.crawler = crawler
        self.config = config
        self.requests = requests

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def release(self, state: SiteState) -> Iterator[Request]:
        """Navigation the site's frontier releases now (it waits while the site has
        requests in flight: listings and reports first, best links next)."""
        if not self.config.focused or state.blocked:
            return
        if (
            0 < self.config.page_budget <= state.pages_scheduled
            and len(state.frontier)
            and not state.budget_exhausted
            and not state.outstanding
        ):
            # links left at the end of the budget: one more request, which the budget
            # middleware refuses and records (`budget` failure, once per site)
            left = state.frontier.release(busy=0, pages_used=0, budget=0, found_reports=False)
            for candidate in left:
                yield self.requests.build(
                    state, candidate.url, role=RequestRole.PAGE, depth=candidate.depth
                )
            return
        for candidate in state.frontier.release(
            busy=len(state.outstanding) if self.config.frontier_hold else -(10**9),
            pages_used=state.pages_scheduled,
            budget=self.config.page_budget,
            found_reports=bool(state.reports or state.forbidden_reports),
        ):
            if self.pattern_closed(state, candidate.url):
                continue
            if dedup_key(candidate.url) in state.listing_urls:
                continue  # asked for as a listing page meanwhile
            yield self.requests.navigation(
                state,
                candidate.url,
                depth=candidate.depth,
                priority=int(100 * min(candidate.priority, 1.0)),
                hint=Hint(score=candidate.priority, trail=(*candidate.trail, candidate.parent)),
            )

    def ascend(self, state: SiteState, url: str) -> None:
        """Queue the site's home page as navigation from a start page that links nowhere."""
        home = urljoin(url, "/")
        if home == url.split("#", 1)[0] or not state.in_scope(home):
            return
        candidate = Candidate(
            url=home, text="", score=self.config.min_link_score, depth=1, parent=dedup_key(url)
        )
        if state.frontier.push(candidate):
            self.stats.inc_value(f"nianbao/{state.id}/ascended")

    def push(
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
        context = page_context(selector, page.text)
        context_score = link_score(page.url, context)
        context_bonus = 0.3 if context_score >= 0.45 else 0.0
        # on a disclosure page, links named after agencies lead to their own catalogues
        agency_bonus = 0.25 if context_score >= 0.3 else 0.0
        parent = dedup_key(page.url)
        trail = Hint.of(page).trail
        for anchor in anchors:
            if listing and (anchor.published or len(anchor.text) > ARTICLE_TITLE_LENGTH):
                continue
            if entries and novelty_pattern(anchor.url) in entries:
                continue
            if is_ignored_link(anchor.url) or is_attachment_link(anchor.url, anchor.text):
                continue
            if not state.in_scope(anchor.url):
                self.stats.inc_value(f"nianbao/{state.id}/offsite_links")
                continue
            if trap_reason(anchor.url) or NOISE_ANCHOR.search(anchor.text):
                self.stats.inc_value(f"nianbao/{state.id}/trap_links")
                continue
            score = link_score(anchor.url, anchor.text)
            lent = 0.0
            up = bool(context_bonus or listing) and leads_up(page.url, anchor.url)
            if anchor.published or len(anchor.text) > ARTICLE_TITLE_LENGTH:
                # an entry of a list (an article, a look-alike), not column navigation
                score *= 0.25
            elif up:
                pass  # the way to this column: a column lends to what lies below it
            elif dedup_key(anchor.url) in state.furniture or lookalike_anchor(anchor.text):
                pass  # the site's menus, or another kind of report: their own evidence
            else:
                lent += context_bonus
                if agency_bonus and AGENCY_ANCHOR.search(anchor.text):
                    lent += agency_bonus
            state.frontier.push(
                Candidate(
                    url=anchor.url,
                    text=anchor.text,
                    score=score + lent,
                    depth=depth,
                    parent=parent,
                    trail=trail,
                    lent=lent,
                    up=up,
                )
            )

    @staticmethod
    def sight(state: SiteState, page_url: str, anchors: Iterable[Anchor]) -> None:
        """Note the links of a page: a link already seen on another page of the site is
        its furniture (menus, footers, sidebars), and loses what its first page lent it."""
        page = dedup_key(page_url)
        for anchor in anchors:
            key = dedup_key(anchor.url)
            first = state.link_pages.setdefault(key, page)
            if first != page and key not in state.furniture:
                state.furniture.add(key)
                state.frontier.demote(anchor.url)

    @staticmethod
    def new_items(state: SiteState, listing_key: str, items: set[str]) -> set[str]:
        """The items of a listing page not seen on an earlier page of the same listing
        (without a listing key: not seen anywhere on the site)."""
        if not listing_key:
            return items - state.seen_links
        seen = state.listing_items.setdefault(listing_key, set())
        new = items - seen
        seen |= new
        return new

    def pattern_closed(self, state: SiteState, url: str) -> bool:
        return novelty_pattern(url) in state.closed_patterns

    def note_novelty(self, state: SiteState, url: str, novel: bool) -> None:
        """Per URL pattern, how many pages in a row brought nothing new: a pattern whose
        last NIANBAO_TRAP_PATTERN_LIMIT pages brought nothing is closed (a trap costs a
        few requests, whatever its shape)."""
        pattern = novelty_pattern(url)
        if novel:
            state.barren[pattern] = 0
            return
        state.barren[pattern] = state.barren.get(pattern, 0) + 1
        if state.barren[pattern] >= self.config.trap_pattern_limit:
            if pattern not in state.closed_patterns:
                self.stats.inc_value(f"nianbao/{state.id}/closed_patterns")
            state.closed_patterns.add(pattern)

    def follow_all(
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
                self.stats.inc_value(f"nianbao/{state.id}/offsite_links")
                continue
            if trap_reason(anchor.url):
                self.stats.inc_value(f"nianbao/{state.id}/trap_links")
                continue
            score = link_score(anchor.url, anchor.text)
            if score < (self.config.min_link_score if min_score is None else min_score):
                continue
            if 0 <= score <= 0 and min_score == 0.0 and not anchor.text:
                continue
            yield self.requests.navigation(
                state,
                anchor.url,
                depth=depth,
                priority=int(100 * min(score, 1.0)),
                hint=Hint(score=score),
            )

    @staticmethod
    def past_the_end(
        state: SiteState, own_key: str, shown: int, found: list[ListingFetch]
    ) -> list[ListingFetch]:
        """Further pages of a listing, less those a short page reveals past what earlier
        pages declared: a page showing fewer links than the listing's fullest may be its
        last, and a pager that runs on past the end (pages that repeat the last one) is
        probed one page at a time, not followed to its last number."""
        short = {
            key
            for key in {own_key, *(f.listing_key for f in found)}
            if key and shown < state.listing_sizes.get(key, 0)
        }
        out = []
        for fetch in found:
            key = fetch.listing_key
            asked = state.listing_highest.get(key) if key else None
            if (
                key in short
                and asked is not None
                and fetch.page_number is not None
                and fetch.page_number > asked + 1
            ):
                continue
            out.append(fetch)
        for key in {own_key, *(f.listing_key for f in found)}:
            if key:
                state.listing_sizes[key] = max(state.listing_sizes.get(key, 0), shown)
        return out

    def new_listing_fetch(self, state: SiteState, fetch: ListingFetch) -> bool:
        """Whether a further page of a listing is still to be asked for (in scope, its
        listing not finished, that page and that URL not asked for yet); marks it asked."""
        if not state.in_scope(fetch.url) or self.pattern_closed(state, fetch.url):
            return False
        if fetch.listing_key and fetch.listing_key in state.complete_listings:
            return False
        if fetch.listing_key and fetch.page_number is not None:
            page_key = (fetch.listing_key, fetch.page_number)
            if page_key in state.listing_pages:
                return False  # asked for already (a postback's form state differs)
            state.listing_pages.add(page_key)
            highest = state.listing_highest.get(fetch.listing_key, fetch.page_number)
            state.listing_highest[fetch.listing_key] = max(highest, fetch.page_number)
        if fetch.method == "GET":
            key = dedup_key(fetch.url)
            if key in state.listing_urls:
                return False
            state.listing_urls.add(key)
            state.frontier.mark_seen(fetch.url)
        return True
