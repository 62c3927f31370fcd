"""Per-site state of a crawl: scope, what the archive already knows, budget, blocking."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit

from crawler.discovery.mirrors import Mirrors
from crawler.links import canonical_url, host_of, host_port_of
from crawler.listings.series import strip_session
from crawler.refusals import Refused
from storage.types import KnownDocument

if TYPE_CHECKING:
    from crawler.adapters.types import ListingFetch
    from crawler.frontier import SiteFrontier
    from crawler.hints import Hint
    from registry.model import Site


class ShellPage(TypedDict):
    """A script-filled page waiting for its script files."""

    text: str
    waiting: list[str]
    """URLs of the script files not fetched yet"""
    hint: Hint


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def listing_place(url: str) -> str:
    """Host and path of a listing page, without its query: every page of a listing shares
    it, whatever carries the page number (`index_2.html`, `?page=2`, a JSON parameter, a
    form body), and so may other listings served by the same script."""
    parts = urlsplit(strip_session(url))
    folder, _, name = parts.path.rpartition("/")
    return f"{parts.netloc.lower()}{folder}/{_PAGE_SUFFIX.sub('', name)}"


_PAGE_SUFFIX = re.compile(r"_\d+(?=\.[A-Za-z]+$)")


@dataclass(frozen=True)
class DeferredPlan:
    """An answer of a JSON listing whose next pages are still to be planned."""

    data: Any
    url: str
    fetch: ListingFetch | None
    depth: int
    trail: tuple[str, ...]
    streak: int
    patience: bool
    """Only the next page (the answer held no report, nor its listing so far)."""


@dataclass
class SiteState:
    site: Site
    hosts: frozenset[str] = frozenset()
    """host and host:port entries the crawl may visit."""
    known: dict[str, KnownDocument] = field(default_factory=dict)
    """canonical URL → storage KnownDocument already archived for the site."""
    children: dict[str, list[KnownDocument]] = field(default_factory=dict)
    """canonical report-page URL → its known attachments (KnownDocument)."""
    blocked: bool = False
    unrecorded_block: Refused | None = None
    """Why the site was blocked when no request of it could record it (its robots.txt was
    challenged in the browser too): the next request of the site records it."""
    waf_cookies: dict[str, str] = field(default_factory=dict)
    """Cookies the browser was given when it passed the site's WAF challenge."""
    rate_delay: float = 0.0
    """The delay between requests the site asked for with blank rate-limiting pages
    (0: none): its download slot's delay stays at least this."""
    pages_scheduled: int = 0
    budget_exhausted: bool = False
    seen_links: set[str] = field(default_factory=set)
    """Canonical URLs of every anchor seen on the site's pages in this crawl."""
    reports: set[str] = field(default_factory=set)
    """Keys of the reports found (report page URL, or attachment URL for bare files)."""
    forbidden_reports: set[str] = field(default_factory=set)
    """Canonical URLs of the reports and attachments robots.txt forbade: the site has
    shown where its reports are (its exploration is bounded as when it yields them)."""
    reached: set[str] = field(default_factory=set)
    """Canonical URLs of the report pages and attachments this crawl reached through a
    listing or a report page (requested, or known and within the re-verify cadence)."""
    unread_pages: dict[str, tuple[str, Hint]] = field(default_factory=dict)
    """Known report pages not downloaded in this crawl (304, or within the cadence) whose
    archived copy is still to be read for attachment links: canonical URL → (URL, its
    crawler.hints.Hint; `only_new`: follow only links the archive does not hold)."""
    frontier: SiteFrontier = field(kw_only=True)
    """Navigation waiting to be followed, best first."""
    outstanding: set[int] = field(default_factory=set)
    """Tokens of the site's requests scheduled and without an outcome yet."""
    barren: dict[str, int] = field(default_factory=dict)
    """URL pattern → pages in a row of that pattern that brought nothing new."""
    closed_patterns: set[str] = field(default_factory=set)
    """URL patterns no longer followed (their last pages brought nothing new)."""
    complete_listings: set[str] = field(default_factory=set)
    """Listing keys one answer held entirely (their other first-page candidates skipped)."""
    mirrors: Mirrors = field(default_factory=Mirrors)
    """Hosts of the site found to serve the same pages as another (crawler.discovery.mirrors)."""
    productive_listings: set[str] = field(default_factory=set)
    """Listing keys a page of which linked a report: their further pages are asked for
    even when one of them shows none (a column that mixes reports with other news)."""
    listing_items: dict[str, set[str]] = field(default_factory=dict)
    """Listing key → canonical URLs of the items its pages showed so far."""
    listing_pages: set[tuple[str, int]] = field(default_factory=set)
    """(listing key, page number) pairs asked for."""
    listing_urls: set[str] = field(default_factory=set)
    """dedup keys of the listing pages asked for by GET."""
    alternates: dict[str, list[tuple[ListingFetch, int, tuple[str, ...]]]] = field(
        default_factory=dict
    )
    """Listing key → further first-page candidates of a JSON listing (the other page base),
    with their depth and trail: asked for only when the first candidate's answer does not
    hold the whole listing."""
    deferred_plans: dict[str, DeferredPlan] = field(default_factory=dict)
    """Listing key → the page-1 answer of a JSON listing whose page-0 candidate has not
    answered yet: its further pages are planned once the page base is known."""
    held_pages: dict[str, list[tuple[ListingFetch, int, tuple[str, ...]]]] = field(
        default_factory=dict
    )
    """Listing key of a column proxy → the HTML pages of the same column (a human pager
    beside the proxy), with their depth and trail: asked for only when the proxy's answers
    do not reach the declared total (refused, cut short, gone)."""
    scripts: dict[str, str] = field(default_factory=dict)
    """Texts of the site's script files fetched for script-filled pages, by URL."""
    scripts_requested: set[str] = field(default_factory=set)
    shell_pages: dict[str, ShellPage] = field(default_factory=dict)
    """Script-filled pages waiting for their script files: URL → text, scripts awaited,
    the page's hint (crawler.hints.Hint)."""
    listing_sizes: dict[str, int] = field(default_factory=dict)
    """Per listing key, the most links a page of it showed (a shorter page may be its last)."""
    listing_highest: dict[str, int] = field(default_factory=dict)
    """Per listing key, the highest page number asked for."""
    link_pages: dict[str, str] = field(default_factory=dict)
    """Navigation links by the first page they were seen on (dedup keys)."""
    furniture: set[str] = field(default_factory=set)
    """Links seen on more than one page: the site's template (menus, footers), whose
    ordering is their own evidence, not what a page they are on lends them."""
    swept: bool = False
    """Known documents this crawl did not reach have been requested again."""
    listed: dict[str, list[str]] = field(default_factory=dict)
    """Known documents (canonical URLs) by the `listing_place` of the page they were found on."""
    last_complete_crawl: datetime | None = None
    """When the site's last complete crawl began (``Archive.last_complete_crawl``): its
    listings were all walked then. None: no crawl of the site was complete."""

    @classmethod
    def of(
        cls,
        site: Site,
        known_documents: list[KnownDocument],
        frontier: SiteFrontier,
        last_complete_crawl: datetime | None = None,
    ) -> SiteState:
        hosts = {h.lower() for h in (site.hosts or [])}
        if not hosts:
            hosts = {host_port_of(u) for u in site.start_urls}
        known = {canonical_url(doc.url): doc for doc in known_documents}
        children: dict[str, list[KnownDocument]] = {}
        for doc in known_documents:
            parent = getattr(doc, "parent_url", None)
            if parent and doc.role == "attachment":
                children.setdefault(canonical_url(parent), []).append(doc)
        listed: dict[str, list[str]] = {}
        for doc in known_documents:
            parent = getattr(doc, "parent_url", None)
            if parent and doc.role in ("report", "attachment"):
                listed.setdefault(listing_place(parent), []).append(canonical_url(doc.url))
        return cls(
            site=site,
            hosts=frozenset(hosts),
            known=known,
            children=children,
            listed=listed,
            last_complete_crawl=as_utc(last_complete_crawl) if last_complete_crawl else None,
            frontier=frontier,
        )

    def in_scope(self, url: str) -> bool:
        return host_port_of(url) in self.hosts or host_of(url) in self.hosts

    @property
    def id(self) -> str:
        return str(self.site.id)
