"""Tables without rules on fixed-layout pages (PDF, OFD): rows rebuilt from positions.

A table drawn without lines reaches the text layer as lines of words; reading them as
plain text loses the blank cells (a row of six figures under seven columns) and splits
wrapped labels from their figures. Here the table's *columns* come from the figures'
positions — the gutters that no figure of the table crosses — and every line holding
figures becomes a row with one cell per column (blank where nothing is printed); label
fragments on lines without figures (wrapped or vertically centred labels) join the row
nearest to them, piece by piece where a line holds labels of two columns (a group label
such as （三）不予公开 beside the rows' labels): a row takes the label begun in the
rightmost label column. Where a row prints figures in only some columns, the header's
names place the columns (read along lines, down stacked characters and across lines
wrapped in a cell; a header closing the page before a table's first row is that
table's). OCR: a row whose label is in doubt — it took a line holding figures, or a
label line standing nearer the next row's figures — has its figures and blank cells
flagged (which row they are is in doubt). The rows are written as tab-separated text,
the form of positional rows the table parser reads. Nothing is rebuilt outside the
statistical tables (between the first table heading and section 五).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Protocol

from extract import keys as K
from extract.table_labels import (
    T2_COLUMN_PATTERNS,
    T2_START,
    T3_HEADER,
    TABLES_END,
    match_t2_row,
)

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
_ITEM = r"[（(〈《](?:[一二三四五六七八九十\d]{1,3}|[^\u4e00-\u9fff（()）\s]{1,2})[)）]"
"""An item's number in brackets: ``（1）``, ``（三）``, or as OCR reads one (``(=)``,
``(<)``, ``(1D)``: one or two look-alikes between the brackets)."""
_ENUMERATOR = re.compile(rf"^(?:{_ITEM}|[一二三四五六七八九十]{{1,3}}、|\d{{1,2}}[.、．])")
_ITEM_START = re.compile(_ITEM)


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
        # a word that starts with an item's number in brackets: label text, figures
        # inside or not (（1）, (1D) as OCR reads it)
        item = _ITEM_START.match("".join(c[0] for c in word))
        lead = item.end() if item else 0
        if lead:
            pieces.append(list(word[:lead]))
            piece_scores.append(list(scores[:lead]))
        for char, score in zip(word[lead:], scores[lead:], strict=False):
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
        opened = before.endswith(("（", "("))
        if (
            (opened and after.startswith(("）", ")")))
            # （1 at the end of a line, its ）on the next: an item number wrapped
            or (
                opened
                and k + 1 == len(tokens)
                and token.x0 - tokens[k - 1].x1 < 1.0
                and re.fullmatch(r"\d{1,2}", token.text)
            )
            or (k == 0 and after.startswith(("、", "．")))
            # a dash run into the label it starts (OCR: a stroke of 二、 read as ``-``)
            or (
                k == 0
                and re.fullmatch(r"[-—－–]", token.text)
                and k + 1 < len(tokens)
                and not tokens[k + 1].value
                and tokens[k + 1].x0 - token.x1 < 1.0
            )
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
            # printed apart (``162000 元``) or as one word (``342500元``): kept as printed
            space = " " if token.x0 - merged[-1].x1 > 1.0 else ""
            if not space and confidence is not None:
                # OCR: a figure and its unit read as one word may have been printed apart
                # (``162000 元``): the printed form is in doubt
                confidence = min(confidence, PLACED_UNSURE)
            merged[-1] = _Token(
                f"{merged[-1].text}{space}{token.text}", merged[-1].x0, token.x1, True, confidence
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
    stacked = [sorted(stack, key=lambda c: c[2]) for stack in stacks]
    return runs + stacked + _wrapped(header) + _cell_runs(header)


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


def _cell_runs(header: list[LineLike]) -> list[list[tuple[str, float, float]]]:
    """The header's cells read line by line: a word continues the word right above it
    when they share the same stretch of the line and follow each other closely (a name
    wrapped inside its cell, ``社会公`` / ``益组织``), even when a line of a neighbouring
    cell falls between them (``总计`` centred beside ``结果维`` / ``持``)."""
    cells: list[tuple[list[tuple[str, float, float]], float, float, float]] = []
    """(chars, x0, x1, bottom of the last line) of the cells being read."""
    for line in header:
        height = max(1.0, line.bottom - line.top)
        for word in line.words or []:
            if not word:
                continue
            x0, x1 = word[0][1], word[-1][2]
            chars = [(c, (a + b) / 2, line.top) for c, a, b in word]
            for number in range(len(cells) - 1, -1, -1):
                run, cx0, cx1, bottom = cells[number]
                overlap = min(x1, cx1) - max(x0, cx0)
                if overlap >= 0.5 * min(x1 - x0, cx1 - cx0) and line.top - bottom <= 0.8 * height:
                    cells[number] = (run + chars, min(x0, cx0), max(x1, cx1), line.bottom)
                    break
            else:
                cells.append((chars, x0, x1, line.bottom))
    return [run for run, *_ in cells if len({top for _, _, top in run}) > 1]


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
    if all(len(places) == 1 for places in t4):
        # table 四 printed one row per group (类别 | 结果维持 … 总计): five columns
        anchors = [places[0] for places in t4]
        if all(a < b for a, b in itertools.pairwise(anchors)):
            return anchors
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


def _t2_header(header: list[LineLike]) -> list[LineLike] | None:
    """The header of a part of table 二: from its 第二十条 / 信息内容 line down, without the
    first row's label when it wraps above the row's figures."""
    starts = [k for k, line in enumerate(header) if "第二十条" in _flat(line.text)]
    starts = starts or [k for k, line in enumerate(header) if T2_START.search(_flat(line.text))]
    if not starts:
        return None
    part = header[starts[-1] :]
    while part and match_t2_row(_flat(part[-1].text)):
        part = part[:-1]
    return part


def _t2_anchors(header: list[LineLike]) -> list[float] | None:
    """The x-centres of the columns a part of table 二 names in its header (本年制发件数,
    本年废止件数, 现行有效件数 …), left to right; ``None`` for fewer than two."""
    if "信息内容" not in "".join(_flat(line.text) for line in header):
        return None
    runs = _runs(header)
    found: dict[str, float] = {}
    for key, pattern in T2_COLUMN_PATTERNS:
        for run in runs:
            match = pattern.search("".join(c[0] for c in run))
            if match is None or key in found:
                continue
            chars = run[match.start() : match.end()]
            x = sum(c[1] for c in chars) / len(chars)
            if all(abs(x - other) > 3.0 for other in found.values()):
                found[key] = x
    return sorted(found.values()) if len(found) >= 2 else None


def _header_above(lines: Sequence[LineLike], first_row: int) -> list[LineLike]:
    """The lines without figures right above a table's first row (its header), up to the
    section's heading, on its page or at the foot of the page before (a table that starts
    after a page break)."""
    header: list[LineLike] = []
    index = first_row - 1
    while index >= 0 and len(header) < 16 and lines[index].page >= lines[first_row].page - 1:
        if _is_row(_tokens(lines[index])) or _SECTION.match(_flat(lines[index].text)):
            break  # a row, or the section's heading: above it, the table before
        header.append(lines[index])
        index -= 1
    header.reverse()
    # the first row's own label may begin on the lines above its figures — a label
    # wrapped in a narrow column over many lines — (a section heading such as
    # 四、…行政复议…情况, or column names after it, are not a row's label)
    for back in range(1, len(header) + 1):
        text = _flat(header[-back].text)
        if _SPLIT.search(text):
            break
        if _ENUMERATOR.match(text):
            return header[:-back]
    return header


def _pieces(line: LineLike) -> list[tuple[str, tuple[float, float] | None]]:
    """A line cut where its words stand apart by more than a character's height (the
    labels of two columns, a group label beside a row label), each piece with its
    stretch of the line (``None`` when the line has no word positions)."""
    text = _flat(line.text)
    words = [word for word in line.words or [] if word]
    if not words:
        return [(text, None)] if text else []
    gap = max(1.0, line.bottom - line.top)
    pieces: list[list[list[tuple[str, float, float]]]] = []
    for word in words:
        if pieces and word[0][1] - pieces[-1][-1][-1][2] <= gap:
            pieces[-1].append(word)
        else:
            pieces.append([word])
    out: list[tuple[str, tuple[float, float] | None]] = []
    for piece in pieces:
        chars = "".join(c for word in piece for c, _, _ in word)
        out.append((_flat(chars), (piece[0][0][1], piece[-1][-1][2])))
    return [(text, None)] if len(out) == 1 and not out[0][0] else out


def _overlaps(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    return a is not None and b is not None and min(a[1], b[1]) - max(a[0], b[0]) > 0


_DIGITS = re.compile(r"^\d[\d,.]*$")


def _join_wrapped_figures(
    lines: Sequence[LineLike], rows: list[int], tokens: dict[int, list[_Token]]
) -> tuple[list[int], set[int]]:
    """Lines of figures that overlap in height are one row: a figure too wide for its
    narrow column wraps inside it (``300`` / ``1`` for 3001, above and below the row's
    other figures, which sit centred between them). The pieces of a figure in one column
    are joined top to bottom into the row's line (the one holding the label), the other
    lines left out. Returns the rows left and the lines joined into them."""
    groups: list[list[int]] = []
    for i in rows:
        if groups:
            last = lines[groups[-1][-1]]
            line = lines[i]
            height = min(last.bottom - last.top, line.bottom - line.top)
            if (
                last.page == line.page
                and min(last.bottom, line.bottom) - max(last.top, line.top) > 0.25 * height
            ):
                groups[-1].append(i)
                continue
        groups.append([i])
    kept: list[int] = []
    joined: set[int] = set()
    for group in groups:
        labelled = [i for i in group if any(not t.value for t in tokens[i])]
        if len(group) == 1 or (len(labelled) > 1 and not _labels_apart(group, tokens)):
            kept.extend(group)
            continue
        if len(labelled) == 1:
            main = labelled[0]
        else:  # no label, or a label wrapped in its cell like the figure beside it
            main = max(group, key=lambda i: sum(t.value for t in tokens[i]))
        others = [i for i in group if i != main]
        figures = sum(t.value for t in tokens[main])
        if not all(_DIGITS.match(t.text) for i in others for t in tokens[i] if t.value) or any(
            sum(t.value for t in tokens[i]) >= figures for i in others
        ):
            # (a label line ending in an item's number, 不予处理2 / .重复申请, beside the
            # row's figures is no row of figures itself)
            kept.extend(group)
            continue
        labels = _stacked([t for i in group for t in tokens[i] if not t.value])
        pieces = _stacked([t for i in group for t in tokens[i] if t.value])
        tokens[main] = sorted(labels + pieces, key=lambda t: t.x0)
        kept.append(main)
        joined.update(others)
    return kept, joined


def _labels_apart(group: list[int], tokens: dict[int, list[_Token]]) -> bool:
    """Every label piece of the lines stands left of every figure (the row's label wrapped
    in its own column, 148 wrapped beside it: （1）信访举报 14 / 投诉类申请 8)."""
    first = min((t.x0 for i in group for t in tokens[i] if t.value), default=None)
    return first is not None and all(
        t.x1 <= first + 1 for i in group for t in tokens[i] if not t.value
    )


def _stacked(tokens: list[_Token]) -> list[_Token]:
    """Tokens given top to bottom, those one above the other (overlapping across) joined
    into one, their texts in reading order."""
    pieces: list[_Token] = []
    for token in tokens:
        under = next((p for p in pieces if p.x0 < token.x1 and token.x0 < p.x1), None)
        if under is None:
            pieces.append(_Token(token.text, token.x0, token.x1, token.value, token.confidence))
            continue
        under.text += token.text
        under.x0, under.x1 = min(under.x0, token.x0), max(under.x1, token.x1)
        under.confidence = _lowest([under.confidence, token.confidence])
    return pieces


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
    for i in indexes:
        # an item's number at the end of a line, its dot starting the next line of text
        # (不予处理3 / .要求提供…, figures between them or not): label text, not a figure
        found = tokens[i]
        following = next(
            (
                _flat(lines[j].text)
                for j in range(i + 1, min(i + 3, len(lines)))
                if any(not t.value for t in tokens.get(j) or _tokens(lines[j]))
            ),
            "",
        )
        if (
            len(found) >= 2
            and found[-1].value
            and re.fullmatch(r"\d{1,2}", found[-1].text)
            and not any(t.value for t in found[:-1])
            and found[-1].x0 - found[-2].x1 < 1.0
            and re.match(r"^[.．、]", following)
        ):
            found[-1].value = False
    rows = [i for i in indexes if _is_row(tokens[i])]
    if not rows:
        return {}
    first = rows[0]
    rows, joined = _join_wrapped_figures(lines, rows, tokens)
    indexes = [i for i in indexes if i not in joined]
    columns = _columns([tokens[i] for i in rows])
    header = _header_above(lines, first)
    anchors = _header_anchors(header)
    if anchors is None and (part := _t2_header(header)):
        anchors = _t2_anchors(part)
        if anchors is not None:
            header = part
    if len(rows) < 2 and anchors is None:
        return {}
    if anchors is not None:
        # the header lines placed the columns: they are not labels of the first row
        # lines above them (the table's heading) are no row's label either
        header_ids = {id(line) for line in header}
        top = min((i for i in range(rows[0]) if id(lines[i]) in header_ids), default=-1)
        indexes = [i for i in indexes if i > top and id(lines[i]) not in header_ids]
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
    labels: dict[int, list[tuple[tuple[int, int], str]]] = {i: [] for i in rows}
    pieces = {i: _pieces(lines[i]) for i in indexes if i not in labels}
    used: set[tuple[int, int]] = set()
    pending: list[list[tuple[int, int]]] = []
    """Labels begun above their figures (each starts with its enumerator), oldest first."""
    last_row: int | None = None

    def span(key: tuple[int, int]) -> tuple[float, float] | None:
        return pieces[key[0]][key[1]][1]

    def _left_of(where: tuple[float, float] | None, others: list[list[tuple[int, int]]]) -> bool:
        """Whether a label begun at ``where`` stands left of another one begun (a group
        label beside the rows' labels)."""
        if where is None:
            return False
        for other in others:
            there = span(other[0])
            if there is not None and there[0] >= where[1]:
                return True
        return False

    def _just_above(line: int, row: int) -> bool:
        height = lines[row].bottom - lines[row].top
        return lines[line].page == lines[row].page and (
            lines[row].top - lines[line].bottom <= 1.5 * height
        )

    def _over_figures(where: tuple[float, float] | None) -> bool:
        return where is not None and where[0] >= columns[0][0] - 1.0

    def row_span(row: int) -> tuple[float, float] | None:
        """The stretch of the line a row's label takes (its own words and pieces)."""
        spans = [span(key) for key, _ in labels[row]]
        spans += [(t.x0, t.x1) for t in tokens[row] if not t.value]
        known = [s for s in spans if s is not None]
        if not known:
            return None
        return (min(s[0] for s in known), max(s[1] for s in known))

    in_doubt: set[int] = set()
    """OCR: rows whose label is in doubt (so which row their figures are)."""

    def take(row: int, key: tuple[int, int]) -> None:
        labels[row].append((key, pieces[key[0]][key[1]][0]))
        used.add(key)
        if any(t.value and t.confidence is not None for t in tokens[key[0]]):
            # figures taken for label text (a row not seen as one: a figure left of its
            # label): this row's label holds another row's
            in_doubt.add(row)

    def next_row(line: int) -> int | None:
        return next((r for r in rows if r > line and lines[r].page == lines[line].page), None)

    for i in indexes:
        if i in labels:
            if pending:
                # the last label begun above these figures in the rightmost column is
                # theirs (a group label such as （四）无法提供, left of the rows' labels,
                # may begin between a row's label and its figures); the others are rows
                # printed without figures or group labels: they stay text lines
                # (a heading printed over the figures' columns, such as （四）无法提供
                # centred on the table, is not in the labels' column at all)
                # (nor a label whose last line ends well above the figures: a row printed
                # without figures)
                close = [p for p in pending if _just_above(p[-1][0], i)] or pending
                beside = [p for p in close if not _over_figures(span(p[0]))] or close
                chosen = next(p for p in reversed(beside) if not _left_of(span(p[0]), beside))
                for key in chosen:
                    take(i, key)
            pending = []
            last_row = i
            continue
        for k, (text, where) in enumerate(pieces[i]):
            key = (i, k)
            if _ENUMERATOR.match(text):
                pending.append([key])  # a label starts: its row is the next one with figures
                continue
            # a piece of a label goes on the label begun in its column; on the row above
            # when no label was begun there (the line beside a group label's start)
            same_column = [p for p in pending if _overlaps(span(p[0]), where)]
            near_last = (
                last_row is not None
                and lines[last_row].page == lines[i].page
                and abs(centres[last_row] - centres[i]) <= reach
            )
            if same_column:
                same_column[-1].append(key)
                continue
            in_last_column = (
                near_last and last_row is not None and _overlaps(row_span(last_row), where)
            )
            if pending and not (near_last and (len(pieces[i]) > 1 or in_last_column)):
                pending[-1].append(key)
                continue
            if near_last:
                assert last_row is not None
                take(last_row, key)  # the label goes on below its figures
                below_row = next_row(i)
                if below_row is not None and abs(centres[below_row] - centres[i]) < abs(
                    centres[last_row] - centres[i]
                ):
                    # nearer the next row's figures: the start of that row's label, not
                    # recognised as one (its item's number misread)? Both rows in doubt
                    in_doubt.update({last_row, below_row})
                continue
            same_page = [r for r in rows if lines[r].page == lines[i].page]
            if not same_page:
                continue
            nearest = min(same_page, key=lambda r: (abs(centres[r] - centres[i]), -r))
            if abs(centres[nearest] - centres[i]) <= reach:
                take(nearest, key)
    for i, parts in pieces.items():
        if not any((i, k) in used for k in range(len(parts))):
            continue
        rest = [text for k, (text, _) in enumerate(parts) if (i, k) not in used]
        # a line whose label pieces all went into rows is gone; what is left of it stays
        out[i] = " ".join(rest) if rest else None
    for i in rows:
        own = "".join(t.text for t in tokens[i] if not t.value)
        before = "".join(text for j, text in sorted(labels[i]) if j[0] < i)
        after = "".join(text for j, text in sorted(labels[i]) if j[0] > i)
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
            if i in in_doubt:
                # the figures may be another row's: all in doubt, the blanks (and the
                # blank marks, / or —) too — a blank is flagged at confidence 0
                confidences = [
                    min(c or 0.0, PLACED_UNSURE) if re.search(r"\d", cell) else 0.0
                    for cell, c in zip(cells, confidences, strict=True)
                ]
            scores[i] = [None, *confidences]
    for i in joined:
        out[i] = None
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
