"""What a report on a given year must contain, as rules (``config/report_contents.yaml``).

The 2008 条例 (第三十二条) lists six things a report must say and prescribes no layout:
the reports on 2008–2018 are free-form, and are complete when each required item is
reported somewhere in their text. From the reports on 2019, the unified format
(国办公开办函〔2019〕60号, revised 〔2021〕30号) requires six numbered sections and three
statistical tables. :meth:`ContentRules.check` applies the ruleset of the report's year
and never more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "config" / "report_contents.yaml"
_YEARS = re.compile(r"^\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*$")
TABLES = {"t2": "表二 主动公开", "t3": "表三 依申请", "t4": "表四 复议诉讼"}


class ContentRulesError(ValueError):
    """The rules cannot be read; the message names the file, ruleset and field."""


class Check(StrEnum):
    CONTENTS = "contents"
    """free-form: each required item reported somewhere in the text"""
    HEADINGS = "headings"
    """unified format: each item a numbered section with its heading"""


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    required: bool = True
    section: int | None = None
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ruleset:
    id: str
    first_year: int | None
    last_year: int | None
    source: str
    check: Check
    items: tuple[Item, ...]
    tables: tuple[str, ...]

    def covers(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass
class Shortfall:
    """What a report lacks by its year's rules (empty lists: nothing)."""

    ruleset: Ruleset
    missing_items: list[Item]
    found_items: list[str]
    missing_tables: list[str]

    def __bool__(self) -> bool:
        return bool(self.missing_items or self.missing_tables)

    def detail(self) -> str:
        parts = []
        if self.missing_items:
            what = "sections missing" if self.ruleset.check == Check.HEADINGS else "not reported"
            parts.append(f"{what}: " + ", ".join(i.name for i in self.missing_items))
        if self.missing_tables:
            parts.append("tables missing: " + ", ".join(TABLES[t] for t in self.missing_tables))
        rule = "" if self.ruleset.check == Check.HEADINGS else f" ({self.ruleset.id})"
        return "; ".join(parts) + rule


class ContentRules:
    def __init__(self, rulesets: list[Ruleset]) -> None:
        self.rulesets = rulesets

    @classmethod
    def load(cls, path: str | Path | None = None) -> ContentRules:
        path = Path(path) if path else DEFAULT_PATH
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ContentRulesError(
                f"cannot read the content rules {path}: {exc.strerror}"
            ) from exc
        except yaml.YAMLError as exc:
            raise ContentRulesError(f"{path}: not valid YAML: {exc}") from exc
        return cls.parse(data, source=str(path))

    @classmethod
    def parse(cls, data: Any, *, source: str = "<rules>") -> ContentRules:
        if not isinstance(data, dict) or not isinstance(data.get("rulesets"), list):
            raise ContentRulesError(f"{source}: expected a mapping with a list under 'rulesets'")
        return cls(
            [
                _ruleset(entry, f"{source}: ruleset {i + 1}")
                for i, entry in enumerate(data["rulesets"])
            ]
        )

    def for_year(self, year: int) -> Ruleset | None:
        found = None
        for ruleset in self.rulesets:
            if ruleset.covers(year):
                found = ruleset
        return found

    def check(
        self, year: int, *, sections: set[int], tables: set[str], text: str
    ) -> Shortfall | None:
        """What the report lacks by the rules of ``year`` (None: no rule for that year).
        ``sections``: the section numbers whose headings were found; ``tables``: the
        table prefixes with values (``t2`` …); ``text``: the report's text (its
        documents together; used by free-form rules)."""
        ruleset = self.for_year(year)
        if ruleset is None:
            return None
        missing: list[Item] = []
        found: list[str] = []
        for item in ruleset.items:
            if ruleset.check == Check.HEADINGS:
                present = item.section in sections
            else:
                present = any(term in text for term in item.terms)
            if present:
                found.append(item.id)
            elif item.required:
                missing.append(item)
        missing_tables = [t for t in ruleset.tables if t not in tables]
        return Shortfall(ruleset, missing, found, missing_tables)


def _ruleset(entry: Any, where: str) -> Ruleset:
    if not isinstance(entry, dict):
        raise ContentRulesError(f"{where}: expected a mapping")
    known = {"id", "years", "source", "check", "items", "tables"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ContentRulesError(f"{where}: unknown field {', '.join(unknown)}")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ident:
        raise ContentRulesError(f"{where}: id is required")
    where = f"{where} (id={ident})"
    match = _YEARS.match(str(entry.get("years", "")))
    if not match or not (match.group(1) or match.group(3)):
        raise ContentRulesError(f"{where}: years must look like 2008-2018, 2019- or 2021")
    first, dash, last = match.groups()
    first_year = int(first) if first else None
    last_year = int(last) if last else (None if dash else first_year)
    try:
        check = Check(str(entry.get("check")))
    except ValueError:
        raise ContentRulesError(f"{where}: check must be one of contents, headings") from None
    raw_items = entry.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ContentRulesError(f"{where}: items must be a non-empty list")
    items = []
    for n, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("name"):
            raise ContentRulesError(f"{where}: item {n} needs an id and a name")
        required = bool(raw.get("required", True))
        section = raw.get("section")
        terms = tuple(str(t) for t in raw.get("terms") or ())
        if check == Check.HEADINGS and required and section not in range(1, 7):
            raise ContentRulesError(f"{where}: item {raw['id']}: section must be 1 to 6")
        if check == Check.CONTENTS and required and not terms:
            raise ContentRulesError(f"{where}: item {raw['id']}: terms are required")
        items.append(Item(str(raw["id"]), str(raw["name"]), required, section, terms))
    tables = tuple(str(t) for t in entry.get("tables") or ())
    bad = [t for t in tables if t not in TABLES]
    if bad:
        raise ContentRulesError(f"{where}: unknown tables {', '.join(bad)}: use t2, t3, t4")
    return Ruleset(
        ident,
        first_year,
        last_year,
        " ".join(str(entry.get("source") or "").split()),
        check,
        tuple(items),
        tables,
    )
