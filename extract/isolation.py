"""Untrusted documents are read in isolated worker processes, never in the caller.

A :class:`WorkerPool` keeps warm worker processes (``python -m extract.worker``, the
installed package; see :mod:`extract.worker`) and runs one function call at a time in each,
under the limits of :class:`~extract.limits.Limits`:

- memory: the worker's address space is capped (``RLIMIT_AS`` = ``memory_bytes``), so its
  resident memory can never pass it; a ``MemoryError`` comes back as a precise message and
  the worker is replaced;
- CPU time: ``RLIMIT_CPU`` (``cpu_s``) kills a worker spinning in C code, even orphaned;
- wall time: the caller kills a worker that has not answered after ``timeout_s``.

A worker that is stopped or dies becomes an :class:`IsolationError` (an
:class:`~extract.limits.ExtractionError`) saying which limit was hit, and a fresh worker
is started for the next call, so the caller (a crawl, ``nianbao extract``) goes on with
its memory untouched. Inside a worker, :func:`run_isolated` calls in place.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from extract.ipc import in_worker, read_frame, write_frame
from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits

T = TypeVar("T")
_MiB = 1024 * 1024
_SAMPLE_S = 0.25
"""How often the caller samples a busy worker's peak memory (for the record of a kill)."""


class StopReason(StrEnum):
    """Why the isolation layer stopped a call (the reader's own refusals are not here)."""

    WALL_TIME = "wall_time"
    CPU_TIME = "cpu_time"
    MEMORY = "memory"
    CRASH = "crash"


@dataclass(frozen=True)
class Usage:
    """What one call cost its worker process."""

    wall_s: float
    cpu_s: float | None
    """CPU time of the worker for the call (``None`` when it was killed)."""
    peak_rss: int | None
    """Peak resident memory of the worker during the call, in bytes (for a worker that was
    killed or died: the last sample, a lower bound)."""
    pid: int


class IsolationError(ExtractionError):
    """The worker was stopped by a limit, or died, while reading a document."""

    def __init__(self, message: str, reason: StopReason, usage: Usage) -> None:
        super().__init__(message)
        self.reason = reason
        self.usage = usage


class ReaderError(ExtractionError):
    """An error the reader did not expect (a bug or an unforeseen structure), in one line."""


def _status_bytes(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _signal_name(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        with contextlib.suppress(ValueError):
            return signal.Signals(-code).name
        return f"signal {-code}"
    return f"exit code {code}"


class _Worker:
    """One worker process and its pipes."""

    def __init__(self) -> None:
        # The worker's stderr goes to an unlinked file of its own: what a dying parser
        # prints becomes part of the error, never noise on the caller's terminal.
        handle, path = tempfile.mkstemp(prefix="nianbao-worker-", suffix=".log")
        os.close(handle)
        self.log = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        os.unlink(path)
        try:
            # -P: the worker imports the installed package, never a same-named folder in
            # the caller's working directory.
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", "extract.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                bufsize=0,
                close_fds=True,
            )
        except BaseException:
            os.close(self.log)
            raise
        self.pid = self.process.pid
        self.peak_sample: int | None = None
        self.peak_vm: int | None = None
        """Peak address space sampled (VmPeak): the memory limit is on address space, so
        an abort after a failed allocation shows here, even when resident memory is low."""

    def last_words(self) -> str:
        """The last line the worker wrote on its stderr during the call (one line)."""
        try:
            size = os.fstat(self.log).st_size
            tail = os.pread(self.log, 4096, max(0, size - 4096))
        except OSError:
            return ""
        lines = [line.strip() for line in tail.decode("utf-8", "replace").splitlines()]
        last = next((line for line in reversed(lines) if line), "")
        return last if len(last) <= 200 else last[:197] + "..."

    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, request: bytes, timeout_s: float) -> tuple[dict[str, Any], str, Any]:
        """Send one request; raise ``TimeoutError`` after ``timeout_s``, ``EOFError`` (or
        ``OSError``) when the worker dies."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        self.peak_sample = None
        self.peak_vm = None
        os.ftruncate(self.log, 0)
        write_frame(stdin, request)
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([stdout], [], [], min(left, _SAMPLE_S))
            if ready:
                break
            self._sample()
        usage = pickle.loads(read_frame(stdout))
        status, payload = pickle.loads(read_frame(stdout))
        return usage, status, payload

    def _sample(self) -> None:
        self.peak_sample = _status_bytes(self.pid, "VmHWM") or self.peak_sample
        self.peak_vm = _status_bytes(self.pid, "VmPeak") or self.peak_vm

    def stop(self) -> int | None:
        """Kill the worker (sampling its peak memory first); its exit status."""
        self._sample()
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        self._close_pipes()
        return code

    def close(self) -> None:
        """End an idle worker: end of input, then a kill if it does not leave at once."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(OSError):
            os.close(self.log)
        self.log = -1


class WorkerPool:
    """Up to ``size`` warm worker processes, started on demand and shared by threads."""

    def __init__(self, size: int = 1) -> None:
        self.size = max(1, size)
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._starting = 0
        self._cond = threading.Condition()
        self._closed = False
        self._threads: ThreadPoolExecutor | None = None
        self.last_usage: Usage | None = None
        """What the last call to finish cost (for benchmarks; shared by all threads)."""

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._cond:
            return [w.pid for w in [*self._idle, *self._busy]]

    def _acquire(self) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("worker pool closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        self._busy.add(worker)
                        return worker
                    worker.stop()
                if len(self._busy) + self._starting < self.size:
                    self._starting += 1
                    break
                self._cond.wait()
        try:
            worker = _Worker()
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(worker)
        return worker

    def _release(self, worker: _Worker, keep: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            keep = keep and not self._closed
            if keep:
                self._idle.append(worker)
            self._cond.notify()
        if not keep:
            worker.close()

    def call(
        self,
        func: Callable[..., T],
        args: Sequence[Any],
        *,
        limits: Limits = DEFAULT_LIMITS,
        what: str = "document",
    ) -> tuple[T, Usage]:
        """``func(*args)`` in a worker, and what it cost. ``func`` must be a module-level
        function; arguments and result must pickle. Raises :class:`ExtractionError`: the
        reader's own refusal as is, an unexpected exception as :class:`ReaderError`, a
        limit or a crash as :class:`IsolationError`."""
        request = pickle.dumps(
            (func.__module__, func.__qualname__, tuple(args), limits.memory_bytes, limits.cpu_s),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        worker = self._acquire()
        started = time.monotonic()
        try:
            report, status, payload = worker.call(request, limits.timeout_s)
        except TimeoutError as exc:
            worker.stop()
            self._release(worker, keep=False)
            usage = Usage(time.monotonic() - started, None, worker.peak_sample, worker.pid)
            self.last_usage = usage
            raise IsolationError(
                f"{what}: extraction stopped: wall-time limit of {limits.timeout_s:g} s exceeded",
                StopReason.WALL_TIME,
                usage,
            ) from exc
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            words = worker.last_words()
            code = worker.stop()
            self._release(worker, keep=False)
            usage = Usage(time.monotonic() - started, None, worker.peak_sample, worker.pid)
            self.last_usage = usage
            raise _died(what, code, limits, usage, words, worker.peak_vm) from exc
        except BaseException:
            worker.stop()
            self._release(worker, keep=False)
            raise
        usage = Usage(
            time.monotonic() - started, report.get("cpu_s"), report.get("peak_rss"), worker.pid
        )
        self.last_usage = usage
        self._release(worker, keep=not report.get("retire"))
        if status == "ok":
            return payload, usage
        if status == "rejected":
            raise ExtractionError(payload)
        if status == "memory":
            raise IsolationError(
                f"{what}: extraction stopped: memory limit of "
                f"{limits.memory_bytes // _MiB} MiB exceeded",
                StopReason.MEMORY,
                usage,
            )
        raise ReaderError(f"{what}: reader failed: {payload}")

    def run(
        self,
        func: Callable[..., T],
        args: Sequence[Any],
        *,
        limits: Limits = DEFAULT_LIMITS,
        what: str = "document",
    ) -> T:
        """:meth:`call` without the usage."""
        return self.call(func, args, limits=limits, what=what)[0]

    def map(
        self,
        func: Callable[..., T],
        jobs: Sequence[Sequence[Any]],
        *,
        limits: Limits = DEFAULT_LIMITS,
        what: Callable[[Sequence[Any]], str] = lambda _: "document",
    ) -> list[T | ExtractionError]:
        """``func(*job)`` for every job, ``size`` at a time; a failed job gives its error."""

        def one(job: Sequence[Any]) -> T | ExtractionError:
            try:
                return self.run(func, job, limits=limits, what=what(job))
            except ExtractionError as exc:
                return exc

        if self.size == 1 or len(jobs) <= 1:
            return [one(job) for job in jobs]
        with self._cond:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="extract")
            threads = self._threads
        return list(threads.map(one, jobs))

    def close(self) -> None:
        """End every worker (idle ones at once; busy ones when their call returns)."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            threads, self._threads = self._threads, None
            self._cond.notify_all()
        for worker in idle:
            worker.close()
        if threads is not None:
            threads.shutdown(wait=False)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _died(
    what: str,
    code: int | None,
    limits: Limits,
    usage: Usage,
    words: str,
    peak_vm: int | None = None,
) -> IsolationError:
    if code == -signal.SIGXCPU:
        return IsolationError(
            f"{what}: extraction stopped: CPU-time limit of {limits.cpu_s:g} s exceeded",
            StopReason.CPU_TIME,
            usage,
        )
    peak = f"; peak memory at least {usage.peak_rss // _MiB} MiB" if usage.peak_rss else ""
    said = f"; it said: {words}" if words else ""
    aborted = code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS)
    # (samples are taken every quarter second: the last one before the abort can be
    # well below the failed allocation that caused it)
    near_limit = (usage.peak_rss or 0) >= 0.5 * limits.memory_bytes or (
        peak_vm or 0
    ) >= 0.8 * limits.memory_bytes
    if aborted and near_limit:
        # C code that cannot allocate aborts instead of raising MemoryError; the limit is
        # on address space, so the sampled address-space peak is the better witness
        return IsolationError(
            f"{what}: extraction stopped: memory limit of {limits.memory_bytes // _MiB} MiB "
            f"exceeded (the parser aborted: {_signal_name(code)}{peak}{said})",
            StopReason.MEMORY,
            usage,
        )
    return IsolationError(
        f"{what}: the parser process died ({_signal_name(code)}{peak}, limit "
        f"{limits.memory_bytes // _MiB} MiB{said})",
        StopReason.CRASH,
        usage,
    )


_default_lock = threading.Lock()
_default: WorkerPool | None = None


def default_pool() -> WorkerPool:
    """The process's shared pool (one worker per CPU at most, started on demand)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = WorkerPool(os.cpu_count() or 1)
            atexit.register(_default.close)
        return _default


def run_isolated(func: Callable[..., T], *args: Any, limits: Limits, what: str) -> T:
    """``func(*args)`` in a worker of the :func:`default_pool` under ``limits`` (in place
    when already inside a worker). Raises :class:`ExtractionError` on any failure."""
    if in_worker():
        return func(*args)
    return default_pool().run(func, args, limits=limits, what=what)
