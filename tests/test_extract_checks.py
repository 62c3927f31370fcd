"""Consistency rules 1–4 (and 6) against the checks of the labelled seeds and real reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.checks import RULE_NAMES, evaluate_checks, text_figure_checks
from extract.keys import keys_for_layout
from extract.report import analyse
from extract.types import Extraction, TextDocument

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reports"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
OWN_LABELS = sorted((Path(__file__).resolve().parent / "labels").glob("*.json"))


def _as_label_checks(checks: list[dict]) -> dict[str, dict[str, bool]]:
    by_rule: dict[str, dict[str, bool]] = {}
    names = {name: rule for rule, name in RULE_NAMES.items()}
    for check in checks:
        if check["rule"] == "text_figures":
            continue
        subject = check.get("column") or check.get("row") or check.get("group")
        by_rule.setdefault(names[check["rule"]], {})[subject] = check["ok"]
    return by_rule


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_checks_match_labels(seed: Path) -> None:
    label = json.loads((SHARED / "seeds" / "labels" / f"{seed.stem}.json").read_text("utf-8"))
    extraction = Extraction(parser_version="test", media_type="text/plain")
    analyse(TextDocument("text/plain", seed.read_text("utf-8")), extraction)
    assert _as_label_checks(extraction.checks) == label["checks"]


def test_seed_004_fails_exactly_as_printed() -> None:
    seed = next(p for p in SEEDS if p.name.startswith("004"))
    extraction = Extraction(parser_version="test", media_type="text/plain")
    analyse(TextDocument("text/plain", seed.read_text("utf-8")), extraction)
    failing = [
        (c["rule"], c.get("column"), c["left"], c["right"])
        for c in extraction.checks
        if not c["ok"]
    ]
    assert failing == [
        ("balance", "natural", 1, 0),
        ("balance", "total", 1, 0),
        ("outcomes", "natural", 1, 0),
        ("outcomes", "total", 1, 0),
    ]


@pytest.mark.parametrize("label_path", OWN_LABELS, ids=lambda p: p.stem)
def test_rules_on_real_report_values(label_path: Path) -> None:
    label = json.loads(label_path.read_text("utf-8"))
    checks = evaluate_checks(label["layout"], label["values"])
    assert _as_label_checks(checks) == label["checks"]


def test_null_counts_as_zero_and_layout_none_has_no_checks() -> None:
    values = dict.fromkeys(keys_for_layout("2021"))
    values["t3.new.natural"] = 2
    values["t3.total.natural"] = 2
    checks = evaluate_checks("2021", values)
    balance = next(c for c in checks if c["rule"] == "balance" and c["column"] == "natural")
    assert balance == {"rule": "balance", "column": "natural", "ok": True, "left": 2, "right": 2}
    applicants = next(c for c in checks if c["rule"] == "applicants" and c["row"] == "new")
    assert applicants["ok"] is False and (applicants["left"], applicants["right"]) == (2, 0)
    assert {c["row"] for c in checks if c["rule"] == "applicants"} >= {"other.no_correction"}
    assert evaluate_checks("none", {}) == []


def test_review_suit_per_group() -> None:
    values = dict.fromkeys(keys_for_layout("2019"))
    values.update({"t4.review.upheld": 10, "t4.review.corrected": 1, "t4.review.total": 0})
    review = next(c for c in evaluate_checks("2019", values) if c.get("group") == "review")
    assert review == {"rule": "review_suit", "group": "review", "ok": False, "left": 11, "right": 0}


def test_text_figures_rule_6() -> None:
    values = dict.fromkeys(keys_for_layout("2019"))
    values["t3.new.total"] = 4
    agree = text_figure_checks("2019", values, "全年收到政府信息公开申请4件，均已办结。")
    assert [(c["ok"], c["left"], c["right"]) for c in agree] == [(True, 4, 4)]
    disagree = text_figure_checks("2019", values, "共受理依申请公开3件。")
    assert [(c["ok"], c["left"]) for c in disagree] == [(False, 3)]


def test_text_figures_reads_only_the_applications_received() -> None:
    values = {"t3.new.total": 4}
    overview = (
        "全年受理行政许可申请355件，主动公开政府信息384条，收到群众来信12个。"
        "本年度新收政府信息公开申请共计4件，均已按时答复。"
    )
    [check] = text_figure_checks("2019", values, overview)
    assert (check["left"], check["ok"]) == (4, True)
    assert check["quote"] == "新收政府信息公开申请共计4件"
    assert (
        text_figure_checks("2019", values, "受理行政许可申请355件，办结政府信息公开申请4件。") == []
    )
    [other] = text_figure_checks("2019", values, "共受理依申请公开1件。")
    assert (other["left"], other["ok"]) == (1, False)
