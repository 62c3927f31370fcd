"""Run a crawl of registry sites and store its statistics: the API behind `nianbao crawl`.

    from crawler.run import crawl
    summary = crawl(archive, ["ninghai-gov"])          # or crawl(archive) for every site
    print(summary.outcome, summary.sites["ninghai-gov"].reports_found)

The crawl itself runs in a child process (`crawler.worker`): Twisted's reactor cannot be
restarted, and a process per crawl keeps the caller free to crawl again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from capture.liveness import alive_since, hostname
from capture.warc import ensure_writable
from crawler import settings as crawl_settings
from crawler.sitestats import SiteFigures
from storage.db import DatabaseUnavailable, retrying
from storage.vocab import RunOutcome


class CrawlError(RuntimeError):
    """The crawl process failed before it could report its figures."""


@dataclass
class RunSummary:
    run_id: int
    outcome: str
    """success | partial | failed | blocked"""
    elapsed: float
    sites: dict[str, SiteFigures] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    """The crawl's raw Scrapy stats (numbers and strings)."""

    def table(self) -> Table:
        """The per-site summary printed at the end of `nianbao crawl`."""
        table = Table(title=f"crawl run {self.run_id}: {self.outcome} in {self.elapsed:.1f}s")
        for column in (
            "site",
            "outcome",
            "requests",
            "pages",
            "MB",
            "reports",
            "new versions",
            "errors",
        ):
            table.add_column(
                column,
                justify="left" if column in ("site", "outcome", "errors") else "right",
                overflow="fold",
                min_width=len(column) if column != "site" else 12,
            )
        for figures in self.sites.values():
            errors = ", ".join(f"{k} {v}" for k, v in sorted(figures.errors.items())) or "-"
            table.add_row(
                figures.site_id,
                figures.outcome,
                str(figures.requests),
                str(figures.pages),
                f"{figures.bytes / 1e6:.2f}",
                str(figures.reports_found),
                str(figures.new_versions),
                errors,
            )
        return table


def overall_outcome(sites: dict[str, SiteFigures]) -> str:
    outcomes = {f.outcome for f in sites.values()}
    if not outcomes:
        return RunOutcome.FAILED
    if len(outcomes) == 1:
        return outcomes.pop()
    return RunOutcome.PARTIAL


TEMP_PREFIX = "nianbao-crawl-"
TEMP_LOCK = ".in-use"
PARENT_DB_WAIT = 10.0


@dataclass(frozen=True)
class TempFolder:
    path: Path
    lock_fd: int
    """An open file holding the folder's lock (``flock``). Give it to the child processes
    that use the folder (``subprocess.Popen(..., pass_fds=[lock_fd])``): the lock is held
    as long as any of them lives, so that the folder of a killed process is not removed
    while its orphaned child still writes there."""


@contextlib.contextmanager
def temp_folder(prefix: str = TEMP_PREFIX) -> Iterator[TempFolder]:
    """A temporary folder named after this process (``<prefix><pid>-…``) and locked while
    this process or a child given its ``lock_fd`` lives, so that one left behind by a
    killed process can be told from one in use; removed on exit. The stale folders of
    dead processes are removed first (:func:`remove_stale_temp`)."""
    remove_stale_temp(prefix)
    with tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-") as tmp:
        fd = os.open(Path(tmp) / TEMP_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield TempFolder(Path(tmp), fd)
        finally:
            os.close(fd)


def remove_stale_temp(prefix: str = TEMP_PREFIX) -> list[Path]:
    """Remove the temporary folders of this host's dead crawl processes (killed before
    they could remove their own): those whose process is gone (or whose pid now belongs
    to a process started after the folder was made) and whose lock no process holds —
    the child of a killed process (a crawl's worker) keeps the folder until it ends too.
    Folders of the older unnamed form are removed once a day old."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        named = re.match(r"(\d+)-", folder.name[len(prefix) :])
        try:
            made = folder.stat().st_mtime
        except OSError:
            continue
        if named:
            stale = alive_since(hostname(), int(named.group(1)), made) is False
        else:
            stale = time.time() - made > 86400
        if stale and folder.is_dir():
            with _unless_in_use(folder) as free:
                if free:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
    return removed


@contextlib.contextmanager
def _unless_in_use(folder: Path) -> Iterator[bool]:
    """Take the folder's lock if no process holds it: True (held until the end of the
    block) when taken or when the folder has no lock file (the older form, or its process
    died before locking it), False when it is held."""
    fd = None
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(folder / TEMP_LOCK, os.O_RDWR | os.O_CLOEXEC)
    if fd is None:
        yield True
        return
    try:
        free = True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            free = False
        yield free
    finally:
        os.close(fd)


def crawl(
    archive: Any,
    site_ids: list[str] | None = None,
    *,
    settings_overrides: dict[str, Any] | None = None,
    trigger: str = "manual",
) -> RunSummary:
    """Crawl the given registry sites (all when None), record the run and its per-site
    statistics in the archive, and return them. Unknown site ids raise KeyError before
    anything is fetched.

    The run is recorded with this process as its owner, which beats a heartbeat while
    the crawl goes on; if this process dies, the crawl process stops and ``nianbao runs``
    shows the run ``crashed``. A crawl that cannot reach the database, or write its WARC
    files, raises :class:`CrawlError` with one line saying why."""
    from storage.runs import RUN_HEARTBEAT

    sites = archive.sites(site_ids or None)
    ids = [site.id for site in sites]
    if not ids:
        raise ValueError("the registry has no sites to crawl")
    archive.reap_crashed()
    ensure_writable(archive.warc_dir)  # a read-only or missing disk: say so before starting
    run_id = archive.begin_run(ids, trigger=trigger)
    overrides = dict(settings_overrides or {})
    # to record the run's end: as long as the crawl waits, at most PARENT_DB_WAIT (the
    # crawl has waited already when it stopped for the database)
    db_retry = min(
        float(overrides.get("NIANBAO_DB_RETRY_SECONDS", crawl_settings.NIANBAO_DB_RETRY_SECONDS)),
        PARENT_DB_WAIT,
    )
    with temp_folder() as tmp:
        summary_file = tmp.path / "summary.json"
        job_file = tmp.path / "job.json"
        settings = {
            "NIANBAO_DB": archive.url,
            "NIANBAO_DATA_DIR": str(archive.data_dir),
            "NIANBAO_RUN_ID": run_id,
            **overrides,
            "NIANBAO_SUMMARY_FILE": str(summary_file),
        }
        job_file.write_text(
            json.dumps({"site_ids": ids, "run_id": run_id, "settings": settings}), encoding="utf-8"
        )
        # the worker holds the folder's lock too: a killed parent's folder stays its own
        child = subprocess.Popen(
            [sys.executable, "-m", "crawler.worker", str(job_file)], pass_fds=[tmp.lock_fd]
        )
        try:
            while True:
                try:
                    returncode = child.wait(timeout=RUN_HEARTBEAT.total_seconds())
                    break
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(Exception):  # a database blip: beat next time
                        archive.heartbeat_run(run_id)
        except BaseException:
            child.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=30)
            child.kill()
            raise
        data = (
            json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else None
        )
    if returncode != 0 or data is None:
        _end(archive, run_id, RunOutcome.FAILED, {}, db_retry, f"crawl run {run_id} failed")
        raise CrawlError(f"crawl run {run_id} failed (exit {returncode}); its log is above")
    fatal = data.get("stats", {}).get("nianbao/fatal")
    if fatal:
        _end(
            archive, run_id, RunOutcome.FAILED, {}, db_retry, f"crawl run {run_id} stopped: {fatal}"
        )
        raise CrawlError(f"crawl run {run_id} stopped: {fatal}")
    figures = {site_id: SiteFigures(**values) for site_id, values in data["sites"].items()}
    outcome = overall_outcome(figures)
    _end(
        archive,
        run_id,
        outcome,
        {k: v.as_dict() for k, v in figures.items()},
        db_retry,
        f"crawl run {run_id} ended ({outcome})",
    )
    return RunSummary(
        run_id=run_id,
        outcome=outcome,
        elapsed=float(data["elapsed"]),
        sites=figures,
        stats=data.get("stats", {}),
    )


def _end(
    archive: Any,
    run_id: int,
    outcome: str,
    site_stats: dict[str, Any],
    db_retry: float,
    what: str,
) -> None:
    """End the run in the archive, waiting out a database outage; if the database stays
    away, say so in one line (the run will show ``crashed`` once this process is gone)."""
    try:
        retrying(lambda: archive.end_run(run_id, outcome=outcome, site_stats=site_stats), db_retry)
    except DatabaseUnavailable as exc:
        raise CrawlError(
            f"{what}; its end could not be recorded (the database is still unavailable): "
            "`nianbao runs` will show it crashed"
        ) from exc
