"""Precision and recall of crawler.discovery.titles.classify_title on tests/data/titles.tsv.

The labelled set has two splits: `dev` (written first, then the rules were written with it in
view) and `holdout` (written after the rules, never used to tune them). Figures are printed
for each split and overall.

    .venv/bin/python benchmarks/title_classifier.py [--errors]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.discovery.titles import classify_title  # noqa: E402

LABELS = ROOT / "tests" / "data" / "titles.tsv"


def load(path: Path = LABELS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def evaluate(rows: list[dict[str, str]], name: str, errors: list[str]) -> None:
    tp = fp = fn = tn = year_ok = agency_ok = 0
    for row in rows:
        match = classify_title(row["title"])
        truth = row["is_report"] == "1"
        if match and truth:
            tp += 1
            year_ok += match.year == int(row["year"])
            agency_ok += (match.agency or "") == row["agency"]
            if match.year != int(row["year"]) or (match.agency or "") != row["agency"]:
                errors.append(f"{name} fields  {row['title']}: got {match.year}/{match.agency}")
        elif match:
            fp += 1
            errors.append(f"{name} false+  {row['title']}")
        elif truth:
            fn += 1
            errors.append(f"{name} false-  {row['title']}")
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(
        f"{name:8} titles={len(rows):4} reports={tp + fn:4} precision={precision:.3f} "
        f"recall={recall:.3f} (tp={tp} fp={fp} fn={fn} tn={tn}) "
        f"year ok {year_ok}/{tp}, agency ok {agency_ok}/{tp}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="print every misclassified title")
    args = parser.parse_args()
    rows = load()
    errors: list[str] = []
    for split in ("dev", "holdout"):
        evaluate([r for r in rows if r["split"] == split], split, errors)
    evaluate(rows, "all", [])
    start = time.perf_counter()
    for _ in range(10):
        for row in rows:
            classify_title(row["title"])
    elapsed = time.perf_counter() - start
    print(f"speed: {10 * len(rows) / elapsed:,.0f} titles/s")
    if args.errors:
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
