"""Spreadsheets (xls via xlrd, xlsx via openpyxl): every sheet as a table, merged cells expanded.

Bounded before anything is built: an xlsx sheet is streamed row by row (openpyxl's cell
parser on a pruned ``iterparse``, so a million rows never become a tree), counting cells
as they come and stopping at ``Limits.max_cells``; merged areas are clipped to the sheet's
used range in O(1) each (one ``mergeCell`` over ``A1:XFD1048576`` costs no more than the
cells really there) and their clipped total is bounded too.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from extract.limits import DEFAULT_LIMITS, CellLimitError, ExtractionError, Limits, open_zip
from extract.sniff import XLS, XLSX
from extract.text.grid import SpanCell, build_table
from extract.types import Grid, TextDocument

Merge = tuple[int, int, int, int]
"""A merged area as (first_row, last_row_exclusive, first_col, last_col_exclusive), 0-based."""

_SHARED_STRING_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?si\s*>")


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


def _clip_merges(
    merges: list[Merge], height: int, width: int, limits: Limits, what: str
) -> list[Merge]:
    """Merged areas cut to the used range (``height`` × ``width``); refuse when together
    they still cover more than ``limits.max_cells`` cells."""
    clipped: list[Merge] = []
    area = 0
    for r0, r1, c0, c1 in merges:
        r0, c0 = max(0, r0), max(0, c0)
        r1, c1 = min(r1, height), min(c1, width)
        if r0 >= r1 or c0 >= c1:
            continue
        area += (r1 - r0) * (c1 - c0)
        if area > limits.max_cells:
            raise CellLimitError(f"{what}: merged cells cover more than {limits.max_cells} cells")
        clipped.append((r0, r1, c0, c1))
    return clipped


def _sheet_rows(values: list[list[str]], merges: list[Merge]) -> list[list[SpanCell]]:
    """Rows of span cells; ``merges`` must already be clipped to ``values``."""
    covered: dict[int, bytearray] = {}
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, r1, c0, c1 in merges:
        spans[(r0, c0)] = (r1 - r0, c1 - c0)
        for r in range(r0, r1):
            row_width = len(values[r])
            if c0 >= row_width:
                continue
            marks = covered.get(r)
            if marks is None:
                marks = covered[r] = bytearray(row_width)
            end = min(c1, row_width)
            marks[c0:end] = b"\x01" * (end - c0)
            if r == r0:
                marks[c0] = 0
    rows: list[list[SpanCell]] = []
    for r, row in enumerate(values):
        marks = covered.get(r)
        cells: list[SpanCell] = []
        for c, text in enumerate(row):
            if marks is not None and marks[c]:
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
        if cells > limits.max_cells:
            raise CellLimitError(f"more than {limits.max_cells} cells (sheet {sheet.name!r})")
        values = [
            [_format(sheet.cell_value(r, c)) for c in range(sheet.ncols)]
            for r in range(sheet.nrows)
        ]
        merges = _clip_merges(
            list(sheet.merged_cells), sheet.nrows, sheet.ncols, limits, f"sheet {sheet.name!r}"
        )
        sheets.append((sheet.name, _sheet_rows(values, merges)))
    book.release_resources()
    return _document(XLS, sheets)


def _refuse_dtd(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a member whose XML declares a DTD (entity bombs, external entities). A DTD
    can only come before the root element, so parsing stops at the first element."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        with archive.open(name) as stream:
            for _ in SafeET.iterparse(stream, events=("start",), forbid_dtd=True):
                return
    except DefusedXmlException as exc:
        raise ExtractionError(
            f"xlsx {name}: XML with DTD/entity declarations refused (possible entity bomb): "
            f"{type(exc).__name__}"
        ) from exc
    except Exception:
        return  # not XML: openpyxl never parses it as such


def _count_shared_strings(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a shared-string table with more strings than the workbook may have cells
    (openpyxl loads it whole), counting on the inflated bytes as they stream."""
    names = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
    for name in names:
        count, tail = 0, b""
        with archive.open(name) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                # a tag cut at the previous chunk's end is counted now, and only now
                count += sum(1 for m in _SHARED_STRING_END.finditer(block) if m.end() > len(tail))
                tail = block[-64:]
                if count > limits.max_cells:
                    raise CellLimitError(f"more than {limits.max_cells} shared strings ({name})")


def _stream_sheet(source: Any, parser: Any) -> Iterator[tuple[str, Any]]:
    """``("row", (index, cells))`` and ``("merge", ref)`` from a worksheet part, parsing
    it as a stream: every row and merge is dropped from the tree once read."""
    import defusedxml.ElementTree as SafeET
    from openpyxl.worksheet._reader import ROW_TAG
    from openpyxl.xml.constants import SHEET_MAIN_NS

    merge_tag = f"{{{SHEET_MAIN_NS}}}mergeCell"
    stack: list[Any] = []
    for event, element in SafeET.iterparse(source, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            stack.append(element)
            continue
        stack.pop()
        if element.tag == ROW_TAG:
            yield "row", parser.parse_row(element)
        elif element.tag == merge_tag:
            yield "merge", element.get("ref") or ""
        if 1 <= len(stack) <= 2:
            stack[-1].remove(element)


def _read_sheet(
    book: Any, sheet: Any, limits: Limits, cells: int
) -> tuple[list[list[str]], list[Merge], int]:
    """The sheet's values (rows padded to the used width), its merged areas (clipped) and
    the workbook's running cell count; :class:`CellLimitError` past ``limits.max_cells``."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser

    what = f"sheet {sheet.title!r}"
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    rows: dict[int, dict[int, Any]] = {}
    merges: list[Merge] = []
    height = width = seen = 0
    with sheet._get_source() as source:
        for kind, item in _stream_sheet(source, parser):
            if kind == "merge":
                try:
                    c0, r0, c1, r1 = range_boundaries(item)
                except (ValueError, TypeError):
                    continue
                if None in (c0, r0, c1, r1):
                    continue
                merges.append((r0 - 1, r1, c0 - 1, c1))
                if len(merges) > limits.max_cells:
                    raise CellLimitError(f"{what}: more than {limits.max_cells} merged areas")
                continue
            index, row_cells = item
            if not row_cells:
                continue
            row = rows.setdefault(index, {})
            for cell in row_cells:
                row[cell["column"]] = cell["value"]
            height = max(height, index)
            width = max(width, max(cell["column"] for cell in row_cells))
            seen += len(row_cells)
            if cells + max(seen, height * width) > limits.max_cells:
                raise CellLimitError(
                    f"{what}: more than {limits.max_cells} cells "
                    f"(used range at least {height} rows × {width} columns)"
                )
    values = [
        [_format(rows.get(r, {}).get(c)) for c in range(1, width + 1)] for r in range(1, height + 1)
    ]
    return values, _clip_merges(merges, height, width, limits, what), cells + height * width


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    import openpyxl

    archive = open_zip(data, limits, "xlsx")
    with archive:
        for name in archive.namelist():
            _refuse_dtd(archive, name)
        _count_shared_strings(archive, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        raise ExtractionError(f"xlsx: unreadable workbook ({type(exc).__name__}: {exc})") from exc
    sheets: list[tuple[str, list[list[SpanCell]]]] = []
    cells = 0
    try:
        for sheet in book.worksheets:
            try:
                values, merges, cells = _read_sheet(book, sheet, limits, cells)
            except (ExtractionError, MemoryError, RecursionError):
                raise
            except Exception as exc:
                raise ExtractionError(
                    f"xlsx: sheet {sheet.title!r} unreadable ({type(exc).__name__}: {exc})"
                ) from exc
            sheets.append((sheet.title, _sheet_rows(values, merges)))
    finally:
        book.close()
    return _document(XLSX, sheets)
