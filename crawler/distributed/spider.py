"""The reports spider in a shared crawl: seeded by the coordinator, closing only when the
whole crawl (every worker) is done."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Self

from redis.exceptions import RedisError
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import CrawlKeys
from crawler.distributed.outage import outage_for
from crawler.distributed.queue import crawl_done, requeue_dead
from crawler.spiders.reports import ReportsSpider


class DistributedReportsSpider(ReportsSpider):
    """Same name, callbacks and parsing as :class:`ReportsSpider`, so requests queued by
    any worker (callbacks by name) are handled the same by every other."""

    name = "reports"
    keys: CrawlKeys

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawl_id = crawler.settings.get("NIANBAO_CRAWL_ID")
        if not crawl_id:
            raise ValueError("NIANBAO_CRAWL_ID is not set")
        spider.keys = CrawlKeys(crawl_id)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        # The coordinator seeded the shared queue (through the shared dupefilter).
        return
        yield  # pragma: no cover - makes this an async generator

    async def seed_requests(self) -> AsyncIterator[Request]:
        """The start requests of the crawl's sites, for the coordinator to queue."""
        async for request in super().start():
            yield request

    def _idle(self) -> None:
        server = get_redis_from_settings(self.crawler.settings)
        outage = outage_for(self.crawler)
        try:
            if server.exists(self.keys.finished):
                return
            requeue_dead(server, self.keys)
            if crawl_done(server, self.keys):
                return
        except RedisError as exc:
            if not outage.failed(exc):
                return  # waited in vain: the crawl is being stopped
        raise DontCloseSpider
