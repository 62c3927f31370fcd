"""The three statistical tables of a report (``report-tables.md``) laid out for a page:
the form's rows and columns, each cell the value as stored — a blank cell stays blank."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extract.keys import T3_COLUMNS, T4_COLUMNS, T4_GROUPS, t2_columns, t3_rows
from web.i18n import N_

ROW_LABELS = {
    "t2.regulations": N_("Regulations (规章)"),
    "t2.normative": N_("Normative documents"),
    "t2.licensing": N_("Administrative licensing"),
    "t2.other_services": N_("Other administrative services"),
    "t2.penalty": N_("Administrative penalties"),
    "t2.coercion": N_("Administrative coercion"),
    "t2.fees": N_("Administrative fees"),
    "t2.procurement": N_("Government procurement"),
    "t3.new": N_("1. New requests received this year"),
    "t3.carried_over": N_("2. Carried over from last year"),
    "t3.granted": N_("3.(1) Disclosed"),
    "t3.partial": N_("3.(2) Partly disclosed"),
    "t3.denied.state_secret": N_("3.(3) Withheld: 1. state secret"),
    "t3.denied.prohibited": N_("2. prohibited by other laws"),
    "t3.denied.three_safeties": N_("3. endangers the three safeties and stability"),
    "t3.denied.third_party": N_("4. protects a third party"),
    "t3.denied.internal": N_("5. internal affairs"),
    "t3.denied.process": N_("6. process information"),
    "t3.denied.enforcement_file": N_("7. law-enforcement file"),
    "t3.denied.inquiry": N_("8. administrative inquiry"),
    "t3.unavailable.not_held": N_("3.(4) Cannot be provided: 1. not held"),
    "t3.unavailable.needs_creation": N_("2. would have to be created"),
    "t3.unavailable.unclear": N_("3. still unclear after correction"),
    "t3.unprocessed.petition": N_("3.(5) Not processed: 1. petition or complaint"),
    "t3.unprocessed.repeat": N_("2. repeated request"),
    "t3.unprocessed.publication": N_("3. asks for a publication"),
    "t3.unprocessed.excessive": N_("4. excessive repeated requests"),
    "t3.unprocessed.confirmation": N_("5. asks to confirm information held"),
    "t3.other": N_("3.(6) Otherwise handled"),
    "t3.other.no_correction": N_("1. no correction in time"),
    "t3.other.unpaid_fee": N_("2. fee not paid in time"),
    "t3.other.other": N_("3. other"),
    "t3.total": N_("3.(7) Total"),
    "t3.carried_forward": N_("4. Carried forward to next year"),
    "t4.review": N_("Administrative review"),
    "t4.suit_direct": N_("Lawsuit without prior review"),
    "t4.suit_after_review": N_("Lawsuit after review"),
}
COLUMN_LABELS = {
    "made": N_("made this year"),
    "published": N_("published this year"),
    "total": N_("total"),
    "prev_items": N_("items last year"),
    "change": N_("change this year"),
    "decisions": N_("decisions"),
    "projects": N_("projects"),
    "amount": N_("amount"),
    "issued": N_("issued this year"),
    "repealed": N_("repealed this year"),
    "in_force": N_("in force"),
    "amount_wan": N_("fees this year (10,000 yuan)"),
    "natural": N_("natural persons"),
    "commercial": N_("businesses"),
    "research": N_("research institutions"),
    "social_welfare": N_("public-interest organisations"),
    "legal_service": N_("legal services"),
    "other_org": N_("other"),
    "upheld": N_("upheld"),
    "corrected": N_("corrected"),
    "other": N_("other result"),
    "pending": N_("pending"),
}
TABLE_TITLES = {
    "t2": N_("Table 2: information published on the agency's initiative"),
    "t3": N_("Table 3: requests for disclosure received and handled"),
    "t4": N_("Table 4: administrative reviews and lawsuits"),
}


@dataclass
class Block:
    """One grid of a table: columns, and rows of (key prefix, label, cells)."""

    columns: list[str]
    rows: list[tuple[str, str, list[Any]]] = field(default_factory=list)


@dataclass
class Table:
    key: str
    title: str
    blocks: list[Block]
    filled: int


def _cell(values: dict[str, Any], key: str) -> Any:
    value = values.get(key)
    return None if value is None else value


def tables(layout: str | None, values: dict[str, Any]) -> list[Table]:
    """The tables of ``layout`` with the given values (none for layout ``none``)."""
    if layout not in ("2019", "2021"):
        return []
    out: list[Table] = []
    # table 2: rows sharing their columns form one grid
    blocks: list[Block] = []
    for row, columns in t2_columns(layout):
        shown = list(columns)
        if not blocks or blocks[-1].columns != shown:
            blocks.append(Block(shown))
        cells = []
        for column in columns:
            if column == "amount":
                raw = values.get(f"t2.{row}.amount_raw")
                cells.append(raw if raw is not None else _cell(values, f"t2.{row}.amount_yuan"))
            else:
                cells.append(_cell(values, f"t2.{row}.{column}"))
        blocks[-1].rows.append((f"t2.{row}", ROW_LABELS[f"t2.{row}"], cells))
    out.append(_table("t2", blocks))
    t3 = Block(list(T3_COLUMNS))
    for row in t3_rows(layout):
        t3.rows.append(
            (
                f"t3.{row}",
                ROW_LABELS[f"t3.{row}"],
                [_cell(values, f"t3.{row}.{c}") for c in T3_COLUMNS],
            )
        )
    out.append(_table("t3", [t3]))
    t4 = Block(list(T4_COLUMNS))
    for group in T4_GROUPS:
        t4.rows.append(
            (
                f"t4.{group}",
                ROW_LABELS[f"t4.{group}"],
                [_cell(values, f"t4.{group}.{c}") for c in T4_COLUMNS],
            )
        )
    out.append(_table("t4", [t4]))
    return out


def _table(key: str, blocks: list[Block]) -> Table:
    filled = sum(1 for b in blocks for _, _, cells in b.rows for c in cells if c is not None)
    return Table(key, TABLE_TITLES[key], blocks, filled)
