"""Distributed crawling with the real Redis and PostgreSQL of this machine.

Workers are real ``python -m ops.distributed.worker`` processes; the sites are the bundled
sample web and the large local site, on 127.0.0.x.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import PG_SERVER, pg_available
from redis import Redis
from sqlalchemy import create_engine, select, text

from crawler.distributed.keys import CrawlKeys
from crawler.distributed.queue import ReliablePriorityQueue, crawl_done, in_flight, requeue_dead
from ops.distributed.crawl import run_distributed, spawn_worker
from registry.loader import parse_yaml
from sampleweb.large import LargeSite
from sampleweb.web import SampleWeb
from storage.archive import Archive
from storage.models import CaptureRow, DocumentRow

REDIS_URL = os.environ.get("NIANBAO_TEST_REDIS", "redis://127.0.0.1:6379/0")
FAST = {"NIANBAO_PROGRESS": "off", "NIANBAO_RENDER_ENABLED": False, "DOWNLOAD_TIMEOUT": 2,
        "AUTOTHROTTLE_ENABLED": False}  # fmt: skip
# The large site's listing pages mostly list no report: follow them all the same.
LARGE = {**FAST, "NIANBAO_MAX_EMPTY_LISTING_PAGES": 10_000}


def _text(value: bytes | str) -> str:
    """A Redis reply as text (the client is typed to return bytes or str)."""
    return value.decode() if isinstance(value, bytes) else value


def redis_or_skip() -> Redis:
    try:
        server = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        server.ping()
        return server
    except Exception:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and is not reachable at {REDIS_URL}")
        pytest.skip("Redis not reachable")


@pytest.fixture
def redis() -> Redis:
    return redis_or_skip()


@contextmanager
def pg_archive(tmp: Path) -> Iterator[Archive]:
    """An archive in a fresh PostgreSQL schema (one per crawl compared)."""
    if not pg_available():
        pytest.skip("PostgreSQL not reachable")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    archive = Archive(f"{PG_SERVER}?options=-csearch_path%3D{schema}", data_dir=tmp / schema)
    try:
        yield archive
    finally:
        archive.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def archived(archive: Archive) -> dict[str, Any]:
    """What a crawl left in the archive: documents and the URLs of the listings, reports
    and attachments captured (navigation pages are kept too, but not counted here)."""
    with archive.session() as s:
        documents = sorted(s.scalars(select(DocumentRow.url)))
        captured = sorted(
            set(
                s.scalars(
                    select(CaptureRow.url).where(
                        CaptureRow.status == 200, CaptureRow.role != "page"
                    )
                )
            )
        )
    return {"documents": documents, "captured": captured}


def relative(url: str, bases: dict[str, str]) -> str:
    for base, site_id in bases.items():
        if url.startswith(base):
            return site_id + ":" + url[len(base) :]
    return url


# ----------------------------------------------------------------------------- units


def test_a_popped_request_stays_in_flight_until_acked_and_a_dead_worker_gives_it_back(
    redis: Redis,
) -> None:
    from scrapy import Request, Spider

    keys = CrawlKeys("unit-" + uuid.uuid4().hex[:8])
    spider = Spider(name="unit")
    a = ReliablePriorityQueue(redis, spider, keys.queue)
    b = ReliablePriorityQueue(redis, spider, keys.queue)
    a.bind(keys, "worker-a")
    b.bind(keys, "worker-b")
    try:
        for i, priority in enumerate((0, 300, 100)):
            a.push(Request(f"http://x.example/{i}", priority=priority))
        redis.sadd(keys.workers, "worker-a", "worker-b")
        redis.set(keys.alive("worker-a"), "1")
        redis.set(keys.seeded, "1")
        first = a.pop()
        assert first.url == "http://x.example/1"  # highest priority first
        second = b.pop()
        assert (len(a), in_flight(redis, keys)) == (1, 2)
        assert not crawl_done(redis, keys)
        assert a.ack(first.meta["_nb_token"]) and not a.ack(first.meta["_nb_token"])
        # worker-b dies (no heartbeat key): its request goes back, with its priority
        assert requeue_dead(redis, keys) == 1
        assert redis.smembers(keys.workers) == {b"worker-a"}
        assert [a.pop().url for _ in range(2)] == [second.url, "http://x.example/0"]
        assert not crawl_done(redis, keys)
        for token in list(redis.hkeys(keys.processing("worker-a"))):
            a.ack(_text(token))
        assert crawl_done(redis, keys)
    finally:
        for key in redis.scan_iter(match=keys.pattern):
            redis.delete(key)


# ----------------------------------------------------------------------------- the sample web


def crawl_sample_web(
    workers: int, tmp: Path
) -> tuple[dict[str, Any], Counter[tuple[str, str, str]], Any]:
    with SampleWeb("before", port=0) as web, pg_archive(tmp) as archive:
        archive.import_registry(parse_yaml(web.registry_yaml()))
        summary = run_distributed(
            archive, redis=REDIS_URL, local_workers=workers, timeout=240, settings_overrides=FAST
        )
        requests = Counter(web.requests())
        # each SampleWeb has its own ports: compare URLs by site and path
        bases = {str(site["base_url"]): str(site["id"]) for site in web.sites}
        found = {
            name: sorted(relative(url, bases) for url in urls)
            for name, urls in archived(archive).items()
        }
        return found, requests, summary


def test_two_and_four_workers_fetch_each_url_once_and_archive_the_same_reports(
    redis: Redis, tmp_path: Path
) -> None:
    one, one_requests, one_summary = crawl_sample_web(1, tmp_path)
    assert len(one["documents"]) > 20
    # URLs the sample web makes a crawler fetch twice on purpose (a 503 once, a stall
    # once: retried) are fetched twice by one worker too; every other URL once.
    retried = {url for url, n in one_requests.items() if n > 1}
    assert all(n <= 2 for n in one_requests.values()), one_requests
    for workers in (2, 4):
        many, many_requests, summary = crawl_sample_web(workers, tmp_path)
        assert many["documents"] == one["documents"]
        assert many["captured"] == one["captured"]
        # Which of two paths reaches a page first may differ between runs (one more empty
        # page of an endless pagination, say): such pages archive nothing either way.
        differing = {
            f"{site}:{target}" for site, _, target in set(many_requests) ^ set(one_requests)
        }
        assert not differing & (set(many["captured"]) | set(one["captured"])), differing
        assert len(differing) <= 2, differing
        duplicated = {url: n for url, n in many_requests.items() if n > 1 and url not in retried}
        assert duplicated == {}, f"{workers} workers fetched these more than once: {duplicated}"
        assert {s: f.reports_found for s, f in summary.sites.items()} == {
            s: f.reports_found for s, f in one_summary.sites.items()
        }


# ----------------------------------------------------------------------------- the large site


class CountingLargeSite(LargeSite):
    """The large site, slowed down a little, counting downloads in progress at once."""

    def __init__(self, pages: int, delay: float) -> None:
        self.delay = delay
        self.active = 0
        self.max_active = 0
        self._count = threading.Lock()
        super().__init__(pages)

    def _handle(self, request: Any) -> Any:
        with self._count:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.delay)
            return super()._handle(request)
        finally:
            with self._count:
                self.active -= 1

    def column_registry(self) -> str:
        """The registry entry starting at each column (the home page's links are not
        report-like enough for the spider to follow)."""
        urls = "".join(
            f"      - {json.dumps(f'{self.base_url}/col/{c}/index.html')}\n"
            for c in range(self.layout.columns)
        )
        return (
            "agencies:\n  - {id: dayang, name: 大样县人民政府, level: county, kind: government}\n"
            f"sites:\n  - id: dayang-gov\n    agency: dayang\n    render: never\n    start_urls:\n{urls}"
        )

    def expected_captures(self) -> set[str]:
        """Every report page, and every listing page that lists a report."""
        lay = self.layout
        listings = {
            f"{self.base_url}/col/{c}/list_{n}.html"
            for c in range(lay.columns)
            for n in range(1, lay.lists_per_column + 1)
            if any(
                self.is_report(a) for a in range((n - 1) * 20, min(n * 20, lay.articles_per_column))
            )
        }
        return listings | set(self.report_urls)


def test_per_host_concurrency_holds_across_four_workers(redis: Redis, tmp_path: Path) -> None:
    with CountingLargeSite(2000, delay=0.05) as site, pg_archive(tmp_path) as archive:
        archive.import_registry(parse_yaml(site.column_registry()))
        settings = {**LARGE, "NIANBAO_HOST_CONCURRENCY": 2, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                    "AUTOTHROTTLE_ENABLED": False}  # fmt: skip
        run_distributed(
            archive, redis=REDIS_URL, local_workers=4, timeout=240, settings_overrides=settings
        )
        assert site.max_active == 2  # reached, never exceeded (each worker alone would allow 8)
        assert set(archived(archive)["captured"]) == site.expected_captures()
        assert Counter(site.requests()).most_common(1)[0][1] == 1


def test_a_worker_killed_mid_crawl_loses_no_request_and_no_capture(
    redis: Redis, tmp_path: Path
) -> None:
    with CountingLargeSite(1500, delay=0.04) as site, pg_archive(tmp_path) as archive:
        archive.import_registry(parse_yaml(site.column_registry()))
        crawl_id = "kill-" + uuid.uuid4().hex[:8]
        result: dict[str, Any] = {}

        def coordinator() -> None:
            try:
                result["summary"] = run_distributed(
                    archive, redis=REDIS_URL, timeout=240, crawl_id=crawl_id,
                    settings_overrides={**LARGE, "NIANBAO_HEARTBEAT": 0.5, "NIANBAO_HEARTBEAT_TTL": 2.0},
                )  # fmt: skip
            except BaseException as exc:  # reported below
                result["error"] = exc

        thread = threading.Thread(target=coordinator)
        thread.start()
        workers = [spawn_worker(archive, REDIS_URL, crawl_id) for _ in range(2)]
        deadline = time.monotonic() + 120
        while len(site.requests()) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(site.requests()) >= 30, "the crawl did not get going"
        keys = CrawlKeys(crawl_id)
        victim = None
        while victim is None and time.monotonic() < deadline:
            # a worker with requests in flight; its id carries its process id
            for worker_id in redis.smembers(keys.workers):
                if redis.hlen(keys.processing(_text(worker_id))) > 0:
                    pid = int(_text(worker_id).rsplit("-", 2)[1])
                    victim = next((w for w in workers if w.pid == pid), None)
                    break
        assert victim is not None, "no worker had requests in flight"
        os.killpg(victim.pid, signal.SIGKILL)  # the worker and its crawl process, mid-crawl
        victim.wait()
        survivor = next(w for w in workers if w is not victim)
        thread.join(timeout=240)
        survivor.wait(timeout=60)
        assert "error" not in result, result.get("error")
        summary = result["summary"]
        assert summary.stats["workers"] == 2
        assert summary.stats["requeued"] >= 1  # the dead worker's in-flight requests
        assert set(archived(archive)["captured"]) == site.expected_captures()
        assert sorted(archived(archive)["documents"]) == sorted(site.report_urls)
        assert summary.sites["dayang-gov"].reports_found == len(site.report_urls)


def test_workers_archiving_the_same_new_report_at_once_lose_no_capture(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from capture.recorder import CaptureRecorder
    from capture.types import FetchedResponse, Role
    from storage.archive import Archive

    with pg_archive(tmp_path) as setup:
        setup.import_registry(
            parse_yaml(
                "agencies:\n  - {id: a, name: 甲县人民政府, level: county, kind: government}\n"
                "sites:\n  - {id: s, agency: a, start_urls: ['http://s.example/']}\n"
            )
        )
        # two workers: two processes' worth of archives (each with its own write lock)
        archives = [Archive(setup.url, data_dir=tmp_path / f"w{i}") for i in range(2)]
        recorders = [CaptureRecorder.open(a) for a in archives]
        years = list(range(2000, 2016))
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def work(i: int) -> None:
            for year in years:
                title = f"甲县人民政府{year}年政府信息公开工作年度报告"
                page = f"<html><head><title>{title}</title></head><body><p>{title} 第{i}部分</p></body></html>"
                barrier.wait()
                try:
                    recorders[i].record(FetchedResponse(
                        url=f"http://s.example/{year}/part{i}.html", status=200, body=page.encode(),
                        fetched_at=datetime.now(UTC), site_id="s", role=Role.REPORT, year=year, title=title,
                        response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    ))  # fmt: skip
                except BaseException as exc:
                    errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r, a in zip(recorders, archives, strict=True):
            r.close()
            a.close()
        assert errors == []
        with setup.session() as s:
            documents = list(s.scalars(select(DocumentRow.url)))
        assert len(documents) == 2 * len(years)
        assert len({d.rsplit("/", 2)[1] for d in documents}) == len(years)
