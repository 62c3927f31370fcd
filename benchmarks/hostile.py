"""Hostile documents through ``extract.extract_document``: time, memory, the error recorded.

For every document of the hostile corpus (``tests/fixtures/hostile/make_hostile.py``, with
the hostile part of ``tests/fixtures/broken``) prints the wall time of the call, the peak
resident memory and CPU time of the worker process that read it, the peak resident memory
of the caller during the call (the kernel's ``VmHWM``, reset before each document; the
document's own bytes are already in it), and the error recorded (or what was read).

Every document must end within 60 s and 1 GB, worker and caller alike.

Usage: ``python benchmarks/hostile.py [--large DIR] [--only NAME,…]`` (the large documents
are made into DIR on first use, default ``$TMPDIR/nianbao-hostile``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from extract import extract_document
from extract.isolation import default_pool

ROOT = Path(__file__).resolve().parent.parent
_MiB = 1024 * 1024


def load_corpus_module() -> ModuleType:
    """``tests/fixtures/hostile/make_hostile.py``, loaded from its file."""
    path = ROOT / "tests/fixtures/hostile/make_hostile.py"
    spec = importlib.util.spec_from_file_location("make_hostile", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = module
    spec.loader.exec_module(module)
    return module


def _status_mib(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--large", type=Path, default=Path(tempfile.gettempdir()) / "nianbao-hostile"
    )
    parser.add_argument("--only", default="", help="comma-separated document names")
    args = parser.parse_args()
    corpus = load_corpus_module().corpus(args.large)
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    pool = default_pool()
    extract_document(b"<html><body>warm-up</body></html>")  # start the worker
    print(
        f"{'document':28} {'bytes':>10} {'wall s':>7} {'worker MiB':>10} {'cpu s':>6} "
        f"{'caller MiB':>10}  error (or what was read)"
    )
    worst_wall = worst_worker = worst_caller = 0.0
    for name, path in corpus.items():
        if wanted and name not in wanted:
            continue
        data = path.read_bytes()
        pool.last_usage = None
        _reset_peak()
        started = time.perf_counter()
        extraction = extract_document(data, filename=path.name)
        wall = time.perf_counter() - started
        caller = _status_mib("VmHWM")
        usage = pool.last_usage
        worker = (usage.peak_rss or 0) / _MiB if usage else 0.0
        cpu = f"{usage.cpu_s:6.1f}" if usage and usage.cpu_s is not None else "     -"
        if extraction.error:
            outcome = extraction.error
        else:
            outcome = f"read: {len(extraction.text)} characters"
            if extraction.needs_ocr:
                outcome += ", needs OCR"
        if len(outcome) > 110:
            outcome = outcome[:107] + "..."
        worst_wall, worst_worker = max(worst_wall, wall), max(worst_worker, worker)
        worst_caller = max(worst_caller, caller)
        print(
            f"{name:28} {len(data):10d} {wall:7.2f} {worker:10.0f} {cpu} {caller:10.0f}  {outcome}"
        )
        del data, extraction
    print(
        f"worst: {worst_wall:.1f} s wall, worker {worst_worker:.0f} MiB, caller "
        f"{worst_caller:.0f} MiB (limits: 60 s, 1 GB)"
    )


if __name__ == "__main__":
    main()
