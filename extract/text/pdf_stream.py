"""Tables without rules on fixed-layout pages (PDF, OFD): rows rebuilt from positions.

A table drawn without lines reaches the text layer as lines of words; reading them as
plain text loses the blank cells (a row of six figures under seven columns) and splits
wrapped labels from their figures. Here the table's *columns* come from the figures'
positions — the gutters that no figure of the table crosses — and every line holding
figures becomes a row with one cell per column (blank where nothing is printed); label
fragments on lines without figures (wrapped or vertically centred labels) join the row
nearest to them. Where a row prints figures in only some columns, the header's names
place the columns (read along lines, down stacked characters and across lines wrapped in a
cell; a header closing the page before a table's first row is that table's). The rows are
written as tab-separated text, the form of positional rows the table parser reads. Nothing
is rebuilt outside the statistical tables (between the first table heading and section 五).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Protocol

from extract import keys as K
from extract.table_labels import T2_COLUMN_PATTERNS, T2_START, T3_HEADER, TABLES_END

_VALUE = re.compile(r"^(?:[+-]?\d[\d,]*(?:\.\d+)?|[／/\\]|[—－–]+|-|无)$")
_VALUE_CHAR = re.compile(r"[0-9.,+\-／/\\—－–]")
_UNIT = re.compile(r"^(?:万元|元|万|千元|亿元)$")
_START = re.compile(r"第二十条|信息内容|申请人情况|自然人")
_SPLIT = re.compile(
    r"第二十条|信息内容|申请人情况|自然人|商业企业|结果维持|结果纠正|尚未审结|类别|行政复议|行政诉讼|"
    r"^[一二三四五六七八九十（(]{1,3}[、)）].{0,30}情况$|"
    + "|".join(p.pattern for _, p in T2_COLUMN_PATTERNS)
)


_SECTION = re.compile(r"^[一二三四五六七八九十]{1,2}、.{0,30}情况")
"""A section's heading (四、政府信息公开行政复议、行政诉讼情况)."""
_ENUMERATOR = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．])"
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


class LineLike(Protocol):
    page: int
    top: float
    bottom: float
    text: str
    words: list[list[tuple[str, float, float]]] | None


@dataclass
class _Token:
    text: str
    x0: float
    x1: float
    value: bool
    confidence: float | None = None
    """OCR: the lowest confidence of the token's characters."""


def _lowest(scores: Sequence[float | None]) -> float | None:
    known = [s for s in scores if s is not None]
    return min(known) if known else None


def _tokens(line: LineLike) -> list[_Token]:
    """Words cut where a label runs into a figure (``规章20``), figures kept whole."""
    tokens: list[_Token] = []
    line_scores = getattr(line, "scores", None) or []
    for number_w, word in enumerate(line.words or []):
        scores = line_scores[number_w] if number_w < len(line_scores) else [None] * len(word)
        pieces: list[list[tuple[str, float, float]]] = []
        piece_scores: list[list[float | None]] = []
        for char, score in zip(word, scores, strict=False):
            kind = bool(_VALUE_CHAR.match(char[0]))
            if pieces and bool(_VALUE_CHAR.match(pieces[-1][-1][0])) == kind:
                pieces[-1].append(char)
                piece_scores[-1].append(score)
            else:
                pieces.append([char])
                piece_scores.append([score])
        for number, piece in enumerate(pieces):
            text = "".join(c[0] for c in piece)
            low = _lowest(piece_scores[number])
            follows = number + 1 < len(pieces) and _VALUE_CHAR.match(pieces[number + 1][0][0])
            if len(piece) > 1 and text.endswith("无") and follows:
                # 无 (a blank cell) run into the label before it: 行政事业性收费无1
                tokens.append(_Token(text[:-1], piece[0][1], piece[-2][2], False, low))
                tokens.append(_Token("无", piece[-1][1], piece[-1][2], True, low))
                continue
            tokens.append(_Token(text, piece[0][1], piece[-1][2], bool(_VALUE.match(text)), low))
    # numbers of enumerators are label text: （1）, (2), 3、
    for k, token in enumerate(tokens):
        if not token.value:
            continue
        before = tokens[k - 1].text if k else ""
        after = tokens[k + 1].text if k + 1 < len(tokens) else ""
        if (before.endswith(("（", "(")) and after.startswith(("）", ")"))) or (
            k == 0 and after.startswith(("、", "．"))
        ):
            token.value = False
    # money units belong to their figure; 无 alone is a blank marker
    merged: list[_Token] = []
    for token in tokens:
        if (
            merged
            and merged[-1].value
            and _UNIT.match(token.text)
            and token.x0 - merged[-1].x1 < 12
        ):
            confidence = _lowest([merged[-1].confidence, token.confidence])
            merged[-1] = _Token(
                f"{merged[-1].text} {token.text}", merged[-1].x0, token.x1, True, confidence
            )
            continue
        merged.append(token)
    return merged


def _is_row(tokens: list[_Token]) -> bool:
    """Figures on the right of any label text (a table row, not prose with a number)."""
    values = [t for t in tokens if t.value]
    if not values:
        return False
    first = min(t.x0 for t in values)
    return all(t.x1 <= first + 1 for t in tokens if not t.value)


def _columns(rows: list[list[_Token]]) -> list[tuple[float, float]]:
    """Column spans: runs of the x axis covered by figures, split at the gutters."""
    spans = sorted((t.x0, t.x1) for tokens in rows for t in tokens if t.value)
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + 1.0:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def stream_tables(
    lines: Sequence[LineLike], scores: dict[int, list[float | None]] | None = None
) -> dict[int, str | None]:
    """For the lines of a document in reading order: index → the tab-separated row that
    replaces the line (``None``: the line is a label fragment merged into a row). Lines
    not in the result stay as they are. Lines recognised by OCR (with ``scores`` of their
    characters): ``scores`` gets, for every rebuilt row, the confidence of each cell —
    ``None`` for the label, 1 for a blank cell, the figure's own otherwise, below
    :data:`PLACED_UNSURE` when its column is in doubt (:func:`_column_of`)."""
    if scores is None:
        scores = {}
    out: dict[int, str | None] = {}
    inside = False
    region: list[int] = []
    for index, line in enumerate(lines):
        text = re.sub(r"\s+", "", line.text)
        if not inside:
            if _START.search(text) or T2_START.search(text):
                inside = True
                region = [index]
            continue
        if TABLES_END.search(text) and not _is_row(_tokens(line)):
            out.update(_region(lines, region, scores))
            inside, region = False, []
            continue
        if (_SPLIT.search(text) and not _is_row(_tokens(line))) or (
            T3_HEADER.search(text) and not _is_row(_tokens(line))
        ):
            out.update(_region(lines, region, scores))
            region = [index]
            continue
        region.append(index)
    if inside:
        out.update(_region(lines, region, scores))
    return out


_T3_NAMES = ("自然", "商业", "科研", "社会公益", "法律服务", "其他", ("总计", "合计"))
"""Table 三's applicant columns, in order, by the words their headers print."""


_T4_NAMES = ("维持", "纠正", "其他", "尚未", ("总计", "合计"))
"""Table 四's five columns, printed once for each of its three groups."""


def _runs(header: list[LineLike]) -> list[list[tuple[str, float, float]]]:
    """The header's characters read along each line and down each stack of characters
    (narrow columns print their headers vertically): (char, x-centre, top)."""
    runs = [
        [(c, (x0 + x1) / 2, line.top) for word in line.words or [] for c, x0, x1 in word]
        for line in header
    ]
    stacks: list[list[tuple[str, float, float]]] = []
    for char in sorted((c for run in runs for c in run), key=lambda c: c[1]):
        if stacks and abs(stacks[-1][-1][1] - char[1]) <= 3.0:
            stacks[-1].append(char)
        else:
            stacks.append([char])
    return runs + [sorted(stack, key=lambda c: c[2]) for stack in stacks] + _wrapped(header)


def _wrapped(header: list[LineLike]) -> list[list[tuple[str, float, float]]]:
    """The header's names wrapped inside their cells (结果维 | 持): a word continued by the
    words right below it and under it (no wider, within its span), read as one run."""
    chains: list[list[tuple[str, float, float]]] = []
    ends: list[tuple[float, float, float]] = []
    """Of each chain, its last word's x0, x1 and bottom."""
    joined: set[int] = set()
    for line in sorted(header, key=lambda line: line.top):
        height = line.bottom - line.top
        for word in line.words or []:
            if not word:
                continue
            x0, x1 = word[0][1], word[-1][2]
            chars = [(c, (a + b) / 2, line.top) for c, a, b in word]
            above = [
                index
                for index, (a, b, bottom) in enumerate(ends)
                if 0 <= line.top - bottom <= height
                and x1 - x0 <= b - a + 1.0
                and min(x1, b) - max(x0, a) >= 0.6 * (x1 - x0)
            ]
            if above:
                index = min(above, key=lambda i: ends[i][1] - ends[i][0])
                chains[index] = chains[index] + chars
                ends[index] = (x0, x1, line.bottom)
                joined.add(index)
            else:
                chains.append(chars)
                ends.append((x0, x1, line.bottom))
    return [chains[index] for index in sorted(joined)]


def _places(
    runs: list[list[tuple[str, float, float]]], names: str | tuple[str, ...]
) -> list[float]:
    """The x-centres where ``names`` (one name, or its alternatives) are printed (distinct
    places)."""
    if isinstance(names, tuple):
        return sorted({x for name in names for x in _places(runs, name)})
    name = names
    found: list[float] = []
    for run in runs:
        text = "".join(c[0] for c in run)
        start = text.find(name)
        while start >= 0:
            # 其他 of 法人或其他组织 (the group over the applicant columns), also when
            # the group's name wraps after 组
            if not (name == "其他" and text[start + 2 : start + 3] == "组"):
                x = sum(c[1] for c in run[start : start + len(name)]) / len(name)
                if all(abs(x - other) > 3.0 for other in found):
                    found.append(x)
            start = text.find(name, start + 1)
    return sorted(found)


def _header_anchors(header: list[LineLike]) -> list[float] | None:
    """The x-centres of the columns of table 三 (seven applicant columns) or table 四
    (five columns in three groups) from the header lines above the rows; ``None`` unless
    every column is found, left to right."""
    if not header:
        return None
    runs = _runs(header)
    t3 = [_places(runs, name) for name in _T3_NAMES]
    if all(len(places) >= 1 for places in t3):
        # a name printed elsewhere in the header too (其他 of a group's title): each column
        # takes the leftmost place right of the column before it
        anchors: list[float] = []
        for places in t3:
            later = [x for x in places if not anchors or x > anchors[-1]]
            if not later:
                break
            anchors.append(later[0])
        else:
            return anchors
    t4 = [_places(runs, name) for name in _T4_NAMES]
    known = [len(places) == len(K.T4_GROUPS) for places in t4]
    if sum(known) >= len(_T4_NAMES) - 1:
        groups = [
            _fill([places[g] if ok else None for places, ok in zip(t4, known, strict=True)])
            for g in range(len(K.T4_GROUPS))
        ]
        anchors = [x for group in groups for x in group]
        if all(a < b for a, b in itertools.pairwise(anchors)):
            return anchors
    return None


def _fill(columns: list[float | None]) -> list[float]:
    """A group's column centres with the one name not read (纠正 read 纪正) placed between
    its neighbours, or a step beyond the last one at the group's edge."""
    known = [x for x in columns if x is not None]
    if len(known) == len(columns):
        return known
    index = columns.index(None)
    if 0 < index < len(columns) - 1:
        before, after = columns[index - 1], columns[index + 1]
        assert before is not None and after is not None
        return [*known[:index], (before + after) / 2, *known[index:]]
    step = (known[-1] - known[0]) / (len(known) - 1)
    if index == 0:
        return [known[0] - step, *known]
    return [*known, known[-1] + step]


def _header_above(lines: Sequence[LineLike], first_row: int) -> list[LineLike]:
    """The lines without figures right above a table's first row (its header), up to the
    section's heading; on the page before when the first row opens its page."""
    header: list[LineLike] = []
    index = first_row - 1
    page = lines[first_row].page
    while index >= 0 and len(header) < 16:
        if lines[index].page != page:
            if header or lines[index].page != page - 1:
                break
            # the first row opens its page: the table's header closes the page before
            page = lines[index].page
        if _is_row(_tokens(lines[index])) or _SECTION.match(_flat(lines[index].text)):
            break  # a row, or the section's heading: above it, the table before
        header.append(lines[index])
        index -= 1
    header.reverse()
    # the first row's own label may begin on the lines just above its figures
    for back in range(1, min(3, len(header)) + 1):
        if _ENUMERATOR.match(_flat(header[-back].text)):
            return header[:-back]
    return header


PLACED_UNSURE = 0.3
"""OCR: the confidence a figure is given when the column it stands in is in doubt (below
the uncertain mark of ``extract.report``)."""
_T3_WORDS = ("自然人", "申请人", "法人或其他")
_T4_WORDS = ("维持", "纠正", "审结")


def _expected_columns(header: list[LineLike]) -> int | None:
    """How many figure columns the standard table under ``header`` has: 7 for table 三
    (applicant columns), 5 for a group of table 四 printed one row per group; ``None``
    when the header does not say (table 二's parts differ)."""
    text = "".join(_flat(line.text) for line in header)
    if any(word in text for word in _T3_WORDS):
        return len(_T3_NAMES)
    if sum(word in text for word in _T4_WORDS) >= 2 and text.count("维持") == 1:
        return len(_T4_NAMES)
    return None


def _column_of(middle: float, columns: list[tuple[float, float]]) -> tuple[int, bool]:
    """The column a figure centred at ``middle`` stands in, and whether that is in doubt:
    outside every column's span and not clearly nearer one column than the next."""
    distances = [
        0.0 if a <= middle <= b else min(abs(middle - a), abs(middle - b)) for a, b in columns
    ]
    order = sorted(range(len(columns)), key=lambda c: distances[c])
    best = order[0]
    if distances[best] == 0.0 or len(order) < 2:
        return best, False
    return best, distances[order[1]] < 2.0 * distances[best] + 2.0


def _region(
    lines: Sequence[LineLike], indexes: list[int], scores: dict[int, list[float | None]]
) -> dict[int, str | None]:
    """One table (or part between header lines): rows from its lines with figures."""
    tokens = {i: _tokens(lines[i]) for i in indexes}
    rows = [i for i in indexes if _is_row(tokens[i])]
    if not rows:
        return {}
    columns = _columns([tokens[i] for i in rows])
    header = _header_above(lines, rows[0])
    anchors = _header_anchors(header)
    if len(rows) < 2 and anchors is None:
        return {}
    if anchors is not None:
        # the header lines placed the columns: they are not labels of the first row
        header_ids = {id(line) for line in header}
        indexes = [i for i in indexes if id(lines[i]) not in header_ids]
    # nor is the section's heading above the header
    indexes = [i for i in indexes if i in rows or not _SECTION.match(_flat(lines[i].text))]
    expected = len(anchors) if anchors is not None else _expected_columns(header)
    if anchors is not None and len(columns) != len(anchors):
        # figures in only some columns (or a stray mark making one more): the header's
        # names place them
        columns = [(x, x) for x in anchors]
    # OCR: columns found from the figures alone, fewer or more than the table has: every
    # figure's column is in doubt
    doubtful_columns = expected is not None and len(columns) != expected
    if len(columns) < 2:
        return {}
    out: dict[int, str | None] = {}
    centres = {i: (lines[i].top + lines[i].bottom) / 2 for i in indexes}
    heights = [lines[i].bottom - lines[i].top for i in indexes]
    height = median(heights) if heights else 10.0
    gaps = [
        abs(centres[b] - centres[a])
        for a, b in itertools.pairwise(rows)
        if lines[a].page == lines[b].page
    ]
    reach = max(1.6 * height, 0.6 * median(gaps)) if gaps else 1.6 * height
    labels: dict[int, list[tuple[int, str]]] = {i: [] for i in rows}
    pending: list[list[int]] = []
    """Labels begun above their figures (each starts with its enumerator), oldest first."""
    last_row: int | None = None
    for i in indexes:
        if i in labels:
            if pending:
                # the last label begun above these figures is theirs; earlier ones are
                # rows printed without figures (or group labels): they stay text lines
                for j in pending[-1]:
                    labels[i].append((j, _flat(lines[j].text)))
                    out[j] = None
            pending = []
            last_row = i
            continue
        text = _flat(lines[i].text)
        in_label_column = True
        if in_label_column and _ENUMERATOR.match(text):
            pending.append([i])  # a label starts: its row is the next one with figures
            continue
        if in_label_column and pending:
            pending[-1].append(i)
            continue
        if (
            in_label_column
            and last_row is not None
            and (
                lines[last_row].page == lines[i].page
                and abs(centres[last_row] - centres[i]) <= reach
            )
        ):
            labels[last_row].append((i, text))  # the label goes on below its figures
            out[i] = None
            continue
        same_page = [r for r in rows if lines[r].page == lines[i].page]
        if not same_page:
            continue
        nearest = min(same_page, key=lambda r: (abs(centres[r] - centres[i]), -r))
        if abs(centres[nearest] - centres[i]) <= reach:
            labels[nearest].append((i, text))
            out[i] = None
    for i in rows:
        own = "".join(t.text for t in tokens[i] if not t.value)
        before = "".join(text for j, text in sorted(labels[i]) if j < i)
        after = "".join(text for j, text in sorted(labels[i]) if j > i)
        cells = [""] * len(columns)
        confidences: list[float | None] = [1.0] * len(columns)
        for token in tokens[i]:
            if not token.value:
                continue
            column, doubtful = _column_of((token.x0 + token.x1) / 2, columns)
            if cells[column]:
                return {}  # two figures of a row in one column: no column structure here
            cells[column] = token.text
            confidences[column] = token.confidence
            if (doubtful or doubtful_columns) and token.confidence is not None:
                confidences[column] = min(token.confidence, PLACED_UNSURE)
        out[i] = "\t".join([before + own + after, *cells])
        if any(t.confidence is not None for t in tokens[i]):
            scores[i] = [None, *confidences]
    _orphans_in_doubt(lines, rows, out, scores)
    return out


def _orphans_in_doubt(
    lines: Sequence[LineLike],
    rows: list[int],
    out: dict[int, str | None],
    scores: dict[int, list[float | None]],
) -> None:
    """OCR: a line of figures without a label between two rows is a figure recognised off
    its row's line (a speck stretched its box): the rows next to it may have lost that
    figure, so their blank cells in its columns are in doubt (confidence 0)."""
    for k, i in enumerate(rows):
        cells = (out.get(i) or "").split("\t")
        if cells[0] or i not in scores:
            continue
        for j in (rows[k - 1] if k else None, rows[k + 1] if k + 1 < len(rows) else None):
            if j is None or j not in scores or lines[j].page != lines[i].page:
                continue
            theirs = (out.get(j) or "").split("\t")
            for column, text in enumerate(cells[1:], start=1):
                if text and column < len(theirs) and not theirs[column]:
                    scores[j][column] = 0.0
