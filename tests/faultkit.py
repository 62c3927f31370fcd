"""Tools of the fault-injection tests: processes to find and kill, the CLI; the TCP proxy
the tests cut is sampleweb.tcpproxy.TcpProxy (the fault benchmark uses it too)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sampleweb.tcpproxy import TcpProxy

__all__ = [
    "TcpProxy",
    "children",
    "crawl_temp_folders",
    "kill9",
    "nianbao",
    "start_nianbao",
    "wait_for",
]


def children(pid: int) -> list[int]:
    """The child processes of ``pid``."""
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                out += [int(p) for p in fh.read().split()]
    return out


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def kill9(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def nianbao(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def start_nianbao(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def crawl_temp_folders(*pids: int) -> set[Path]:
    """The crawl temporary folders of these processes (``crawler.run.temp_folder`` names
    them ``nianbao-crawl-<pid>-…``). Those of other processes are not looked at: tests
    running in parallel make and remove theirs at any time."""
    import tempfile

    tmp = Path(tempfile.gettempdir())
    return {folder for pid in pids for folder in tmp.glob(f"nianbao-crawl-{pid}-*")}
