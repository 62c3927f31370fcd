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

The XHR/fetch answers a page receives while it is rendered (its list API's, typically)
are kept (``NIANBAO_RENDER_XHR``; not for WAF challenge retries) by a
:class:`crawler.browser_exchanges.ExchangeCollector` given to scrapy-playwright as the
page's ``response`` event handler and last page method; the response carries them to the
spider (`crawler.browser_exchanges.exchanges_of`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Self

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from crawler.archive_access import ArchiveAccess
from crawler.browser_exchanges import EXCHANGES_KEY, ExchangeCollector
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
COLLECTOR_KEY = "nianbao_collector"
"""The request meta key of the `ExchangeCollector` of a page being rendered (set and taken
back by this middleware: never scheduled)."""


class _Settle(PageMethod):  # type: ignore[misc]  # scrapy_playwright has no annotations
    """The collector's settle step, told apart from the request's own page methods."""


class BrowserScopeMiddleware:
    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        if not config.render_enabled:
            raise NotConfigured
        self.crawler = crawler
        self.config = config
        self.xhr = config.render_xhr
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
        request.meta.pop(EXCHANGES_KEY, None)  # a retry's: those of the attempt before
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
        if self.xhr and not Hint.of(request).waf_retry:
            self._collect(request, state)
        return None

    def _collect(self, request: Request, state: Any) -> None:
        """Keep the XHR/fetch answers of the page (scrapy-playwright's page event handlers
        and page methods, documented request meta)."""
        self._uncollect(request)
        collector = ExchangeCollector(
            state.in_scope,
            max_answers=self.config.render_xhr_max_answers,
            max_bytes=self.config.render_xhr_max_bytes,
            settle_seconds=self.config.render_settle,
        )
        request.meta[COLLECTOR_KEY] = collector
        handlers = dict(request.meta.get("playwright_page_event_handlers") or {})
        handlers["response"] = collector.on_response
        request.meta["playwright_page_event_handlers"] = handlers
        methods = list(request.meta.get("playwright_page_methods") or [])
        request.meta["playwright_page_methods"] = [*methods, _Settle(collector.settle)]

    @staticmethod
    def _uncollect(request: Request) -> ExchangeCollector | None:
        """Take the collector and its hooks back out of the request's meta (a retry or a
        redirect copies meta: the next download gets a collector of its own)."""
        collector = request.meta.pop(COLLECTOR_KEY, None)
        handlers = request.meta.get("playwright_page_event_handlers")
        if collector is not None and isinstance(handlers, dict):
            rest = {k: v for k, v in handlers.items() if v != collector.on_response}
            if rest:
                request.meta["playwright_page_event_handlers"] = rest
            else:
                request.meta.pop("playwright_page_event_handlers", None)
        methods = request.meta.get("playwright_page_methods")
        if isinstance(methods, list) and any(isinstance(m, _Settle) for m in methods):
            rest_methods = [m for m in methods if not isinstance(m, _Settle)]
            if rest_methods:
                request.meta["playwright_page_methods"] = rest_methods
            else:
                request.meta.pop("playwright_page_methods", None)
        return collector if isinstance(collector, ExchangeCollector) else None

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("playwright"):
            return response
        state = site_state(self.crawler, request)
        self._done(request)
        collector = self._uncollect(request)
        if collector is not None and state is not None:
            kept = collector.exchanges()
            stats = self.crawler.stats
            stats.inc_value(f"nianbao/{state.id}/xhr_seen", collector.seen)
            stats.inc_value(f"nianbao/{state.id}/xhr_kept", len(kept))
            if collector.over_limits:
                stats.inc_value(f"nianbao/{state.id}/xhr_over_limits", collector.over_limits)
            if kept:
                request.meta[EXCHANGES_KEY] = kept
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
            collector = self._uncollect(request)
            if collector is not None:
                collector.exchanges()  # reads still going are abandoned
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
