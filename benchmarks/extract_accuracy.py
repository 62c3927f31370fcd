"""Value-level accuracy of the table parser per format, over every labelled document.

Documents: the seed text exports (``shared/reports/seeds``, format ``txt``), the renderings
of the seeds and the real reports in ``sampleweb/assets/reports`` (listed in its
``manifest.json``), and the real reports themselves (``shared/reports/real``) with the labels
in ``tests/labels``. Every key of every label counts once; a value is right when it equals the
label's value exactly (type included: ``0`` is not ``null``).

    .venv/bin/python benchmarks/extract_accuracy.py [--verbose]
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.report import analyse
from extract.types import Extraction, TextDocument

ROOT = Path(__file__).resolve().parent.parent

SHARED = ROOT.parent / "shared" / "reports"
RENDERINGS = ROOT / "sampleweb" / "assets" / "reports"
OWN_LABELS = ROOT / "tests" / "labels"


@dataclass
class Case:
    name: str
    fmt: str
    path: Path
    label: dict[str, Any]


def _reader(fmt: str) -> Callable[[bytes, str], TextDocument]:
    """The project's format reader for ``fmt`` (``extract.text.read_document`` when present)."""
    if fmt == "txt":  # the seed exports are already the text rendering tables are read from
        return lambda data, filename: TextDocument("text/plain", data.decode("utf-8"))
    text_pkg = importlib.import_module("extract.text")
    if hasattr(text_pkg, "read_document"):
        return lambda data, filename: text_pkg.read_document(data, filename=filename)
    modules = {
        "pdf": ("extract.text.pdf", "read_pdf"),
        "docx": ("extract.text.docx", "read_docx"),
        "doc": ("extract.text.doc", "read_doc"),
        "wps": ("extract.text.doc", "read_doc"),
        "html": ("extract.text.html", "read_html"),
        "xlsx": ("extract.text.sheet", "read_xlsx"),
        "xls": ("extract.text.sheet", "read_xls"),
    }
    if fmt not in modules:
        raise LookupError(f"no reader for format {fmt!r}")
    module, name = modules[fmt]
    read = getattr(importlib.import_module(module), name)
    return lambda data, filename: read(data)


def own_labels() -> dict[str, dict[str, Any]]:
    """Labels of the real reports, by source file name."""
    return {
        label["source"]: label
        for label in (json.loads(p.read_text("utf-8")) for p in sorted(OWN_LABELS.glob("*.json")))
    }


def cases() -> list[Case]:
    found: list[Case] = []
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        label_path = SHARED / "seeds" / "labels" / f"{path.stem}.json"
        found.append(Case(path.name, "txt", path, json.loads(label_path.read_text("utf-8"))))
    labels = own_labels()
    for name, label in labels.items():
        path = SHARED / "real" / name
        if path.exists():
            found.append(Case(f"real/{name}", path.suffix.lstrip("."), path, label))
    manifest_path = RENDERINGS / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text("utf-8"))
        for name, entry in sorted(manifest.items()):
            rendered: dict[str, Any] | None
            if entry.get("label"):
                rendered = json.loads((SHARED / entry["label"]).read_text("utf-8"))
            else:
                rendered = labels.get(Path(entry["source"]).name)
            if rendered is not None:
                found.append(
                    Case(f"rendering/{name}", entry["format"], RENDERINGS / name, rendered)
                )
    return found


def run_case(case: Case) -> tuple[int, int, list[str]]:
    """(right, total, wrong keys) of one document."""
    data = case.path.read_bytes()
    doc = _reader(case.fmt)(data, case.path.name)
    extraction = Extraction(parser_version="benchmark", media_type=doc.media_type)
    analyse(doc, extraction)
    wrong = []
    expected = case.label["values"]
    for key, value in expected.items():
        got = extraction.values.get(key, "<missing>")
        if got != value or type(got) is not type(value):
            wrong.append(f"{key}: expected {value!r}, got {got!r}")
    if extraction.layout != case.label["layout"]:
        wrong.insert(0, f"layout: expected {case.label['layout']}, got {extraction.layout}")
    return (
        len(expected) - len([w for w in wrong if not w.startswith("layout")]),
        len(expected),
        wrong,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every wrong value")
    args = parser.parse_args()
    per_format: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case in cases():
        started = time.perf_counter()
        try:
            right, total, wrong = run_case(case)
        except Exception as error:  # a reader failing counts as every value wrong
            right, total = 0, len(case.label["values"])
            wrong = [f"error: {type(error).__name__}: {error}"]
        elapsed = time.perf_counter() - started
        stats = per_format[case.fmt]
        stats[0] += right
        stats[1] += total
        stats[2] += 1
        mark = "ok " if not wrong else "BAD"
        print(f"{mark} {case.fmt:5} {case.name:48} {right:4}/{total:<4} {elapsed:6.2f}s")
        if wrong and args.verbose:
            for line in wrong[:40]:
                print(f"      {line}")
    print()
    print(f"{'format':8}{'docs':>6}{'values':>9}{'right':>9}{'accuracy':>10}")
    all_right = all_total = 0
    for fmt, (right, total, docs) in sorted(per_format.items()):
        all_right += right
        all_total += total
        print(f"{fmt:8}{docs:>6}{total:>9}{right:>9}{right / total:>10.2%}")
    if all_total:
        print(f"{'all':8}{'':>6}{all_total:>9}{all_right:>9}{all_right / all_total:>10.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
