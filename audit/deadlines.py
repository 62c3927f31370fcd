"""Deadlines of the annual reports as rules (``config/deadlines.yaml``), not constants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from registry.model import KINDS, LEVELS

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "config" / "deadlines.yaml"
CHINA = timezone(timedelta(hours=8))
_YEARS = re.compile(r"^\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*$")
_DUE = re.compile(r"^(\d{2})-(\d{2})$")


class DeadlineError(ValueError):
    """The deadline rules cannot be read; the message names the file, rule and field."""


@dataclass(frozen=True)
class Rule:
    first_year: int | None
    last_year: int | None
    levels: frozenset[str] | None
    kinds: frozenset[str] | None
    regions: tuple[str, ...] | None
    month: int
    day: int

    def matches(self, year: int, level: str, kind: str, division_code: str | None) -> bool:
        if self.first_year is not None and year < self.first_year:
            return False
        if self.last_year is not None and year > self.last_year:
            return False
        if self.levels is not None and level not in self.levels:
            return False
        if self.kinds is not None and kind not in self.kinds:
            return False
        return self.regions is None or bool(
            division_code and division_code.startswith(self.regions)
        )


class Deadlines:
    """``due(year, level, kind, division_code)`` → the last day to publish, or None."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._cache: dict[tuple[int, str, str, object], date | None] = {}
        self._regions = tuple(sorted({p for rule in rules for p in rule.regions or ()}))
        """Every region prefix of the rules: a division code matters only by which of
        them it starts with (the same answer for every county of a province, and for
        every code when no rule names a region)."""

    @classmethod
    def load(cls, path: str | Path | None = None) -> Deadlines:
        path = Path(path) if path else DEFAULT_PATH
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DeadlineError(f"cannot read the deadline rules {path}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise DeadlineError(f"{path}: not valid YAML: {exc}") from exc
        return cls.parse(data, source=str(path))

    @classmethod
    def parse(cls, data: Any, *, source: str = "<rules>") -> Deadlines:
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise DeadlineError(f"{source}: expected a mapping with a list under 'rules'")
        return cls(
            [_rule(entry, f"{source}: rule {i + 1}") for i, entry in enumerate(data["rules"])]
        )

    def due(
        self, year: int, level: str, kind: str, division_code: str | None = None
    ) -> date | None:
        region: object = None
        if self._regions and division_code:
            region = tuple(p for p in self._regions if division_code.startswith(p))
        key = (year, level, kind, region)
        if key not in self._cache:
            found = None
            for rule in self.rules:
                if rule.matches(year, level, kind, division_code):
                    found = rule
            self._cache[key] = date(year + 1, found.month, found.day) if found else None
        return self._cache[key]


def end_of_day_utc(day: date) -> datetime:
    """The moment a deadline day ends in China (UTC+8), as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC) + timedelta(days=1)


def china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _names(
    entry: dict[str, Any], field: str, allowed: tuple[str, ...] | None, where: str
) -> list[str] | None:
    value = entry.get(field)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise DeadlineError(f"{where}: '{field}' must be a list of names")
    names = [str(v) for v in value]
    if allowed is not None:
        bad = [v for v in names if v not in allowed]
        if bad:
            raise DeadlineError(
                f"{where}: unknown {field} {', '.join(bad)} (use {', '.join(allowed)})"
            )
    return names


def _rule(entry: Any, where: str) -> Rule:
    if not isinstance(entry, dict):
        raise DeadlineError(f"{where}: expected a mapping")
    unknown = set(entry) - {"years", "levels", "kinds", "regions", "due"}
    if unknown:
        raise DeadlineError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    first = last = None
    if entry.get("years") is not None:
        match = _YEARS.match(str(entry["years"]))
        if not match or not (match.group(1) or match.group(3)):
            raise DeadlineError(
                f"{where}: years must look like 2019-, 2008-2018 or 2021, not {entry['years']!r}"
            )
        first = int(match.group(1)) if match.group(1) else None
        last = int(match.group(3)) if match.group(3) else (None if match.group(2) else first)
    due = _DUE.match(str(entry.get("due", "")))
    if not due:
        raise DeadlineError(
            f"{where}: due must be MM-DD of the following year, not {entry.get('due')!r}"
        )
    month, day = int(due.group(1)), int(due.group(2))
    try:
        date(2001, month, day)
    except ValueError as exc:
        raise DeadlineError(f"{where}: due {entry['due']!r} is not a day of the year") from exc
    levels = _names(entry, "levels", LEVELS, where)
    kinds = _names(entry, "kinds", KINDS, where)
    regions = _names(entry, "regions", None, where)
    if regions is not None and not all(r.isdigit() for r in regions):
        raise DeadlineError(f"{where}: regions must be division code prefixes (digits)")
    return Rule(
        first,
        last,
        frozenset(levels) if levels is not None else None,
        frozenset(kinds) if kinds is not None else None,
        tuple(regions) if regions is not None else None,
        month,
        day,
    )
