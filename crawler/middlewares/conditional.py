"""Conditional requests for documents the archive already holds.

A known report page or attachment is requested with If-None-Match / If-Modified-Since
from the validators the archive stored; an unchanged document answers 304 and is not
downloaded again (for a report page, the spider reads the attachment links from its
archived copy). Listing pages are always read in full, and so is a report page whose
archived copy could not be read (its hint says `unconditional`).
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured

from crawler.archive_access import ArchiveAccess
from crawler.config import CrawlConfig
from crawler.hints import Hint, RequestRole
from crawler.links import canonical_url
from crawler.middlewares.site import site_state
from storage.db import is_unavailable
from storage.vocab import DocumentStatus

CONDITIONAL_ROLES = frozenset({RequestRole.ATTACHMENT, RequestRole.REPORT})


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Any) -> None:
        if not CrawlConfig.of(crawler).conditional:
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        hint = Hint.of(request)
        if hint.role not in CONDITIONAL_ROLES or request.method != "GET":
            return None
        state = site_state(self.crawler, request)
        key = canonical_url(request.url)
        if state is None or key not in state.known:
            return None
        if hint.unconditional:
            return None  # the page itself is needed: its archived copy is unreadable
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        access = ArchiveAccess.of(self.crawler)
        archive = access.archive
        try:
            validators = await access.call(archive.validators, request.url)
            if validators is None:
                known = state.known[key]
                validators = await access.call(archive.validators, known.url)
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
