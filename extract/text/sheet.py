"""Spreadsheets (xls via xlrd, xlsx via openpyxl): every sheet as a table, merged cells expanded."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, open_zip
from extract.sniff import XLS, XLSX
from extract.text.grid import SpanCell, build_table
from extract.text.ooxml import read_xml_member
from extract.types import Grid, TextDocument

_MAX_CELLS = 2_000_000


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _sheet_rows(
    values: list[list[str]], merges: list[tuple[int, int, int, int]]
) -> list[list[SpanCell]]:
    """``merges`` as (first_row, last_row_exclusive, first_col, last_col_exclusive)."""
    covered: set[tuple[int, int]] = set()
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, r1, c0, c1 in merges:
        spans[(r0, c0)] = (r1 - r0, c1 - c0)
        covered.update((r, c) for r in range(r0, r1) for c in range(c0, c1) if (r, c) != (r0, c0))
    rows: list[list[SpanCell]] = []
    for r, row in enumerate(values):
        cells: list[SpanCell] = []
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            cells.append(SpanCell(text, rowspan, colspan))
        rows.append(cells)
    return rows


def _document(media_type: str, sheets: list[tuple[str, list[list[SpanCell]]]]) -> TextDocument:
    lines: list[str] = []
    tables: list[Grid] = []
    for name, rows in sheets:
        table = build_table(rows)
        if table is None:
            continue
        tables.append(table.grid)
        lines.extend([f"[{name}]", *table.lines, ""])
    return TextDocument(media_type=media_type, text="\n".join(lines).strip(), tables=tables)


def read_xls(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.biffh.XLRDError as exc:
        message = str(exc)
        if "encrypt" in message.lower():
            raise ExtractionError("xls: encrypted workbook") from exc
        raise ExtractionError(f"xls: unreadable workbook: {message}") from exc
    except Exception as exc:
        raise ExtractionError(f"xls: unreadable workbook ({type(exc).__name__}: {exc})") from exc
    sheets: list[tuple[str, list[list[SpanCell]]]] = []
    cells = 0
    for sheet in book.sheets():
        cells += sheet.nrows * sheet.ncols
        if cells > _MAX_CELLS:
            raise ExtractionError(f"xls: more than {_MAX_CELLS} cells")
        values = [
            [_format(sheet.cell_value(r, c)) for c in range(sheet.ncols)]
            for r in range(sheet.nrows)
        ]
        sheets.append((sheet.name, _sheet_rows(values, list(sheet.merged_cells))))
    book.release_resources()
    return _document(XLS, sheets)


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    import openpyxl

    archive = open_zip(data, limits, "xlsx")
    with archive:
        # Validate every XML part with defusedxml before openpyxl parses it.
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                read_xml_member(archive, name, limits, "xlsx")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as exc:
        raise ExtractionError(f"xlsx: unreadable workbook ({type(exc).__name__}: {exc})") from exc
    sheets: list[tuple[str, list[list[SpanCell]]]] = []
    cells = 0
    for sheet in book.worksheets:
        cells += sheet.max_row * sheet.max_column
        if cells > _MAX_CELLS:
            raise ExtractionError(f"xlsx: more than {_MAX_CELLS} cells")
        values = [[_format(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        merges = [
            (m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in sheet.merged_cells.ranges
        ]
        sheets.append((sheet.title, _sheet_rows(values, merges)))
    book.close()
    return _document(XLSX, sheets)
