"""The ground-truth model of a report: what is printed, cell by cell, and what it means.

A :class:`Report` is a sequence of blocks (paragraphs and tables). A :class:`Table` holds its
rows as *origin* cells, as in HTML (a merged cell appears once, with its ``colspan`` and
``rowspan``); :func:`grid` expands it into absolute positions for the renderers that need
them (docx, xlsx, the fixed-layout engine). A value cell carries the key of
``shared/spec/report-tables.md`` it prints, so every renderer and the ground truth agree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

CellValue = int | float | str | None


class Kind(enum.StrEnum):
    """What a paragraph is."""

    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "p"
    CAPTION = "caption"


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    key: str | None = None
    """The value key this cell prints (``t3.new.natural``), ``None`` for labels."""
    header: bool = False


@dataclass
class Table:
    name: str
    """``t2``, ``t3``, ``t4`` (``t2.1`` … when a table is printed in parts)."""
    rows: list[list[Cell]]
    header_rows: int = 0
    """Leading rows that a paginated rendering repeats on every page."""

    @property
    def width(self) -> int:
        return len(grid(self)[0]) if self.rows else 0


@dataclass
class Para:
    text: str
    kind: Kind = Kind.PARAGRAPH
    section: int = 0
    """For a heading: the standard section (1-6) it opens, by meaning; 0 otherwise."""


Block = Para | Table


@dataclass
class Report:
    """One report's printed content and its ground truth."""

    rid: str
    source: str
    """``synthetic``, ``freeform``, ``seed:<file>``, ``real-values:<file>``."""
    agency: str | None
    year: int | None
    layout: str
    title: str
    blocks: list[Block]
    values: dict[str, CellValue] = field(default_factory=dict)
    """Every value key of the layout (spec keys), ``None`` for a blank cell."""
    printed: dict[str, str] = field(default_factory=dict)
    """Key → the text printed in its cell (``""`` for an empty cell) for the printed keys;
    keys of ``values`` absent here are derived (``t3.other.*`` of layout 2021,
    ``*.amount_yuan``)."""
    sections: list[int] = field(default_factory=list)
    published_at: str | None = None
    consistent: bool | None = None
    """Whether the consistency rules 1-4 hold (``None`` when not known)."""
    style: dict[str, str] = field(default_factory=dict)
    """The table styles chosen (header shapes, blank markers…), for the ground truth."""

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]

    def scored_keys(self) -> list[str]:
        """The keys whose values are read from a printed cell (derived keys excluded,
        ``amount_yuan`` included: it is the printed ``amount_raw`` normalised)."""
        keys = [key for key in self.values if key in self.printed]
        for key in self.values:
            if key.endswith(".amount_yuan") and key.replace("_yuan", "_raw") in self.printed:
                keys.append(key)
        return keys


Placed = tuple[int, int, Cell]
"""(row, column, origin cell)."""


def grid(table: Table) -> list[list[Cell | None]]:
    """Absolute positions: ``out[r][c]`` is the origin cell covering (r, c) (``None`` for a
    position no cell covers, which well-formed tables do not have)."""
    occupied: dict[tuple[int, int], Cell] = {}
    width = 0
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied[(r + dr, c + dc)] = cell
            c += cell.colspan
            width = max(width, c)
    height = max([r for r, _ in occupied] + [len(table.rows) - 1]) + 1
    return [[occupied.get((r, c)) for c in range(width)] for r in range(height)]


def placements(table: Table) -> list[Placed]:
    """Every origin cell with its top-left position, in row order."""
    seen: set[int] = set()
    out: list[Placed] = []
    for r, row in enumerate(grid(table)):
        for c, cell in enumerate(row):
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                out.append((r, c, cell))
    return out
