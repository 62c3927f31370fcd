"""Retries with exponential back-off on 5xx answers and timeouts.

Scrapy's RetryMiddleware decides whether to retry; this subclass stamps the retry with a
delay of NIANBAO_RETRY_BACKOFF × 2^(attempt-1) seconds (capped by
NIANBAO_RETRY_BACKOFF_MAX), which `process_request` waits without blocking the reactor.
A redirect's target is a new URL with its own attempts (Scrapy carries `retry_times`
over a redirect: a download endpoint that failed once left its file one attempt).
"""

from __future__ import annotations

import asyncio
from typing import Any, Self

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware

from crawler.config import CrawlConfig
from crawler.hints import Hint


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any, config: CrawlConfig | None = None) -> None:
        super().__init__(settings)
        config = config or CrawlConfig.from_settings(settings)
        self.backoff = config.retry_backoff
        self.backoff_max = config.retry_backoff_max

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        middleware = cls(crawler.settings, CrawlConfig.of(crawler))
        middleware.crawler = crawler
        return middleware

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            Hint.update(
                retry,
                backoff=min(self.backoff * 2 ** (attempt - 1), self.backoff_max),
                retried_url=retry.url,
            )
        return retry

    async def process_request(self, request: Request) -> None:
        hint = Hint.of(request)
        if hint.retried_url and hint.retried_url != request.url:
            # redirected (a download endpoint to its file): the new URL has its own
            # attempts, not what is left of the endpoint's
            request.meta.pop("retry_times", None)
            hint = hint.replace(retried_url="")
            hint.store(request)
        delay = hint.backoff
        if delay:
            hint.replace(backoff=0.0).store(request)
            await asyncio.sleep(delay)
        return None
