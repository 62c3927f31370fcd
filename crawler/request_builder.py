"""The requests of a crawl: a URL, its role and its `crawler.hints.Hint` → a Scrapy Request
with the spider's callback (by name, so a shared scheduler may serialise it), priority,
filtering and the Scrapy meta its role needs."""

from __future__ import annotations

import itertools
from typing import Any

from scrapy import Request

from crawler.adapters.types import ListingFetch, ListingFormat
from crawler.config import CrawlConfig
from crawler.hints import Hint, RequestRole
from crawler.links import canonical_url
from crawler.sitebook import SiteState

PRIORITY = {RequestRole.ATTACHMENT: 400, RequestRole.REPORT: 300, RequestRole.LISTING: 200}
START_PRIORITY = 250
SCRIPT_PRIORITY = 220
DOCUMENT_STATUSES = [304, 404, 410]
"""Answers a report page or attachment is read with (not modified, gone)."""

_CALLBACKS = {
    RequestRole.ATTACHMENT: "parse_attachment",
    RequestRole.REPORT: "parse_report",
    RequestRole.SCRIPT: "parse_script",
}
_FORMAT_CALLBACKS = {ListingFormat.HANWEB_XML: "parse_hanweb", ListingFormat.JSON: "parse_json"}


class RequestBuilder:
    """Builds the spider's requests; numbers them (the token that tells which of a site's
    requests are in flight)."""

    def __init__(self, spider: Any, config: CrawlConfig) -> None:
        self.spider = spider
        self.config = config
        self._tokens = itertools.count(1)

    def build(
        self,
        state: SiteState,
        url: str,
        *,
        role: RequestRole,
        depth: int,
        priority: int | None = None,
        fetch: ListingFetch | None = None,
        hint: Hint | None = None,
        playwright: bool = False,
    ) -> Request:
        fmt = fetch.format if fetch else ListingFormat.HTML
        hint = (hint or Hint()).replace(
            site=state.id,
            role=role,
            depth=depth,
            token=next(self._tokens),
            format=fmt,
            expected_records=fetch.expected_records if fetch is not None else None,
            listing_key=fetch.listing_key if fetch is not None else "",
            fetch=fetch if fetch is not None and fmt == ListingFormat.JSON else None,
        )
        meta: dict[str, Any] = hint.meta()
        if playwright:
            meta["playwright"] = True
        document = role in (RequestRole.REPORT, RequestRole.ATTACHMENT)
        if document and fetch is None:
            state.reached.add(canonical_url(url))
        if not state.site.obey_robots:
            meta["dont_obey_robotstxt"] = True
        if document:
            meta["handle_httpstatus_list"] = list(DOCUMENT_STATUSES)
        if (
            self.config.render_enabled
            and state.site.render == "always"
            and role != RequestRole.ATTACHMENT
            and fmt == ListingFormat.HTML
        ):
            meta["playwright"] = True
        callback = _FORMAT_CALLBACKS.get(fmt) or _CALLBACKS.get(role, "parse_page")
        method = fetch.method if fetch else "GET"
        return Request(
            # pages by their canonical URL (no session id); an API's as its page makes it
            canonical_url(url) if fmt == ListingFormat.HTML and method == "GET" else url,
            # API answers are de-duplicated by the spider (per listing and page): the same
            # URL may have been asked for as a page; HTML pages by the (shared) dupefilter
            dont_filter=fetch is not None and (fmt != ListingFormat.HTML or method != "GET"),
            method=method,
            body=fetch.body if fetch else None,
            headers=fetch.headers if fetch else None,
            callback=getattr(self.spider, callback),
            errback=self.spider.on_error,
            priority=PRIORITY.get(role, 0) if priority is None else priority,
            meta=meta,
        )

    # ------------------------------------------------------------------ by role

    def start(self, state: SiteState, url: str) -> Request:
        """A start URL of the site."""
        return self.build(
            state,
            url,
            role=RequestRole.PAGE,
            depth=0,
            priority=START_PRIORITY,
            hint=Hint(start=True),
        )

    def navigation(
        self,
        state: SiteState,
        url: str,
        *,
        depth: int,
        priority: int | None = None,
        hint: Hint | None = None,
        playwright: bool = False,
    ) -> Request:
        """A navigation page (`playwright`: rendered in the browser)."""
        return self.build(
            state,
            url,
            role=RequestRole.PAGE,
            depth=depth,
            priority=priority,
            hint=hint,
            playwright=playwright,
        )

    def listing(
        self, state: SiteState, fetch: ListingFetch, *, depth: int, hint: Hint | None = None
    ) -> Request:
        """A page of a listing (HTML pagination, a Hanweb dataproxy group, a JSON API page)."""
        return self.build(
            state, fetch.url, role=RequestRole.LISTING, depth=depth, fetch=fetch, hint=hint
        )

    def report(
        self,
        state: SiteState,
        url: str,
        *,
        depth: int,
        hint: Hint,
        priority: int | None = None,
    ) -> Request:
        return self.build(
            state, url, role=RequestRole.REPORT, depth=depth, priority=priority, hint=hint
        )

    def attachment(
        self,
        state: SiteState,
        url: str,
        *,
        depth: int,
        hint: Hint,
        priority: int | None = None,
    ) -> Request:
        return self.build(
            state, url, role=RequestRole.ATTACHMENT, depth=depth, priority=priority, hint=hint
        )

    def rendered(self, request: Request, hint: Hint) -> Request:
        """``request`` again, in the browser (its page's list is filled by script): the
        same hint, marked `rendered`, without the download state of the first attempt."""
        meta = dict(request.meta)
        meta.update(hint.replace(rendered=True).meta())
        meta["playwright"] = True
        for key in ("download_slot", "download_latency", "depth", "retry_times"):
            meta.pop(key, None)
        return request.replace(meta=meta, dont_filter=True)

    def script(self, state: SiteState, url: str, *, depth: int, referer: str) -> Request:
        """A script file of a script-filled page (always asked for: a site's pages share
        their scripts, and the spider keeps their texts)."""
        return self.build(
            state, url, role=RequestRole.SCRIPT, depth=depth, priority=SCRIPT_PRIORITY
        ).replace(headers={"Referer": referer}, dont_filter=True)
