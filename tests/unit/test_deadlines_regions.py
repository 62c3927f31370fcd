"""Deadlines are kept per region of the rules, not per division code: the same due dates
as every rule tried against the code itself."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.deadlines import Deadlines, Rule
from registry.model import KINDS, LEVELS

CODES = [None, "", "1", "12", "1201", "13", "1301", "2", "21"]
"""Codes that share prefixes with each other and with the rules' regions."""
PREFIXES = st.lists(st.sampled_from(["", "1", "12", "13", "2", "1201"]), min_size=1, max_size=3)
RULES = st.builds(
    Rule,
    first_year=st.none() | st.integers(2008, 2024),
    last_year=st.none() | st.integers(2008, 2024),
    levels=st.none() | st.frozensets(st.sampled_from(LEVELS), min_size=1),
    kinds=st.none() | st.frozensets(st.sampled_from(KINDS), min_size=1),
    regions=st.none() | PREFIXES.map(tuple),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
)


def tried(rules: list[Rule], year: int, level: str, kind: str, code: str | None) -> date | None:
    found = None
    for rule in rules:
        if rule.matches(year, level, kind, code):
            found = rule
    return date(year + 1, found.month, found.day) if found else None


@settings(max_examples=300, deadline=None)
@given(
    rules=st.lists(RULES, max_size=6),
    asked=st.lists(
        st.tuples(st.integers(2008, 2024), st.sampled_from(LEVELS), st.sampled_from(KINDS)),
        min_size=1,
        max_size=8,
    ),
)
def test_due_dates_by_region_equal_the_rules_tried_on_each_code(
    rules: list[Rule], asked: list[tuple[int, str, str]]
) -> None:
    deadlines = Deadlines(rules)
    for year, level, kind in asked + asked:  # asked twice: kept answers too
        for code in CODES:
            assert deadlines.due(year, level, kind, code) == tried(rules, year, level, kind, code)
