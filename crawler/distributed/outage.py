"""Redis lost in the middle of a distributed crawl: wait for it, then stop cleanly.

One :class:`RedisOutage` per crawl process notes every failed Redis call of the
distributed components (scheduler, heartbeat, host slots, robots, figures). The first
failure is logged in one line; while Redis is away the worker takes no new request (the
requests it holds are kept: new ones queued locally, acks deferred — nothing is lost),
and when Redis answers again the crawl goes on ("Redis is back"). An outage longer than
NIANBAO_REDIS_RETRY_SECONDS stops the crawl cleanly, once (``nianbao/fatal``); the
requests this worker held return to the shared queue when its heartbeat lapses, for
another worker or the next crawl.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)
DEFAULT_WAIT = 60.0


def _line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class RedisOutage:
    def __init__(self, crawler: Any, wait: float) -> None:
        self.crawler = crawler
        self.wait = wait
        self.since: float | None = None
        self.gave_up = False
        self._lock = threading.Lock()
        self._closing: asyncio.Future[None] | None = None

    @property
    def down(self) -> bool:
        return self.since is not None or self.gave_up

    def failed(self, exc: BaseException) -> bool:
        """Note a failed Redis call. True: keep waiting; False: the wait is over and the
        crawl is being stopped."""
        with self._lock:
            if self.gave_up:
                return False
            now = time.monotonic()
            if self.since is None:
                self.since = now
                log.warning(
                    "Redis is unreachable (%s); waiting up to %gs for it", _line(exc), self.wait
                )
            if now - self.since <= self.wait:
                return True
            self.gave_up = True
        message = f"lost Redis: {_line(exc)} (waited {self.wait:g}s)"
        log.error("%s; stopping this worker's crawl", message)
        self.crawler.stats.set_value("nianbao/fatal", message)
        self._close()
        return False

    def ok(self) -> None:
        """A Redis call worked."""
        if self.since is None:
            return
        with self._lock:
            if self.since is not None and not self.gave_up:
                log.warning("Redis is back after %.1fs", time.monotonic() - self.since)
                self.since = None

    def _close(self) -> None:
        from twisted.internet import reactor

        def close() -> None:
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                self._closing = asyncio.ensure_future(
                    engine.close_spider_async(reason="redis_lost")
                )

        reactor.callFromThread(close)


def outage_for(crawler: Any) -> RedisOutage:
    """The crawl process's outage keeper (NIANBAO_REDIS_RETRY_SECONDS)."""
    found: RedisOutage | None = getattr(crawler, "_nianbao_redis_outage", None)
    if found is None:
        found = RedisOutage(
            crawler, crawler.settings.getfloat("NIANBAO_REDIS_RETRY_SECONDS", DEFAULT_WAIT)
        )
        crawler._nianbao_redis_outage = found
    return found
