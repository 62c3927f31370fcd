"""Per-host politeness across workers: at most N downloads from one host at a time.

A downloader middleware takes a lease on the host in Redis before each download (a
sorted set of tokens scored by expiry, one Lua script, Redis's own clock) and gives it
back when the download ends. The worker renews its leases every heartbeat; a worker
that dies mid-download stops renewing, and its leases lapse after
``NIANBAO_HEARTBEAT_TTL`` seconds, so the host is not held for the others. Setting:
``NIANBAO_HOST_CONCURRENCY`` (default ``CONCURRENT_REQUESTS_PER_DOMAIN``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Any
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError
from scrapy import signals
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import task

from crawler.distributed.keys import host_key
from crawler.distributed.outage import RedisOutage, outage_for
from crawler.refusals import Refused

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
  return 1
end
return 0
"""

# KEYS: host keys; ARGV: lease seconds, then one token per key.
_RENEW = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', until_, ARGV[i + 1])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[1]) * 1000))
end
return #KEYS
"""

LEASE_KEY = "_nb_host_lease"


class HostSlotsMiddleware:
    def __init__(
        self, server: Redis, limit: int, lease_seconds: float, worker: str, wait: float = 0.02
    ) -> None:
        if limit < 1:
            raise ValueError("NIANBAO_HOST_CONCURRENCY must be at least 1")
        self.server = server
        self.limit = limit
        self.lease_seconds = lease_seconds
        self.worker = worker
        self.wait = wait
        self._acquire = server.register_script(_ACQUIRE)
        self._renew = server.register_script(_RENEW)
        self._tokens = itertools.count(1)
        self.active: dict[str, str] = {}
        self._loop: task.LoopingCall | None = None
        self.outage: RedisOutage | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostSlotsMiddleware:
        s = crawler.settings
        limit = s.getint("NIANBAO_HOST_CONCURRENCY") or s.getint(
            "CONCURRENT_REQUESTS_PER_DOMAIN", 4
        )
        middleware = cls(
            get_redis_from_settings(s),
            limit,
            s.getfloat("NIANBAO_HEARTBEAT_TTL", 5.0),
            s.get("NIANBAO_WORKER_ID") or "worker",
        )
        middleware.outage = outage_for(crawler)
        beat = s.getfloat("NIANBAO_HEARTBEAT", 1.0)
        crawler.signals.connect(
            lambda: middleware.start_renewing(beat), signal=signals.spider_opened, weak=False
        )
        crawler.signals.connect(middleware.stop_renewing, signal=signals.spider_closed)
        return middleware

    def start_renewing(self, interval: float) -> None:
        self._loop = task.LoopingCall(self.renew)
        self._loop.start(interval, now=False)

    def stop_renewing(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def renew(self) -> None:
        """Extend the leases of the downloads in progress (they lapse if we die)."""
        active = list(self.active.items())
        if active:
            try:
                self._renew(
                    keys=[key for _, key in active],
                    args=[self.lease_seconds, *[tok for tok, _ in active]],
                )
            except RedisError as exc:  # a LoopingCall stops at the first exception
                if self.outage is not None:
                    self.outage.failed(exc)

    async def process_request(self, request: Any, spider: Any = None) -> None:
        host = urlsplit(request.url).netloc.lower()
        key = host_key(host)
        token = f"{self.worker}:{next(self._tokens)}"
        delay = self.wait
        while True:
            try:
                if self._acquire(keys=[key], args=[self.limit, self.lease_seconds, token]):
                    break
            except RedisError as exc:
                # Redis away: wait for it, or give the request up (not a failure: it goes
                # back to the shared queue with this worker's in-flight requests)
                if self.outage is None or not self.outage.failed(exc):
                    raise Refused(None, f"Redis lost: {exc}") from exc
                delay = 0.25
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        request.meta[LEASE_KEY] = (key, token)
        self.active[token] = key
        return None

    def _release(self, request: Any) -> None:
        lease = request.meta.pop(LEASE_KEY, None)
        if lease is not None:
            self.active.pop(lease[1], None)
            with contextlib.suppress(RedisError):  # the lease lapses by itself
                self.server.zrem(lease[0], lease[1])

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> None:
        self._release(request)
        return None
