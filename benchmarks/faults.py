"""Faults in figures: how a crawl ends when it loses its database, its disk or its Redis,
or when its worker is killed — seconds from the fault to the end of `nianbao crawl`,
lines on stderr, tracebacks, and whether `nianbao verify` passes afterwards.

    python -m benchmarks.faults [--site langao-gov] [--db-wait 5] [--redis-wait 5]

Runs on the bundled sample web, SQLite (PostgreSQL and Redis of this machine for their
scenarios, each cut through a TCP proxy), and a 320 KiB tmpfs for the full disk (needs
root; skipped otherwise).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

import sampleweb
from registry.loader import parse_yaml
from sampleweb.tcpproxy import TcpProxy
from storage.archive import Archive

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SLOW = {
    "DOWNLOAD_DELAY": "0.25",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    "AUTOTHROTTLE_ENABLED": "false",
    "NIANBAO_RENDER_ENABLED": "false",
    "NIANBAO_PROGRESS": "false",
}


def sets(settings: dict[str, str]) -> list[str]:
    return [arg for k, v in settings.items() for arg in ("--set", f"{k}={v}")]


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def wait_captures(archive: Archive, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if archive.counts()["captures"] >= n:
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise SystemExit("the crawl did not get going")


def verify(db: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "nianbao", "verify", "--quiet", "--db", db],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    return "passes" if result.returncode == 0 else "FAILS: " + result.stderr.strip()


def report(
    name: str, seconds: float | None, proc: subprocess.Popen[str], stderr: str, ok: str
) -> None:
    lines = stderr.strip().splitlines()
    last = lines[-1] if lines else ""
    took = f"{seconds:5.1f} s" if seconds is not None else "   -   "
    print(
        f"{name:<28} exit {proc.returncode:>3}  stop {took}  stderr {len(lines):>3} lines  "
        f"tracebacks {stderr.count('Traceback'):>2}  verify {ok}"
    )
    print(f"{'':<28} last line: {last[:150]}")


def postgres_cut(web: sampleweb.SampleWeb, site: str, wait: float, tmp: Path) -> None:
    schema = "b_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    proxy = TcpProxy(("127.0.0.1", 5432))
    direct = f"{PG}?options=-csearch_path%3D{schema}"
    via = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test?options=-csearch_path%3D{schema}"
    env = {"NIANBAO_DATA_DIR": str(tmp / "pg")}
    try:
        archive = Archive(direct, data_dir=tmp / "pg")
        archive.import_registry(parse_yaml(web.registry_yaml()))
        proc = start(
            [
                "crawl",
                "--db",
                via,
                "--site",
                site,
                *sets({**SLOW, "NIANBAO_DB_RETRY_SECONDS": str(wait)}),
            ],
            env,
        )
        wait_captures(archive, 2)
        proxy.cut()
        cut = time.monotonic()
        _, stderr = proc.communicate(timeout=600)
        seconds = time.monotonic() - cut
        proxy.restore()
        report(f"PostgreSQL cut (wait {wait:g}s)", seconds, proc, stderr, verify(direct, env))
        archive.close()
    finally:
        proxy.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def redis_cut(web: sampleweb.SampleWeb, site: str, wait: float, tmp: Path) -> None:
    proxy = TcpProxy(("127.0.0.1", 6379))
    db = f"sqlite:///{tmp}/redis.sqlite3"
    env = {"NIANBAO_DATA_DIR": str(tmp / "redis")}
    try:
        archive = Archive(db, data_dir=tmp / "redis")
        archive.import_registry(parse_yaml(web.registry_yaml()))
        proc = start(
            ["crawl", "--db", db, "--site", site, "--distributed", "--workers", "1",
             "--redis", f"redis://127.0.0.1:{proxy.port}/0",
             *sets({**SLOW, "NIANBAO_REDIS_RETRY_SECONDS": str(wait)})],
            env,
        )  # fmt: skip
        wait_captures(archive, 2)
        proxy.cut()
        cut = time.monotonic()
        _, stderr = proc.communicate(timeout=600)
        seconds = time.monotonic() - cut
        report(f"Redis cut (wait {wait:g}s)", seconds, proc, stderr, verify(db, env))
        archive.close()
    finally:
        proxy.close()


def worker_killed(web: sampleweb.SampleWeb, site: str, tmp: Path) -> None:
    db = f"sqlite:///{tmp}/kill.sqlite3"
    env = {"NIANBAO_DATA_DIR": str(tmp / "kill")}
    archive = Archive(db, data_dir=tmp / "kill")
    archive.import_registry(parse_yaml(web.registry_yaml()))
    proc = start(["crawl", "--db", db, "--site", site, *sets(SLOW)], env)
    wait_captures(archive, 3)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    os.kill(int(children[0]), 9)
    killed = time.monotonic()
    _, stderr = proc.communicate(timeout=600)
    report("crawl worker kill -9", time.monotonic() - killed, proc, stderr, verify(db, env))
    archive.close()


def disk_full(web: sampleweb.SampleWeb, site: str, tmp: Path) -> None:
    data = tmp / "full"
    data.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(data)], capture_output=True
    )
    if mounted.returncode != 0:
        print(f"{'disk full':<28} skipped: cannot mount a tmpfs ({mounted.stderr.strip()!r})")
        return
    try:
        db = f"sqlite:///{tmp}/full.sqlite3"
        env = {"NIANBAO_DATA_DIR": str(data)}
        archive = Archive(db, data_dir=data)
        archive.import_registry(parse_yaml(web.registry_yaml()))
        proc = start(
            ["crawl", "--db", db, "--site", site, *sets({**SLOW, "DOWNLOAD_DELAY": "0"})], env
        )
        _, stderr = proc.communicate(timeout=600)
        gz = [
            subprocess.run(["gzip", "-t", str(p)], capture_output=True).returncode
            for p in (data / "warc").glob("*.warc.gz")
        ]
        ok = verify(db, env) + f"; gzip -t {gz.count(0)}/{len(gz)} files whole"
        report("disk full (320 KiB tmpfs)", None, proc, stderr, ok)
        archive.close()
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults")
    parser.add_argument("--site", default="langao-gov")
    parser.add_argument("--db-wait", type=float, default=5.0)
    parser.add_argument("--redis-wait", type=float, default=5.0)
    args = parser.parse_args()
    with sampleweb.SampleWeb(state="before", port=0) as web, tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        postgres_cut(web, args.site, args.db_wait, tmp)
        redis_cut(web, args.site, args.redis_wait, tmp)
        worker_killed(web, args.site, tmp)
        disk_full(web, args.site, tmp)


if __name__ == "__main__":
    main()
