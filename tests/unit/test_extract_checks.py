"""Consistency rules 1–4 (and 6) against the checks of the labelled seeds and real reports,
read through ``extract_document``; rules over blank cells are ``not_evaluable``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import SEED_LABELS, SEEDS, TESTS

from extract import extract_document
from extract.checks import RULE_NAMES, CheckStatus, evaluate_checks, text_figure_checks
from extract.keys import keys_for_layout

SEED_FILES = sorted(SEEDS.glob("*.txt"))
OWN_LABELS = sorted((TESTS / "labels").glob("*.json"))


def _as_label_checks(checks: list[dict]) -> dict[str, dict[str, bool]]:
    """The labels record whether a rule holds (blank cells as 0): not failed is true."""
    by_rule: dict[str, dict[str, bool]] = {}
    names = {name: rule for rule, name in RULE_NAMES.items()}
    for check in checks:
        if check["rule"] == "text_figures":
            continue
        subject = check.get("column") or check.get("row") or check.get("group")
        assert subject is not None, check
        by_rule.setdefault(names[check["rule"]], {})[subject] = check["status"] != "failed"
    return by_rule


def _terms_blank(check: dict, values: dict) -> bool:
    """Whether every term of a rule 1–4 check is blank (recomputed from the spec's rules)."""
    subject = check.get("column") or check.get("row") or check.get("group")
    rule = check["rule"]
    if rule == "balance":
        rows = ["new", "carried_over", "total", "carried_forward"]
        terms = [f"t3.{row}.{subject}" for row in rows]
    elif rule == "outcomes":
        terms = [k for k in values if k.startswith("t3.") and k.endswith(f".{subject}")]
        terms = [
            k for k in terms if k.split(".")[1] not in ("new", "carried_over", "carried_forward")
        ]
    elif rule == "applicants":
        terms = [
            k
            for k in values
            if k.startswith(f"t3.{subject}.")
            and k.count(".") == len(f"t3.{subject}.x".split(".")) - 1
        ]
    else:
        terms = [k for k in values if k.startswith(f"t4.{subject}.")]
    return all(values.get(k) is None for k in terms)


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem[:3])
def test_seed_checks_match_labels(seed: Path) -> None:
    label = json.loads((SEED_LABELS / f"{seed.stem}.json").read_text("utf-8"))
    extraction = extract_document(seed.read_bytes(), filename=seed.name)
    assert _as_label_checks(extraction.checks) == label["checks"]
    for check in extraction.checks:
        if check["rule"] == "text_figures":
            continue
        blank = _terms_blank(check, extraction.values)
        assert (check["status"] == CheckStatus.NOT_EVALUABLE) == blank, check
        assert (check["ok"] is None) == blank


def test_seed_004_fails_exactly_as_printed() -> None:
    seed = next(p for p in SEED_FILES if p.name.startswith("004"))
    extraction = extract_document(seed.read_bytes(), filename=seed.name)
    failing = [
        (c["rule"], c.get("column"), c["left"], c["right"])
        for c in extraction.checks
        if c["status"] == "failed"
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


def test_some_blank_terms_count_as_zero_and_say_so() -> None:
    values = dict.fromkeys(keys_for_layout("2021"))
    values["t3.new.natural"] = 2
    values["t3.total.natural"] = 2
    checks = evaluate_checks("2021", values)
    balance = next(c for c in checks if c["rule"] == "balance" and c["column"] == "natural")
    assert balance == {
        "rule": "balance",
        "column": "natural",
        "status": "ok",
        "ok": True,
        "left": 2,
        "right": 2,
        "blank_terms": 2,
    }
    applicants = next(c for c in checks if c["rule"] == "applicants" and c["row"] == "new")
    assert applicants["status"] == "failed" and (applicants["left"], applicants["right"]) == (2, 0)
    assert applicants["blank_terms"] == 6
    assert {c["row"] for c in checks if c["rule"] == "applicants"} >= {"other.no_correction"}
    assert evaluate_checks("none", {}) == []


def test_all_blank_terms_are_not_evaluable_not_ok() -> None:
    """A table printed without figures: no rule holds or fails (it was ``ok: 0 = 0``)."""
    values = dict.fromkeys(keys_for_layout("2019"))
    checks = evaluate_checks("2019", values)
    assert checks and {c["status"] for c in checks} == {"not_evaluable"}
    assert all(c["ok"] is None and c["left"] is None and c["right"] is None for c in checks)
    values["t4.review.total"] = 0
    review = next(c for c in evaluate_checks("2019", values) if c.get("group") == "review")
    assert (review["status"], review["left"], review["right"], review["blank_terms"]) == (
        "ok",
        0,
        0,
        4,
    )


def test_blank_table_through_the_front_door_is_not_evaluable() -> None:
    """An HTML report whose tables print only ``/`` and blanks."""
    t3_rows = "".join(
        f"<tr><td>{label}</td>" + "<td>/</td>" * 7 + "</tr>"
        for label in (
            "一、本年新收政府信息公开申请数量",
            "二、上年结转政府信息公开申请数量",
            "（一）予以公开",
            "（七）总计",
            "四、结转下年度继续办理",
        )
    )
    page = (
        "<html><body><div><p>某镇2020年政府信息公开工作年度报告</p>"
        "<table><tr><td>申请人情况</td><td>自然人</td><td>商业企业</td><td>科研机构</td>"
        "<td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>"
        f"{t3_rows}</table></div></body></html>"
    )
    extraction = extract_document(page.encode("utf-8"))
    assert extraction.layout == "2019"
    balance = [c for c in extraction.checks if c["rule"] == "balance"]
    assert len(balance) == 7 and {c["status"] for c in balance} == {"not_evaluable"}
    assert not any(c["ok"] for c in extraction.checks)


def test_review_suit_per_group() -> None:
    values = dict.fromkeys(keys_for_layout("2019"))
    values.update({"t4.review.upheld": 10, "t4.review.corrected": 1, "t4.review.total": 0})
    review = next(c for c in evaluate_checks("2019", values) if c.get("group") == "review")
    assert review == {
        "rule": "review_suit",
        "group": "review",
        "status": "failed",
        "ok": False,
        "left": 11,
        "right": 0,
        "blank_terms": 2,
    }


def test_text_figures_rule_6() -> None:
    values = dict.fromkeys(keys_for_layout("2019"))
    values["t3.new.total"] = 4
    agree = text_figure_checks("2019", values, "全年收到政府信息公开申请4件，均已办结。")
    assert [(c["status"], c["left"], c["right"]) for c in agree] == [("ok", 4, 4)]
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
