"""Site locks after a crash: a dead holder on this host is taken over at once, an archivist
can list the locks and release one by hand, and `nianbao runs` shows crashed runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive_helpers import setup_archive

from ops.locks import LeaseLocks, holder_alive, holder_id, list_locks, site_lock_name
from storage.archive import Archive

HOLD = textwrap.dedent(
    """
    import sys, time
    from ops.locks import LeaseLocks, site_lock_name
    from storage.archive import Archive
    archive = Archive({url!r}, data_dir={data!r})
    assert LeaseLocks(archive).acquire(site_lock_name("ninghai-gov"))
    run = archive.begin_run(["ninghai-gov"])
    print(run, flush=True)
    time.sleep(600)
    """
)


def nianbao(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NIANBAO_DATA_DIR": str(data)},
    )


def _killed_holder(archive: Archive) -> int:
    """A process that took the site's lock and began a run, then was killed (-9)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(url=archive.url, data=str(archive.data_dir))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    run_id = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return run_id


def test_a_dead_holder_is_taken_over_at_once_and_its_run_shows_crashed(
    archive: Archive,
) -> None:
    setup_archive(archive).close()
    run_id = _killed_holder(archive)
    name = site_lock_name("ninghai-gov")
    [lock] = list_locks(archive)
    assert lock.name == name and lock.state == "dead holder"
    assert lock.expires_at > datetime.now(UTC)  # the lease itself has not lapsed
    listed = nianbao("locks", "list", "--db", archive.url, data=archive.data_dir)
    assert listed.returncode == 0 and "dead holder" in listed.stdout
    runs = nianbao("runs", "--db", archive.url, "--format", "jsonl", data=archive.data_dir)
    assert f'"run_id": {run_id}' in runs.stdout and '"outcome": "crashed"' in runs.stdout
    crashed = nianbao("runs", "--db", archive.url, "--outcome", "crashed", data=archive.data_dir)
    assert crashed.returncode == 0 and "ninghai-gov" in crashed.stdout
    # the next taker does not wait for the lease to lapse
    assert LeaseLocks(archive).acquire(name)


def test_locks_of_live_and_remote_holders_are_kept_unless_released_by_hand(
    archive: Archive,
) -> None:
    setup_archive(archive).close()
    mine = LeaseLocks(archive)  # this process: alive
    assert mine.acquire("site:ninghai-gov")
    assert holder_alive(mine.holder) is True
    other_host = LeaseLocks(archive, "elsewhere:4242:1.00:cafe0001")
    assert holder_alive(other_host.holder) is None
    assert other_host.acquire("site:remote-gov")
    assert not LeaseLocks(archive).acquire("site:remote-gov")  # unknown liveness: wait
    expired = LeaseLocks(archive, "elsewhere:4243:1.00:cafe0002")
    assert expired.acquire(
        "site:old-gov", timedelta(seconds=1), now=datetime.now(UTC) - timedelta(hours=1)
    )
    states = {lock.name: lock.state for lock in list_locks(archive)}
    assert states == {
        "site:ninghai-gov": "held",
        "site:remote-gov": "held",
        "site:old-gov": "expired",
    }

    data = archive.data_dir
    refused = nianbao("locks", "release", "ninghai-gov", "--db", archive.url, data=data)
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("nianbao: site:ninghai-gov is locked by ") and "--force" in line
    forced = nianbao("locks", "release", "ninghai-gov", "--force", "--db", archive.url, data=data)
    assert forced.returncode == 0 and "released site:ninghai-gov" in forced.stdout
    gone = nianbao("locks", "release", "site:old-gov", "--db", archive.url, data=data)
    assert gone.returncode == 0, gone.stderr
    missing = nianbao("locks", "release", "nosuch-gov", "--db", archive.url, data=data)
    assert missing.returncode == 1 and "no lock named 'site:nosuch-gov'" in missing.stderr
    assert {lock.name for lock in list_locks(archive)} == {"site:remote-gov"}


def test_holder_names_carry_the_process_start_time() -> None:
    host, pid, start, tag = holder_id().rsplit(":", 3)
    assert int(pid) == os.getpid() and float(start) > 0 and len(tag) == 8
    # the same pid with another start time is another (dead) process: pid reuse
    assert holder_alive(f"{host}:{pid}:{float(start) - 3600:.2f}:{tag}") is False
    assert holder_alive("old-form-holder:123:abcdef12") is None
