"""Documents per second per format: our readers against LibreOffice and pdftotext.

Runs on the committed renderings in ``sampleweb/assets/reports`` in one run:

- ours: ``extract.text.read_document`` (every format through an isolated worker process,
  as in a crawl), and the same readers in-process (``read_here``: no isolation, to show
  its cost), each file read ``--rounds`` times;
- ``soffice --headless --convert-to txt`` on the same docx/doc files (one batch call with
  a private profile, so start-up is shared by the batch: the most favourable case for it);
- ``pdftotext`` (and ``pdftotext -layout``) once per file, as a crawler would call it.

Usage: ``python benchmarks/extract_speed.py [--rounds 5] [--formats pdf,docx]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from extract.limits import DEFAULT_LIMITS
from extract.text import read_document, read_here
from extract.text.grid import cell_budget

ROOT = Path(__file__).resolve().parent.parent

REPORTS = ROOT / "sampleweb/assets/reports"


def rate(files: list[Path], rounds: int, action: Callable[[Path], object]) -> float:
    action(files[0])  # warm-up (imports, worker start)
    started = time.perf_counter()
    for _ in range(rounds):
        for path in files:
            action(path)
    return rounds * len(files) / (time.perf_counter() - started)


def best_ms(files: list[Path], rounds: int, action: Callable[[Path], object]) -> float:
    """Milliseconds per document, each file timed ``rounds`` times and its best kept (the
    best is robust to a machine loaded by others)."""
    total = 0.0
    for path in files:
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            action(path)
            best = min(best, time.perf_counter() - started)
        total += best
    return 1000 * total / len(files)


def soffice_rate(files: list[Path]) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-lo-") as work:
        copies = []
        for index, path in enumerate(files):
            copy = Path(work) / f"in{index}{path.suffix}"
            shutil.copyfile(path, copy)
            copies.append(copy)
        started = time.perf_counter()
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless",
             "--convert-to", "txt:Text (encoded):UTF8", "--outdir", f"{work}/out", *map(str, copies)],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        produced = list(Path(f"{work}/out").glob("*.txt"))
        if len(produced) != len(files):
            raise RuntimeError(f"soffice converted {len(produced)} of {len(files)} files")
    return len(files) / elapsed


def pdftotext_rate(files: list[Path], rounds: int, layout: bool) -> float:
    args = ["pdftotext", *(["-layout"] if layout else []), "-enc", "UTF-8"]
    return rate(
        files,
        rounds,
        lambda p: subprocess.run([*args, str(p), "-"], check=True, capture_output=True),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--formats", default="", help="comma-separated formats to measure (default: all)"
    )
    args = parser.parse_args()
    wanted = {name.strip().lstrip(".") for name in args.formats.split(",") if name.strip()}
    by_format: dict[str, list[Path]] = {}
    for path in sorted(REPORTS.iterdir()):
        if path.suffix in (".docx", ".doc", ".wps", ".pdf", ".html", ".xlsx", ".xls", ".zip") and (
            not wanted or path.suffix.lstrip(".") in wanted
        ):
            by_format.setdefault(path.suffix.lstrip("."), []).append(path)

    def ours(path: Path) -> object:
        return read_document(path.read_bytes(), filename=path.name)

    def in_process(path: Path) -> object:
        with cell_budget(DEFAULT_LIMITS.max_cells):
            return read_here(path.read_bytes(), None, path.name)

    rows: list[tuple[str, int, str, float, str]] = []
    for fmt, files in by_format.items():
        mine = rate(files, args.rounds, ours)
        inproc = rate(files, args.rounds, in_process)
        rows.append((fmt, len(files), "nianbao read_document", mine, ""))
        rows.append(
            (
                fmt,
                len(files),
                "nianbao in-process",
                inproc,
                f"isolated/in-process = {mine / inproc:.2f}×",
            )
        )
        if fmt == "pdf":
            for layout in (False, True):
                other = pdftotext_rate(files, args.rounds, layout)
                name = "pdftotext -layout" if layout else "pdftotext"
                rows.append((fmt, len(files), name, other, f"ours/{name} = {mine / other:.2f}×"))
        if fmt in ("docx", "doc"):
            other = soffice_rate(files * 2)
            rows.append(
                (
                    fmt,
                    len(files) * 2,
                    "soffice --convert-to txt",
                    other,
                    f"ours/soffice = {mine / other:.1f}×",
                )
            )
    print(f"{'format':7} {'files':>5}  {'reader':30} {'docs/s':>9}  comparison")
    for fmt, count, name, value, note in rows:
        print(f"{fmt:7} {count:5d}  {name:30} {value:9.1f}  {note}")
    print("\nisolation cost per document (best of --rounds per file, ms):")
    print(f"{'format':7} {'in-process':>10} {'isolated':>10} {'cost':>8}")
    for fmt, files in by_format.items():
        alone = best_ms(files, args.rounds, in_process)
        isolated = best_ms(files, args.rounds, ours)
        print(f"{fmt:7} {alone:10.1f} {isolated:10.1f} {isolated - alone:8.1f}")


if __name__ == "__main__":
    main()
