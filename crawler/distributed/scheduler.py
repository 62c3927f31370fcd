"""The scrapy-redis scheduler of a distributed crawl, with acks and heartbeats.

Settings: ``NIANBAO_CRAWL_ID`` (the crawl's key prefix), ``NIANBAO_WORKER_ID``,
``NIANBAO_HEARTBEAT`` (seconds between beats; a worker silent for
``NIANBAO_HEARTBEAT_TTL`` seconds is dead and its in-flight requests are requeued),
``NIANBAO_REDIS_RETRY_SECONDS`` (how long a Redis outage is waited out: see
``crawler.distributed.outage``). While Redis is away, new requests are kept in a local backlog
and acks are deferred until the backlog is in the shared queue, so that a request is
never acked before its children are queued.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from redis.exceptions import RedisError
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.figures import report_keys_for
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.outage import outage_for
from crawler.distributed.queue import ReliablePriorityQueue, requeue_dead

log = logging.getLogger(__name__)
TOKEN = "_nb_token"

_ENQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  return 1
end
return 0
"""


class DistributedScheduler(Scheduler):  # type: ignore[misc]  # scrapy_redis has no annotations: Scheduler is Any
    """Shared queue and dupefilter; a popped request is acked once fully handled."""

    crawler: Any
    queue: ReliablePriorityQueue
    _thread: threading.Thread | None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedScheduler:
        instance: DistributedScheduler = super().from_crawler(crawler)
        settings = crawler.settings
        crawl_id = settings.get("NIANBAO_CRAWL_ID")
        worker = settings.get("NIANBAO_WORKER_ID")
        if not crawl_id or not worker:
            raise ValueError("a distributed crawl needs NIANBAO_CRAWL_ID and NIANBAO_WORKER_ID")
        instance.crawler = crawler
        instance.keys = CrawlKeys(crawl_id)
        instance.worker = worker
        instance.beat = settings.getfloat("NIANBAO_HEARTBEAT", 1.0)
        instance.ttl = settings.getfloat("NIANBAO_HEARTBEAT_TTL", 5.0)
        instance._stop = threading.Event()
        instance._thread = None
        instance.outage = outage_for(crawler)
        instance._backlog = []  # requests not queued while Redis was away
        instance._deferred = []  # acks waiting for the backlog to be queued
        return instance

    def open(self, spider: Any) -> None:
        super().open(spider)
        self._enqueue = self.server.register_script(_ENQUEUE)
        self.queue.bind(self.keys, self.worker)
        self._alive()
        self.server.sadd(self.keys.workers, self.worker)
        self._hook_acks()
        self._thread = threading.Thread(target=self._beat, name="nianbao-heartbeat", daemon=True)
        self._thread.start()

    def _hook_acks(self) -> None:
        """Ack a request when the engine is done with it: its response (or failure)
        went through the callback, the new requests were queued and the items through
        the pipelines; or the downloader turned it into another request (a redirect)."""
        engine = self.crawler.engine
        original = engine._remove_request
        report_keys = report_keys_for(self.crawler)

        def remove_and_ack(result: Any, request: Any) -> Any:
            try:
                return original(result, request)
            finally:
                token = request.meta.get(TOKEN)
                if token is not None:
                    if self._backlog or self.outage.down:
                        self._deferred.append(token)  # after its children are queued
                    else:
                        try:
                            report_keys.flush(self.spider)
                            self.queue.ack(token)
                        except RedisError as exc:
                            self._deferred.append(token)
                            self.outage.failed(exc)

        engine._remove_request = remove_and_ack

    def _alive(self) -> None:
        self.server.set(self.keys.alive(self.worker), "1", px=int(self.ttl * 1000))

    def _beat(self) -> None:
        while not self._stop.wait(self.beat):
            try:
                self._alive()
                moved = requeue_dead(self.server, self.keys)
                if moved:
                    log.warning("requeued %d in-flight request(s) of dead workers", moved)
            except RedisError as exc:
                self.outage.failed(exc)
            except Exception:
                log.exception("heartbeat failed; trying again")

    def next_request(self) -> Any:
        """The next request of the shared queue; none while Redis is away (first the
        backlog and the deferred acks go in, once it answers again)."""
        try:
            self._catch_up()
            request = super().next_request()
        except RedisError as exc:
            self.outage.failed(exc)
            return None
        self.outage.ok()
        return request

    def has_pending_requests(self) -> bool:
        try:
            return bool(super().has_pending_requests())
        except RedisError as exc:
            self.outage.failed(exc)
            return False

    def _catch_up(self) -> None:
        while self._backlog:
            self._enqueue_shared(self._backlog[0])
            self._backlog.pop(0)
        if self._deferred:
            report_keys_for(self.crawler).flush(self.spider)
            while self._deferred:
                self.queue.ack(self._deferred[0])
                self._deferred.pop(0)

    def enqueue_request(self, request: Any) -> bool:
        """Through the shared dupefilter and into the shared queue in one script: a worker
        killed between the two steps would otherwise leave a request marked seen but never
        queued, and lost (its parent, requeued, would find its child filtered)."""
        request.meta.pop(TOKEN, None)  # a redirect or retry copies its parent's meta
        if self._backlog:
            self._backlog.append(request)
            return True
        try:
            added = self._enqueue_shared(request)
        except RedisError as exc:
            self.outage.failed(exc)
            self._backlog.append(request)
            return True
        if added and self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return added

    def _enqueue_shared(self, request: Any) -> bool:
        data = self.queue._encode_request(request)
        if request.dont_filter:
            self.server.zadd(self.queue.key, {data: -request.priority})
            added = True
        else:
            fingerprint = self.df.request_fingerprint(request)
            added = bool(
                self._enqueue(
                    keys=[self.df.key, self.queue.key], args=[fingerprint, -request.priority, data]
                )
            )
        return added

    def close(self, reason: str) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        # Whatever this worker still holds goes back for the others.
        try:
            self._catch_up()
            self.queue.requeue(self.worker, forget=True)
            self.server.delete(self.keys.alive(self.worker))
            super().close(reason)
        except RedisError as exc:
            log.warning(
                "Redis away at close (%s): this worker's requests return to the queue when "
                "its heartbeat lapses; %d new request(s) were not queued",
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                len(self._backlog),
            )
