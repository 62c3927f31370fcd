"""PDF text layer (PDFium page objects, pdfplumber's layout rules) in an isolated worker
with time and memory limits.

- Tables are found from the *visible* ruling lines (white fill-only rectangles, which WPS
  draws behind every text line, are ignored) and rebuilt with their merged cells from the
  cell boxes; a table that continues on the next page with the same columns is joined.
- Text lines outside tables are joined back into paragraphs when a line runs to the right
  margin and the next one is not indented, so Chinese words are not broken at line ends.
- Running page numbers (``-1-``, ``— 2 —``, ``第3页``) are dropped.
- A PDF with (almost) no text layer is returned with ``needs_ocr=True``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from extract.isolation import run_isolated
from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits
from extract.sniff import PDF
from extract.text.grid import SpanCell, build_table, clean_cell, clean_inline, join_broken
from extract.text.pdf_layout import FoundTable, TextLine, cell_texts, find_tables, text_lines
from extract.text.pdf_page import Char, PageObjects, PdfFile
from extract.text.pdf_stream import stream_tables
from extract.types import Grid, TextDocument

_PAGE_NUMBER = re.compile(
    r"^\s*([-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})\s*$"
)
# Glyph positioning in PDFs (WPS in particular) leaves gaps between digits and Han
# characters ("2023 年"); they were not typed, so running text drops them.
_DIGIT_CJK_GAP = re.compile(r"(?<=\d) +(?=[\u4e00-\u9fff])(?![万元])|(?<=[\u4e00-\u9fff]) +(?=\d)")
_HEADING = re.compile(
    r"^\s*([（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[、.．](?!\d))"
)
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]{1,2}、")
_ROW_END = re.compile(r"(?:\s(?:[+-]?\d[\d,.]*|[／/—-]|无)){2,}\s*$")
_SENTENCE_END = ("。", "：", ":", "；", "！", "？", "）", "」")
_MIN_CHARS_PER_PAGE = 20
_INK_RATIO = 0.0012
"""OCR: a table cell with more dark pixels than this share, but no text, lost a figure."""


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    left: float
    right: float
    words: list[list[tuple[str, float, float]]] | None = None
    scores: list[list[float | None]] | None = None


@dataclass
class _Box:
    """A table cell box; ``top``/``bottom`` are offset by ``page * PAGE_OFFSET`` so the
    boxes of a table that runs over several pages stay in one coordinate space."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    confidence: float | None = None
    """OCR only: the lowest confidence of the cell's characters (0 for ink without text)."""


@dataclass
class _PdfTable:
    page: int
    top: float
    bottom: float
    boxes: list[_Box]
    x0: float
    x1: float
    end_page: int = -1
    page_top: bool = False
    page_bottom: bool = False


@dataclass
class _Page:
    lines: list[_Line] = field(default_factory=list)
    tables: list[_PdfTable] = field(default_factory=list)


def _snap(values: list[float], tolerance: float = 2.0) -> list[float]:
    snapped: list[float] = []
    for value in sorted(values):
        if not snapped or value - snapped[-1] > tolerance:
            snapped.append(value)
    return snapped


def _index(points: list[float], value: float) -> int:
    """Index of the point nearest to ``value`` in the sorted ``points`` (the lower on a tie)."""
    i = bisect_left(points, value)
    if i == 0:
        return 0
    if i == len(points) or value - points[i - 1] <= points[i] - value:
        return i - 1
    return i


_PAGE_OFFSET = 100_000.0


def _boxes(table: FoundTable, chars: list[Char], page: int, ink: Any = None) -> list[_Box]:
    offset = page * _PAGE_OFFSET
    boxes: list[_Box] = []
    for row, row_texts in zip(table.rows, cell_texts(table, chars), strict=True):
        for bbox, text in zip(row, row_texts, strict=True):
            if bbox is not None:
                box = _Box(bbox[0], bbox[1] + offset, bbox[2], bbox[3] + offset, text or "")
                if ink is not None:
                    box.confidence = _cell_confidence(bbox, chars, box.text, ink)
                boxes.append(box)
    return boxes


def _cell_confidence(
    bbox: tuple[float, float, float, float], chars: list[Char], text: str, ink: Any
) -> float:
    """OCR: a cell's lowest character confidence; 0 when the image has ink there but no
    text was recognised (a figure lost, not a blank cell)."""
    x0, top, x1, bottom = bbox
    inside = [
        ch.confidence
        for ch in chars
        if ch.confidence is not None
        and x0 <= (ch.x0 + ch.x1) / 2 < x1
        and top <= (ch.top + ch.bottom) / 2 < bottom
    ]
    if inside:
        return min(inside)
    if not text.strip() and ink(x0, top, x1, bottom) > _INK_RATIO:
        return 0.0
    return 1.0


def _min_confidence(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _rows_from_boxes(boxes: list[_Box]) -> tuple[list[list[SpanCell]], int]:
    """Rebuild rows of spanning cells from cell boxes (column/row lines from box edges)."""
    xs = _snap([b.x0 for b in boxes] + [b.x1 for b in boxes])
    ys = _snap([b.top for b in boxes] + [b.bottom for b in boxes])
    width = max(1, len(xs) - 1)
    starts: dict[int, list[tuple[int, int, int, str, float | None]]] = {}
    for box in boxes:
        c0, c1 = _index(xs, box.x0), _index(xs, box.x1)
        r0, r1 = _index(ys, box.top), _index(ys, box.bottom)
        starts.setdefault(r0, []).append((c0, max(1, c1 - c0), r1, box.text, box.confidence))
    # Only row lines where some cell starts are rows (the gap between two pages is not).
    kept = sorted(starts)
    rows: list[list[SpanCell]] = []
    for r0 in kept:
        cells = sorted(starts[r0])
        rows.append(
            [
                SpanCell(
                    text,
                    rowspan=max(1, sum(1 for k in kept if r0 <= k < r1)),
                    colspan=span,
                    confidence=confidence,
                )
                for _, span, r1, text, confidence in cells
            ]
        )
    return rows, width


def _page_content(page: PageObjects, number: int) -> _Page:
    result = _Page()
    page_bbox = (0.0, 0.0, page.width, page.height)
    found = find_tables(page.edges, page_bbox, [])
    closing = [line for line in (_cut_row_bottom(page, t.bbox) for t in found) if line]
    if closing:
        found = find_tables(page.edges, page_bbox, closing)
    regions: list[tuple[float, float, float, float]] = []
    for table in found:
        boxes = _boxes(table, page.chars, number, page.ink)
        if len(_snap([b.x0 for b in boxes] + [b.x1 for b in boxes])) < 3:
            continue  # one column: a framed paragraph, not a table
        x0, top, x1, bottom = table.bbox
        bottom = _close_cut_row(page, boxes, (x0, top, x1, bottom), number)
        regions.append((x0, top, x1, bottom))
        result.tables.append(_PdfTable(number, top, bottom, boxes, x0, x1))

    def outside_tables(ch: Char) -> bool:
        cx = (ch.x0 + ch.x1) / 2
        cy = (ch.top + ch.bottom) / 2
        return not any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in regions)

    chars = [ch for ch in page.chars if outside_tables(ch)] if regions else page.chars
    body = [line for line in text_lines(chars) if not _is_page_number(line, page.height)]
    if body:
        left = min(line.x0 for line in body)
        right = max(line.x1 for line in body)
    else:
        left, right = 0.0, float(page.width)
    for line in body:
        result.lines.append(
            _Line(
                number,
                line.top,
                line.bottom,
                line.x0,
                line.x1,
                line.text,
                left,
                right,
                line.words,
                line.scores,
            )
        )
    for pdf_table in result.tables:
        pdf_table.page_top = not any(line.bottom <= pdf_table.top for line in result.lines)
        pdf_table.page_bottom = not any(line.top >= pdf_table.bottom for line in result.lines)
    return result


def _cut_row_bottom(page: PageObjects, bbox: tuple[float, float, float, float]) -> float | None:
    """Where a row cut by the page break (text right under the table, no bottom border)
    ends, or ``None`` when the table is closed."""
    x0, _, x1, bottom = bbox
    margin = page.height * 0.96
    below = sorted(
        (
            ch
            for ch in page.chars
            if ch.top > bottom - 1 and x0 <= ch.x0 and ch.x1 <= x1 + 1 and ch.top < margin
        ),
        key=lambda ch: ch.top,
    )
    if not below or below[0].top - bottom > 6:
        return None  # nothing below, or text after a gap: a paragraph, not a cut row
    row_bottom = below[0].bottom
    for ch in below:
        if ch.top > row_bottom + 0.8 * (ch.bottom - ch.top):
            break
        row_bottom = max(row_bottom, ch.bottom)
    return row_bottom + 1.0


def _close_cut_row(
    page: PageObjects, boxes: list[_Box], bbox: tuple[float, float, float, float], number: int
) -> float:
    """A row cut by the page break has no bottom border (often no cell borders at all):
    put the text right under the table into the columns of the table's last row.
    Returns the table's new bottom."""
    x0, _, x1, bottom = bbox
    cut = _cut_row_bottom(page, bbox)
    if cut is None:
        return bottom
    row = [ch for ch in page.chars if bottom - 1 < ch.top < cut and x0 <= ch.x0 and ch.x1 <= x1 + 1]
    size = max(ch.bottom - ch.top for ch in row)
    row_bottom = cut
    offset = number * _PAGE_OFFSET
    last_bottom = max(box.bottom for box in boxes)
    columns = sorted((box.x0, box.x1) for box in boxes if abs(box.bottom - last_bottom) < 2.0)
    for col_x0, col_x1 in columns:
        inside = [ch for ch in row if col_x0 <= (ch.x0 + ch.x1) / 2 <= col_x1]
        inside.sort(key=lambda ch: (round(ch.top / max(1.0, size / 2)), ch.x0))
        text = "".join(ch.text for ch in inside)
        box = _Box(col_x0, last_bottom, col_x1, row_bottom + offset, text)
        if page.ink is not None:
            confidences = [ch.confidence for ch in inside if ch.confidence is not None]
            box.confidence = min(confidences) if confidences else 1.0
        boxes.append(box)
    return row_bottom


def _is_page_number(line: TextLine, height: float) -> bool:
    in_margin = line.top > height * 0.85 or line.bottom < height * 0.12
    return in_margin and bool(_PAGE_NUMBER.match(line.text))


def _continues(previous: _Line, line: _Line) -> bool:
    """True when ``line`` carries on the paragraph of ``previous`` (same or next page)."""
    size = max(6.0, previous.bottom - previous.top)
    # A Latin/digit run that did not fit leaves a wider gap at the end of the line.
    head = re.match(r"[0-9A-Za-z@._:/\-—]+", line.text)
    slack = 1.6 + (0.55 * len(head.group(0)) if head else 0.0)
    reaches_right = previous.x1 >= previous.right - slack * size
    # a first-line indent is two characters of the line's own type, which may be smaller
    # than the line before (a heading in large type, then a paragraph)
    indented = line.x0 > line.left + 1.2 * min(size, max(6.0, line.bottom - line.top))
    ended = previous.text.rstrip().endswith(_SENTENCE_END)
    if ended and (not reaches_right or _HEADING.match(line.text)):
        return False
    if _SECTION.match(line.text) or _ROW_END.search(previous.text):
        return False  # a section heading, or the line before ends a row of figures
    return reaches_right and not indented


_ENUMERATOR = re.compile(
    r"^\s*([（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．]|[-+]?\d"
    r"|[（(][=＝—－\-~≡]{1,2}[)）]|[=＝—－\-~≡]{1,2}、)"
)
"""An item's number at the start of a cell: ``（二）``, ``三、``, ``2.``, a figure — and the
look-alikes OCR reads for the numerals (``(一)`` as ``(—)``, ``(二)`` as ``(=)``, ``二、``
as ``-、``: a scan's item label is as new a row as a text layer's)."""


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[-+]?[\d.,，]+\s*(万?元|%)?\s*", text))


def _mend_page_break(previous: list[_Box], following: list[_Box]) -> list[_Box]:
    """Join the parts of a table cut by a page break.

    A label cell that spans down to the page end continues into the empty box below it,
    and a cell whose text was cut (the part on the next page does not start a new item
    such as ``2.`` or ``（三）``) gets that text back; both become one box.
    """
    if not previous or not following:
        return previous + following
    last_bottom = max(box.bottom for box in previous)
    first_top = min(box.top for box in following)
    enders = [box for box in previous if abs(box.bottom - last_bottom) < 2.0]
    last_row_top = max(box.top for box in enders)
    first_row = [box for box in following if abs(box.top - first_top) < 2.0]
    # A row cut in two: everything in its second half continues a cell above.
    row_was_cut = all(
        not box.text.strip() or not (_ENUMERATOR.match(box.text) or _is_number(box.text))
        for box in first_row
    )
    merged: list[_Box] = []
    for box in first_row:
        above = next(
            (
                b
                for b in enders
                if abs(b.x0 - box.x0) < 3.0 and abs(b.x1 - box.x1) < 3.0 and b.text.strip()
            ),
            None,
        )
        if above is None or _is_number(above.text):
            continue
        spans_rows = above.top < last_row_top - 1.0
        # an item label ("（四）无") cut mid-word continues even when its row did not
        if not (spans_rows or row_was_cut or _ENUMERATOR.match(above.text)):
            continue
        text = box.text.strip()
        if text and (_ENUMERATOR.match(text) or _is_number(text)):
            continue
        if text:
            above.text = above.text.rstrip() + "\n" + text
        above.confidence = _min_confidence(above.confidence, box.confidence)
        above.bottom = box.bottom
        merged.append(box)
    following = [box for box in following if not any(box is m for m in merged)]
    rest = [box for box in following if abs(box.top - first_top) < 2.0]
    if merged and rest and all(not box.text.strip() for box in rest):
        # the cut row's remainder is empty: it is the same row as the one above
        for box in rest:
            above = next(
                (b for b in enders if abs(b.x0 - box.x0) < 3.0 and abs(b.x1 - box.x1) < 3.0), None
            )
            if above is not None:
                above.bottom = box.bottom
                following = [b for b in following if b is not box]
    # Spanning label cells whose continuation has no box at all (no top border drawn).
    for above in enders:
        if not above.text.strip() or _is_number(above.text) or above.bottom != last_bottom:
            continue
        overlapping = [b for b in following if b.x0 < above.x1 - 2 and b.x1 > above.x0 + 2]
        if any(abs(b.top - first_top) < 2.0 for b in overlapping):
            continue
        if overlapping:
            above.bottom = min(b.top for b in overlapping)
        else:
            above.bottom = max(b.bottom for b in following)
    return previous + following


def _align_columns(previous: list[_Box], following: list[_Box], tolerance: float = 4.0) -> None:
    """Snap the column lines of a table's continuation to those of its first part."""
    xs = _snap([b.x0 for b in previous] + [b.x1 for b in previous])
    for box in following:
        for name in ("x0", "x1"):
            value = getattr(box, name)
            nearest = min(xs, key=lambda x: abs(x - value))
            if abs(nearest - value) <= tolerance:
                setattr(box, name, nearest)


def _box_rows(boxes: list[_Box]) -> list[list[_Box]]:
    """Boxes grouped into rows by their top, top to bottom, each row left to right."""
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: (b.top, b.x0)):
        if rows and abs(box.top - rows[-1][0].top) < 2.0:
            rows[-1].append(box)
        else:
            rows.append([box])
    return rows


def _same_row(a: list[_Box], b: list[_Box]) -> bool:
    return len(a) == len(b) and all(
        abs(x.x0 - y.x0) < 3.0
        and abs(x.x1 - y.x1) < 3.0
        and clean_cell(x.text) == clean_cell(y.text)
        for x, y in zip(a, b, strict=True)
    )


def _without_repeated_header(previous: list[_Box], following: list[_Box]) -> list[_Box]:
    """The continuation of a table without the header rows it repeats at the top of the
    new page (word processors repeat a table's heading rows on every page): they are
    not rows of the table, nor the rest of a row cut by the page break."""
    above, below = _box_rows(previous), _box_rows(following)
    repeated = 0
    while (
        repeated < min(len(above), len(below) - 1)
        and _same_row(above[repeated], below[repeated])
        and any(box.text.strip() and not _is_number(box.text) for box in below[repeated])
    ):
        repeated += 1
    if not repeated:
        return following
    dropped = {id(box) for row in below[:repeated] for box in row}
    return [box for box in following if id(box) not in dropped]


def _extent(boxes: list[_Box]) -> tuple[float, float]:
    return min(box.x0 for box in boxes), max(box.x1 for box in boxes)


def _stacked_parts(boxes: list[_Box]) -> list[list[_Box]]:
    """The boxes of one ruled region cut where tables of different widths stand one on
    the other, borders touching: no cell crosses the line between them and the parts'
    left or right edges differ. One part when there is no such line."""
    rows = _box_rows(boxes)
    groups: list[list[_Box]] = []
    for row in rows:
        top = min(box.top for box in row)
        if groups and max(box.bottom for box in groups[-1]) > top + 2.0:
            groups[-1] += row  # a cell above reaches down into this row
        else:
            groups.append(list(row))
    parts: list[list[_Box]] = []
    for group in groups:
        if parts:
            (a0, a1), (b0, b1) = _extent(parts[-1]), _extent(group)
            if abs(a0 - b0) < 4.0 and abs(a1 - b1) < 4.0:
                parts[-1] += group
                continue
        parts.append(group)
    return parts


def _continuation(last: _PdfTable, table: _PdfTable) -> _PdfTable | None:
    """The part of ``table`` (opening a page) that is the rest of ``last`` (closing the
    page before), when the two differ in width: one of them is a stack of tables of
    different widths, borders touching (one ruled region), and the rest is as wide as
    the part of ``last`` cut by the page break. ``table`` itself when it is all rest;
    otherwise the rest as a table of its own, ``table`` left holding what follows it.
    ``None`` when the top of the page is no such rest."""
    end0, end1 = _extent(_stacked_parts(last.boxes)[-1])
    parts = _stacked_parts(table.boxes)
    x0, x1 = _extent(parts[0])
    if abs(x0 - end0) >= 4.0 or abs(x1 - end1) >= 4.0:
        return None
    if len(parts) == 1:
        return table
    offset = table.page * _PAGE_OFFSET
    rest = [box for part in parts[1:] for box in part]
    bottom = max(box.bottom for box in parts[0]) - offset
    head = _PdfTable(table.page, table.top, bottom, parts[0], x0, x1, page_top=True)
    table.boxes = rest
    table.top = min(box.top for box in rest) - offset
    table.x0, table.x1 = _extent(rest)
    table.page_top = False
    return head


def _follows(last: _PdfTable, table: _PdfTable) -> bool:
    """``table`` opens the page after the one ``last`` closes."""
    return table.page == last.end_page + 1 and last.page_bottom and table.page_top


def _append(last: _PdfTable, table: _PdfTable) -> None:
    """Join ``table``, the part of ``last`` on the next page, to ``last``."""
    _align_columns(last.boxes, table.boxes)
    following = _without_repeated_header(last.boxes, table.boxes)
    last.boxes = _mend_page_break(last.boxes, following)
    last.end_page = table.page
    last.page_bottom = table.page_bottom


def _join_tables(tables: list[_PdfTable]) -> list[_PdfTable]:
    joined: list[_PdfTable] = []
    pending = list(reversed(tables))
    while pending:
        table = pending.pop()
        last = joined[-1] if joined else None
        if last is not None and _follows(last, table):
            if abs(table.x0 - last.x0) < 4.0 and abs(table.x1 - last.x1) < 4.0:
                _append(last, table)
                continue
            head = _continuation(last, table)
            if head is table:
                _append(last, table)
                continue
            if head is not None:
                pending += [table, head]  # the rest of ``last`` first, then what follows
                continue
        table.end_page = table.page
        joined.append(table)
    return joined


def _read_pdf(data: bytes, limits: Limits) -> TextDocument:
    with PdfFile(data) as pdf:
        page_count = pdf.page_count
        if page_count == 0:
            raise ExtractionError("pdf: no pages")
        meta = {f"pdf:{key}": clean_inline(value)[:500] for key, value in pdf.metadata().items()}
        pages: list[_Page] = []
        for number in range(min(page_count, limits.max_pages)):
            try:
                pages.append(_page_content(pdf.page(number), number))
            except ExtractionError:
                raise
            except Exception as exc:
                raise ExtractionError(
                    f"pdf: page {number + 1} unreadable ({type(exc).__name__}: {exc})"
                ) from exc
    return _assemble(pages, page_count, meta)


def _assemble(pages: list[_Page], page_count: int, meta: dict[str, str]) -> TextDocument:
    tables = _join_tables([table for page in pages for table in page.tables])
    items: list[tuple[int, float, object]] = []
    for page in pages:
        items.extend((line.page, line.top, line) for line in page.lines)
    for table in tables:
        items.append((table.page, table.top, table))
    items.sort(key=lambda item: (item[0], item[1]))
    out: list[str] = []
    grids: list[Grid] = []
    previous: _Line | None = None
    ordered = [item for _, _, item in items if isinstance(item, _Line)]
    scores: dict[int, list[float | None]] = {}
    rebuilt = stream_tables(ordered, scores)
    cell_scores = {row: scores[i] for i, row in rebuilt.items() if row is not None and i in scores}
    position = {id(line): index for index, line in enumerate(ordered)}
    for _, _, item in items:
        if isinstance(item, _Line):
            index = position[id(item)]
            if index in rebuilt:
                row = rebuilt[index]
                if row is not None:
                    if out and out[-1] and "\t" not in out[-1]:
                        out.append("")
                    out.append(row)
                previous = None
                continue
            text = _DIGIT_CJK_GAP.sub("", clean_inline(item.text))
            if out and "\t" in out[-1]:
                out.append("")
            if previous is not None and out and _continues(previous, item):
                out[-1] = join_broken(out[-1], text)
            else:
                out.append(text)
            previous = item
        else:
            assert isinstance(item, _PdfTable)
            built = build_table(_rows_from_boxes(item.boxes)[0])
            previous = None
            if built is not None:
                grids.append(built.grid)
                out.extend(["", *built.lines, ""])
    text = "\n".join(_squeeze(out)).strip()
    characters = sum(1 for ch in text if not ch.isspace())
    needs_ocr = characters < _MIN_CHARS_PER_PAGE * max(1, min(page_count, 5))
    title = next((clean_cell(line) for line in out if line.strip()), None)
    return TextDocument(
        media_type=PDF,
        text=text,
        tables=grids,
        title=title if title and len(title) <= 100 else meta.get("pdf:Title"),
        meta=meta,
        needs_ocr=needs_ocr,
        pages=page_count,
        cell_scores=cell_scores,
    )


def _squeeze(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return out


def read_pdf_ocr(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    """A PDF without a text layer, read by OCR (``extract.text.ocr``): the recognised pages
    go through the same paragraph and table rules as a text layer."""
    from extract.text.ocr import ocr_pdf

    recognised, account = ocr_pdf(data, limits)
    with PdfFile(data) as pdf:
        page_count = pdf.page_count
        meta = {f"pdf:{key}": clean_inline(value)[:500] for key, value in pdf.metadata().items()}
    pages = [_page_content(page, number) for number, page in enumerate(recognised)]
    document = _assemble(pages, page_count, meta)
    document.ocr = account
    document.meta["body_source"] = "ocr"
    if len(account["illegible_pages"]) == len(recognised):
        # what was "recognised" is noise (images that hold no text): not a reading
        document.text, document.tables, document.needs_ocr = "", [], True
        mean = account.get("mean_confidence")
        read = f", mean confidence {mean:.2f}" if mean is not None else ""
        document.meta["ocr_error"] = f"no text recognised ({len(recognised)} page(s){read})"
    return document


def read_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS, isolate: bool = True) -> TextDocument:
    """Read a PDF; with ``isolate`` (the default) in a worker process under ``limits``.

    A PDF without a text layer is read again by OCR, in the worker, under the same memory
    limit and a time limit that grows with its pages; when OCR is not installed or fails,
    the document stays ``needs_ocr`` and ``meta["ocr_error"]`` says why."""
    from extract.text import ocr

    document = (
        run_isolated(_read_pdf, data, limits, limits=limits, what="pdf")
        if isolate
        else _read_pdf(data, limits)
    )
    if not document.needs_ocr or not limits.ocr:
        return document
    if not ocr.available():
        document.meta["ocr_error"] = "no OCR engine installed (tesseract with chi_sim)"
        return document
    run_limits = ocr.ocr_limits(limits, document.pages or 1)
    try:
        if isolate:
            return run_isolated(read_pdf_ocr, data, run_limits, limits=run_limits, what="ocr")
        return read_pdf_ocr(data, run_limits)
    except ExtractionError as exc:
        document.meta["ocr_error"] = str(exc)
        return document
