"""The scrapy-redis scheduler of a distributed crawl, with acks and heartbeats.

Settings: ``NIANBAO_CRAWL_ID`` (the crawl's key prefix), ``NIANBAO_WORKER_ID``,
``NIANBAO_HEARTBEAT`` (seconds between beats; a worker silent for
``NIANBAO_HEARTBEAT_TTL`` seconds is dead and its in-flight requests are requeued).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from scrapy_redis.scheduler import Scheduler

from ops.distributed.figures import report_keys_for
from ops.distributed.keys import CrawlKeys
from ops.distributed.queue import ReliablePriorityQueue, requeue_dead

log = logging.getLogger(__name__)
TOKEN = "_nb_token"

_ENQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  return 1
end
return 0
"""


class DistributedScheduler(Scheduler):
    """Shared queue and dupefilter; a popped request is acked once fully handled."""

    crawler: Any
    queue: ReliablePriorityQueue

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
                    try:
                        report_keys.flush(self.spider)
                        self.queue.ack(token)
                    except Exception:  # Redis away: the request will be retried, not lost
                        log.exception("cannot ack %s", request.url)

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
            except Exception:
                log.exception("heartbeat failed; trying again")

    def enqueue_request(self, request: Any) -> bool:
        """Through the shared dupefilter and into the shared queue in one script: a worker
        killed between the two steps would otherwise leave a request marked seen but never
        queued, and lost (its parent, requeued, would find its child filtered)."""
        request.meta.pop(TOKEN, None)  # a redirect or retry copies its parent's meta
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
        if added and self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return added

    def close(self, reason: str) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        # Whatever this worker still holds goes back for the others.
        self.queue.requeue(self.worker, forget=True)
        self.server.delete(self.keys.alive(self.worker))
        super().close(reason)
