"""robots.txt fetched once per host per crawl, whatever the number of workers.

Scrapy's RobotsTxtMiddleware downloads robots.txt once per process, outside the
scheduler (so outside the shared dupefilter): with four workers a host would see four
fetches. Here the first worker to need a host's robots.txt takes a claim in Redis,
fetches it and stores the body in the crawl's ``robots`` hash; the others wait for the
body and parse it without fetching.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from redis.exceptions import RedisError
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import CrawlKeys
from crawler.distributed.outage import outage_for
from crawler.middlewares.robots import ChallengedRobotsTxtMiddleware

FAILED = b"E"
BODY = b"B"


class SharedRobotsTxtMiddleware(ChallengedRobotsTxtMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.server = get_redis_from_settings(crawler.settings)
        self.keys = CrawlKeys(crawler.settings.get("NIANBAO_CRAWL_ID"))
        self.worker = crawler.settings.get("NIANBAO_WORKER_ID") or "worker"
        # A claimant that dies mid-fetch frees the claim after one download timeout.
        self.claim_ms = int((crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 30) + 10) * 1000)

    async def robot_parser(self, request: Any) -> Any:
        netloc = urlparse_cached(request).netloc
        if netloc in self._parsers:
            return await super().robot_parser(request)
        while True:
            try:
                cached = self.server.hget(self.keys.robots, netloc)
                claimed = cached is None and bool(
                    self.server.set(
                        self.keys.robots_claim(netloc), self.worker, nx=True, px=self.claim_ms
                    )
                )
            except RedisError as exc:
                if not outage_for(self.crawler).failed(exc):
                    return await super().robot_parser(request)  # read it ourselves
                await asyncio.sleep(0.25)
                continue
            if cached is not None:
                if netloc in self._parsers:  # another request of ours got here first
                    return await super().robot_parser(request)
                parser = None
                if cached.startswith(BODY):
                    parser = build_from_crawler(self._parserimpl, self.crawler, cached[1:])
                self._parsers[netloc] = parser
                return parser
            if netloc in self._parsers:
                return await super().robot_parser(request)
            if claimed:
                return await super().robot_parser(request)  # fetches; stored by the hooks below
            await asyncio.sleep(0.05)

    async def _parse_robots(self, response: Any, netloc: str, request: Any) -> None:
        response = await self.readable(response, request)  # the file, not a challenge
        with contextlib.suppress(RedisError):  # others read it themselves then
            self.server.hset(self.keys.robots, netloc, BODY + response.body)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        with contextlib.suppress(RedisError):
            self.server.hset(self.keys.robots, netloc, FAILED)
        super()._robots_error(exc, netloc)
