"""Precision and recall of crawler.discovery.titles.classify_title on tests/data/titles.tsv.

The labelled set (``tests/data/titles.md`` describes it) has three splits: ``dev`` (the rules
were written with it in view), ``holdout`` (written and frozen before the rules changed,
never used to tune them) and ``holdout2`` (written and frozen after the rules were final). For each split: precision and recall of "is a report", the year
and the agency accuracy over the reports found, and the errors.

    .venv/bin/python benchmarks/title_classifier.py [--split dev|holdout|holdout2|all] [--errors]

``--split dev`` is what to run while changing rules: it neither computes nor prints
anything about the held-out titles.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from crawler.discovery.titles import classify_title

LABELS = Path(__file__).resolve().parent.parent / "tests" / "data" / "titles.tsv"


def load(path: Path = LABELS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@dataclass
class Score:
    name: str
    titles: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    year_ok: int = 0
    agency_ok: int = 0
    errors: list[str] = field(default_factory=list)
    false_by_kind: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def line(self) -> str:
        return (
            f"{self.name:8} titles={self.titles:4} reports={self.tp + self.fn:4} "
            f"precision={self.precision:.4f} recall={self.recall:.4f} "
            f"(tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn}) "
            f"year {self.year_ok}/{self.tp}, agency {self.agency_ok}/{self.tp} "
            f"({self.agency_ok / self.tp if self.tp else 0:.4f})"
        )


def evaluate(rows: list[dict[str, str]], name: str) -> Score:
    score = Score(name, titles=len(rows))
    for row in rows:
        match = classify_title(row["title"])
        truth = row["is_report"] == "1"
        if match and truth:
            score.tp += 1
            year_ok = match.year == int(row["year"])
            agency_ok = (match.agency or "") == row["agency"]
            score.year_ok += year_ok
            score.agency_ok += agency_ok
            if not (year_ok and agency_ok):
                score.errors.append(
                    f"{name} fields  {row['title']}: got {match.year}/{match.agency or ''}"
                    f" want {row['year']}/{row['agency']}"
                )
        elif match:
            score.fp += 1
            score.false_by_kind[row["kind"]] += 1
            score.errors.append(f"{name} false+  [{row['kind']}] {row['title']}")
        elif truth:
            score.fn += 1
            score.errors.append(f"{name} false-  {row['title']}")
        else:
            score.tn += 1
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--split",
        choices=("dev", "holdout", "holdout2", "all"),
        default="all",
        help="which split to evaluate (dev while changing rules); default: each and all",
    )
    parser.add_argument("--errors", action="store_true", help="print every misclassified title")
    args = parser.parse_args()
    rows = load()
    splits = ("dev", "holdout", "holdout2") if args.split == "all" else (args.split,)
    scores = [evaluate([r for r in rows if r["split"] == s], s) for s in splits]
    chosen = [r for r in rows if r["split"] in splits]
    if args.split == "all":
        scores.append(evaluate(rows, "all"))
    for score in scores:
        print(score.line())
        if score.false_by_kind:
            print(f"{'':8} false positives by kind: {dict(score.false_by_kind)}")
    start = time.perf_counter()
    for _ in range(10):
        for row in chosen:
            classify_title(row["title"])
    elapsed = time.perf_counter() - start
    print(f"speed: {10 * len(chosen) / elapsed:,.0f} titles/s")
    if args.errors:
        for score in scores[: len(splits)]:
            print("\n".join(score.errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
