"""Rate limiting answered with a blank page (安全狗 Safedog: status 200, an empty document,
its `waf2.0`/`Safedog` header or `safedog-flow-item` cookie).

Such an answer is not the page: the site is slowed down (its download slot's delay
doubles, up to NIANBAO_RATE_LIMIT_MAX_DELAY seconds, and stays at least that for the
rest of the crawl, whatever AutoThrottle makes of the quick answers that follow) and the request is asked for again
after a pause (NIANBAO_RATE_LIMIT_WAIT × 2^attempt seconds), at most
NIANBAO_RATE_LIMIT_RETRIES times; then it is recorded as a `blocked` failure. The field
guide's advice for this layer: stop, wait, do not hammer.
"""

from __future__ import annotations

import asyncio
from typing import Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.config import CrawlConfig
from crawler.hints import Hint
from crawler.middlewares.site import site_state
from crawler.middlewares.waf import visible_bytes
from crawler.refusals import Refused
from storage.vocab import FailureKind

_MARKERS = (b"safedog", b"waf2.0")


def is_rate_limited(response: Response) -> bool:
    """A blank 200 page with a rate-limiting layer's marks on it."""
    if response.status != 200 or len(response.body) > 2048:
        return False
    headers = b" ".join(
        k + b":" + v for k, values in response.headers.items() for v in values
    ).lower()
    if not any(marker in headers for marker in _MARKERS):
        return False
    return not visible_bytes(response.body)


class RateLimitMiddleware:
    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        self.retries = config.rate_limit_retries
        if self.retries <= 0:
            raise NotConfigured
        self.wait = config.rate_limit_wait
        self.max_delay = config.rate_limit_max_delay
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        hint = Hint.of(request)
        if hint.rate_wait:
            hint.replace(rate_wait=0.0).store(request)
            await asyncio.sleep(hint.rate_wait)
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        state = site_state(self.crawler, request)
        if not is_rate_limited(response):
            if state is not None and state.rate_delay:
                # AutoThrottle lowers the delay of a fast site with every quick answer
                # (before this middleware sees it): the pace the site asked for is kept
                slot = self._slot(request)
                if slot is not None and slot.delay < state.rate_delay:
                    slot.delay = state.rate_delay
            return response
        site = state.id if state is not None else "-"
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/{site}/rate_limited")
        delay = self._slow_down(request)
        if state is not None and delay is not None:
            state.rate_delay = delay
        attempt = Hint.of(request).rate_limited + 1
        if attempt > self.retries:
            raise Refused(
                FailureKind.BLOCKED,
                f"rate-limited: blank pages from a WAF (safedog) after {self.retries} waits",
                response.status,
            )
        retry = request.replace(meta=dict(request.meta), dont_filter=True)
        Hint.update(retry, rate_limited=attempt, rate_wait=self.wait * 2 ** (attempt - 1))
        return retry

    def _slot(self, request: Request) -> Any:
        downloader = getattr(self.crawler.engine, "downloader", None)
        slot_key = request.meta.get("download_slot")
        return downloader.slots.get(slot_key) if downloader is not None and slot_key else None

    def _slow_down(self, request: Request) -> float | None:
        """The site's new delay between requests (None: its download slot is gone)."""
        slot = self._slot(request)
        if slot is None:
            return None
        slot.delay = min(max(slot.delay * 2, 1.0), self.max_delay)
        return float(slot.delay)
