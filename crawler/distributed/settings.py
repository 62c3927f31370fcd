"""The Scrapy settings layer of a distributed crawl, over the crawler's own settings."""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings


def distributed_settings(
    crawl_id: str, worker_id: str, redis_url: str, base: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Settings to add to a crawl's so that it works from the shared queue of ``crawl_id``."""
    from crawler.settings import DOWNLOADER_MIDDLEWARES, EXTENSIONS

    prefix = f"nianbao:crawl:{crawl_id}"
    return {
        **(base or {}),
        "NIANBAO_CRAWL_ID": crawl_id,
        "NIANBAO_WORKER_ID": worker_id,
        # navigation goes to the shared queue as it is found (priority = its score): a
        # link held in one worker's frontier would die with that worker
        "NIANBAO_FRONTIER_HOLD": False,
        "REDIS_URL": redis_url,
        "SCHEDULER": "crawler.distributed.scheduler.DistributedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.ReliablePriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # Never flush: the queue and the dupefilter belong to the crawl, not to a worker.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_SERIALIZER": "scrapy_redis.picklecompat",
        "DOWNLOADER_MIDDLEWARES": {
            **DOWNLOADER_MIDDLEWARES,
            "crawler.middlewares.robots.ChallengedRobotsTxtMiddleware": None,
            "crawler.distributed.robots.SharedRobotsTxtMiddleware": 100,
            "crawler.distributed.politeness.HostSlotsMiddleware": 940,
        },
        "EXTENSIONS": {**EXTENSIONS, "crawler.distributed.figures.FiguresPublisher": 520},
    }


def crawl_settings(overrides: dict[str, Any]) -> Settings:
    """The crawler's settings with ``overrides`` on top (as ``crawler.worker`` builds them)."""
    from crawler.worker import crawl_settings as base

    return base(overrides)
