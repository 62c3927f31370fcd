"""Each worker's per-site figures and report keys, published to Redis while it crawls.

The coordinator adds the workers' figures up when the crawl is over; report keys go to
one set per site, so a report seen by two workers counts once. Report keys are
published before the request that found them is acked (so a killed worker loses none);
figures when it opens, every ``NIANBAO_HEARTBEAT`` seconds and at the end, so a worker killed mid-crawl
loses at most a beat's worth of counts (its captures and failures are in the archive).
"""

from __future__ import annotations

import json
from typing import Any

from redis.exceptions import RedisError
from scrapy import signals
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import task

from crawler.distributed.keys import CrawlKeys
from crawler.distributed.outage import outage_for
from crawler.sitestats import site_figures


class ReportKeys:
    """Publishes the report keys a worker's spider found, once each."""

    def __init__(self, server: Any, keys: CrawlKeys) -> None:
        self.server, self.keys = server, keys
        self._sent: dict[str, set[str]] = {}

    def flush(self, spider: Any, pipe: Any = None) -> None:
        own = pipe or self.server.pipeline(transaction=False)
        queued = False
        for site_id, state in getattr(spider, "book", {}).items():
            sent = self._sent.setdefault(site_id, set())
            new = [key for key in list(state.reports) if key not in sent]
            if new:
                own.sadd(self.keys.reports(site_id), *new)
                sent.update(new)
                queued = True
        if pipe is None and queued:
            own.execute()


def report_keys_for(crawler: Any) -> ReportKeys:
    """The crawl process's one :class:`ReportKeys` (the scheduler flushes it before each
    ack, so keys found while handling a request are published before it is done)."""
    found = getattr(crawler, "_nianbao_report_keys", None)
    if found is None:
        settings = crawler.settings
        found = ReportKeys(
            get_redis_from_settings(settings), CrawlKeys(settings.get("NIANBAO_CRAWL_ID"))
        )
        crawler._nianbao_report_keys = found
    return found


class FiguresPublisher:
    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.keys = CrawlKeys(settings.get("NIANBAO_CRAWL_ID"))
        self.worker = settings.get("NIANBAO_WORKER_ID")
        self.server = get_redis_from_settings(settings)
        self.interval = settings.getfloat("NIANBAO_HEARTBEAT", 1.0)
        self.report_keys = report_keys_for(crawler)
        self._loop: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> FiguresPublisher:
        return cls(crawler)

    def opened(self) -> None:
        # A first beat at once: a worker killed before its first interval still counts
        # as one of the crawl's workers.
        self._loop = task.LoopingCall(self.publish, False)
        self._loop.start(self.interval, now=True)

    def closed(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.publish(True)

    def publish(self, final: bool) -> None:
        try:
            self._publish(final)
        except RedisError as exc:  # the outage keeper decides; the next beat publishes
            outage_for(self.crawler).failed(exc)

    def _publish(self, final: bool) -> None:
        stats = self.crawler.stats.get_stats()
        book = getattr(self.crawler.spider, "book", {})
        pipe = self.server.pipeline(transaction=False)
        self.report_keys.flush(self.crawler.spider, pipe)
        sites = {site_id: site_figures(stats, site_id, 0).as_dict() for site_id in book}
        pipe.hset(self.keys.figures, self.worker, json.dumps({"final": final, "sites": sites}))
        pipe.execute()
