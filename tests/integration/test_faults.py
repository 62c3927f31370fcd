"""Fault injection on real servers: the crawl (`nianbao crawl`, its worker process, the
sample web on loopback, SQLite or PostgreSQL) is killed, loses its database or its disk.

After each fault: one clear line and no traceback, `nianbao verify` passes, the run is
not left `running`, no lock or temporary folder blocks anything, and the next crawl
completes the archive — every report of the site — with nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultkit import (
    TcpProxy,
    children,
    crawl_temp_folders,
    kill9,
    nianbao,
    start_nianbao,
    wait_for,
)

import sampleweb
from capture.fixity import verify_archive
from crawler.links import canonical_url
from crawler.run import crawl
from ops.locks import site_locks
from registry.loader import parse_yaml
from storage.archive import Archive

SITE = "langao-gov"
SLOW = {
    # one request at a time, a quarter second apart: a crawl of the site takes seconds,
    # long enough to be hit in the middle
    "DOWNLOAD_DELAY": "0.25",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    "AUTOTHROTTLE_ENABLED": "false",
    "DOWNLOAD_TIMEOUT": "3",
    "NIANBAO_RETRY_BACKOFF": "0.05",
    "NIANBAO_RENDER_ENABLED": "false",
    "NIANBAO_PROGRESS": "false",
    "NIANBAO_DB_RETRY_SECONDS": "2",
    "NIANBAO_INGEST_FLUSH_SECONDS": "0.1",
}
FAST = {**SLOW, "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}


def sets(settings: dict[str, str]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("--set", f"{name}={value}")]


@pytest.fixture(scope="module")
def web() -> Iterator[sampleweb.SampleWeb]:
    with sampleweb.SampleWeb(state="before", port=0) as w:
        yield w


def make_archive(url: str, data: Path, web: sampleweb.SampleWeb) -> Archive:
    archive = Archive(url, data_dir=data)
    archive.import_registry(parse_yaml(web.registry_yaml()))
    return archive


def assert_complete(archive: Archive, web: sampleweb.SampleWeb) -> None:
    """Every report of the site (page and files) is in the archive."""
    want = {
        canonical_url(u) for r in web.truth().expected_reports if r.site == SITE for u in r.urls
    }
    known = {canonical_url(d.url) for d in archive.known_documents(SITE)}
    assert want and want <= known, f"missing: {sorted(want - known)}"


def assert_verified(archive: Archive, *, torn_allowed: bool = True) -> None:
    """What `nianbao verify` checks (capture.fixity.verify_archive): no problem at all;
    the torn last record of a killed writer is a note, until the next crawl cuts it."""
    report = verify_archive(archive)
    assert report.problems == [], report.problems
    assert report.records > 0 and report.indexed > 0
    torn = [n for n in report.notes if "incomplete record" in n.note]
    if not torn_allowed:
        assert torn == [], torn


def assert_one_line(stderr: str, start: str) -> str:
    """The command's own message is one line, and nothing on stderr is a traceback."""
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(start), stderr
    return last


def captures(archive: Archive) -> int:
    try:
        return archive.counts()["captures"]
    except Exception:  # the database is being cut: not yet
        return 0


def run_outcome(archive: Archive) -> str:
    """The outcome of the latest run, as `nianbao runs` shows it (crashed runs marked)."""
    from ops.runs import reap_crashed

    reap_crashed(archive)
    return str(archive.runs(limit=1)[0]["outcome"])


def next_crawl_completes(archive: Archive, web: sampleweb.SampleWeb, *dead: int) -> None:
    """The next crawl, under the site's lock as `nianbao crawl` takes it: not blocked by
    the dead crawl's lock, it completes every report, leaves no torn record, no temporary
    folder of its own and none of the ``dead`` crawl processes (it removed them)."""
    with site_locks(archive, [SITE]):
        summary = crawl(archive, [SITE], settings_overrides=dict(FAST))
    assert summary.outcome == "success"
    assert run_outcome(archive) == "success"
    assert_complete(archive, web)
    assert_verified(archive, torn_allowed=False)
    left = crawl_temp_folders(os.getpid(), *dead)
    assert not left, f"temporary folders of ended crawls are left: {left}"


# -- kill -9 ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("victim", "after"),
    [("worker", 1), ("worker", 8), ("parent", 3), ("both", 5)],
)
def test_kill9_of_the_crawl_and_its_worker(
    tmp_path: Path, web: sampleweb.SampleWeb, victim: str, after: int
) -> None:
    db = f"sqlite:///{tmp_path}/a.sqlite3"
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    archive = make_archive(db, tmp_path / "data", web)
    crawl = start_nianbao("crawl", "--db", db, "--site", SITE, *sets(SLOW), env=env)
    wait_for(lambda: captures(archive) >= after, 60, f"{after} captures")
    worker = wait_for(lambda: children(crawl.pid), 10, "the crawl's worker")[0]  # type: ignore[index]
    if victim in ("worker", "both"):
        kill9(worker)
    if victim in ("parent", "both"):
        kill9(crawl.pid)
    _, stderr = crawl.communicate(timeout=60)
    if victim == "worker":
        # the parent outlives its worker: it says so in one line and ends the run
        assert crawl.returncode == 1
        assert_one_line(stderr, "nianbao: crawl run 1 failed (exit -9)")
        assert run_outcome(archive) == "failed"
    else:
        # the worker of a dead parent stops by itself (cleanly) within seconds
        wait_for(lambda: not Path(f"/proc/{worker}").exists() or _zombie(worker), 30, "worker")
        assert "Traceback" not in stderr
        runs = nianbao("runs", "--db", db, "--format", "jsonl", env=env)
        assert '"outcome": "crashed"' in runs.stdout, runs.stdout
        locks = nianbao("locks", "list", "--db", db, env=env)
        assert "dead holder" in locks.stdout, locks.stdout
    assert captures(archive) >= after
    assert_verified(archive)
    next_crawl_completes(archive, web, crawl.pid)
    archive.close()


def test_the_folder_of_a_killed_crawl_is_kept_while_its_worker_lives(
    tmp_path: Path, web: sampleweb.SampleWeb
) -> None:
    """The temporary folder of a killed `nianbao crawl` is not another crawl's to remove
    while the orphaned worker still runs (it writes its summary there when it stops): with
    the worker paused, the parent killed, the cleanup every crawl makes first leaves it;
    once the worker has stopped, the next crawl removes it."""
    from crawler.run import remove_stale_temp

    db = f"sqlite:///{tmp_path}/a.sqlite3"
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    archive = make_archive(db, tmp_path / "data", web)
    crawl = start_nianbao("crawl", "--db", db, "--site", SITE, *sets(SLOW), env=env)
    wait_for(lambda: captures(archive) >= 1, 60, "a capture")
    worker = wait_for(lambda: children(crawl.pid), 10, "the crawl's worker")[0]  # type: ignore[index]
    (folder,) = crawl_temp_folders(crawl.pid)
    os.kill(worker, signal.SIGSTOP)
    try:
        kill9(crawl.pid)
        crawl.wait(timeout=30)
        assert folder not in remove_stale_temp()
        assert (folder / "job.json").exists()
    finally:
        os.kill(worker, signal.SIGCONT)
    # the worker sees its parent gone, stops cleanly and writes its summary in the folder
    _, stderr = crawl.communicate(timeout=60)
    wait_for(lambda: not Path(f"/proc/{worker}").exists() or _zombie(worker), 30, "worker")
    assert "Traceback" not in stderr, stderr  # its summary written
    next_crawl_completes(archive, web, crawl.pid)
    archive.close()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# -- PostgreSQL connection cut ------------------------------------------------------------
@pytest.fixture
def pg_proxy(pg_url: str) -> Iterator[tuple[str, str, TcpProxy]]:
    """(direct URL, URL through a proxy the test cuts, the proxy) of a fresh schema."""
    proxy = TcpProxy(("127.0.0.1", 5432))
    via = pg_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    assert via != pg_url
    yield pg_url, via, proxy
    proxy.close()


def test_postgresql_cut_mid_crawl_stops_cleanly(
    tmp_path: Path, web: sampleweb.SampleWeb, pg_proxy: tuple[str, str, TcpProxy]
) -> None:
    direct, via, proxy = pg_proxy
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    archive = make_archive(direct, tmp_path / "data", web)
    crawl = start_nianbao("crawl", "--db", via, "--site", SITE, *sets(SLOW), env=env)
    wait_for(lambda: captures(archive) >= 2, 60, "captures")
    proxy.cut()
    cut_at = time.monotonic()
    _, stderr = crawl.communicate(timeout=120)
    stopped_after = time.monotonic() - cut_at
    assert crawl.returncode == 1
    last = assert_one_line(
        stderr, "nianbao: crawl run 1 stopped: the archive database is unavailable"
    )
    assert "`nianbao runs` will show it crashed" in last
    assert len(stderr.strip().splitlines()) <= 6, stderr
    # waited NIANBAO_DB_RETRY_SECONDS (2 s) in the crawl, as long to end the run, then stopped
    assert stopped_after < 30, stopped_after
    proxy.restore()
    assert run_outcome(archive) == "crashed"
    assert_verified(archive)
    via_archive = Archive(via, data_dir=tmp_path / "data")
    next_crawl_completes(via_archive, web)
    via_archive.close()
    archive.close()


def test_postgresql_cut_shorter_than_the_wait_loses_nothing(
    tmp_path: Path, web: sampleweb.SampleWeb, pg_proxy: tuple[str, str, TcpProxy]
) -> None:
    """A database back within NIANBAO_DB_RETRY_SECONDS: the crawl waits, then goes on."""
    direct, via, proxy = pg_proxy
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    archive = make_archive(direct, tmp_path / "data", web)
    settings = {**SLOW, "NIANBAO_DB_RETRY_SECONDS": "30"}
    crawl = start_nianbao("crawl", "--db", via, "--site", SITE, *sets(settings), env=env)
    wait_for(lambda: captures(archive) >= 2, 60, "captures")
    proxy.cut()
    time.sleep(2.0)
    proxy.restore()
    _, stderr = crawl.communicate(timeout=180)
    assert crawl.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert proxy.cuts == 1
    assert run_outcome(archive) == "success"
    assert_complete(archive, web)
    assert_verified(archive, torn_allowed=False)
    archive.close()


# -- disk full ----------------------------------------------------------------------------
def test_disk_full_stops_cleanly_and_the_next_crawl_completes(
    tmp_path: Path, web: sampleweb.SampleWeb
) -> None:
    data = tmp_path / "full"
    data.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(data)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here: {mounted.stderr!r}")
    try:
        db = f"sqlite:///{tmp_path}/a.sqlite3"
        env = {"NIANBAO_DATA_DIR": str(data)}
        archive = make_archive(db, data, web)
        result = nianbao("crawl", "--db", db, "--site", SITE, *sets(FAST), env=env)
        assert result.returncode == 1
        last = assert_one_line(result.stderr, "nianbao: crawl run 1 stopped: cannot write WARC")
        assert "No space left on device" in last
        assert run_outcome(archive) == "failed"
        # every WARC file is whole: no torn gzip tail, no empty file
        files = sorted((data / "warc").glob("*.warc.gz"))
        assert files
        for path in files:
            assert path.stat().st_size > 0, path
            gz = subprocess.run(["gzip", "-t", str(path)], capture_output=True)
            assert gz.returncode == 0, (path, gz.stderr)
        assert_verified(archive, torn_allowed=False)
        # room again: the next crawl completes the archive
        subprocess.run(["mount", "-o", "remount,size=64m", str(data)], check=True)
        next_crawl_completes(archive, web)
        archive.close()
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def test_read_only_data_directory_refused_before_crawling(
    tmp_path: Path, web: sampleweb.SampleWeb
) -> None:
    data = tmp_path / "ro"
    data.mkdir()
    db = f"sqlite:///{tmp_path}/a.sqlite3"
    archive = make_archive(db, data, web)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(data)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {mounted.stderr!r}")
    try:
        env = {"NIANBAO_DATA_DIR": str(data)}
        result = nianbao("crawl", "--db", db, "--site", SITE, *sets(FAST), env=env)
        assert result.returncode == 1
        assert_one_line(result.stderr, "nianbao: ")
        assert "not writable" in result.stderr or "Read-only" in result.stderr
        assert archive.runs() == []  # refused before a run began
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)
    archive.close()


# -- Redis cut in a distributed crawl ---------------------------------------------------
@pytest.fixture
def redis_proxy() -> Iterator[tuple[str, TcpProxy]]:
    from redis import Redis

    try:
        Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
    except Exception:
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI and is not reachable at 127.0.0.1:6379")
        pytest.skip("Redis not reachable")
    proxy = TcpProxy(("127.0.0.1", 6379))
    yield f"redis://127.0.0.1:{proxy.port}/0", proxy
    proxy.close()


def _distributed(db: str, redis: str, env: dict[str, str], wait: str) -> subprocess.Popen[str]:
    settings = {**SLOW, "NIANBAO_REDIS_RETRY_SECONDS": wait}
    return start_nianbao(
        "crawl", "--db", db, "--site", SITE, "--distributed", "--redis", redis,
        "--workers", "1", *sets(settings), env=env,
    )  # fmt: skip


def _workers_of(data: Path) -> list[int]:
    """Live `nianbao worker` processes of this test (by their data directory)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (
            b"ops.distributed.worker" in cmd
            and str(data).encode() in cmd
            and not _zombie(int(proc.name))
        ):
            out.append(int(proc.name))
    return out


def test_redis_cut_stops_a_distributed_crawl_cleanly(
    tmp_path: Path, web: sampleweb.SampleWeb, redis_proxy: tuple[str, TcpProxy]
) -> None:
    redis, proxy = redis_proxy
    db = f"sqlite:///{tmp_path}/a.sqlite3"
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    archive = make_archive(db, tmp_path / "data", web)
    crawl_process = _distributed(db, redis, env, "2")
    wait_for(lambda: captures(archive) >= 2, 90, "captures")
    proxy.cut()
    cut_at = time.monotonic()
    _, stderr = crawl_process.communicate(timeout=120)
    stopped_after = time.monotonic() - cut_at
    assert crawl_process.returncode == 1
    assert_one_line(stderr, "nianbao: crawl run 1 stopped: lost Redis at " + redis)
    assert len(stderr.strip().splitlines()) <= 25, stderr
    assert stopped_after < 30, stopped_after
    assert not _workers_of(tmp_path / "data"), "a worker outlived the crawl"
    assert run_outcome(archive) == "failed"
    runs = nianbao("runs", "--db", db, "--format", "jsonl", env=env)
    assert '"outcome": "failed"' in runs.stdout and '"running"' not in runs.stdout
    assert_verified(archive)
    # Redis back: the next distributed crawl completes the archive
    proxy.restore()
    again = _distributed(db, redis, env, "30")
    _, stderr = again.communicate(timeout=180)
    assert again.returncode == 0, stderr
    assert run_outcome(archive) == "success"
    assert_complete(archive, web)
    assert_verified(archive, torn_allowed=False)
    archive.close()


def test_redis_cut_shorter_than_the_wait_loses_nothing(
    tmp_path: Path, web: sampleweb.SampleWeb, redis_proxy: tuple[str, TcpProxy]
) -> None:
    """Redis back within NIANBAO_REDIS_RETRY_SECONDS: the requests made meanwhile wait in
    the worker's backlog, its acks are deferred, and the crawl completes."""
    redis, proxy = redis_proxy
    db = f"sqlite:///{tmp_path}/a.sqlite3"
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    archive = make_archive(db, tmp_path / "data", web)
    crawl_process = _distributed(db, redis, env, "30")
    wait_for(lambda: captures(archive) >= 2, 90, "captures")
    proxy.cut()
    time.sleep(2.0)
    proxy.restore()
    _, stderr = crawl_process.communicate(timeout=180)
    assert crawl_process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "Redis is back" in stderr
    assert run_outcome(archive) == "success"
    assert_complete(archive, web)
    assert_verified(archive, torn_allowed=False)
    archive.close()
