"""The report-level analysis of one document: metadata, statistical tables, checks, sections.

``analyse`` is called by ``extract.document`` after a format reader has produced the
``TextDocument``; it fills the report fields of the ``Extraction`` in place.
"""

from __future__ import annotations

from typing import Any

from extract.checks import evaluate_checks, failed_terms, text_figure_checks
from extract.keys import keys_for_layout
from extract.metadata import (
    agency_from_title,
    document_title,
    published_date,
    year_from_text,
    year_from_title,
)
from extract.sections import find_sections, section_text
from extract.table_rows import Row, grid_rows, text_rows
from extract.tables import TableParse, parse_tables
from extract.types import Extraction, ScoredText, Sourced, TextDocument


def read_tables(doc: TextDocument) -> TableParse:
    """Tables from the grids when there are grids, from the text layout otherwise; rows the
    grids lack (a reader may drop a row of a table broken over pages) come from the text."""
    fuzzy = doc.ocr is not None
    from_text = parse_tables(_scored_rows(text_rows(doc.text), doc.cell_scores), fuzzy=fuzzy)
    if not doc.tables:
        return from_text
    from_grids = parse_tables(grid_rows(doc.tables), fuzzy=fuzzy)
    if not from_grids.rows_found:
        return from_text
    if from_grids.layout == "none" and (from_text.layout != "none" or from_text.rows_found):
        return from_text  # (table 四 alone is read under layout none)
    if from_text.layout == from_grids.layout:
        merge_missing_rows(from_grids, from_text)
    return from_grids


def _scored_rows(rows: list[Row], scores: dict[str, list[float | None]]) -> list[Row]:
    """Rows of a text rebuilt from an OCR layout (tables without rules) with the
    confidences their cells were read with (:attr:`TextDocument.cell_scores`)."""
    if not scores:
        return rows
    out: list[Row] = []
    for row in rows:
        found = scores.get("\t".join(row.cells)) if row.positional else None
        if found is None or len(found) != len(row.cells):
            out.append(row)
            continue
        cells: list[str] = [
            cell if score is None else ScoredText(cell, score)
            for cell, score in zip(row.cells, found, strict=True)
        ]
        out.append(Row(cells, True))
    return out


def merge_missing_rows(target: TableParse, source: TableParse) -> None:
    """Copy into ``target`` the rows that only ``source`` found (same layout)."""
    for row in sorted(source.rows_found - target.rows_found):
        prefix = "t4." if row == "t4" else f"{row}."
        for key, value in source.values.items():
            if key.startswith(prefix) and (row == "t4" or "." not in key[len(prefix) :]):
                target.values[key] = value
        target.rows_found.add(row)


UNCERTAIN_BELOW = 0.80
"""OCR: a value recognised with less confidence than this is flagged uncertain."""


def ocr_confidences(tables: TableParse) -> dict[str, dict[str, Any]]:
    """For a document read by OCR: every value key printed (or lost: ink without text) →
    its confidence, whether it is uncertain and, when it is, ``why``:

    - ``confidence``: recognised with less confidence than :data:`UNCERTAIN_BELOW`, or
      read from the text lines, not a table cell (confidence unknown);
    - ``row not read``: a row of the layout's tables that was not found (its label not
      recognised, its rules not seen): its values are blank because they were not read;
      ``cell not read``: a blank value of a row read without a cell for it; a cell
      where OCR read neither a figure nor a blank mark has confidence 0;
    - ``rule:<rule>:<term>``: a term of a consistency rule (1–4) that fails on the OCR
      values — one of its terms may be misread, so every term is uncertain.
    """
    out: dict[str, dict[str, Any]] = {}
    for key, value in tables.values.items():
        confidence = tables.confidence.get(key)
        if value is None and (confidence is None or confidence > 0):
            continue  # a blank cell: nothing printed, nothing recognised
        uncertain = confidence is None or confidence < UNCERTAIN_BELOW
        out[key] = {
            "confidence": None if confidence is None else round(confidence, 3),
            "uncertain": uncertain,
        }
        if uncertain:
            out[key]["why"] = "confidence"
    if tables.layout not in ("2019", "2021"):
        return out
    keys = keys_for_layout(tables.layout)
    for key in keys:
        row = key.rsplit(".", 1)[0]
        found = ("t4" if key.startswith("t4.") else row) in tables.rows_found
        if key.startswith("t4.") and found:
            # table 四 is found as a whole: a group with no figure at all was not read
            found = any(tables.values.get(k) is not None for k in keys if k.startswith(row + "."))
        if not found and tables.values.get(key) is None:
            out[key] = {"confidence": None, "uncertain": True, "why": "row not read"}
        elif key not in tables.confidence and tables.values.get(key) is None:
            # a row read with fewer cells than the table has columns
            out[key] = {"confidence": None, "uncertain": True, "why": "cell not read"}
    for key, rule in failed_terms(tables.layout, tables.values).items():
        entry = out.setdefault(key, {"confidence": None, "uncertain": True})
        if not entry["uncertain"]:
            entry["uncertain"] = True
        entry.setdefault("why", f"rule:{rule}")
    return out


def analyse(doc: TextDocument, extraction: Extraction) -> None:
    """Fill title, agency_name, year, published_at, layout, values, checks and sections."""
    title = document_title(doc)
    extraction.title = title
    if title is not None:
        agency = agency_from_title(title.value)
        if agency:
            extraction.agency_name = Sourced(agency, title.source)
        year = year_from_title(title.value)
        if year is not None:
            extraction.year = Sourced(year, title.source)
    if extraction.year is None and (year := year_from_text(doc.text)) is not None:
        extraction.year = Sourced(year, "text")
    extraction.published_at = published_date(doc)

    tables = read_tables(doc)
    extraction.layout = tables.layout
    extraction.values = tables.values
    ocr_values = None
    if doc.ocr is not None:
        ocr_values = ocr_confidences(tables)
        extraction.ocr = {**doc.ocr, "values": ocr_values}
        extraction.uncertain = sorted(k for k, v in ocr_values.items() if v["uncertain"])
    checks = evaluate_checks(tables.layout, tables.values, ocr_values)
    checks += text_figure_checks(
        tables.layout, tables.values, section_text(doc.text, 1), ocr_values
    )
    extraction.checks = checks
    extraction.sections = find_sections(doc.text)
