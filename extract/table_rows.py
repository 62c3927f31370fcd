"""Table rows from a document: grid rows, tab-separated text rows, and PDF-style text lines.

Three shapes reach the table parser:

- grid rows (``TextDocument.tables``) and tab-separated text lines (one row a line), where
  every blank cell is a real cell: *positional* rows;
- the seed text exports, where every cell is a line starting with a tab and a blank line
  ends the row (a line without a tab inside a row continues the cell above): positional too;
- plain text lines from a PDF text layer, split at whitespace: blank cells are lost, labels
  may be wrapped or broken one character per line: *non-positional* rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.numbers import is_value, parse_number
from extract.types import Grid

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_UNIT_TOKEN = re.compile(r"^(万元|元|万|千元|亿元)$")
_GLUED_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff）)】])([+-]?\d[\d,]*(?:\.\d+)?)$")
_WHITESPACE = re.compile(r"[ \u00a0\u3000\u2002\u2003\u2009]+")
_VALUE_PIECE = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?|[／/\\]|[—－–]+|-|无")
_VALUE_RUN = re.compile(r"^(?:[+-]?\d[\d,]*(?:\.\d+)?|[／/\\]|[—－–]+|-|无)+$")


@dataclass
class Row:
    """One table row: its cells, and whether blank cells were kept in their positions."""

    cells: list[str]
    positional: bool


def grid_rows(grids: list[Grid]) -> list[Row]:
    """The rows of every grid, in order."""
    return [Row(list(row), True) for grid in grids for row in grid]


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and line.count("\t") == 1


def _split_tokens(line: str) -> list[str]:
    """Whitespace tokens of a text line, money units joined to their number, numbers glued to
    a label split off (``行政许可447228`` → ``行政许可``, ``447228``)."""
    tokens: list[str] = []
    raw_tokens = [t for t in _WHITESPACE.split(line.strip()) if t]
    # a slash between words is part of a label (本年增 / 减), not a blank cell
    k = 1
    while k + 1 < len(raw_tokens):
        if (
            raw_tokens[k] in ("/", "／")
            and _HAN_END.search(raw_tokens[k - 1])
            and _HAN_START.match(raw_tokens[k + 1])
            and not is_value(raw_tokens[k + 1])  # 无 after a blank mark is a cell too
        ):
            raw_tokens[k - 1 : k + 2] = ["".join(raw_tokens[k - 1 : k + 2])]
        else:
            k += 1
    for token in raw_tokens:
        if tokens and _UNIT_TOKEN.match(token) and parse_number(tokens[-1]) is not None:
            tokens[-1] = f"{tokens[-1]} {token}"
            continue
        tokens += _unglue(token)
    return tokens


_HAN_END = re.compile(r"[\u4e00-\u9fff]$")
_HAN_START = re.compile(r"^[\u4e00-\u9fff]")
_TRAILING_BLANK = re.compile(r"^(.*[\u4e00-\u9fff）)】])([／/—－]+)$")


def _unglue(token: str) -> list[str]:
    """A token split where a label, figures and blank markers of neighbouring cells ran
    together: ``行政许可447228`` → 行政许可 447228, ``／／`` → ／ ／, ``无1`` → 无 1,
    ``合法权益／`` → 合法权益 ／."""
    glued = _GLUED_NUMBER.match(token)
    if glued and not re.search(r"\d年$|第$", glued.group(1)):
        head = glued.group(1)
        if len(head) > 2 and head.endswith("无"):  # 行政事业性收费无1: 无 is a blank cell
            return [*_unglue(head[:-1]), "无", glued.group(2)]
        return [*_unglue(head), glued.group(2)]
    trailing = _TRAILING_BLANK.match(token)
    if trailing and not re.search(r"增$|/减", token):
        return [trailing.group(1), *_unglue(trailing.group(2))]
    if _VALUE_RUN.match(token) and parse_number(token) is None:
        pieces = _VALUE_PIECE.findall(token)
        if len(pieces) > 1 and "".join(pieces) == token:
            return pieces
    return [token]


def text_rows(text: str) -> list[Row]:
    """Rows of a text rendering: tab blocks become positional rows, other lines token rows."""
    lines = [line for line in text.splitlines() if not _PAGE_NUMBER.match(line)]
    rows: list[Row] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" not in line:
            tokens = _split_tokens(line)
            if tokens:
                rows.append(Row(tokens, False))
            i += 1
            continue
        block: list[str] = []
        while i < len(lines) and (lines[i].strip(" \u00a0\u3000") or "\t" in lines[i]):
            block.append(lines[i])
            i += 1
        rows += _block_rows(block)
    return rows


def _block_rows(block: list[str]) -> list[Row]:
    """A run of non-empty lines containing tabs (and the continuation lines inside it)."""
    cell_lines = [line for line in block if "\t" in line]
    if all(_is_cell_line(line) for line in cell_lines):
        cells: list[str] = []
        head: list[Row] = []
        for line in block:
            if "\t" in line:
                cells.append(line[1:])
            elif cells:
                cells[-1] += line.strip()
            else:
                head.append(Row(_split_tokens(line), False))
        return [*head, Row(cells, True)] if cells else head
    rows: list[Row] = []
    for line in block:
        if "\t" in line:
            rows.append(Row(line.split("\t"), True))
        else:
            tokens = _split_tokens(line)
            if tokens:
                rows.append(Row(tokens, False))
    return rows
