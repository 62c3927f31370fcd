"""The seed text exports (``shared/reports/seeds/*.txt``) parsed into paragraphs and tables.

Two export styles occur: one cell per line behind a tab with blank lines between rows (cells
may wrap onto untabbed continuation lines), and one row per line with the cells separated by
tabs. Merged cells appear once in the exports; their spans are guessed from the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KNOWN_SPANS = {
    "法人或其他组织": 5,
    "申请人情况": 7,
    "行政复议": 5,
    "行政诉讼": 10,
    "未经复议直接起诉": 5,
    "复议后起诉": 5,
}
NUMBER = re.compile(r"^[-+]?[\d.,，]+\s*(万?元|%|件|条)?$")


@dataclass
class Cell:
    text: str
    col: int = 0
    span: int = 1
    vmerge: str | None = None  # "restart" / "continue"


Block = str | list[list[Cell]]


def parse_seed(text: str) -> list[Block]:
    """Paragraph strings and tables (rows of cells) in document order.

    Two export styles occur: one cell per line behind a tab with blank lines between rows
    (cells may wrap onto untabbed continuation lines), and one row per line with the
    cells separated by tabs.
    """
    lines = [re.sub(r"\[bookmark: [^\]]*\]", "", raw) for raw in text.splitlines()]
    row_per_line = any(line.count("\t") >= 2 for line in lines)
    blocks: list[Block] = []
    table: list[list[Cell]] = []
    row: list[Cell] = []
    in_cell = False

    def end_row() -> None:
        nonlocal row
        if row:
            table.append(row)
            row = []

    def end_table() -> None:
        nonlocal table
        end_row()
        if table:
            blocks.append(layout_table(table, known_spans=not row_per_line))
        table = []

    for line in lines:
        if row_per_line:
            if "\t" in line:
                table.append([Cell(cell.strip()) for cell in line.split("\t")])
            elif line.strip():
                end_table()
                blocks.append(line.strip())
            continue
        if line.startswith("\t"):
            row.append(Cell(line[1:].strip()))
            in_cell = True
        elif not line.strip():
            end_row()
            in_cell = False
        elif in_cell and row:
            row[-1].text += line.strip()
        else:
            end_table()
            blocks.append(line.strip())
    end_table()
    return blocks


def _is_value(text: str) -> bool:
    return not text or bool(NUMBER.match(text))


def layout_table(rows: list[list[Cell]], known_spans: bool = True) -> list[list[Cell]]:
    """Guess column spans and vertical merges from rows where merged cells appear once."""
    for row in rows:
        for cell in row:
            cell.span = KNOWN_SPANS.get(cell.text, 1) if known_spans else 1
    width = max(sum(cell.span for cell in row) for row in rows)
    labels: list[int | None] = []
    for row in rows:
        label = None
        for index, cell in enumerate(row):
            if cell.text and not NUMBER.match(cell.text):
                label = index
        is_data = (
            label is not None
            and label < len(row) - 1
            and all(_is_value(cell.text) for cell in row[label + 1 :])
            and (label <= 2 or any(cell.text for cell in row[label + 1 :]))
        )
        extra = width - sum(cell.span for cell in row)
        if extra > 0:
            target = row[label] if is_data and label is not None else row[0]
            target.span += extra
        labels.append(label if is_data else len(row))
        col = 0
        for cell in row:
            cell.col = col
            col += cell.span
    for r in range(1, len(rows)):
        above = {cell.col: cell for cell in rows[r - 1]}
        label = labels[r]
        limit = label if label is not None else len(rows[r])
        for index, cell in enumerate(rows[r]):
            if index >= limit or cell.text:
                continue
            origin = above.get(cell.col)
            if origin is None or origin.span != cell.span:
                continue
            if origin.text or origin.vmerge == "continue":
                cell.vmerge = "continue"
                if origin.vmerge is None:
                    origin.vmerge = "restart"
    return rows


def table_width(rows: list[list[Cell]]) -> int:
    return max(sum(cell.span for cell in row) for row in rows)
