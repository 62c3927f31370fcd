"""Consistency rules 1–4 (and 6) of ``report-tables.md`` evaluated on parsed table values.

Every check is a dict::

    {"rule", "column"|"row"|"group", "status", "ok", "left", "right", "blank_terms"}

- ``status`` is a :class:`CheckStatus`: ``ok`` (both sides agree), ``failed`` (they do
  not), or ``not_evaluable`` — every term of the rule, on both sides, is a blank cell
  (``null``): there is nothing to judge, so the rule neither holds nor fails. Then ``ok``,
  ``left`` and ``right`` are ``null``.
- When only some terms are blank the rule is evaluated with blank cells counted as 0, as
  the spec says, and ``blank_terms`` says how many terms were blank (0 when none).
- ``ok`` is ``true``/``false``/``null`` (kept for readers of the first check shape).
- Checks resting on values read by OCR carry ``"ocr": true`` and, when any of those values
  is uncertain, ``"uncertain": [keys]``.

Rule names: ``balance`` (1), ``outcomes`` (2), ``applicants`` (3), ``review_suit`` (4),
``text_figures`` (6).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from extract import keys as K
from extract.types import CellValue

RULE_NAMES = {
    "rule1": "balance",
    "rule2": "outcomes",
    "rule3": "applicants",
    "rule4": "review_suit",
    "rule6": "text_figures",
}


class CheckStatus(StrEnum):
    """The verdict of one consistency check."""

    OK = "ok"
    FAILED = "failed"
    NOT_EVALUABLE = "not_evaluable"
    """Every term of the rule is a blank cell: nothing to judge."""


def check_status(check: Mapping[str, Any]) -> CheckStatus:
    """The status of a stored check, also for checks written before ``status`` existed."""
    status = check.get("status")
    if isinstance(status, str) and status in CheckStatus.__members__.values():
        return CheckStatus(status)
    ok = check.get("ok")
    if ok is None:
        return CheckStatus.NOT_EVALUABLE
    return CheckStatus.OK if ok else CheckStatus.FAILED


def _n(values: Mapping[str, CellValue], key: str) -> int | float:
    value = values.get(key)
    return value if isinstance(value, int | float) else 0


class _Rules:
    def __init__(self, values: Mapping[str, CellValue], ocr: Mapping[str, Any] | None) -> None:
        self.values = values
        self.ocr = ocr or {}
        self.checks: list[dict[str, Any]] = []
        self.failed: dict[str, str] = {}
        """Every term of a failed rule → the first failed rule it is a term of."""

    def add(self, rule: str, axis: str, name: str, left: list[str], right: list[str]) -> None:
        terms = left + right
        blank = [key for key in terms if not isinstance(self.values.get(key), int | float)]
        check: dict[str, Any] = {"rule": rule, axis: name}
        if len(blank) == len(terms):
            check.update(status=CheckStatus.NOT_EVALUABLE.value, ok=None, left=None, right=None)
        else:
            lsum = sum(_n(self.values, key) for key in left)
            rsum = sum(_n(self.values, key) for key in right)
            status = CheckStatus.OK if lsum == rsum else CheckStatus.FAILED
            check.update(status=status.value, ok=lsum == rsum, left=lsum, right=rsum)
            if status is CheckStatus.FAILED:
                for key in terms:
                    self.failed.setdefault(key, f"{rule}:{name}")
        check["blank_terms"] = len(blank)
        mark_ocr(check, terms, self.ocr)
        self.checks.append(check)


def mark_ocr(check: dict[str, Any], terms: Iterable[str], ocr: Mapping[str, Any]) -> None:
    """Add ``ocr``/``uncertain`` to ``check`` when any printed term was read by OCR.

    ``ocr`` maps value keys to ``{"confidence": float, "uncertain": bool}``."""
    read = [key for key in terms if key in ocr]
    if not read:
        return
    check["ocr"] = True
    uncertain = [key for key in read if ocr[key].get("uncertain")]
    if uncertain:
        check["uncertain"] = uncertain


def evaluate_checks(
    layout: str, values: Mapping[str, CellValue], ocr: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rules 1–4 for ``values`` of ``layout``; nothing for layout ``none``."""
    return _evaluate(layout, values, ocr).checks


def failed_terms(layout: str, values: Mapping[str, CellValue]) -> dict[str, str]:
    """The value keys that are terms of a failed rule 1–4, each with the rule
    (``balance:natural``): for values read by OCR, a failed rule makes its terms
    uncertain — one of them may be misread."""
    return _evaluate(layout, values, None).failed


def _evaluate(
    layout: str, values: Mapping[str, CellValue], ocr: Mapping[str, Any] | None
) -> _Rules:
    rules = _Rules(values, ocr)
    if layout not in ("2019", "2021"):
        return rules
    for column in K.T3_COLUMNS:
        rules.add(
            "balance",
            "column",
            column,
            [f"t3.new.{column}", f"t3.carried_over.{column}"],
            [f"t3.total.{column}", f"t3.carried_forward.{column}"],
        )
    for column in K.T3_COLUMNS:
        # In layout 2021 ``other`` already holds the sum of its sub-rows when only those
        # were printed (``extract.tables``).
        rules.add(
            "outcomes",
            "column",
            column,
            [f"t3.{row}.{column}" for row in K.OUTCOME_ROWS],
            [f"t3.total.{column}"],
        )
    for row in K.t3_rows(layout):
        rules.add(
            "applicants",
            "row",
            row,
            [f"t3.{row}.{column}" for column in K.APPLICANT_COLUMNS],
            [f"t3.{row}.total"],
        )
    for group in K.T4_GROUPS:
        rules.add(
            "review_suit",
            "group",
            group,
            [f"t4.{group}.{column}" for column in K.T4_COLUMNS[:-1]],
            [f"t4.{group}.total"],
        )
    return rules


_RECEIVED = re.compile(
    r"(?:收到|受理|新收)[^，。；：\d]{0,12}?"
    r"(?:政府信息公开申请|信息公开申请|公开申请|依申请公开(?:申请)?)"
    r"[^，。；：\d件]{0,6}?(\d+)\s*件"
)
"""A phrase stating the applications received: 收到政府信息公开申请4件, 共受理依申请公开1件,
新收信息公开申请共计3件. Other requests (行政许可申请), other units (条, 个) and other
verbs (办结, 答复) are not the figure of ``t3.new.total``."""


def text_figure_checks(
    layout: str,
    values: Mapping[str, CellValue],
    overview: str,
    ocr: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rule 6: the number of applications received quoted in 一、总体情况 (``收到政府信息
    公开申请4件``) agrees with ``t3.new.total`` of the table (not evaluable, so not
    checked, when that cell is blank)."""
    if layout not in ("2019", "2021") or values.get("t3.new.total") is None:
        return []
    checks: list[dict[str, Any]] = []
    for match in _RECEIVED.finditer(overview):
        quoted = int(match.group(1))
        table = _n(values, "t3.new.total")
        check: dict[str, Any] = {
            "rule": "text_figures",
            "figure": "t3.new.total",
            "quote": match.group(0),
            "status": (CheckStatus.OK if quoted == table else CheckStatus.FAILED).value,
            "ok": quoted == table,
            "left": quoted,
            "right": table,
            "blank_terms": 0,
        }
        mark_ocr(check, ["t3.new.total"], ocr or {})
        checks.append(check)
        break
    return checks
