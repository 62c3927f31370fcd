"""Consistency rules 1–4 (and 6) of ``report-tables.md`` evaluated on parsed table values.

Every check is a dict ``{"rule", "column"|"row"|"group", "ok", "left", "right"}``; ``null``
cells count as 0. Rule names: ``balance`` (1), ``outcomes`` (2), ``applicants`` (3),
``review_suit`` (4), ``text_figures`` (6).
"""

from __future__ import annotations

import re
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


def _n(values: dict[str, CellValue], key: str) -> int | float:
    value = values.get(key)
    return value if isinstance(value, int | float) else 0


def _check(
    rule: str, axis: str, name: str, left: int | float, right: int | float
) -> dict[str, Any]:
    return {"rule": rule, axis: name, "ok": left == right, "left": left, "right": right}


def evaluate_checks(layout: str, values: dict[str, CellValue]) -> list[dict[str, Any]]:
    """Rules 1–4 for ``values`` of ``layout``; nothing for layout ``none``."""
    if layout not in ("2019", "2021"):
        return []
    checks: list[dict[str, Any]] = []
    for column in K.T3_COLUMNS:
        left = _n(values, f"t3.new.{column}") + _n(values, f"t3.carried_over.{column}")
        right = _n(values, f"t3.total.{column}") + _n(values, f"t3.carried_forward.{column}")
        checks.append(_check("balance", "column", column, left, right))
    for column in K.T3_COLUMNS:
        # In layout 2021 ``other`` already holds the sum of its sub-rows when only those
        # were printed (``extract.tables``).
        left = sum(_n(values, f"t3.{row}.{column}") for row in K.OUTCOME_ROWS)
        checks.append(_check("outcomes", "column", column, left, _n(values, f"t3.total.{column}")))
    for row in K.t3_rows(layout):
        left = sum(_n(values, f"t3.{row}.{column}") for column in K.APPLICANT_COLUMNS)
        checks.append(_check("applicants", "row", row, left, _n(values, f"t3.{row}.total")))
    for group in K.T4_GROUPS:
        left = sum(_n(values, f"t4.{group}.{column}") for column in K.T4_COLUMNS[:-1])
        checks.append(_check("review_suit", "group", group, left, _n(values, f"t4.{group}.total")))
    return checks


_RECEIVED = re.compile(
    r"(?:收到|受理|新收)[^，。；：\d]{0,12}?"
    r"(?:政府信息公开申请|信息公开申请|公开申请|依申请公开(?:申请)?)"
    r"[^，。；：\d件]{0,6}?(\d+)\s*件"
)
"""A phrase stating the applications received: 收到政府信息公开申请4件, 共受理依申请公开1件,
新收信息公开申请共计3件. Other requests (行政许可申请), other units (条, 个) and other
verbs (办结, 答复) are not the figure of ``t3.new.total``."""


def text_figure_checks(
    layout: str, values: dict[str, CellValue], overview: str
) -> list[dict[str, Any]]:
    """Rule 6: the number of applications received quoted in 一、总体情况 (``收到政府信息
    公开申请4件``) agrees with ``t3.new.total`` of the table."""
    if layout not in ("2019", "2021") or values.get("t3.new.total") is None:
        return []
    checks: list[dict[str, Any]] = []
    for match in _RECEIVED.finditer(overview):
        quoted = int(match.group(1))
        table = _n(values, "t3.new.total")
        checks.append(
            {
                "rule": "text_figures",
                "figure": "t3.new.total",
                "quote": match.group(0),
                "ok": quoted == table,
                "left": quoted,
                "right": table,
            }
        )
        break
    return checks
