"""A small page-layout engine: a report laid out on A4 pages (portrait or landscape) as
positioned text lines and ruling lines, in millimetres from the top-left corner.

Used by every fixed-layout rendering that does not go through an office suite: OFD packages,
PDFs drawn with reportlab's canvas or fpdf2, and the page images of scanned reports. Tables
are laid out from their grid (column widths from the text they hold, rows as tall as their
wrapped text); a table that does not fit is continued on the next page with its header rows
repeated (optional), and a merged cell cut by a page break is drawn on both pages with its
text on the first, as word processors do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sampleweb.renderings.model import Block, Cell, Kind, Para, Report, Table, grid

PT = 25.4 / 72  # millimetres per point


@dataclass
class Text:
    x: float
    """Left edge of the first glyph (mm)."""
    y: float
    """Baseline (mm from the top)."""
    size: float
    """Font size (mm, the em square)."""
    text: str


@dataclass
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class FixedPage:
    width: float
    height: float
    texts: list[Text] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def advance(char: str, size: float) -> float:
    """Glyph advance: full width for CJK and full-width forms, half for the rest."""
    return size if ord(char) >= 0x2E80 else size * 0.5


def text_width(text: str, size: float) -> float:
    return sum(advance(ch, size) for ch in text)


def wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for part in text.split("\n"):
        line, used = "", 0.0
        for ch in part:
            step = advance(ch, size)
            if line and used + step > width:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += step
        lines.append(line)
    return lines


def fit_widths(
    rows: list[list[Cell | None]], desired: list[float], total: float, size: float, pad: float
) -> list[float]:
    """Column widths summing to ``total``, as a person setting the form would: a value
    column is wide enough for its values on one line and its column label in lines of about
    four characters; label columns take their desired widths, shrunk (not below three
    characters) when the page is too narrow; spare room is shared by every column."""
    ncols = len(desired)
    need = [0.0] * ncols
    is_value = [False] * ncols
    for c in range(ncols):
        cells = [
            cell for cell in (row[c] for row in rows) if cell is not None and cell.colspan == 1
        ]
        values = [cell.text for cell in cells if cell.key]
        if not values:
            continue
        is_value[c] = True
        labels = [line for cell in cells if not cell.key for line in cell.text.split("\n")]
        label_need = max((min(text_width(line, size), 4 * size) for line in labels), default=0.0)
        value_need = max(text_width(v, size) for v in values)
        need[c] = max(value_need, label_need, 3 * size) + 2 * pad + 0.5
    widths = [need[c] if is_value[c] else desired[c] for c in range(ncols)]
    over = sum(widths) - total
    if over > 0:
        shrinkable = [c for c in range(ncols) if not is_value[c]]
        room = sum(max(widths[c] - 3 * size - 2 * pad, 0.0) for c in shrinkable)
        if room > 0:
            cut = min(over / room, 1.0)
            for c in shrinkable:
                widths[c] -= max(widths[c] - 3 * size - 2 * pad, 0.0) * cut
    return [w * total / sum(widths) for w in widths]


@dataclass
class Options:
    landscape: bool = False
    body_pt: float = 12.0
    table_pt: float = 9.0
    ruled: bool = True
    repeat_header: bool = True
    margin: float = 22.0
    line_spacing: float = 1.6


class _Composer:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.width, self.height = (297.0, 210.0) if options.landscape else (210.0, 297.0)
        self.pages: list[FixedPage] = []
        self.y = 0.0
        self.new_page()

    @property
    def page(self) -> FixedPage:
        return self.pages[-1]

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.o.margin

    @property
    def bottom(self) -> float:
        return self.height - self.o.margin

    def new_page(self) -> None:
        self.pages.append(FixedPage(self.width, self.height))
        self.y = self.o.margin

    def paragraph(self, para: Para) -> None:
        size = (16.0 if para.kind == Kind.TITLE else self.o.body_pt) * PT
        step = size * self.o.line_spacing
        indent = 2 * size if para.kind == Kind.PARAGRAPH else 0.0
        lines = wrap(para.text, size, self.content_width - indent)
        for number, line in enumerate(lines):
            if self.y + step > self.bottom:
                self.new_page()
            x = self.o.margin + (indent if number == 0 else 0.0)
            if para.kind == Kind.TITLE:
                x = (self.width - text_width(line, size)) / 2
            self.y += step
            self.page.texts.append(Text(x, self.y - (step - size) / 2 - size * 0.12, size, line))
        if para.kind == Kind.TITLE:
            self.y += step / 2

    def table(self, table: Table) -> None:
        size = self.o.table_pt * PT
        pad = 1.2
        rows = grid(table)
        ncols = len(rows[0])
        desired = [8.0] * ncols
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or cell.colspan != 1 or (r > 0 and rows[r - 1][c] is cell):
                    continue
                longest = max(
                    (text_width(line, size) for line in cell.text.split("\n")), default=0.0
                )
                desired[c] = max(desired[c], min(longest + 2 * pad, 55.0))
        widths = fit_widths(rows, desired, self.content_width, size, pad)
        xs = [self.o.margin]
        for w in widths:
            xs.append(xs[-1] + w)
        step = size * 1.3
        origins: dict[int, tuple[int, int]] = {}
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is not None and id(cell) not in origins:
                    origins[id(cell)] = (r, c)
        wrapped: dict[int, list[str]] = {}
        heights = [2 * pad + step] * len(rows)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or origins[id(cell)] != (r, c):
                    continue
                cell_width = xs[c + cell.colspan] - xs[c] - 2 * pad
                wrapped[id(cell)] = wrap(cell.text, size, max(cell_width, size))
                need = len(wrapped[id(cell)]) * step + 2 * pad
                if cell.rowspan == 1:
                    heights[r] = max(heights[r], need)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or origins[id(cell)] != (r, c) or cell.rowspan == 1:
                    continue
                last = min(r + cell.rowspan, len(rows)) - 1
                have = sum(heights[r : last + 1])
                need = len(wrapped[id(cell)]) * step + 2 * pad
                if need > have:
                    heights[last] += need - have
        self.y += 2.0
        header = list(range(min(table.header_rows, len(rows)))) if self.o.repeat_header else []
        # rows placed on pages: (page index, row, top, repeated header row)
        placed: list[tuple[int, int, float, bool]] = []
        r = 0
        first_on_page = True
        while r < len(rows):
            if self.y + heights[r] > self.bottom and not first_on_page:
                self.new_page()
                first_on_page = True
                if header and r >= len(header):
                    for h in header:
                        placed.append((len(self.pages) - 1, h, self.y, True))
                        self.y += heights[h]
                continue
            placed.append((len(self.pages) - 1, r, self.y, False))
            self.y += heights[r]
            first_on_page = False
            r += 1
        # draw each cell's fragment on each page it reaches; text on its first fragment
        # (and on every repeated header)
        drawn: set[int] = set()
        fragments: dict[tuple[int, int, bool], list[Any]] = {}
        order: list[tuple[int, int, bool]] = []
        for page_index, row_index, top, repeat in placed:
            for c, cell in enumerate(rows[row_index]):
                if cell is None or origins[id(cell)][1] != c:
                    continue
                key = (page_index, id(cell), repeat)
                bottom = top + heights[row_index]
                if key in fragments:
                    fragments[key][3] = max(fragments[key][3], bottom)
                else:
                    fragments[key] = [cell, c, top, bottom]
                    order.append(key)
        for key in order:
            page_index, _, repeat = key
            cell, col, top, bottom = fragments[key]
            page = self.pages[page_index]
            x1, x2 = xs[col], xs[col + cell.colspan]
            if self.o.ruled:
                page.rules += [Rule(x1, top, x2, top), Rule(x1, bottom, x2, bottom),
                               Rule(x1, top, x1, bottom), Rule(x2, top, x2, bottom)]  # fmt: skip
            if id(cell) in drawn and not repeat:
                continue
            drawn.add(id(cell))
            lines = wrapped[id(cell)]
            block = len(lines) * step
            y = top + max((bottom - top - block) / 2, pad)
            for line in lines:
                y += step
                x = x1 + max((x2 - x1 - text_width(line, size)) / 2, pad)
                if line:
                    page.texts.append(Text(x, y - (step - size) / 2 - size * 0.12, size, line))
        self.y += 3.0


def compose(
    report: Report, options: Options | None = None, blocks: list[Block] | None = None
) -> list[FixedPage]:
    """The pages of ``report`` (or of ``blocks``) laid out with ``options``."""
    composer = _Composer(options or Options())
    for block in blocks if blocks is not None else report.blocks:
        if isinstance(block, Table):
            composer.table(block)
        else:
            composer.paragraph(block)
    return composer.pages
