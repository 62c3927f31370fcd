"""The archive's guarantees end to end: crawling the sample web into SQLite and
PostgreSQL, crawling it again, and killing a crawl half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import REPO

import sampleweb
from capture.fixity import verify
from crawler.run import crawl
from query.reports import iter_reports
from registry.loader import parse_yaml
from storage.archive import Archive

WARCIO = str(Path(sys.executable).parent / "warcio")
FAST = {
    "DOWNLOAD_TIMEOUT": 2,
    "NIANBAO_RETRY_BACKOFF": 0.05,
    "NIANBAO_WAF_BROWSER_TIMEOUT": 2.0,
    "NIANBAO_PROGRESS": False,
}
NO_BROWSER = [s for s in ("ninghai-gov", "langao-gov", "jianzha-gov", "huaian-gov")]


@pytest.fixture
def web():
    with sampleweb.SampleWeb(state="before", port=0, stall_seconds=3.0) as w:
        yield w


def archived_urls(archive: Archive) -> set[str]:
    return {d["url"] for r in iter_reports(archive) for d in r["documents"]}


def expected_urls(web, sites: list[str]) -> set[str]:
    return {u for r in web.truth().expected_reports if r.site in sites for u in r.urls}


def test_crawl_twice_archives_everything_once(db_url: str, tmp_path: Path, web) -> None:
    archive = Archive(db_url, data_dir=tmp_path / "data")
    archive.import_registry(parse_yaml(web.registry_yaml()))
    first = crawl(archive, NO_BROWSER, settings_overrides=FAST)
    assert first.outcome in ("success", "partial")
    want = expected_urls(web, NO_BROWSER)
    got = archived_urls(archive)
    assert want <= got, f"missing: {sorted(want - got)}"
    forbidden = {u for r in web.truth().robots_forbidden for u in r.urls}
    assert not (forbidden & got)
    unregistered = {r["agency_name"] for r in iter_reports(archive) if not r["registered"]}
    truth_unregistered = {
        r.agency for r in web.truth().expected_reports if not r.registered and r.site in NO_BROWSER
    }
    assert truth_unregistered and truth_unregistered <= {n for n in unregistered} | set()
    warc_after_first = sum(p.stat().st_size for p in archive.warc_dir.glob("*.warc.gz"))
    counts_first = archive.counts()

    # every known document is re-verified (conditionally), so each is observed again
    second = crawl(archive, NO_BROWSER, settings_overrides={**FAST, "NIANBAO_REVERIFY_DAYS": 0})
    assert second.outcome in ("success", "partial")
    assert sum(f.new_versions for f in second.sites.values()) == 0
    counts_second = archive.counts()
    assert counts_second["versions"] == counts_first["versions"]
    assert counts_second["observations"] > counts_first["observations"]
    warc_second = (
        sum(p.stat().st_size for p in archive.warc_dir.glob("*.warc.gz")) - warc_after_first
    )
    assert warc_second < warc_after_first * 0.25, (warc_second, warc_after_first)

    checked, problems = verify(archive.warc_dir, archive.indexed_records())
    assert problems == [] and checked == counts_second["captures"]
    for path in archive.warc_dir.glob("*.warc.gz"):
        out = subprocess.run(
            [WARCIO, "check", str(path)], capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, out.stdout + out.stderr
    archive.close()


def test_crawl_killed_midway_is_consistent_and_completes(tmp_path: Path, web) -> None:
    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    data = tmp_path / "data"
    archive = Archive(db, data_dir=data)
    archive.import_registry(parse_yaml(web.registry_yaml()))
    env = {**os.environ, "NIANBAO_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nianbao",
            "crawl",
            "--db",
            db,
            *[a for s in NO_BROWSER for a in ("--site", s)],
            "--set",
            "DOWNLOAD_TIMEOUT=2",
            "--set",
            "NIANBAO_PROGRESS=false",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and archive.counts()["versions"] < 5:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = archive.counts()
    assert partial["versions"] >= 5, partial
    checked, problems = verify(archive.warc_dir, archive.indexed_records())
    assert problems == [] and checked == partial["captures"]

    crawl(archive, NO_BROWSER, settings_overrides=FAST)
    want = expected_urls(web, NO_BROWSER)
    assert want <= archived_urls(archive)
    checked, problems = verify(archive.warc_dir, archive.indexed_records())
    assert problems == []
    archive.close()
