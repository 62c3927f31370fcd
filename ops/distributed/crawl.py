"""The coordinator of a distributed crawl: what ``nianbao crawl --distributed`` and the
scheduler call.

It records the run, seeds the shared queue, publishes the job for ``nianbao worker``
processes (on any machine), waits until the queue is empty and nothing is in flight,
requeueing the requests of workers that die, then adds up the workers' figures and ends
the run. With ``local_workers`` it also starts that many workers on this machine.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from crawler.distributed.keys import JOBS, CrawlKeys, redis_url
from crawler.distributed.outage import DEFAULT_WAIT
from crawler.distributed.queue import crawl_done, requeue_dead
from crawler.distributed.seeding import seed
from crawler.run import CrawlError, RunSummary, overall_outcome
from crawler.sitestats import SiteFigures, outcome_of
from storage.archive import Archive
from storage.vocab import RunOutcome

log = logging.getLogger(__name__)


class RedisUnavailable(CrawlError):
    """The shared Redis cannot be reached (or was lost for longer than
    NIANBAO_REDIS_RETRY_SECONDS); the message says where."""


def connect(url: str | None = None) -> Redis:
    url = redis_url(url)
    try:
        server = Redis.from_url(url, socket_connect_timeout=5)
        server.ping()
    except (RedisError, ValueError) as exc:
        raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}") from exc
    return server


def run_distributed(
    archive: Archive,
    site_ids: list[str] | None = None,
    *,
    redis: str | None = None,
    trigger: str = "manual",
    settings_overrides: dict[str, Any] | None = None,
    local_workers: int = 0,
    timeout: float | None = None,
    poll: float = 0.2,
    on_progress: Callable[[dict[str, int]], None] | None = None,
    crawl_id: str | None = None,
) -> RunSummary:
    """Crawl ``site_ids`` (all sites when None) with the workers of the shared queue.

    ``crawl_id`` (default: the run id and a random tag) names the crawl's Redis keys; a
    worker started with ``--crawl ID`` joins only that crawl."""
    url = redis_url(redis)
    server = connect(url)
    sites = archive.sites(site_ids or None)
    ids = [site.id for site in sites]
    if not ids:
        raise ValueError("the registry has no sites to crawl")
    started = time.monotonic()
    run_id = archive.begin_run(ids, trigger=trigger)
    crawl_id = crawl_id or f"{run_id}-{uuid.uuid4().hex[:8]}"
    keys = CrawlKeys(crawl_id)
    overrides = dict(settings_overrides or {})
    redis_wait = float(overrides.get("NIANBAO_REDIS_RETRY_SECONDS", DEFAULT_WAIT))
    children: list[subprocess.Popen[bytes]] = []
    try:
        seeded = seed(
            archive,
            server,
            keys,
            ids,
            {**overrides, "NIANBAO_CRAWL_ID": crawl_id, "NIANBAO_WORKER_ID": "seed"},
        )
        job = {
            "crawl_id": crawl_id,
            "run_id": run_id,
            "site_ids": ids,
            "settings": overrides,
            "seeded": seeded,
        }
        server.hset(JOBS, crawl_id, json.dumps(job))
        for _ in range(local_workers):
            children.append(spawn_worker(archive, url, crawl_id))
        _wait(
            server,
            keys,
            timeout,
            poll,
            on_progress,
            children,
            beat=lambda: archive.heartbeat_run(run_id),
            redis_wait=redis_wait,
            url=url,
        )
        server.set(keys.finished, "1")
        server.hdel(JOBS, crawl_id)
        _wait_for_final_figures(server, keys, children)
        figures = collect_figures(server, keys, ids)
        stats = {
            "workers": len(server.hkeys(keys.figures)),
            "requeued": int(server.get(keys.requeued) or 0),
            "seeded": seeded,
        }
        _cleanup(server, keys)
    except BaseException as exc:
        # Tell the workers (if Redis still answers), stop ours, end the run as failed.
        with contextlib.suppress(RedisError):
            server.set(keys.finished, "1")
            server.hdel(JOBS, crawl_id)
            _cleanup(server, keys)
        _stop_children(children)
        with contextlib.suppress(Exception):  # the database may be what failed
            archive.end_run(run_id, outcome=RunOutcome.FAILED, site_stats={})
        if isinstance(exc, RedisError):
            raise RedisUnavailable(
                f"crawl run {run_id} stopped: lost Redis at {url}: {_line(exc)}; "
                "what was archived is kept"
            ) from exc
        if isinstance(exc, RedisUnavailable):
            raise RedisUnavailable(
                f"crawl run {run_id} stopped: {exc}; what was archived is kept"
            ) from exc
        raise
    outcome = overall_outcome(figures)
    archive.end_run(
        run_id, outcome=outcome, site_stats={k: v.as_dict() for k, v in figures.items()}
    )
    return RunSummary(
        run_id=run_id,
        outcome=outcome,
        elapsed=time.monotonic() - started,
        sites=figures,
        stats=stats,
    )


def _line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _wait(
    server: Redis,
    keys: CrawlKeys,
    timeout: float | None,
    poll: float,
    on_progress: Callable[[dict[str, int]], None] | None,
    children: list[subprocess.Popen[bytes]],
    *,
    beat: Callable[[], None] | None = None,
    redis_wait: float = DEFAULT_WAIT,
    url: str = "",
) -> None:
    """Until the crawl is done: requeue the requests of dead workers, beat the run's
    heartbeat; a Redis outage is waited out for ``redis_wait`` seconds."""
    from storage.runs import RUN_HEARTBEAT

    deadline = None if timeout is None else time.monotonic() + timeout
    warned = False
    waited_since = time.monotonic()
    lost_since: float | None = None
    beaten = time.monotonic()
    while True:
        if beat is not None and time.monotonic() - beaten > RUN_HEARTBEAT.total_seconds():
            beaten = time.monotonic()
            with contextlib.suppress(Exception):  # a database blip: beat next time
                beat()
        try:
            requeue_dead(server, keys)
            if crawl_done(server, keys):
                return
            queued = int(server.zcard(keys.queue))
            workers = int(server.scard(keys.workers))
        except RedisError as exc:
            now = time.monotonic()
            if lost_since is None:
                lost_since = now
                log.warning(
                    "Redis at %s is unreachable (%s); waiting up to %gs for it",
                    url,
                    _line(exc),
                    redis_wait,
                )
            if now - lost_since > redis_wait:
                raise RedisUnavailable(
                    f"lost Redis at {url}: {_line(exc)} (waited {redis_wait:g}s)"
                ) from exc
            time.sleep(min(poll * 2, 1.0))
            continue
        if lost_since is not None:
            log.warning("Redis is back after %.1fs", time.monotonic() - lost_since)
            lost_since = None
        if on_progress is not None:
            on_progress({"queued": queued, "workers": workers})
        if not warned and not workers and time.monotonic() - waited_since > 10:
            log.warning(
                "no worker has joined crawl %s yet: start `nianbao worker` on any machine",
                keys.crawl_id,
            )
            warned = True
        if children and all(c.poll() is not None for c in children) and not workers:
            raise CrawlError(f"the local workers of crawl {keys.crawl_id} exited before joining it")
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(
                f"distributed crawl {keys.crawl_id} did not finish within {timeout:g}s"
            )
        time.sleep(poll)


def _wait_for_final_figures(
    server: Redis, keys: CrawlKeys, children: list[subprocess.Popen[bytes]]
) -> None:
    """Until every worker of the crawl has published its last figures, or died."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = [w.decode() if isinstance(w, bytes) else w for w in server.smembers(keys.workers)]
        figures = server.hgetall(keys.figures)
        pending = [
            w
            for w in workers
            if server.exists(keys.alive(w))
            and not json.loads(figures.get(w.encode(), b'{"final": false}'))["final"]
        ]
        if not pending:
            break
        time.sleep(0.1)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()


def collect_figures(server: Redis, keys: CrawlKeys, site_ids: list[str]) -> dict[str, SiteFigures]:
    """The workers' figures added up per site; reports found counted once across workers."""
    totals = {site_id: SiteFigures(site_id=site_id) for site_id in site_ids}
    for raw in server.hgetall(keys.figures).values():
        for site_id, values in json.loads(raw)["sites"].items():
            total = totals.get(site_id)
            if total is None:
                continue
            for name in ("requests", "pages", "bytes", "new_versions"):
                setattr(total, name, getattr(total, name) + int(values.get(name, 0)))
            for kind, count in (values.get("errors") or {}).items():
                total.errors[kind] = total.errors.get(kind, 0) + int(count)
            total.blocked = total.blocked or bool(values.get("blocked"))
    for site_id, total in totals.items():
        total.reports_found = int(server.scard(keys.reports(site_id)))
        total.outcome = outcome_of(total)
    return totals


def _cleanup(server: Redis, keys: CrawlKeys) -> None:
    for key in server.scan_iter(match=keys.pattern, count=500):
        if key.decode() != keys.finished:
            server.delete(key)
    server.expire(keys.finished, 3600)


def spawn_worker(
    archive: Archive, redis: str, crawl_id: str | None = None
) -> subprocess.Popen[bytes]:
    """Start a ``nianbao worker --once`` on this machine (its own WARC files under the
    archive's data directory)."""
    args = [
        sys.executable,
        "-m",
        "ops.distributed.worker",
        "--redis",
        redis,
        "--data-dir",
        str(archive.data_dir),
        "--once",
    ]
    if crawl_id:
        args += ["--crawl", crawl_id]
    # the project is installed into this interpreter's environment: no search path to set
    env = {**os.environ, "NIANBAO_DB": archive.url}
    return subprocess.Popen(args, env=env, start_new_session=True)


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def distributed_crawl(
    redis_url: str | None = None, settings_overrides: dict[str, Any] | None = None
) -> Any:
    """A scheduler crawl callable: the due sites as one distributed crawl."""

    def crawl(archive: Archive, site_ids: list[str]) -> int:
        return run_distributed(
            archive,
            site_ids,
            redis=redis_url,
            trigger="schedule",
            settings_overrides=settings_overrides,
        ).run_id

    return crawl
