"""A long-lived helper process that runs parsers under a memory limit, killed on timeout.

The parent sends length-prefixed pickles ``(module, function, args)`` on the worker's
stdin; the worker answers ``("ok", result)`` or ``("error", message)`` on stdout. One
worker per parent process, started on first use (``python -m extract.text.worker``), so a
document costs no interpreter start-up; a worker that times out, dies or runs out of memory
is replaced by a fresh one.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import select
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

from extract.limits import ExtractionError

_HEADER = struct.Struct("!Q")


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("stream closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class _Worker:
    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "extract.text.worker", str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=root,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def call(self, request: bytes, timeout_s: float) -> tuple[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        _write_frame(self.process.stdin, request)
        stdout = self.process.stdout
        deadline = time.monotonic() + timeout_s
        ready, _, _ = select.select([stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError
        size = _HEADER.unpack(_read_exact(stdout, _HEADER.size))[0]
        status, payload = pickle.loads(_read_exact(stdout, size))
        return status, payload


_lock = threading.Lock()
_worker: _Worker | None = None


def call_in_worker(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    timeout_s: float,
    memory_bytes: int,
    what: str,
) -> Any:
    """Run ``func(*args)`` in the worker; raise :class:`ExtractionError` on any failure."""
    global _worker
    request = pickle.dumps(
        (func.__module__, func.__qualname__, args), protocol=pickle.HIGHEST_PROTOCOL
    )
    with _lock:
        if _worker is None or not _worker.alive() or _worker.memory_bytes != memory_bytes:
            if _worker is not None:
                _worker.kill()
            _worker = _Worker(memory_bytes)
        try:
            status, payload = _worker.call(request, timeout_s)
        except TimeoutError as exc:
            _worker.kill()
            _worker = None
            raise ExtractionError(f"{what}: timed out after {timeout_s:g} s") from exc
        except (EOFError, BrokenPipeError, OSError, pickle.UnpicklingError) as exc:
            code = _worker.process.poll()
            _worker.kill()
            _worker = None
            raise ExtractionError(
                f"{what}: parser process died (exit code {code}; out of memory or crash)"
            ) from exc
    if status == "rejected":
        raise ExtractionError(payload)
    if status == "error":
        raise ExtractionError(f"{what}: {payload}")
    return payload


def _serve(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    while True:
        try:
            size = _HEADER.unpack(_read_exact(stdin, _HEADER.size))[0]
            module_name, qualname, args = pickle.loads(_read_exact(stdin, size))
        except EOFError:
            return
        try:
            func = getattr(importlib.import_module(module_name), qualname)
            result: tuple[str, Any] = ("ok", func(*args))
        except ExtractionError as exc:
            result = ("rejected", str(exc))
        except MemoryError:
            result = ("error", f"out of memory (limit {memory_bytes} bytes)")
        except RecursionError:
            result = ("error", "structure nested too deeply")
        except Exception as exc:
            result = ("error", traceback.format_exception_only(type(exc), exc)[-1].strip())
        try:
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            payload = pickle.dumps(("error", f"result not transferable: {exc}"))
        _write_frame(stdout, payload)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
