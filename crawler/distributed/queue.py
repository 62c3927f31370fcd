"""A reliable priority queue for scrapy-redis: no request is lost when a worker dies.

scrapy-redis pops requests destructively; here a pop moves the request, in one Lua
script, from the crawl's queue into the popping worker's processing hash (with its
score), under a token. The worker acks the token once the request is fully handled —
its response parsed, the new requests queued and the captures archived. A worker that
stops beating has its processing hash put back into the queue by any other worker (or
the coordinator), so its in-flight requests are retried by others.
"""

from __future__ import annotations

import itertools
from typing import Any

from redis import Redis
from scrapy_redis.queue import Base

from crawler.distributed.keys import CrawlKeys

_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], ARGV[1], r[1])
redis.call('HSET', KEYS[3], ARGV[1], r[2])
return r[1]
"""

_ACK = """
redis.call('HDEL', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])
"""

# Put back every request of a worker's processing hash; KEYS: queue, processing, scores,
# workers set; ARGV: worker. Returns the number requeued.
_REQUEUE = """
local items = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #items, 2 do
  local score = redis.call('HGET', KEYS[3], items[i]) or '0'
  redis.call('ZADD', KEYS[1], score, items[i + 1])
  n = n + 1
end
redis.call('DEL', KEYS[2], KEYS[3])
if ARGV[2] == '1' then redis.call('SREM', KEYS[4], ARGV[1]) end
return n
"""


class ReliablePriorityQueue(Base):  # type: ignore[misc]  # scrapy_redis has no annotations: Base is Any
    """scrapy-redis ``PriorityQueue`` semantics (higher priority first) with acks."""

    def __init__(self, server: Redis, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.worker: str = ""
        self.keys: CrawlKeys | None = None
        self._tokens = itertools.count(1)
        self._pop = server.register_script(_POP)
        self._ack = server.register_script(_ACK)
        self._requeue = server.register_script(_REQUEUE)

    def bind(self, keys: CrawlKeys, worker: str) -> None:
        self.keys, self.worker = keys, worker

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def push(self, request: Any) -> None:
        data = self._encode_request(request)
        self.server.zadd(self.key, {data: -request.priority})

    def pop(self, timeout: int = 0) -> Any:
        """The next request, now in this worker's processing hash; its token in
        ``request.meta["_nb_token"]``."""
        assert self.keys is not None, "bind() the queue to its crawl first"
        token = str(next(self._tokens))
        data = self._pop(
            keys=[self.key, self.keys.processing(self.worker), self.keys.scores(self.worker)],
            args=[token],
        )
        if data is None:
            return None
        request = self._decode_request(data)
        request.meta["_nb_token"] = token
        return request

    def ack(self, token: str) -> bool:
        assert self.keys is not None
        return bool(
            self._ack(
                keys=[self.keys.scores(self.worker), self.keys.processing(self.worker)],
                args=[token],
            )
        )

    def requeue(self, worker: str, *, forget: bool) -> int:
        """Put ``worker``'s unacknowledged requests back in the queue."""
        assert self.keys is not None
        return requeue(self.server, self.keys, worker, forget=forget, script=self._requeue)

    def clear(self) -> None:
        self.server.delete(self.key)


def requeue(
    server: Redis, keys: CrawlKeys, worker: str, *, forget: bool, script: Any = None
) -> int:
    script = script or server.register_script(_REQUEUE)
    return int(
        script(
            keys=[keys.queue, keys.processing(worker), keys.scores(worker), keys.workers],
            args=[worker, "1" if forget else "0"],
        )
    )


def in_flight(server: Redis, keys: CrawlKeys) -> int:
    """Requests popped by any worker (dead or alive) and not yet acked."""
    workers = [
        w.decode() if isinstance(w, bytes) else str(w) for w in server.smembers(keys.workers)
    ]
    if not workers:
        return 0
    pipe = server.pipeline(transaction=False)
    for worker in workers:
        pipe.hlen(keys.processing(worker))
    return sum(int(n) for n in pipe.execute())


def requeue_dead(server: Redis, keys: CrawlKeys) -> int:
    """Requeue the in-flight requests of every worker that stopped beating."""
    workers = [
        w.decode() if isinstance(w, bytes) else str(w) for w in server.smembers(keys.workers)
    ]
    moved = 0
    for worker in workers:
        if not server.exists(keys.alive(worker)):
            moved += requeue(server, keys, worker, forget=True)
    if moved:
        server.incrby(keys.requeued, moved)
    return moved


_DONE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HLEN', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""


def crawl_done(server: Redis, keys: CrawlKeys) -> bool:
    """Seeded, nothing queued and nothing in flight anywhere: the crawl is over. One
    script, so atomic: a request is always either queued or in flight (a pop and a
    requeue move it in one step, and a handled request's new requests are queued
    before it is acked)."""
    prefix = keys.processing("")
    return bool(server.eval(_DONE, 3, keys.seeded, keys.queue, keys.workers, prefix))
