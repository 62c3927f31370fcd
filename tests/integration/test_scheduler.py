"""The scheduler: due crawls start once each, across restarts, crashes and rival schedulers."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ops import due as due_slots
from ops.locks import LeaseLocks, LockBusy, site_locks
from ops.scheduler import Scheduler
from ops.site_schedules import set_default, set_site, site_schedules
from registry.loader import parse_yaml

REGISTRY = """
agencies:
  - {id: a, name: 甲县人民政府, level: county, kind: government}
sites:
  - {id: s1, agency: a, start_urls: ["http://s1.example/"]}
  - {id: s2, agency: a, start_urls: ["http://s2.example/"], schedule: "30 2 * * *"}
  - {id: s3, agency: a, start_urls: ["http://s3.example/"]}
"""

T0 = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)  # midnight, 1 March, Shanghai: mid-season


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Crawls:
    """A crawl callable recording what was crawled when; it records real runs."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls: list[tuple[datetime, list[str]]] = []
        self.lock = threading.Lock()

    def __call__(self, archive, site_ids: list[str]) -> int:
        with self.lock:
            self.calls.append((self.clock(), sorted(site_ids)))
        run_id = archive.begin_run(site_ids, trigger="schedule")
        archive.end_run(run_id, outcome="success", site_stats={s: {"pages": 1} for s in site_ids})
        return run_id


def expected_slots(archive, start: datetime, end: datetime) -> Counter[tuple[str, datetime]]:
    out: Counter[tuple[str, datetime]] = Counter()
    for sched in site_schedules(archive):
        first = sched.schedule.last_at_or_before(start)
        assert first is not None
        out[(sched.site_id, first)] += 1
        for t in sched.schedule.between(start, end):
            out[(sched.site_id, t)] += 1
    return out


def crawled_slots(archive) -> Counter[tuple[str, datetime]]:
    rows = due_slots.slot_history(archive, limit=10_000)
    assert all(r["state"] == "done" for r in rows), rows
    return Counter((str(r["site_id"]), r["slot_at"]) for r in rows)  # type: ignore[misc]


@pytest.fixture
def sites(archive):
    archive.import_registry(parse_yaml(REGISTRY))
    set_site(archive, "s1", "0 3 * * *")
    return archive


def test_restarted_mid_season_runs_each_due_crawl_exactly_once(sites) -> None:
    archive = sites
    clock = Clock(T0)
    crawls = Crawls(clock)
    end = T0 + timedelta(days=6)
    scheduler = Scheduler(archive, crawls, clock=clock)
    while clock.now < end:
        if clock.now == T0 + timedelta(days=3, hours=2):  # restart: a new process, a new holder
            scheduler = Scheduler(archive, crawls, clock=clock)
        scheduler.tick()
        scheduler.tick()  # a second pass at the same moment starts nothing
        clock.now += timedelta(hours=1)
    expected = expected_slots(archive, T0, clock.now - timedelta(hours=1))
    assert crawled_slots(archive) == expected
    assert set(expected.values()) == {1}
    crawled = Counter(site for _, group in crawls.calls for site in group)
    assert crawled == Counter(site for site, _ in expected)
    # s3 follows the seasonal default: daily in March; s2 its registry cron at 02:30
    assert crawled["s3"] == 7 and crawled["s2"] == 7
    assert all(len(group) == len(set(group)) for _, group in crawls.calls)


def test_slots_missed_while_down_are_covered_by_one_crawl(sites) -> None:
    archive = sites
    clock = Clock(T0)
    crawls = Crawls(clock)
    Scheduler(archive, crawls, clock=clock).tick()
    clock.now = T0 + timedelta(
        days=4, hours=12
    )  # off from 1 to 5 March: slots of 1–5 March, one crawl
    result = Scheduler(archive, crawls, clock=clock).tick()
    assert sorted(site for site, _ in result.claimed) == ["s1", "s2", "s3"]
    rows = [r for r in due_slots.slot_history(archive) if r["site_id"] == "s1"]
    assert rows[0]["detail"] == "covers 4 earlier slot(s) missed while no scheduler ran"
    assert len(crawls.calls) == 2


class Killed(BaseException):
    """The scheduler process dies mid-crawl (nothing after this point runs)."""


def test_a_crawl_interrupted_by_a_dying_scheduler_is_resumed_once(sites) -> None:
    archive = sites
    clock = Clock(T0)
    crawls = Crawls(clock)

    def dying(archive, site_ids: list[str]) -> int:
        raise Killed

    first = Scheduler(archive, dying, clock=clock, lease=timedelta(minutes=5))
    with pytest.raises(Killed):
        first.tick()
    states = {r["state"] for r in due_slots.slot_history(archive)}
    assert states == {"running"}
    # another scheduler within the lease does not touch the running slots
    clock.now += timedelta(minutes=2)
    assert Scheduler(archive, crawls, clock=clock).tick().claimed == []
    # once the dead holder's lease has lapsed, the crawl is resumed, once
    clock.now += timedelta(minutes=10)
    second = Scheduler(archive, crawls, clock=clock)
    assert len(second.tick().claimed) == 3
    assert second.tick().claimed == []
    rows = due_slots.slot_history(archive)
    assert [(r["state"], r["attempts"]) for r in rows] == [("done", 2)] * 3


def test_two_schedulers_at_once_start_each_crawl_once(sites) -> None:
    archive = sites
    clock = Clock(T0)
    crawls = Crawls(clock)
    schedulers = [Scheduler(archive, crawls, clock=clock) for _ in range(3)]
    threads = [threading.Thread(target=s.tick) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    crawled = Counter(site for _, group in crawls.calls for site in group)
    assert crawled == Counter({"s1": 1, "s2": 1, "s3": 1})


def test_a_site_being_crawled_is_not_crawled_again_until_it_is_free(sites) -> None:
    archive = sites
    clock = Clock(T0)
    crawls = Crawls(clock)
    scheduler = Scheduler(archive, crawls, clock=clock)
    with site_locks(archive, ["s2"]):  # e.g. an archivist's `nianbao crawl` of s2
        result = scheduler.tick()
        assert result.busy == ["s2"]
        assert sorted(s for s, _ in result.claimed) == ["s1", "s3"]
        with (
            pytest.raises(LockBusy, match="site:s2 is locked by"),
            site_locks(archive, ["s1", "s2"]),
        ):
            pass
        clock.now += timedelta(minutes=1)
        assert scheduler.tick().claimed == []
    clock.now += timedelta(minutes=1)
    result = scheduler.tick()
    assert [s for s, _ in result.claimed] == ["s2"]
    assert Counter(site for _, group in crawls.calls for site in group) == Counter(
        {"s1": 1, "s2": 1, "s3": 1}
    )


def test_a_failed_crawl_is_recorded_and_the_next_slot_still_runs(sites) -> None:
    archive = sites
    set_default(archive, "0 3 * * *")
    clock = Clock(T0)

    def broken(archive, site_ids: list[str]) -> int:
        raise RuntimeError("crawler exploded")

    result = Scheduler(archive, broken, clock=clock).tick()
    assert result.error == "RuntimeError: crawler exploded"
    assert {r["state"] for r in due_slots.slot_history(archive)} == {"failed"}
    clock.now += timedelta(days=1)
    crawls = Crawls(clock)
    assert len(Scheduler(archive, crawls, clock=clock).tick().claimed) == 3


def test_leases_expire_and_are_renewed(archive) -> None:
    a, b = LeaseLocks(archive, "host-a"), LeaseLocks(archive, "host-b")
    now = datetime.now(UTC)
    assert a.acquire("site:x", timedelta(seconds=30), now=now)
    assert a.acquire("site:x", timedelta(seconds=30), now=now)  # re-entrant for its holder
    assert not b.acquire("site:x", timedelta(seconds=30), now=now + timedelta(seconds=10))
    assert a.renew("site:x", timedelta(seconds=30), now=now + timedelta(seconds=20))
    assert not b.acquire("site:x", timedelta(seconds=30), now=now + timedelta(seconds=40))
    assert b.acquire("site:x", timedelta(seconds=30), now=now + timedelta(seconds=60))  # a died
    assert not a.renew("site:x", timedelta(seconds=30), now=now + timedelta(seconds=61))
    b.release("site:x")
    assert b.holder_of("site:x") is None


def test_the_scheduler_runs_the_real_crawler_once_per_slot(archive) -> None:
    from ops.crawl_runner import local_crawl
    from ops.runs import site_runs
    from sampleweb.web import SampleWeb

    with SampleWeb("before", port=0) as web:
        archive.import_registry(parse_yaml(web.registry_yaml()))
        settings = {
            "NIANBAO_PROGRESS": "off",
            "NIANBAO_RENDER_ENABLED": False,
            "DOWNLOAD_TIMEOUT": 2,
        }
        scheduler = Scheduler(archive, local_crawl(settings))
        first = scheduler.tick()
        assert first.error is None and first.run_id is not None
        assert len(first.claimed) == len(web.sites)
        fetched = len(web.requests())
        assert (
            Scheduler(archive, local_crawl(settings)).tick().claimed == []
        )  # a restart: nothing due
        assert len(web.requests()) == fetched
    rows = site_runs(archive, run_id=first.run_id)
    assert {r["trigger"] for r in rows} == {"schedule"}
    assert sum(r["reports_found"] for r in rows) > 20
    assert {r["state"] for r in due_slots.slot_history(archive)} == {"done"}
