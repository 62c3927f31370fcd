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
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


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


def _count_tags(archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes], limit: int) -> int:
    """How many times ``pattern`` (a tag) occurs in a member, counted on the inflated bytes
    as they stream (C speed, no parsing); counting stops once past ``limit``."""
    count, tail = 0, b""
    with archive.open(name) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            # a tag cut at the previous chunk's end is counted now, and only now
            count += len(pattern.findall(block)) - len(pattern.findall(tail))
            tail = block[-64:]
            if count > limit:
                break
    return count


def _count_before_parsing(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook whose shared strings or sheets hold more than ``limits.max_cells``
    entries, before any of it is parsed (a million-row sheet is refused in a second)."""
    names = archive.namelist()
    for name in names:
        if not name.lower().endswith("sharedstrings.xml"):
            continue
        if _count_tags(archive, name, _SHARED_STRING_END, limits.max_cells) > limits.max_cells:
            raise CellLimitError(f"more than {limits.max_cells} shared strings ({name})")
    cells = 0
    for name in names:
        if name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml"):
            cells += _count_tags(archive, name, _CELL_TAG, limits.max_cells - cells)
            if cells > limits.max_cells:
                raise CellLimitError(f"more than {limits.max_cells} cells ({name})")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    """The shared-string table as openpyxl reads it (a string's plain text and its rich
    text runs, not its phonetic runs), parsed as a stream. Its DTD was refused before."""
    from xml.etree.ElementTree import iterparse

    strings: list[str] = []
    root = None
    with archive.open(name) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if root is None:
                root = element
                continue
            if event != "end" or _local(element.tag) != "si":
                continue
            pieces = []
            for child in element:
                kind = _local(child.tag)
                if kind == "t":
                    pieces.append(child.text or "")
                elif kind == "r":
                    pieces.extend(t.text or "" for t in child if _local(t.tag) == "t")
            strings.append("".join(pieces).replace("x005F_", ""))
            root.clear()
    return strings


_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
_columns: dict[str, int] = {}


def _column(reference: str) -> int:
    """The 1-based column of a cell reference (``"AB12"`` → 28)."""
    match = _COORDINATE.match(reference)
    if match is None:
        raise ValueError(f"invalid cell reference {reference[:20]!r}")
    letters = match.group(1).upper()
    column = _columns.get(letters)
    if column is None:
        from openpyxl.utils.cell import column_index_from_string

        column = _columns[letters] = column_index_from_string(letters)
    return column


class _CellReader:
    """Cell values as openpyxl reads them with ``data_only=True`` (cached formula results,
    shared and inline strings, booleans, numbers, and dates where the style says so)."""

    def __init__(self, shared: list[str], book: Any) -> None:
        from openpyxl.xml.constants import SHEET_MAIN_NS

        self.shared = shared
        self.epoch = book.epoch
        self.date_formats: set[int] = set(book._date_formats)
        self.timedelta_formats: set[int] = set(book._timedelta_formats)
        self.value_tag = f"{{{SHEET_MAIN_NS}}}v"
        self.inline_tag = f"{{{SHEET_MAIN_NS}}}is"

    def value(self, cell: Any) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            from openpyxl.cell.text import Text

            child = cell.find(self.inline_tag)
            text = None if child is None else Text.from_tree(child)
            return None if text is None else text.content
        raw = cell.findtext(self.value_tag) or None
        if raw is None:
            return None
        if kind == "n":
            # a private helper, which openpyxl's stubs leave out
            from openpyxl.worksheet._reader import _cast_number  # type: ignore[attr-defined]

            number = _cast_number(raw)
            style = cell.get("s")
            if style and int(style) in self.date_formats:
                from openpyxl.utils.datetime import from_excel

                try:
                    return from_excel(
                        number, self.epoch, timedelta=int(style) in self.timedelta_formats
                    )
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.shared[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(raw)  # type: ignore[no-untyped-call]  # unannotated in the stubs
        return raw


def _stream_sheet(source: Any) -> Iterator[Any]:
    """The ``row`` and ``mergeCell`` elements of a worksheet part, parsed as a stream (lxml,
    at C speed; its DTD was refused before by :func:`_refuse_dtd`): each is dropped from
    the tree once the caller has read it."""
    from lxml import etree
    from openpyxl.xml.constants import SHEET_MAIN_NS

    events = etree.iterparse(
        source,
        events=("end",),
        tag=(f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}mergeCell"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    for _, element in events:
        yield element
        element.clear()
        parent = element.getparent()
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]


def _read_sheet(
    archive: zipfile.ZipFile, path: str, title: str, cells_of: _CellReader, limits: Limits,
    cells: int,
) -> tuple[list[list[str]], list[Merge], int]:  # fmt: skip
    """The sheet's values (rows padded to the used width), its merged areas (clipped) and
    the workbook's running cell count; :class:`CellLimitError` past ``limits.max_cells``."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.constants import SHEET_MAIN_NS

    what = f"sheet {title!r}"
    row_tag, cell_tag = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
    values: list[list[str]] = []
    merges: list[Merge] = []
    width = seen = index = 0
    with archive.open(path) as source:
        for element in _stream_sheet(source):
            if element.tag != row_tag:
                try:
                    c0, r0, c1, r1 = range_boundaries(element.get("ref") or "")
                except (ValueError, TypeError):
                    continue
                if c0 is None or r0 is None or c1 is None or r1 is None:
                    continue
                merges.append((r0 - 1, r1, c0 - 1, c1))
                if len(merges) > limits.max_cells:
                    raise CellLimitError(f"{what}: more than {limits.max_cells} merged areas")
                continue
            number = element.get("r")
            index = int(float(number)) if number else index + 1
            column = 0
            row_cells: list[tuple[int, str]] = []
            for cell in element:
                if cell.tag != cell_tag:
                    continue
                reference = cell.get("r")
                column = _column(reference) if reference else column + 1
                row_cells.append((column, _format(cells_of.value(cell))))
            if not row_cells or index < 1:
                continue
            width = max(width, max(c for c, _ in row_cells))
            seen += len(row_cells)
            height = max(len(values), index)
            if cells + max(seen, height * width) > limits.max_cells:
                raise CellLimitError(
                    f"{what}: more than {limits.max_cells} cells "
                    f"(used range at least {height} rows × {width} columns)"
                )
            while len(values) < index:
                values.append([])
            row = values[index - 1]
            for column, text in row_cells:
                if len(row) < column:
                    row.extend([""] * (column - len(row)))
                row[column - 1] = text
    for row in values:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    height = len(values)
    return values, _clip_merges(merges, height, width, limits, what), cells + height * width


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import SHARED_STRINGS

    archive = open_zip(data, limits, "xlsx")
    try:
        with archive:
            for name in archive.namelist():
                _refuse_dtd(archive, name)
            _count_before_parsing(archive, limits)
    except (ExtractionError, MemoryError, RecursionError):
        raise
    except Exception as exc:  # a corrupt member: bad CRC, bad deflate data…
        raise ExtractionError(f"xlsx: unreadable member ({type(exc).__name__}: {exc})") from exc
    # openpyxl's reader for the workbook, its styles (which numbers are dates) and its
    # sheet list; not its worksheet loading, which parses every sheet once just to look
    # for a <dimension>, and builds every merged cell.
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        part = reader.package.find(SHARED_STRINGS)  # type: ignore[no-untyped-call]  # unannotated in the stubs
        shared = _shared_strings(reader.archive, part.PartName[1:]) if part is not None else []
        sheet_parts = [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        raise ExtractionError(f"xlsx: unreadable workbook ({type(exc).__name__}: {exc})") from exc
    sheets: list[tuple[str, list[list[SpanCell]]]] = []
    cells = 0
    try:
        cells_of = _CellReader(shared, reader.wb)
        for title, path in sheet_parts:
            try:
                values, merges, cells = _read_sheet(
                    reader.archive, path, title, cells_of, limits, cells
                )
            except (ExtractionError, MemoryError, RecursionError):
                raise
            except Exception as exc:
                raise ExtractionError(
                    f"xlsx: sheet {title!r} unreadable ({type(exc).__name__}: {exc})"
                ) from exc
            sheets.append((title, _sheet_rows(values, merges)))
    finally:
        reader.archive.close()
    return _document(XLSX, sheets)
