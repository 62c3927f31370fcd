"""``nianbao worker``: join the distributed crawls published in Redis, one after another.

For each crawl it joins, the worker runs the crawl in a child process
(``crawler.distributed.worker_process``; a Twisted reactor runs once per process), which
takes requests from the crawl's shared queue and archives into the worker's database
(the shared PostgreSQL) and its own WARC files (its data directory).

    python -m ops.distributed.worker [--db URL] [--redis URL] [--data-dir DIR] [--once] [--crawl ID]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from types import FrameType

from redis import Redis
from redis.exceptions import RedisError

from crawler.distributed.keys import JOBS, CrawlKeys, redis_url
from crawler.distributed.outage import DEFAULT_WAIT
from crawler.run import temp_folder
from storage import db

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self, db_url: str | None, data_dir: str | None, redis: str | None, *, poll: float = 0.2
    ) -> None:
        self.data_dir = str(db.data_dir(data_dir))
        # The shared database: PostgreSQL when workers run on several machines.
        self.db_url = db.database_url(db_url, data=Path(self.data_dir))
        self.redis_url = redis_url(redis)
        self.server = Redis.from_url(self.redis_url, socket_connect_timeout=5)
        self.poll = poll
        self.joined: set[str] = set()
        self._stop = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None

    def next_job(self, crawl_id: str | None = None) -> dict[str, object] | None:
        for cid, raw in sorted(self.server.hgetall(JOBS).items()):
            name = cid.decode() if isinstance(cid, bytes) else cid
            if name in self.joined or (crawl_id and name != crawl_id):
                continue
            if self.server.exists(CrawlKeys(name).finished):
                continue
            job: dict[str, object] = json.loads(raw)
            return job
        return None

    def run_job(self, job: dict[str, object]) -> int:
        crawl_id = str(job["crawl_id"])
        self.joined.add(crawl_id)
        worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        with temp_folder("nianbao-worker-") as tmp:
            job_file = tmp.path / "job.json"
            job_file.write_text(
                json.dumps({**job, "worker_id": worker_id, "redis_url": self.redis_url,
                            "db": self.db_url, "data_dir": self.data_dir}),
                encoding="utf-8",
            )  # fmt: skip
            # the project is installed into this interpreter's environment
            self._child = subprocess.Popen(
                [sys.executable, "-m", "crawler.distributed.worker_process", str(job_file)],
                pass_fds=[tmp.lock_fd],  # the folder stays in use while the child lives
            )
            code = self._child.wait()
            self._child = None
        log.info("worker %s left crawl %s (exit %s)", worker_id, crawl_id, code)
        return code

    def serve(self, *, once: bool = False, crawl_id: str | None = None) -> int:
        """Join crawls until stopped (with ``once``: wait for one crawl, join it, return).
        While Redis is unreachable the worker waits for it (saying so once); with
        ``once`` it gives up after NIANBAO_REDIS_RETRY_SECONDS (environment, default 60)."""
        lost_since: float | None = None
        give_up = float(os.environ.get("NIANBAO_REDIS_RETRY_SECONDS") or DEFAULT_WAIT)
        while not self._stop.is_set():
            try:
                job = self.next_job(crawl_id)
            except RedisError as exc:
                now = time.monotonic()
                if lost_since is None:
                    lost_since = now
                    log.warning("Redis at %s is unreachable (%s); waiting", self.redis_url, exc)
                if once and now - lost_since > give_up:
                    log.error("Redis at %s stayed unreachable for %gs", self.redis_url, give_up)
                    return 1
                self._stop.wait(min(self.poll * 5, 1.0))
                continue
            if lost_since is not None:
                log.warning("Redis is back")
                lost_since = None
            if job is None:
                self._stop.wait(self.poll)
                continue
            code = self.run_job(job)
            if once:
                return code
        return 0

    def stop(self) -> None:
        """Stop after the current crawl; its child finishes its in-flight requests."""
        self._stop.set()
        if self._child is not None and self._child.poll() is None:
            self._child.send_signal(signal.SIGINT)  # Scrapy closes gracefully on the first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.distributed.worker")
    parser.add_argument("--db", default=None)
    parser.add_argument("--redis", default=None)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--crawl", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    worker = Worker(args.db, args.data_dir, args.redis)

    def stop(signum: int, _frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    return worker.serve(once=args.once, crawl_id=args.crawl)


if __name__ == "__main__":
    raise SystemExit(main())
