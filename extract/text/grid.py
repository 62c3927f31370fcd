"""Tables as spans → expanded grids and text rows; CJK-aware joining of broken lines.

Every reader builds its tables as rows of :class:`SpanCell` (text plus row/column span) and
hands them to :func:`build_table`, so all formats render tables the same way:

- ``grid``: merged cells expanded, their text repeated in every position they cover, every
  row padded to the same width (the ``TextDocument.tables`` contract);
- ``lines``: one text line per row, cells separated by tabs; a merged cell appears once
  (continuation positions of vertical merges are empty cells, horizontal merges one cell),
  like the text exports in ``shared/reports/seeds``.

Expansion is bounded: a span is at most 1000 rows or columns, rows never extend past the
table, and every table of a document draws on one budget of cells (:func:`cell_budget`,
``Limits.max_cells``), charged *before* the cells are made, so a few bytes of
``gridSpan``/``rowspan``/``mergeCell`` cannot ask for billions of cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from extract.limits import DEFAULT_LIMITS, CellLimitError
from extract.types import Grid, ScoredText

_MAX_SPAN = 1000

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def is_cjk(char: str) -> bool:
    """True for Han characters and full-width CJK punctuation."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FA1F
        or code in (0x201C, 0x201D, 0x2018, 0x2019, 0x2014, 0x2026)
    )


def join_broken(left: str, right: str) -> str:
    """Join two pieces of one sentence broken at a line end: no space between CJK."""
    if not left:
        return right
    if not right:
        return left
    if is_cjk(left[-1]) or is_cjk(right[0]) or left.endswith("-"):
        return left + right
    return left + " " + right


def clean_inline(text: str) -> str:
    """Collapse runs of blanks; drop the blanks that PDF/Word put between CJK characters."""
    text = _SPACES.sub(" ", text).strip()
    if " " not in text:
        return text
    parts = text.split(" ")
    out = parts[0]
    for part in parts[1:]:
        if out and part and is_cjk(out[-1]) and is_cjk(part[0]):
            out += part
        else:
            out += " " + part
    return out


def clean_cell(text: str) -> str:
    """A cell's text on one line: lines inside the cell joined CJK-aware."""
    result = ""
    for line in text.replace("\r", "\n").split("\n"):
        piece = clean_inline(line)
        if piece:
            result = join_broken(result, piece)
    return result


class CellBudget:
    """Table cells a document may still create."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def charge(self, cells: int) -> None:
        self.used += cells
        if self.used > self.limit:
            raise CellLimitError(
                f"tables exceed the limit of {self.limit} cells once merged cells are expanded"
            )


_budget: ContextVar[CellBudget | None] = ContextVar("cell_budget", default=None)


@contextmanager
def cell_budget(limit: int) -> Iterator[CellBudget]:
    """Every table built inside the block draws on one budget of ``limit`` cells."""
    budget = CellBudget(limit)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def charge_cells(cells: int) -> None:
    """Charge ``cells`` to the current document's budget (readers call it before making
    cells that :func:`build_table` does not see, such as a spreadsheet's value grid)."""
    budget = _budget.get()
    if budget is None:
        if cells > DEFAULT_LIMITS.max_cells:
            CellBudget(DEFAULT_LIMITS.max_cells).charge(cells)
        return
    budget.charge(cells)


@dataclass(slots=True)
class SpanCell:
    """One cell as written in the document, before merged cells are expanded."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    confidence: float | None = None
    """For recognised (OCR) cells: the recognition confidence; the grid then holds a
    :class:`~extract.types.ScoredText`."""


@dataclass
class Table:
    grid: Grid
    lines: list[str]


def build_table(rows: list[list[SpanCell]]) -> Table | None:
    """Expand spans into a grid and render the text rows; ``None`` for an empty table.

    Raises :class:`~extract.limits.CellLimitError` when the expanded table would pass the
    document's cell budget."""
    budget = _budget.get() or CellBudget(DEFAULT_LIMITS.max_cells)
    height = len(rows)
    # texts[r][c]: the text placed at (r, c), None where nothing is; below[r][c]: 1 where
    # (r, c) continues a vertical merge from the row above (shown as an empty cell).
    texts: list[list[str | None]] = [[] for _ in range(height)]
    below: list[bytearray] = [bytearray() for _ in range(height)]
    display: list[list[str]] = []
    placed = 0
    for r, row in enumerate(rows):
        line, marks = texts[r], below[r]
        c = 0
        shown: list[str] = []
        for cell in row:
            while c < len(line) and line[c] is not None:
                if marks[c]:
                    shown.append("")
                c += 1
            rowspan = max(1, min(cell.rowspan, _MAX_SPAN, height - r))
            colspan = max(1, min(cell.colspan, _MAX_SPAN))
            budget.charge(rowspan * colspan)
            placed += rowspan * colspan
            text = clean_cell(cell.text)
            if cell.confidence is not None:
                text = ScoredText(text, cell.confidence)
            end = c + colspan
            for dr in range(rowspan):
                target, flags = texts[r + dr], below[r + dr]
                if len(target) < end:
                    flags.extend(bytes(end - len(target)))
                    target.extend([None] * (end - len(target)))
                target[c:end] = [text] * colspan
                flags[c:end] = bytes(colspan)
                if dr:
                    flags[c] = 1
            shown.append(text)
            c = end
        while c < len(line) and line[c] is not None:
            if marks[c]:
                shown.append("")
            c += 1
        display.append(shown)
    width = max((len(line) for line in texts), default=0)
    if width * height > placed:
        budget.charge(width * height - placed)
    grid: Grid = [
        # an OCR cell read blank keeps its confidence (a ScoredText is false when empty)
        [text if text is not None else "" for text in line] + [""] * (width - len(line))
        for line in texts
        if any(text for text in line)
    ]
    lines = ["\t".join(shown) for shown in display if any(cell for cell in shown)]
    if not grid:
        return None
    return Table(grid=grid, lines=lines)


def table_from_grid(grid: Grid) -> Table | None:
    """A table from plain rows without spans (rows padded to a common width)."""
    return build_table([[SpanCell(text) for text in row] for row in grid])
