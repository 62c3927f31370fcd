"""The three statistical tables (二, 三, 四) of an annual report → the keys of ``extract.keys``.

The parser walks table rows (``extract.table_rows``) once, table by table: table 二 starts at
its own header (第二十条 / 信息内容), table 三 at its applicant header, table 四 at 行政复议;
the tables end at section 五. Row labels are recognised by meaning (``extract.table_labels``);
in table 三 rows must come in table order, which keeps a column header such as 总计 from
being taken for the row （七）总计. The layout is decided from the tables' own labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from extract import keys as K
from extract.numbers import (
    cell_value,
    clean_cell,
    is_blank,
    is_value,
    money_value,
    parse_money,
    parse_number,
)
from extract.table_labels import (
    AFTER_TABLES,
    MARKERS_2019,
    MARKERS_2021,
    T2_ROW_NAMES,
    T2_START,
    T3_HEADER,
    T3_MARKERS_2021,
    T3_ROW_NAMES,
    T3_ROW_ORDER,
    T3_START,
    T4_START,
    TABLES_END,
    closest_row,
    match_t2_column,
    match_t2_row,
    match_t3_column,
    match_t3_rows,
    match_t4_group,
    squash,
)
from extract.table_rows import Row
from extract.types import CellValue

T4_WIDTH = len(K.T4_GROUPS) * len(K.T4_COLUMNS)


@dataclass
class TableParse:
    """What the tables of one document say."""

    layout: str
    values: dict[str, CellValue]
    rows_found: set[str] = field(default_factory=set)
    """Which rows were printed, as ``t2.<row>``, ``t3.<row>``, ``t4``."""
    confidence: dict[str, float] = field(default_factory=dict)
    """For cells read by OCR (:class:`~extract.types.ScoredText`): key → confidence."""
    inferred: list[str] = field(default_factory=list)
    """Rows of table 三 whose label was not recognised, placed by the table's row order."""


@dataclass
class _Header:
    """A header row of a positional table: column key → the cell positions it covers."""

    width: int
    columns: dict[str, list[int]]


_PIECES_2021 = ("制发", "废止", "现行有效", "有效件数", "收费金额")
_PIECES_2019 = (
    "新制作",
    "制作数量",
    "新公开",
    "公开总数",
    "对外公开",
    "上一年",
    "项目数量",
    "采购总金额",
)
"""Pieces of the column labels only one layout prints, for labels garbled by OCR."""


def decide_layout(rows: list[Row], *, fuzzy: bool = False) -> str:
    """``2021`` or ``2019`` from the tables' own column labels; ``none`` without a table.
    With ``fuzzy`` (labels read by OCR), when no whole label is legible, from pieces of
    them (``上年项目数量`` for ``上一年项目数量``)."""
    layout = _decide_layout(rows)
    if layout != "none" or not fuzzy:
        return layout
    text = squash("".join("".join(row.cells) for row in rows))
    score_2021 = sum(piece in text for piece in _PIECES_2021)
    score_2019 = sum(piece in text for piece in _PIECES_2019)
    if score_2021 == score_2019:
        return "none"
    return "2021" if score_2021 > score_2019 else "2019"


def _decide_layout(rows: list[Row]) -> str:
    text = squash("".join("".join(row.cells) for row in rows))
    score_2021 = sum(marker in text for marker in MARKERS_2021)
    score_2019 = sum(marker in text for marker in MARKERS_2019)
    if score_2021 or score_2019:
        return "2021" if score_2021 > score_2019 else "2019"
    if "新收" in text and "予以公开" in text:
        return "2021" if any(marker in text for marker in T3_MARKERS_2021) else "2019"
    return "none"


def _labels(cells: list[str]) -> list[int]:
    return [i for i, cell in enumerate(cells) if not is_value(cell)]


def _row_label(row: Row) -> str:
    return squash("".join(row.cells[i] for i in _labels(row.cells)))


def _after_label_values(row: Row) -> list[str]:
    """The value cells of a row: positional rows keep blanks; token rows only printed values."""
    labels = _labels(row.cells)
    start = labels[-1] + 1 if labels else 0
    cells = row.cells[start:]
    if row.positional:
        return cells
    return [cell for cell in cells if is_value(cell)]


def _label_positions(cells: list[str], first: int, fuzzy: bool) -> list[int]:
    """The positions of a positional row's label, the header's value columns starting at
    ``first``: the cells that are not values — read by OCR (``fuzzy``), in a row with
    figures or marks in the value columns, only those left of them: text there is a
    figure or mark misread (``／`` read ``人``), not the end of the label, which would put
    every figure after it one column to the left. (A row of text alone, a note across
    the table, stays text.)"""
    labels = _labels(cells)
    if fuzzy and any(cell.strip() and is_value(cell) for cell in cells[first:]):
        labels = [i for i in labels if i < first]
    return labels


def _fit(cells: list[str], count: int) -> list[str]:
    """Cut ``cells`` to ``count``: first surplus blank padding at the front, then at the end."""
    cells = list(cells)
    while len(cells) > count and is_blank(cells[0]):
        cells.pop(0)
    while len(cells) > count and is_blank(cells[-1]):
        cells.pop()
    return cells[:count]


def _by_header(
    row: Row, header: _Header | None, columns: tuple[str, ...], fuzzy: bool = False
) -> list[str] | None:
    """Values of a positional row taken at its header's column positions, when they fit.

    With ``fuzzy`` (cells read by OCR), text misread in a value column
    (:func:`_label_positions`) is kept in its column, where it is no value and is
    flagged."""
    if header is None or not row.positional or len(row.cells) != header.width:
        return None
    if not all(column in header.columns for column in columns):
        return None
    if any(i >= len(row.cells) for column in columns for i in header.columns[column]):
        return None  # a header position the row does not reach
    first = min(min(header.columns[column]) for column in columns)
    labels = _label_positions(row.cells, first, fuzzy)
    if labels and labels[-1] >= first:
        return None
    if any(not is_blank(cell) for cell in row.cells[labels[-1] + 1 if labels else 0 : first]):
        return None  # values start left of the header's columns: the row is shifted
    picked: list[str] = []
    for column in columns:
        positions = header.columns[column]
        cells = [row.cells[i] for i in positions]
        cell = cells[0] if len(set(cells)) == 1 else cells[-1]
        if not is_value(cell) and not fuzzy:
            return None
        picked.append(cell)
    return picked


def _in_column_order(columns: dict[str, list[int]]) -> bool:
    """Whether the header positions of table 三 run left to right in the printed column
    order (自然人 … 其他, 总计). A header whose merged cells were not expanded (a ragged HTML
    table, a text export) puts 总计 left of 其他: its positions say nothing about the data."""
    positions = [min(columns[column]) for column in K.T3_COLUMNS if column in columns]
    return all(a < b for a, b in pairwise(positions))


class _TableWalker:
    def __init__(self, layout: str, fuzzy: bool = False) -> None:
        self.layout = layout
        self.fuzzy = fuzzy
        """Labels read by OCR: one no pattern matches is matched to the closest standard
        label (``closest_row``)."""
        self.values: dict[str, CellValue] = dict.fromkeys(K.keys_for_layout(layout))
        self.rows_found: set[str] = set()
        self.confidence: dict[str, float] = {}
        self.t2_columns = dict(K.t2_columns(layout))
        self.t2_previous = ""
        self.amount_unit: str | None = None
        """The unit table 二's header gives its money column (``采购总金额（万元）``)."""
        self.t2_header: _Header | None = None
        self.t3_headers: list[Row] = []
        self.t3_header: _Header | None = None
        self.t3_current = -1
        self.pending: tuple[str, str, int] | None = None
        """(table, row key, value count) of a token row whose values come on later lines."""
        self.pending_values: list[str] = []
        self.held: list[str] = []
        """Values printed on a line before their row's label (vertically centred labels)."""
        self.buffer = ""
        """Label fragments since the last row with values (wrapped or broken labels)."""
        self.t4_values: list[str] = []
        self.t4_groups: dict[str, list[str]] = {}
        self.t4_header: list[str] | None = None
        """The last header row of table 四 (结果维持 … 总计), for its column positions."""
        """Table 四 printed one row per group: group → its five cells."""
        self.t3_sequence = [
            key for key in K.t3_rows(layout) if not (layout == "2021" and key == "other")
        ]
        """The rows of table 三 as the layout prints them, in order."""
        self.t3_last: str | None = None
        self.t3_unmatched: list[list[str]] = []
        """Cells of rows with values whose label was not recognised (garbled by OCR or a
        converter), since the last recognised row of table 三."""
        self.inferred: set[str] = set()

    def reset(self) -> None:
        """Between tables: nothing carries over."""
        self._close_pending()
        self._infer_rows(None)
        self.buffer = ""
        self.held = []

    def _infer_rows(self, key: str | None) -> None:
        """Rows whose labels were not recognised take the keys the table's fixed order
        leaves between the recognised rows around them, when their number is exactly the
        number of keys missing there (``key`` None: up to the end of the table)."""
        unmatched, self.t3_unmatched = self.t3_unmatched, []
        if not unmatched:
            return
        order = self.t3_sequence
        start = order.index(self.t3_last) + 1 if self.t3_last in order else 0
        end = order.index(key) if key in order else len(order)
        missing = [k for k in order[start:end] if f"t3.{k}" not in self.rows_found]
        if key is None and self.t3_last is None:
            return
        if len(missing) != len(unmatched) or len(missing) != end - start:
            return
        for name, cells in zip(missing, unmatched, strict=True):
            self.rows_found.add(f"t3.{name}")
            self.inferred.add(f"t3.{name}")
            self._store_t3(name, cells)

    # -- rows of tables 二 and 三 ---------------------------------------------------------

    def _t2_key(self, label: str) -> str | None:
        key = match_t2_row(label)
        if key is None and self.fuzzy:
            key = closest_row(label, T2_ROW_NAMES)
        if key is None or key not in self.t2_columns or f"t2.{key}" in self.rows_found:
            return None
        return key

    def _t3_key(self, label: str) -> str | None:
        candidates = [
            key
            for key in match_t3_rows(label)
            if T3_ROW_ORDER[key] > self.t3_current
            and (key != "total" or self.t3_current >= T3_ROW_ORDER["granted"])
        ]
        if not candidates and self.fuzzy and not match_t3_rows(label):
            key = closest_row(label, T3_ROW_NAMES)
            if key is not None and T3_ROW_ORDER[key] > self.t3_current and key != "total":
                candidates = [key]
        return candidates[-1] if candidates else None

    def _count(self, table: str, key: str) -> int:
        return len(self.t2_columns[key]) if table == "t2" else len(K.T3_COLUMNS)

    def _accept(self, table: str, key: str) -> None:
        if table == "t3":
            self._infer_rows(key)
        self.rows_found.add(f"{table}.{key}")
        if table == "t3":
            self.t3_current = T3_ROW_ORDER[key]
            self.t3_last = key

    def _store(self, table: str, key: str, cells: list[str]) -> None:
        if table == "t2":
            self._store_t2(key, self.t2_columns[key], cells)
        else:
            self._store_t3(key, cells)

    def data_row(self, table: str, row: Row) -> None:
        """A row of table 二 or 三 (header rows already taken out)."""
        if row.positional:
            self._positional_row(table, row)
        else:
            self._token_row(table, row)

    def _label_cells(self, table: str, row: Row) -> list[int]:
        """The positions of a positional row's label (:func:`_label_positions`, the value
        columns those of the table's header when the row is as wide)."""
        header = self.t2_header if table == "t2" else self._t3_header()
        if not (self.fuzzy and header and header.columns and len(row.cells) == header.width):
            return _labels(row.cells)
        first = min(min(positions) for positions in header.columns.values())
        return _label_positions(row.cells, first, True)

    def _positional_row(self, table: str, row: Row) -> None:
        labels = self._label_cells(table, row)
        label = squash("".join(row.cells[i] for i in labels))
        values = row.cells[labels[-1] + 1 if labels else 0 :]
        if not values:
            self.buffer += label
            return
        text = self.buffer + label
        self.buffer = ""
        key = self._t2_key(text) if table == "t2" else self._t3_key(text)
        if key is None:
            if table == "t3" and self.t3_last is not None:
                picked = _by_header(row, self._t3_header(), K.T3_COLUMNS, self.fuzzy)
                self.t3_unmatched.append(picked or _fit(values, len(K.T3_COLUMNS)))
            return
        if table == "t3" and self.t3_unmatched and not any(c.strip() for c in values):
            # the label of the figures just above, wrapped onto a row of its own (a row
            # cut by a page break): those figures are this row's
            cells = self.t3_unmatched.pop()
            self._accept(table, key)
            self._store(table, key, cells)
            return
        self._accept(table, key)
        if table == "t2":
            columns = self.t2_columns[key]
            header = self.t2_header
        else:
            columns = K.T3_COLUMNS
            header = self._t3_header()
        picked = _by_header(row, header, columns, self.fuzzy)
        if picked is None:
            picked = _fit(values, len(columns))
        self._store(table, key, picked)

    def _token_row(self, table: str, row: Row) -> None:
        label = _row_label(row)
        values = [cell for cell in row.cells if is_value(cell)]
        key = None
        if label:
            text = self.buffer + label
            key = self._t2_key(text) if table == "t2" else self._t3_key(text)
        if key is None:
            if not values:
                self.buffer += label
                return
            self.buffer = ""
            if self.pending is not None:
                self._feed_pending(values)
            else:
                self.held = values
            return
        self.buffer = ""
        self._close_pending()
        self._accept(table, key)
        count = self._count(table, key)
        if not values and self.held:
            values, self.held = self.held, []
        else:
            self.held = []
        if len(values) >= count:
            self._store(table, key, values[:count])
            return
        self.pending = (table, key, count)
        self.pending_values = values

    # -- table 二 -------------------------------------------------------------------------

    def t2_row(self, row: Row) -> None:
        text = squash("".join(row.cells))
        # the unit may be printed on a line of its own under the header's name
        unit = _AMOUNT_UNIT.search(self.t2_previous + text)
        self.t2_previous = text
        if unit:
            self.amount_unit = unit.group(1)
        if row.positional and any(match_t2_column(squash(c)) for c in row.cells[1:]):
            self._t2_header_row(row)
            self.reset()
            return
        self.data_row("t2", row)

    def _t2_header_row(self, row: Row) -> None:
        columns: dict[str, list[int]] = {}
        for index, cell in enumerate(row.cells):
            column = match_t2_column(squash(cell))
            if column:
                columns.setdefault(column, []).append(index)
        self.t2_header = _Header(len(row.cells), columns)

    def _scored(self, name: str, cell: str) -> None:
        confidence = getattr(cell, "confidence", None)
        if confidence is not None:
            if self.values.get(name) is None and not is_blank(cell):
                # OCR read something in the cell that is neither a figure nor a blank
                # mark: the value is not known to be blank, it was not read
                confidence = 0.0
            self.confidence[name] = confidence

    def _store_t2(self, key: str, columns: tuple[str, ...], cells: list[str]) -> None:
        for column, cell in zip(columns, cells, strict=False):
            if column == "amount":
                raw, yuan = money_value(cell)
                if yuan is not None and self.amount_unit and parse_number(cell) is not None:
                    # a bare figure under 采购总金额（万元）: the header gives its unit
                    yuan = parse_money(f"{clean_cell(cell)}{self.amount_unit}")
                self.values[f"t2.{key}.amount_raw"] = raw
                self.values[f"t2.{key}.amount_yuan"] = yuan
                self._scored(f"t2.{key}.amount_raw", cell)
                self._scored(f"t2.{key}.amount_yuan", cell)
                continue
            if column == "amount_wan":
                self.values[f"t2.{key}.{column}"] = None if is_blank(cell) else parse_number(cell)
            else:
                self.values[f"t2.{key}.{column}"] = cell_value(cell)
            self._scored(f"t2.{key}.{column}", cell)

    # -- table 三 -------------------------------------------------------------------------

    def t3_row(self, row: Row) -> None:
        label = _row_label(row)
        if T3_HEADER.search(label) and not match_t3_rows(label):
            self.t3_headers.append(row)
            return
        self.data_row("t3", row)

    def _t3_header(self) -> _Header | None:
        if self.t3_header is not None or not self.t3_headers:
            return self.t3_header
        widths: dict[int, dict[str, list[int]]] = {}
        for header in self.t3_headers:
            if not header.positional:
                continue
            columns = widths.setdefault(len(header.cells), {})
            for index, cell in enumerate(header.cells):
                column = match_t3_column(squash(cell))
                if column and column not in columns:
                    columns[column] = [index]
        best: _Header | None = None
        for width, columns in widths.items():
            if "natural" not in columns and "commercial" in columns:
                columns["natural"] = [columns["commercial"][0] - 1]
            if "total" not in columns and "other_org" in columns:
                columns["total"] = [columns["other_org"][-1] + 1]
            if not _in_column_order(columns):
                continue  # ragged header rows (merged cells not expanded): no positions
            if best is None or len(columns) > len(best.columns):
                best = _Header(width, columns)
        self.t3_header = best
        return best

    def _store_t3(self, key: str, cells: list[str]) -> None:
        for column, cell in zip(K.T3_COLUMNS, cells, strict=False):
            name = f"t3.{key}.{column}"
            if name in self.values:
                self.values[name] = cell_value(cell)
                self._scored(name, cell)

    # -- table 四 -------------------------------------------------------------------------

    def t4_row(self, row: Row) -> None:
        """Table 四 prints its 15 figures on one row under a two-level header, or one row
        per group (行政复议 / 未经复议直接起诉 / 复议后起诉) of five figures."""
        header = self.t4_header
        if row.positional and header is not None and len(header) == len(row.cells):
            # header cells merged down into the row of figures (expanded, their text
            # repeated there): no figure is printed under them
            kept = [
                "" if cell.strip() and cell == header[i] and not is_value(cell) else cell
                for i, cell in enumerate(row.cells)
            ]
            if kept != row.cells and not _labels(kept) and any(c.strip() for c in kept):
                row = Row(kept, True)
        label = _row_label(row)
        group = match_t4_group(label) if label else None
        values = _after_label_values(row) if label else []
        if group is not None and any(is_value(c) and c.strip() for c in values):
            if group not in self.t4_groups:
                self.t4_groups[group] = _fit(values, len(K.T4_COLUMNS))
                self.rows_found.add("t4")
            return
        if len(self.t4_values) >= T4_WIDTH:
            return
        labels = _labels(row.cells)
        if row.positional:
            if labels:
                if all(_T4_COLUMN.search(squash(c)) for c in row.cells if c.strip()):
                    self.t4_header = row.cells
                return
            cells = row.cells
            header = self.t4_header
            if header is not None and len(header) == len(cells) and len(cells) > 1:
                # merged header cells expanded: one figure per run of one header cell
                last = max(i for i, name in enumerate(header) if name.strip())
                cells = [
                    cell
                    for index, cell in enumerate(cells)
                    if (index <= last or cell.strip())  # not padding right of the table
                    and (index == 0 or header[index] != header[index - 1] or not header[index])
                ]
                row = Row(cells, True)
            if not self.t4_values and _group_totals_alone(row.cells):
                # one figure a group and nothing else: each group's 总计, the header's
                # cells merged down over the others (a text export leaves them out)
                blanks = [""] * (len(K.T4_COLUMNS) - 1)
                self.t4_values = [v for cell in row.cells for v in (*blanks, cell)]
                self.rows_found.add("t4")
                return
            if len(row.cells) < len(K.T4_COLUMNS):
                return
            if len(row.cells) >= T4_WIDTH and not self.t4_values:
                self.t4_values = _fit(row.cells, T4_WIDTH)
            else:
                # the table cut in parts (行政复议 | 行政诉讼): five figures a group
                width = len(K.T4_COLUMNS) * (len(row.cells) // len(K.T4_COLUMNS))
                self.t4_values += _fit(row.cells, min(width, T4_WIDTH - len(self.t4_values)))
        else:
            self.t4_values += [c for c in row.cells if is_value(c)]
        if self.t4_values:
            self.rows_found.add("t4")

    def t4_done(self) -> bool:
        return len(self.t4_values) >= T4_WIDTH or len(self.t4_groups) == len(K.T4_GROUPS)

    def finish_t4(self) -> None:
        if self.t4_groups and len(self.t4_values) < T4_WIDTH:
            for group, cells in self.t4_groups.items():
                for column, cell in zip(K.T4_COLUMNS, cells, strict=False):
                    name = f"t4.{group}.{column}"
                    self.values[name] = cell_value(cell)
                    self._scored(name, cell)
            return
        cells = self.t4_values[:T4_WIDTH]
        names = K.t4_keys()
        for name, cell in zip(names, cells, strict=False):
            self.values[name] = cell_value(cell)
            self._scored(name, cell)

    # -- token rows whose values come on later lines ----------------------------------------

    def _feed_pending(self, values: list[str]) -> None:
        if self.pending is None:
            return
        _table, _key, count = self.pending
        self.pending_values += values[: count - len(self.pending_values)]
        if len(self.pending_values) >= count:
            self._close_pending()

    def _close_pending(self) -> None:
        if self.pending is None:
            return
        table, key, _count = self.pending
        self._store(table, key, self.pending_values)
        self.pending = None
        self.pending_values = []

    def finish(self) -> TableParse:
        self._close_pending()
        self._infer_rows(None)
        self.finish_t4()
        if self.layout == "2021" and "t3.other" not in self.rows_found:
            for column in K.T3_COLUMNS:
                parts = [self.values[f"t3.{sub}.{column}"] for sub in K.OTHER_SUB_ROWS]
                printed = [p for p in parts if p is not None]
                self.values[f"t3.other.{column}"] = (
                    sum(printed) if printed else None  # type: ignore[arg-type]
                )
        for row in self.inferred:
            # a row placed by its position: its values are no more certain than that
            for name in self.values:
                own = name.startswith(f"{row}.") and name.count(".") == row.count(".") + 1
                if own and name in self.confidence:
                    self.confidence[name] = min(self.confidence[name], 0.5)
        return TableParse(
            self.layout, self.values, self.rows_found, self.confidence, sorted(self.inferred)
        )


def parse_tables(rows: list[Row], *, fuzzy: bool = False) -> TableParse:
    """Layout and values of the statistical tables found in ``rows``; with ``fuzzy``
    (labels read by OCR) a row label no pattern matches takes the closest standard one."""
    start = next((i for i, row in enumerate(rows) if T2_START.search(_joined(row))), None)
    t3_start = next((i for i, row in enumerate(rows) if T3_START.search(_joined(row))), None)
    if start is None or (t3_start is not None and t3_start < start):
        start = t3_start
    if start is None:
        return _table_four_alone(rows)
    region = rows[start:]
    layout = decide_layout(_until_end(region), fuzzy=fuzzy)
    if layout == "none":
        return TableParse("none", {})
    walker = _TableWalker(layout, fuzzy)
    phase = "t2"
    for row in region:
        joined = _joined(row)
        if phase == "t2" and T3_START.search(joined):
            walker.reset()
            phase = "t3"
        elif phase == "t3" and T4_START.search(joined) and not match_t3_rows(joined):
            walker.reset()
            phase = "t4"
        elif phase == "t4" and (TABLES_END.search(joined) or walker.t4_done()):
            break
        if phase == "t2":
            walker.t2_row(row)
        elif phase == "t3":
            walker.t3_row(row)
        else:
            walker.t4_row(row)
    return walker.finish()


_AMOUNT_UNIT = re.compile(r"总金额[（(](?:单位[:：])?(万元|千元|亿元|元)[)）]")


def _table_four_alone(rows: list[Row]) -> TableParse:
    """Table 四 printed without tables 二 and 三 (the last page of a report split over
    pages): its values, under layout ``none`` (nothing on the page says which)."""
    for index, row in enumerate(rows):
        joined = _joined(row)
        if not T4_START.search(joined):
            continue
        ahead = "".join(_joined(r) for r in rows[index : index + 6])
        if not ("维持" in ahead and "纠正" in ahead and ("尚未审结" in ahead or "总计" in ahead)):
            continue
        walker = _TableWalker("2021")
        for later in rows[index:]:
            if TABLES_END.search(_joined(later)) or walker.t4_done():
                break
            walker.t4_row(later)
        parsed = walker.finish()
        if "t4" not in parsed.rows_found:
            continue
        values = {key: parsed.values[key] for key in K.t4_keys()}
        confidence = {k: v for k, v in parsed.confidence.items() if k in values}
        return TableParse("none", values, {"t4"}, confidence)
    return TableParse("none", {})


_T4_COLUMN = re.compile(r"维持|纠正|其他结果|尚未审结|总计|^结果$|^其他$")


def _group_totals_alone(cells: list[str]) -> bool:
    """A row of table 四 printing one figure for each group and no other cell."""
    return len(cells) == len(K.T4_GROUPS) and all(c.strip() and is_value(c) for c in cells)


def _joined(row: Row) -> str:
    return squash("".join(clean_cell(cell) for cell in row.cells))


def _until_end(rows: list[Row]) -> list[Row]:
    for index, row in enumerate(rows):
        if not row.positional and AFTER_TABLES.search(_joined(row)) and index > 0:
            return rows[:index]
    return rows
