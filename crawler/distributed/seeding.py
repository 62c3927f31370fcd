"""Seeding a distributed crawl: the sites' start requests, through the shared dupefilter.

scrapy-redis's own seeding (``RedisSpider`` reading ``start_urls`` from Redis) makes
requests with ``dont_filter=True``, which bypass the dupefilter: a start URL also linked
from another page would be fetched twice, and a seed pushed twice would be fetched twice.
Here the coordinator builds the spider's real start requests (callbacks, meta, priority)
and queues each one only if the shared dupefilter has not seen it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis import Redis
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.archive_access import ArchiveAccess
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.queue import ReliablePriorityQueue
from crawler.distributed.settings import crawl_settings
from crawler.distributed.spider import DistributedReportsSpider
from storage.archive import Archive


def seed(
    archive: Archive, server: Redis, keys: CrawlKeys, site_ids: list[str], settings: dict[str, Any]
) -> int:
    """Queue the start requests of ``site_ids``; the number queued. Marks the crawl seeded."""
    crawler = Crawler(
        DistributedReportsSpider,
        crawl_settings(
            {**settings, "NIANBAO_DB": archive.url, "NIANBAO_DATA_DIR": str(archive.data_dir)}
        ),
    )
    spider = DistributedReportsSpider.from_crawler(crawler, site_ids=site_ids)
    queue = ReliablePriorityQueue(server, spider, keys.queue)
    dupefilter = RFPDupeFilter(server, key=keys.dupefilter)

    async def collect() -> list[Any]:
        return [request async for request in spider.seed_requests()]

    queued = 0
    for request in asyncio.run(collect()):
        if dupefilter.request_seen(request):
            continue
        queue.push(request)
        queued += 1
    server.set(keys.seeded, "1")
    ArchiveAccess.of(crawler).close_archive()  # the spider's own archive handle
    return queued
