"""Tables as spans → expanded grids and text rows; CJK-aware joining of broken lines.

Every reader builds its tables as rows of :class:`SpanCell` (text plus row/column span) and
hands them to :func:`build_table`, so all formats render tables the same way:

- ``grid``: merged cells expanded, their text repeated in every position they cover, every
  row padded to the same width (the ``TextDocument.tables`` contract);
- ``lines``: one text line per row, cells separated by tabs; a merged cell appears once
  (continuation positions of vertical merges are empty cells, horizontal merges one cell),
  like the text exports in ``shared/reports/seeds``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.types import Grid, ScoredText

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


@dataclass
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
    """Expand spans into a grid and render the text rows; ``None`` for an empty table."""
    placed: dict[tuple[int, int], tuple[str, bool, bool]] = {}
    # value: (text, is_origin, is_vertical_continuation)
    display: list[list[str]] = []
    width = 0
    for r, row in enumerate(rows):
        c = 0
        shown: list[str] = []
        for cell in row:
            while (r, c) in placed:
                if placed[(r, c)][2]:
                    shown.append("")
                c += 1
            rowspan = max(1, min(cell.rowspan, 1000))
            colspan = max(1, min(cell.colspan, 1000))
            text = clean_cell(cell.text)
            if cell.confidence is not None:
                text = ScoredText(text, cell.confidence)
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed[(r + dr, c + dc)] = (text, dr == 0 and dc == 0, dr > 0 and dc == 0)
            shown.append(text)
            c += colspan
        while (r, c) in placed:
            if placed[(r, c)][2]:
                shown.append("")
            c += 1
        width = max(width, c)
        display.append(shown)
    width = max([width] + [c + 1 for r, c in placed if r < len(rows)])
    grid: Grid = [
        [placed.get((r, c), ("", False, False))[0] for c in range(width)] for r in range(len(rows))
    ]
    lines = ["\t".join(shown) for shown in display if any(cell for cell in shown)]
    grid = [row for row in grid if any(cell for cell in row)]
    if not grid:
        return None
    return Table(grid=grid, lines=lines)


def table_from_grid(grid: Grid) -> Table | None:
    """A table from plain rows without spans (rows padded to a common width)."""
    return build_table([[SpanCell(text) for text in row] for row in grid])
