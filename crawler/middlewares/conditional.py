"""Conditional requests for what the archive already holds.

A known report page or attachment is requested with If-None-Match / If-Modified-Since
from the validators the archive stored; an unchanged document answers 304 and is not
downloaded again (for a report page, the spider reads the attachment links from its
archived copy). A report page whose archived copy could not be read is asked for in full
(its hint says `unconditional`).

Navigation and listing pages (GET) captured by an earlier crawl are asked for the same
way, from the validators of their last capture (loaded once per site, off the reactor
thread). An unchanged page answers 304, and the spider is handed the archived copy in its
place (a response flagged ``archived``), read from WARC off the reactor thread: the walk
goes on as if the page had been downloaded, without its bytes. If that copy cannot be
read, the page is asked for again in full.

A navigation page (no report links when captured) that was captured less than
NIANBAO_NAVIGATION_REVISIT_HOURS ago is not asked for at all: the walk goes on from its
archived copy. Listings are always asked for (conditionally): new reports appear there.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.archive_access import ArchiveAccess
from crawler.config import CrawlConfig
from crawler.hints import Hint, RequestRole
from crawler.links import canonical_url
from crawler.middlewares.site import site_state
from storage.db import is_unavailable
from storage.vocab import DocumentStatus

logger = logging.getLogger(__name__)

CONDITIONAL_ROLES = frozenset({RequestRole.ATTACHMENT, RequestRole.REPORT})
PAGE_ROLES = frozenset({RequestRole.PAGE, RequestRole.LISTING})
# (the request hint's `archived_copy`: the capture id whose validators a page request was
# sent with; its `not_modified`: the headers of the 304 a page answered)


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        if not config.conditional:
            raise NotConfigured
        self.crawler = crawler
        self.access = ArchiveAccess.of(crawler)
        self.pages = config.conditional_pages
        self.revisit = timedelta(hours=max(0.0, config.navigation_revisit_hours))
        self._page_validators: dict[str, asyncio.Future[dict[str, Any]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> Response | None:
        if request.method != "GET":
            return None
        hint = Hint.of(request)
        if hint.role in PAGE_ROLES:
            return await self._page_request(request, hint)
        if hint.role not in CONDITIONAL_ROLES:
            return None
        state = site_state(self.crawler, request)
        key = canonical_url(request.url)
        if state is None or key not in state.known:
            return None
        if hint.unconditional:
            return None  # the page itself is needed: its archived copy is unreadable
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        archive = self.access.archive
        try:
            validators = await self.access.call(archive.validators, request.url)
            if validators is None:
                known = state.known[key]
                validators = await self.access.call(archive.validators, known.url)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # No validators while the database is away: ask for the document in full
            # (the archive pipeline waits for the database, or stops the crawl).
            self.crawler.stats.inc_value(f"nianbao/{state.id}/conditional_skipped")
            return None
        if (
            validators is None
            or getattr(validators, "status", DocumentStatus.PRESENT) == DocumentStatus.VANISHED
        ):
            return None
        if validators.etag:
            request.headers[b"If-None-Match"] = validators.etag
        if validators.last_modified:
            request.headers[b"If-Modified-Since"] = validators.last_modified
        if validators.etag or validators.last_modified:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/conditional_requests")
        return None

    # -- navigation and listing pages ---------------------------------------------------

    async def _page_request(self, request: Request, hint: Hint) -> Response | None:
        if not self.pages or hint.unconditional:
            return None
        if request.meta.get("playwright") or b"If-None-Match" in request.headers:
            return None
        state = site_state(self.crawler, request)
        if state is None:
            return None
        try:
            known = await self._site_pages(state.id)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self.crawler.stats.inc_value(f"nianbao/{state.id}/conditional_skipped")
            return None
        page = known.get(canonical_url(request.url))
        if page is None:
            return None
        if (
            page.role == "page"
            and hint.role == RequestRole.PAGE
            and datetime.now(UTC) - page.captured_at < self.revisit
        ):
            # a navigation page captured within the revisit interval: read from the archive
            archived = await self._archived(request, page.capture_id, state.id)
            if archived is not None:
                self.crawler.stats.inc_value(f"nianbao/{state.id}/pages_within_revisit")
                return archived
            Hint.update(request, unconditional=True)
            return None
        if not (page.etag or page.last_modified):
            return None
        if page.etag:
            request.headers[b"If-None-Match"] = page.etag
        if page.last_modified:
            request.headers[b"If-Modified-Since"] = page.last_modified
        Hint.update(request, archived_copy=page.capture_id)
        self.crawler.stats.inc_value(f"nianbao/{state.id}/conditional_pages")
        return None

    async def _site_pages(self, site_id: str) -> dict[str, Any]:
        """The site's captured pages with validators by canonical URL, loaded once."""
        loading = self._page_validators.get(site_id)
        if loading is None or (loading.done() and loading.exception() is not None):
            loading = asyncio.ensure_future(self._load_pages(site_id))
            self._page_validators[site_id] = loading
        return await asyncio.shield(loading)

    async def _load_pages(self, site_id: str) -> dict[str, Any]:
        pages = await self.access.call(self.access.archive.captured_pages, site_id)
        return {canonical_url(url): v for url, v in pages.items()}

    async def process_response(self, request: Request, response: Response) -> Response | Request:
        hint = Hint.of(request)
        capture_id = hint.archived_copy
        if capture_id is None or response.status != 304:
            return response
        state = site_state(self.crawler, request)
        site = state.id if state is not None else "-"
        archived = await self._archived(request, capture_id, site)
        if archived is None:
            meta = dict(request.meta)
            meta.update(hint.replace(archived_copy=None, unconditional=True).meta())
            headers = request.headers.copy()
            headers.pop(b"If-None-Match", None)
            headers.pop(b"If-Modified-Since", None)
            return request.replace(meta=meta, headers=headers, dont_filter=True)
        self.crawler.stats.inc_value(f"nianbao/{site}/pages_not_modified")
        # the 304 itself, for the spider to keep as this crawl's evidence of a listing
        hint.replace(
            not_modified=[
                [k.decode("latin-1"), v.decode("latin-1")]
                for k, values in response.headers.items()
                for v in values
            ]
        ).store(request)
        return archived

    async def _archived(self, request: Request, capture_id: int, site: str) -> Response | None:
        """The archived copy of a page (capture `capture_id`) as the response to `request`,
        read from WARC off the reactor thread; None when it cannot be read."""
        try:
            body, content_type = await self.access.call(
                self.access.archive.capture_payload, capture_id
            )
        except (OSError, KeyError, ValueError, EOFError, StopIteration, zlib.error) as exc:
            logger.warning("archived copy of %s unreadable: %s", request.url, exc)
            self.crawler.stats.inc_value(f"nianbao/{site}/archived_copy_missing")
            return None
        headers = Headers({"Content-Type": content_type} if content_type else {})
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(
            url=request.url,
            status=200,
            headers=headers,
            body=body,
            request=request,
            flags=["archived"],
        )
