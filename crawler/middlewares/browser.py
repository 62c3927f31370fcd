"""Every page the browser renders goes out through its site's filtering proxy.

A request rendered in Chromium (meta ``playwright``: ``render: always`` sites, WAF
retries, the spider's browser fallback) gets the browser context of its site, created with
the site's :class:`crawler.browser_proxy.ScopeProxy` as its proxy and service workers
blocked. Whatever the page then loads — scripts, iframes, XHR, WebSockets, beacons,
redirects — can only reach the site's registered hosts, at checked addresses; every
request refused is recorded as a failure of the site (``offsite`` or
``private_address``, once per URL) and counted in its figures.

A page whose navigation ends on another host (a redirect the browser followed, a script
that sets ``location``) is refused too: its content is never archived as the site's.

A site's context is closed when none of its pages is being rendered, so that the
contexts open at once stay within ``PLAYWRIGHT_MAX_CONTEXTS`` whatever the number of
sites.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Self

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.archive_access import ArchiveAccess
from crawler.browser_proxy import ScopeProxy
from crawler.config import CrawlConfig
from crawler.hints import Hint
from crawler.links import host_of
from crawler.middlewares.site import site_state
from crawler.refusals import Refused
from crawler.resolver import shared_resolver
from storage.db import retrying
from storage.vocab import FailureKind

logger = logging.getLogger(__name__)
CONTEXT_PREFIX = "nianbao-site:"


class BrowserScopeMiddleware:
    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        if not config.render_enabled:
            raise NotConfigured
        self.crawler = crawler
        self.run_id: int | None = config.run_id
        self.capture = config.capture_enabled
        self.db_retry = config.db_retry_seconds
        self.resolver = shared_resolver(config.test_dns_table)
        self.proxies: dict[str, ScopeProxy] = {}
        self._starting: dict[str, asyncio.Future[ScopeProxy]] = {}
        self._rendering: dict[str, int] = {}
        self._closing: dict[str, asyncio.Task[None]] = {}
        self._recorded: set[tuple[str, str, str]] = set()
        self._records: set[asyncio.Task[None]] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # -- requests -------------------------------------------------------------------------
    async def process_request(self, request: Request) -> None:
        if not request.meta.get("playwright"):
            return None
        state = site_state(self.crawler, request)
        if state is None:
            raise Refused(None, "the browser renders only pages of registered sites")
        closing = self._closing.get(state.id)
        if closing is not None:  # the site's idle context is being closed: a new one follows
            await asyncio.shield(closing)
        proxy = await self._proxy(state)
        request.meta["playwright_context"] = CONTEXT_PREFIX + state.id
        request.meta["playwright_context_kwargs"] = {
            "proxy": {"server": proxy.url, "bypass": ""},
            "service_workers": "block",
            "accept_downloads": False,
        }
        if not Hint.of(request).rendering:
            Hint.update(request, rendering=True)
            self._rendering[state.id] = self._rendering.get(state.id, 0) + 1
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("playwright"):
            return response
        state = site_state(self.crawler, request)
        self._done(request)
        # (a Chromium error page, chrome-error://, is the WAF logic's to judge)
        web = response.url.startswith(("http://", "https://"))
        if state is not None and web and not state.in_scope(response.url):
            kind = FailureKind.OFFSITE
            detail = (
                f"the browser rendering {request.url} ended on {response.url}: "
                f"{host_of(response.url)} is not a host of site {state.id}"
            )
            raise Refused(kind, detail)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if request.meta.get("playwright"):
            self._done(request)
        return None

    # -- proxies and contexts ---------------------------------------------------------------
    async def _proxy(self, state: Any) -> ScopeProxy:
        proxy = self.proxies.get(state.id)
        if proxy is not None:
            return proxy
        starting = self._starting.get(state.id)
        if starting is None:
            starting = asyncio.ensure_future(self._start(state))
            self._starting[state.id] = starting
        return await asyncio.shield(starting)

    async def _start(self, state: Any) -> ScopeProxy:
        site_id = state.id

        def refused(url: str, kind: str, detail: str) -> None:
            self._refusal(site_id, url, kind, detail)

        proxy = ScopeProxy(site_id, state.in_scope, self.resolver, refused)
        await proxy.start()
        self.proxies[site_id] = proxy
        self.crawler.stats.inc_value(f"nianbao/{site_id}/browser_proxies")
        return proxy

    def _done(self, request: Request) -> None:
        hint = Hint.of(request)
        if not hint.rendering:
            return
        hint.replace(rendering=False).store(request)
        site_id = hint.site
        if site_id is None:
            return
        left = self._rendering.get(site_id, 1) - 1
        self._rendering[site_id] = left
        if left <= 0 and site_id not in self._closing:
            task = asyncio.ensure_future(self._close_context(site_id))
            self._closing[site_id] = task

    async def _close_context(self, site_id: str) -> None:
        try:
            await asyncio.sleep(0)  # let the handler finish with the page
            handler = self._handler()
            wrapper = getattr(handler, "context_wrappers", {}).get(CONTEXT_PREFIX + site_id)
            if wrapper is not None and self._rendering.get(site_id, 0) <= 0:
                with contextlib.suppress(Exception):
                    await wrapper.context.close()
        finally:
            self._closing.pop(site_id, None)

    def _handler(self) -> Any:
        handlers = self.crawler.engine.downloader.handlers
        with contextlib.suppress(Exception):
            return handlers._get_handler("http")
        return None

    # -- refusals -------------------------------------------------------------------------
    def _refusal(self, site_id: str, url: str, kind: str, detail: str) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/{site_id}/browser_refused")
        key = (site_id, kind, url)
        if key in self._recorded:
            return
        self._recorded.add(key)
        stats.inc_value(f"nianbao/{site_id}/errors/{kind}")
        logger.info("site %s: %s", site_id, detail)
        if not self.capture:
            return
        task = asyncio.ensure_future(self._record(site_id, url, kind, detail))
        self._records.add(task)
        task.add_done_callback(self._records.discard)

    async def _record(self, site_id: str, url: str, kind: str, detail: str) -> None:
        access = ArchiveAccess.of(self.crawler)
        archive = access.archive
        try:
            await access.call(
                retrying,
                lambda: archive.record_failure(self.run_id, site_id, url, kind, detail[:2000]),
                self.db_retry,
            )
        except Exception as exc:  # the database is away: the pipeline stops the crawl
            logger.warning("refusal of %s not recorded: %s", url, exc)

    async def spider_closed(self) -> None:
        if self._records:
            await asyncio.wait(list(self._records))
        for proxy in self.proxies.values():
            await proxy.close()
