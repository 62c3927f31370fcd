"""Fixity (`nianbao verify`) and crash consistency of ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from archive_helpers import fetched, setup_archive
from paths import TESTS

from capture.types import Role

NIANBAO = [sys.executable, "-m", "nianbao"]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NIANBAO, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def build(archive, n: int = 5) -> None:
    rec = setup_archive(archive)
    for i in range(n):
        rec.record(
            fetched(
                f"http://www.ninghai.gov.cn/col/col1/index_{i}.html",
                f"<html>page {i}</html>".encode() * 50,
                role=Role.LISTING,
            )
        )
    rec.record(
        fetched(
            "http://www.ninghai.gov.cn/col/col1/index_0.html",
            b"<html>page 0</html>" * 50,
            role=Role.LISTING,
        )
    )
    rec.close()


def test_verify_passes_then_names_each_problem(archive, tmp_path: Path) -> None:
    build(archive)
    env = {"NIANBAO_DATA_DIR": str(archive.data_dir)}
    ok = run_cli("verify", "--db", archive.url, env=env)
    assert ok.returncode == 0, ok.stderr
    # a warcinfo record, and 6 exchanges of a response (or revisit) and a request
    assert "verified: 13 records in 1 WARC files read, 6 captures checked" in ok.stdout
    records = list(archive.indexed_records())
    # flip one byte inside the second record's gzip member
    target = records[1]
    path = archive.warc_dir / target.warc_file
    pristine = path.read_bytes()
    data = bytearray(pristine)
    data[target.offset + target.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    bad = run_cli("verify", "--db", archive.url, env=env)
    assert bad.returncode == 1
    assert f"capture {target.capture_id} {target.url}" in bad.stdout
    assert "1 problems" in bad.stderr
    path.write_bytes(pristine)
    path.rename(path.with_suffix(".moved"))
    gone = run_cli("verify", "--db", archive.url, env=env)
    assert gone.returncode == 1
    assert gone.stdout.count("WARC file missing") == 6
    path.with_suffix(".moved").rename(path)


def _members(path: Path) -> list[tuple[int, int, bytes]]:
    """(offset, length, first bytes of the record) of every gzip member of a WARC file."""
    from capture.reader import iter_members

    out = []
    for member in iter_members(path):
        head = member.data.read(200)
        member.data.close()
        out.append((member.offset, member.length, head))
    return out


@pytest.mark.parametrize("record_type", [b"warcinfo", b"request"])
def test_verify_reads_records_the_index_does_not_point_at(archive, record_type: bytes) -> None:
    """A flipped byte in a request or warcinfo record is found: every record of every
    file is read, not only the indexed responses."""
    build(archive)
    env = {"NIANBAO_DATA_DIR": str(archive.data_dir)}
    [path] = archive.warc_dir.glob("*.warc.gz")
    offset, length, _ = next(m for m in _members(path) if b"WARC-Type: " + record_type in m[2])
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = run_cli("verify", "--db", archive.url, env=env)
    assert result.returncode == 1
    assert f"({path.name}@{offset}): gzip data damaged" in result.stdout
    assert subprocess.run(["gzip", "-t", str(path)], capture_output=True).returncode != 0


def test_verify_checks_digests_inside_intact_gzip(archive) -> None:
    """A record rewritten with a valid gzip member but a changed body: its SHA-256 block
    digest no longer matches (the gzip CRC alone would pass)."""
    import gzip

    build(archive)
    env = {"NIANBAO_DATA_DIR": str(archive.data_dir)}
    [path] = archive.warc_dir.glob("*.warc.gz")
    members = _members(path)
    offset, length, _ = next(m for m in members if b"WARC-Type: request" in m[2])
    raw = path.read_bytes()
    record = gzip.decompress(raw[offset : offset + length])
    forged = record.replace(b"nianbao-test", b"nianbao-TEST")
    assert forged != record
    path.write_bytes(raw[:offset] + gzip.compress(forged) + raw[offset + length :])
    assert subprocess.run(["gzip", "-t", str(path)], capture_output=True).returncode == 0
    result = run_cli("verify", "--db", archive.url, env=env)
    assert result.returncode == 1
    assert "block digest" in result.stdout.lower() and f"@{offset}" in result.stdout


def test_verify_reports_unindexed_records_and_files(archive) -> None:
    """Records written but never indexed, and a file no capture points at, are noted;
    they are not damage."""
    from capture.warc import RollingWarcWriter

    build(archive)
    env = {"NIANBAO_DATA_DIR": str(archive.data_dir)}
    writer = RollingWarcWriter(archive.warc_dir, prefix="stray")
    writer.write_exchange(
        fetched("http://www.ninghai.gov.cn/stray.html", b"<html>stray</html>", role=Role.LISTING)
    )
    writer.close()
    result = run_cli("verify", "--db", archive.url, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "response record of http://www.ninghai.gov.cn/stray.html is not indexed" in result.stdout
    assert "no capture of the index points into this file" in result.stdout
    assert "1 records not indexed" in result.stdout


CRASH_SCRIPT = textwrap.dedent(
    """
    import itertools
    from archive_helpers import fetched, setup_archive, report_page, seed_text
    from capture.types import Role
    from storage.archive import Archive
    archive = Archive({url!r}, data_dir={data!r})
    rec = setup_archive(archive)
    print("ready", flush=True)
    for i in itertools.count():
        rec.record(fetched(f"http://www.ninghai.gov.cn/col/col1/index_{{i}}.html", (b"<html>%d</html>" % i) * 300, role=Role.LISTING))
    """
)


@pytest.mark.parametrize("kill_after", [0.3, 0.9])
def test_kill_mid_crawl_leaves_warc_and_sql_consistent(
    db_url: str, tmp_path: Path, kill_after: float
) -> None:
    data = tmp_path / "data"
    script = CRASH_SCRIPT.format(url=db_url, data=str(data))
    # run in tests/, where ``python -c`` finds archive_helpers; the project is installed
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=TESTS
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    from storage.archive import Archive

    archive = Archive(db_url, data_dir=data)
    indexed = list(archive.indexed_records())
    assert indexed, "the writer made no progress before the kill"
    from capture.fixity import verify

    checked, problems = verify(archive.warc_dir, indexed)
    assert problems == [] and checked == len(indexed)
    # The next run completes the work: it appends to a new WARC file and verifies.
    rec = setup_archive(archive)
    rec.record(
        fetched(
            "http://www.ninghai.gov.cn/col/col1/after.html",
            b"<html>after</html>",
            role=Role.LISTING,
        )
    )
    rec.close()
    assert verify(archive.warc_dir, archive.indexed_records()) == (len(indexed) + 1, [])
    archive.close()
