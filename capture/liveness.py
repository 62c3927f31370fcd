"""Is the process that wrote a file, holds a lock or runs a crawl still alive?

A process is named by its host, its pid and its start time: a pid alone is reused by
the kernel, so a pid that is alive but started after the time in question is another
process. Liveness is known only on the same host (``None`` elsewhere: another machine's
processes cannot be asked).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache

START_SLACK = 2.0
"""Seconds of disagreement tolerated between two readings of a start time."""


@cache
def hostname() -> str:
    return socket.gethostname()


@cache
def _boot_time() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def start_time(pid: int) -> float | None:
    """The process's start time (seconds since the epoch), or None when unknown (no
    /proc, or no such process)."""
    boot = _boot_time()
    if boot is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after its end
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        ticks = int(fields[19])  # field 22 of stat(5)
    except (IndexError, ValueError):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped) is dead for our purposes
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


@dataclass(frozen=True)
class ProcessId:
    host: str
    pid: int
    started: float | None
    """Start time (epoch seconds), when known."""

    @classmethod
    def current(cls) -> ProcessId:
        return cls(hostname(), os.getpid(), start_time(os.getpid()))

    def __str__(self) -> str:
        started = f"{self.started:.2f}" if self.started is not None else "-"
        return f"{self.host}:{self.pid}:{started}"

    @classmethod
    def parse(cls, text: str) -> ProcessId | None:
        """The inverse of ``str()``: ``host:pid:start`` (None when it is not one)."""
        host, _, rest = text.rpartition(":")
        host, _, pid = host.rpartition(":")
        try:
            return cls(host, int(pid), None if rest == "-" else float(rest))
        except ValueError:
            return None

    def alive(self) -> bool | None:
        """True or False on this host; None for a process of another host."""
        if self.host != hostname():
            return None
        if not pid_alive(self.pid):
            return False
        if self.started is None:
            return True
        now = start_time(self.pid)
        return now is None or abs(now - self.started) <= START_SLACK


def alive_since(host: str, pid: int, since: float) -> bool | None:
    """Is the process ``pid`` of ``host`` alive and started no later than ``since`` (epoch
    seconds; e.g. the time it created a file)? None for another host."""
    if host != hostname():
        return None
    if not pid_alive(pid):
        return False
    started = start_time(pid)
    return started is None or started <= since + START_SLACK
