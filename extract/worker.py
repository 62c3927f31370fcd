"""The isolated extraction worker: ``python -m extract.worker``.

A long-lived child process of :mod:`extract.isolation`. It reads requests from its stdin as
length-prefixed pickles ``(module, function, args, memory_bytes, cpu_seconds)``, runs the
function under an address-space limit (``RLIMIT_AS``) and a CPU-time limit
(``RLIMIT_CPU``, which kills it with ``SIGXCPU``) and answers on its stdout with two
frames, ``usage`` then ``(status, payload)``: ``status`` is ``"ok"`` (``payload`` is the result),
``"rejected"`` (an :class:`~extract.limits.ExtractionError`: the document was refused with
that message), ``"memory"`` (``MemoryError``) or ``"error"`` (any other exception,
described in one line). ``usage`` holds
the task's CPU time and peak resident memory, and ``retire`` when the worker should be
replaced (it ran out of memory, or kept too much of it).

The parent kills a worker that overruns its wall-time limit. A worker whose parent is gone
(killed with ``kill -9``) exits by itself.

The framing is in :mod:`extract.ipc`; this module is only ever run, never imported by the
caller's side (:mod:`extract.isolation`).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import resource
import sys
import threading
import time
import traceback
import warnings
from typing import Any

from extract.ipc import become_worker, read_frame, write_frame
from extract.limits import ExtractionError

RETIRE_RSS_BYTES = 384 * 1024 * 1024
"""A worker that still holds this much resident memory after a task is replaced."""
PRELOAD = (
    "extract.document",
    "extract.report",
    "extract.text.pdf",
    "extract.text.docx",
    "extract.text.doc",
    "extract.text.sheet",
    "extract.text.html",
    "extract.text.ofd",
    "extract.text.archive",
    "storage.tokenize",
    "capture.normalise",
    "capture.extractor",
    "openpyxl",
    "xlrd",
)
"""Imported once at start-up, so that no document pays for the imports."""


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (``VmHWM``), so that it measures one task."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _set_limits(memory_bytes: int, cpu_s: float) -> None:
    _, hard_as = resource.getrlimit(resource.RLIMIT_AS)
    soft_as = memory_bytes if hard_as == resource.RLIM_INFINITY else min(memory_bytes, hard_as)
    resource.setrlimit(resource.RLIMIT_AS, (soft_as, hard_as))
    _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    soft_cpu = int(_cpu_seconds() + cpu_s) + 1
    if hard_cpu != resource.RLIM_INFINITY:
        soft_cpu = min(soft_cpu, hard_cpu)
    resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, hard_cpu))


def _lift_limits() -> None:
    for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU):
        _, hard = resource.getrlimit(which)
        resource.setrlimit(which, (hard, hard))


def _watch_parent(parent: int) -> None:
    """Exit when the parent process is gone (its pipe may stay open in a stuck task)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)


def _run(module_name: str, qualname: str, args: tuple[Any, ...], memory: int) -> tuple[str, Any]:
    try:
        func = getattr(importlib.import_module(module_name), qualname)
        return "ok", func(*args)
    except ExtractionError as exc:
        return "rejected", str(exc)
    except MemoryError:
        return "memory", f"out of memory (limit {memory // (1024 * 1024)} MiB)"
    except RecursionError:
        return "error", "structure nested too deeply (recursion limit)"
    except Exception as exc:
        return "error", traceback.format_exception_only(type(exc), exc)[-1].strip()


def main() -> None:
    become_worker()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    # Readers' warnings about malformed input would reach the caller's terminal; what
    # matters comes back as the result or the error.
    warnings.simplefilter("ignore")
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    while True:
        try:
            module_name, qualname, args, memory, cpu_s = pickle.loads(read_frame(stdin))
        except EOFError:
            return
        _reset_peak()
        cpu_before = _cpu_seconds()
        _set_limits(memory, cpu_s)
        status, result = _run(module_name, qualname, args, memory)
        args = ()
        answer: bytes | None = None
        try:
            answer = pickle.dumps((status, result), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            status, result = "memory", f"out of memory (limit {memory // (1024 * 1024)} MiB)"
        except Exception as exc:
            status, result = "error", f"result not transferable: {exc}"
        _lift_limits()
        if answer is None:
            answer = pickle.dumps((status, result))
        result = None
        rss = (_status_kib("VmRSS") or 0) * 1024
        usage = {
            "cpu_s": _cpu_seconds() - cpu_before,
            "peak_rss": (_status_kib("VmHWM") or 0) * 1024,
            "retire": status == "memory" or rss > RETIRE_RSS_BYTES,
        }
        write_frame(stdout, pickle.dumps(usage))
        write_frame(stdout, answer)
        answer = None


if __name__ == "__main__":
    main()
