"""Characters → words → text lines, and ruling edges → table cells, as pdfplumber does it.

The rules are pdfplumber's defaults (``extract_text_lines(layout=False)``,
``extract_text``, ``find_tables()`` with the "lines" strategy), written for speed over
:class:`extract.text.pdf_page.Char` objects:

- chars are clustered into lines by ``top`` (3 pt tolerance, chained), sorted by ``x0``
  within a line and split into words at blanks, at gaps over 3 pt and where a character
  starts left of the previous one or 3 pt above/below it; words are joined by one space;
- table cells come from pdfplumber's lattice functions (edges snapped and joined at 3 pt,
  intersections at 3 pt); a character belongs to the cell that holds its centre.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from pdfplumber.table import cells_to_tables, merge_edges

from extract.text.pdf_page import Char, Edge

_TOLERANCE = 3.0
BBox = tuple[float, float, float, float]
_by_x0 = attrgetter("x0")


@dataclass(slots=True)
class TextLine:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    words: list[list[tuple[str, float, float]]] | None = None
    """The line's words: each a list of its characters with their left and right edges."""
    scores: list[list[float | None]] | None = None
    """OCR: the recognition confidence of every character of :attr:`words`."""


def _chain(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: value → cluster number (chained clustering)."""
    ordered = sorted(set(values))
    clusters: dict[float, int] = {}
    number = 0
    last: float | None = None
    for value in ordered:
        if last is not None and value > last + tolerance:
            number += 1
        clusters[value] = number
        last = value
    return clusters


def _words(chars: list[Char]) -> list[list[Char]]:
    """Chars (in page order) → words, in line order then left to right."""
    if not chars:
        return []
    cluster = _chain([ch.top for ch in chars], _TOLERANCE)
    lines: dict[int, list[Char]] = {}
    for ch in chars:
        lines.setdefault(cluster[ch.top], []).append(ch)
    words: list[list[Char]] = []
    for number in sorted(lines):
        current: list[Char] = []
        for ch in sorted(lines[number], key=_by_x0):
            if ch.text.isspace():
                if current:
                    words.append(current)
                current = []
                continue
            if current:
                last = current[-1]
                if (
                    ch.x0 < last.x0
                    or ch.x0 > last.x1 + _TOLERANCE
                    or abs(ch.top - last.top) > _TOLERANCE
                ):
                    words.append(current)
                    current = [ch]
                    continue
            current.append(ch)
        if current:
            words.append(current)
    return words


def _word_lines(words: list[list[Char]], preserve_order: bool) -> list[list[list[Char]]]:
    """Words clustered into lines by their ``top`` (pdfplumber's ``cluster_objects``)."""
    tops = [min(ch.top for ch in word) for word in words]
    cluster = _chain(tops, _TOLERANCE)
    if preserve_order:
        grouped: list[list[list[Char]]] = []
        previous = -1
        for word, top in zip(words, tops, strict=True):
            if grouped and cluster[top] == previous:
                grouped[-1].append(word)
            else:
                grouped.append([word])
            previous = cluster[top]
        return grouped
    by_cluster: dict[int, list[list[Char]]] = {}
    for word, top in zip(words, tops, strict=True):
        by_cluster.setdefault(cluster[top], []).append(word)
    return [by_cluster[number] for number in sorted(by_cluster)]


def text_lines(chars: list[Char]) -> list[TextLine]:
    """The text lines of a page (``extract_text_lines(layout=False, strip=True)``)."""
    lines: list[TextLine] = []
    for line in _word_lines(_words(chars), preserve_order=True):
        text = " ".join("".join(ch.text for ch in word) for word in line).strip(" ")
        if not text:
            continue
        members = [ch for word in line for ch in word]
        lines.append(
            TextLine(
                text,
                min(ch.x0 for ch in members),
                min(ch.top for ch in members),
                max(ch.x1 for ch in members),
                max(ch.bottom for ch in members),
                [[(ch.text, ch.x0, ch.x1) for ch in word] for word in line],
                [[ch.confidence for ch in word] for word in line],
            )
        )
    return lines


def cell_text(chars: list[Char]) -> str:
    """A cell's text (``extract_text(layout=False)``): lines joined by newlines."""
    lines = _word_lines(_words(chars), preserve_order=False)
    return "\n".join(" ".join("".join(ch.text for ch in word) for word in line) for line in lines)


@dataclass(slots=True)
class FoundTable:
    bbox: BBox
    rows: list[list[BBox | None]]
    """Rows of the table grid (pdfplumber's ``Table.rows``): ``None`` where no cell starts."""


def find_tables(edges: list[Edge], page_bbox: BBox, closing: list[float]) -> list[FoundTable]:
    """Tables from the ruling ``edges`` plus full-width horizontal lines at ``closing``."""
    x0, _, x1, _ = page_bbox
    base = [
        e
        for e in edges
        if (e["height"] if e["orientation"] == "v" else e["width"]) >= 1
        and e["orientation"] in ("v", "h")
    ]
    explicit = [
        {"x0": x0, "x1": x1, "width": x1 - x0, "top": y, "bottom": y, "orientation": "h"}
        for y in closing
    ]
    verticals = [e for e in base if e["orientation"] == "v"]
    horizontals = [e for e in base if e["orientation"] == "h"] + explicit
    merged: list[dict[str, Any]] = merge_edges(
        verticals + horizontals,
        snap_x_tolerance=_TOLERANCE,
        snap_y_tolerance=_TOLERANCE,
        join_x_tolerance=_TOLERANCE,
        join_y_tolerance=_TOLERANCE,
    )
    merged = [e for e in merged if (e["height"] if e["orientation"] == "v" else e["width"]) >= 3]
    if not merged:
        return []
    return [_table(group) for group in cells_to_tables(_cells(merged))]


_Segment = tuple[float, float, float, float]


def _cells(edges: list[Edge]) -> list[BBox]:
    """pdfplumber's ``edges_to_intersections`` + ``intersections_to_cells``: the smallest
    rectangles whose four corners are intersections joined by common edges."""
    verticals = sorted(
        (e for e in edges if e["orientation"] == "v"), key=lambda e: (e["x0"], e["top"])
    )
    horizontals = sorted(
        (e for e in edges if e["orientation"] == "h"), key=lambda e: (e["top"], e["x0"])
    )
    v_at: dict[tuple[float, float], set[_Segment]] = {}
    h_at: dict[tuple[float, float], set[_Segment]] = {}
    for v in verticals:
        vx, vtop, vbottom = v["x0"], v["top"], v["bottom"]
        v_box = (v["x0"], v["top"], v["x1"], v["bottom"])
        for h in horizontals:
            htop = h["top"]
            if (
                vtop <= htop + _TOLERANCE
                and vbottom >= htop - _TOLERANCE
                and vx >= h["x0"] - _TOLERANCE
                and vx <= h["x1"] + _TOLERANCE
            ):
                vertex = (vx, htop)
                v_at.setdefault(vertex, set()).add(v_box)
                h_at.setdefault(vertex, set()).add((h["x0"], h["top"], h["x1"], h["bottom"]))
    points = sorted(v_at)
    below: dict[float, list[tuple[float, float]]] = {}
    right: dict[float, list[tuple[float, float]]] = {}
    for point in points:
        below.setdefault(point[0], []).append(point)
    for point in sorted(points, key=lambda p: (p[1], p[0])):
        right.setdefault(point[1], []).append(point)

    def joined_v(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        return not v_at[p1].isdisjoint(v_at[p2])

    def joined_h(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        return not h_at[p1].isdisjoint(h_at[p2])

    cells: list[BBox] = []
    for point in points:
        x, y = point
        downs = [p for p in below[x] if p[1] > y]
        rights = [p for p in right[y] if p[0] > x]
        found: BBox | None = None
        for down in downs:
            if not joined_v(point, down):
                continue
            for side in rights:
                if not joined_h(point, side):
                    continue
                corner = (side[0], down[1])
                if corner in v_at and joined_v(corner, side) and joined_h(corner, down):
                    found = (x, y, corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _table(cells: list[BBox]) -> FoundTable:
    bbox = (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )
    xs = sorted({c[0] for c in cells})
    by_top: dict[float, dict[float, BBox]] = {}
    for cell in sorted(cells, key=lambda c: (c[1], c[0])):
        by_top.setdefault(cell[1], {})[cell[0]] = cell
    rows = [[row.get(x) for x in xs] for _, row in sorted(by_top.items())]
    return FoundTable(bbox, rows)


def cell_texts(table: FoundTable, chars: list[Char]) -> list[list[str | None]]:
    """The text of every cell of ``table`` (``Table.extract()``): chars whose centre lies
    in the cell (left/top edge included), in page order."""
    x0, top, x1, bottom = table.bbox
    inside = [
        (index, (ch.top + ch.bottom) / 2, (ch.x0 + ch.x1) / 2, ch)
        for index, ch in enumerate(chars)
        if top <= (ch.top + ch.bottom) / 2 < bottom and x0 <= (ch.x0 + ch.x1) / 2 < x1
    ]
    inside.sort(key=lambda item: item[1])
    mids = [item[1] for item in inside]
    texts: list[list[str | None]] = []
    for row in table.rows:
        out: list[str | None] = []
        for cell in row:
            if cell is None:
                out.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            band = inside[bisect_left(mids, ctop) : bisect_right(mids, cbottom)]
            members = sorted(
                (item for item in band if item[1] < cbottom and cx0 <= item[2] < cx1),
                key=lambda item: item[0],
            )
            out.append(cell_text([item[3] for item in members]))
        texts.append(out)
    return texts
