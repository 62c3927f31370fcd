"""OCR for PDFs without a text layer (scans): page images → words → the PDF table rules.

Each page is rendered (PDFium) to a grey image and turned straight; ruling lines are found
in the image (long runs of dark pixels, and short column rules whose ends meet horizontal
rules) and become the page's *edges*, and are erased before recognition; the image is
binarised and scanner speckles removed (:func:`despeckle`); Tesseract (``chi_sim`` +
``eng``, Debian ``tesseract-ocr-chi-sim``) recognises the words, each with its box and
confidence: the cells of ruled tables one by one (stacked in mosaics, a few runs per
page), the rest of the page as a block of text — unless it holds a table printed without
rules (:func:`is_tabular`): then the page is cut into pieces of text (:func:`fragments`,
an XY cut at the white between lines and the gutters between columns) and every piece is
read alone as a cell is, so that ``extract.text.pdf_stream`` finds the table's columns
from the figures' positions and the header's names, with every figure's confidence (a
figure whose column is in doubt is flagged). A cell holding no Chinese text is read
again as figures only and the two readings reconciled (:func:`reconcile`: a disagreement
flags the value); a lone dash or slash is known by its shape, a lone 0, 6, 8 or 9 by
its loops (:func:`by_loops`), a lone figure read as a Chinese character or a Chinese mark
read as a figure by its proportions (both read again); a piece read as an item's number
in brackets (``(1)``, printed apart from its row's label) stays as read, label text
(:func:`is_item_number`). Words are split into
characters over their box, so the page becomes the same
:class:`~extract.text.pdf_page.PageObjects` a text layer gives, and ``extract.text.pdf``
rebuilds paragraphs and tables (merged cells, tables over page breaks) by the rules it
uses for text PDFs. Every character carries its word's confidence; a table cell's
confidence is its lowest character's, and a cell with ink but no recognised text gets
confidence 0 — uncertain, never a silent blank.

Chosen over RapidOCR (PyPI ``rapidocr-onnxruntime``, PP-OCRv4 models in the wheel):
measured on the seed reports rendered at 200 dpi on this machine, Tesseract read the
table figures as well and ran about twice as fast. Accuracy per dpi, the share of wrong
values flagged, and pages per second: ``benchmarks/extract_generalisation.py --recipes
scan-150,scan-200,scan-300 --formats scan``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, run_program
from extract.report import UNCERTAIN_BELOW
from extract.text.pdf_page import Char, Edge, PageObjects, PdfFile

ENGINE = "tesseract"
LANGUAGES = "chi_sim+eng"
DPI = 300
"""Pages are rendered at this resolution (Tesseract reads Chinese best at ~300 dpi)."""
SECONDS_PER_PAGE = 45.0
"""Time allowed per page on top of the document limit (the OCR run's own timeout)."""
MAX_OCR_PAGES = 60
_DARK = 140
_BINARY = 170
"""Grey level below which a pixel is ink when the page is binarised for recognition."""
_INK_RATIO = 0.0012
"""Share of (non-isolated) dark pixels above which a table cell holds something."""
LEGIBLE_CHARS = 10
"""Chinese characters read with confidence (at least :data:`UNCERTAIN_BELOW`) that make a
page legible: an image that holds no text (a photo, a blot, scanner noise) is read as a
few letters, dashes and strokes, a report's page — even a poor 150 dpi scan whose table
cells are mostly in doubt — as dozens of sure characters of its headings and prose."""


@dataclass
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float
    """0..1"""


def available() -> bool:
    """Whether the OCR engine and its Chinese model are installed."""
    if shutil.which("tesseract") is None:
        return False
    for root in ("/usr/share/tesseract-ocr", "/usr/share/tessdata", "/usr/local/share/tessdata"):
        for dirpath, _dirs, files in os.walk(root):
            if "chi_sim.traineddata" in files:
                return True
            if dirpath.count(os.sep) > 6:
                break
    return bool(os.environ.get("TESSDATA_PREFIX"))


# ---------------------------------------------------------------- ruling lines


def _runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Pixels that lie on a horizontal run of at least ``length`` True pixels."""
    height, width = mask.shape
    if width < length:
        return np.zeros_like(mask)
    cs = np.zeros((height, width + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, out=cs[:, 1:])
    full = (cs[:, length:] - cs[:, :-length]) == length  # a run of `length` starts here
    starts = np.zeros((height, width + 1), dtype=np.int32)
    starts[:, : width - length + 1] += full
    starts[:, length : width + 1] -= full
    covered = np.cumsum(starts, axis=1)[:, :width] > 0
    return covered


def _segments(line_mask: np.ndarray, scale: float, orientation: str) -> list[Edge]:
    """Edges (in points) from a mask of line pixels: rows of pixels merged into lines."""
    mask = line_mask if orientation == "h" else line_mask.T
    edges: list[Edge] = []
    rows = np.nonzero(mask.any(axis=1))[0]
    if rows.size == 0:
        return edges
    groups: list[list[int]] = [[int(rows[0])]]
    for r in rows[1:]:
        if r - groups[-1][-1] <= 2:
            groups[-1].append(int(r))
        else:
            groups.append([int(r)])
    for group in groups:
        band = mask[group[0] : group[-1] + 1].any(axis=0)
        xs = np.nonzero(band)[0]
        if xs.size == 0:
            continue
        breaks = np.nonzero(np.diff(xs) > 3)[0]
        starts = np.concatenate(([xs[0]], xs[breaks + 1]))
        ends = np.concatenate((xs[breaks], [xs[-1]]))
        pos = (group[0] + group[-1]) / 2 * scale
        for a, b in zip(starts, ends, strict=True):
            x0, x1 = float(a) * scale, float(b + 1) * scale
            if orientation == "h":
                edges.append(
                    {"x0": x0, "x1": x1, "top": pos, "bottom": pos, "width": x1 - x0,
                     "height": 0.0, "orientation": "h"}
                )  # fmt: skip
            else:
                edges.append(
                    {"x0": pos, "x1": pos, "top": x0, "bottom": x1, "width": 0.0,
                     "height": x1 - x0, "orientation": "v"}
                )  # fmt: skip
    return edges


def ink_threshold(gray: np.ndarray) -> int:
    """The grey level that splits ink from paper (Otsu's method), kept within sane bounds
    (a faint or JPEG-blurred scan has lighter ink)."""
    counts = np.bincount(gray[::2, ::2].ravel(), minlength=256).astype(np.float64)
    total = counts.sum()
    if total == 0:
        return _BINARY
    levels = np.arange(256)
    weight = np.cumsum(counts)
    mean = np.cumsum(counts * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(min(max(int(np.argmax(between)), 110), 210))


def _short_rules(
    dark: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray, dpi: int
) -> np.ndarray:
    """Vertical rules shorter than a long glyph stroke — the column rules of a one-row
    table, or of a row cut by the page break — kept when both their ends meet a
    horizontal rule (a glyph's stroke stands free inside its cell)."""
    short = _runs(dark.T, max(10, int(dpi * 0.1))).T & ~vertical
    keep: np.ndarray = np.zeros_like(short)
    if not short.any() or not horizontal.any():
        return keep
    near = _grow(horizontal, max(3, dpi // 60))
    # every vertical run of the short mask: (column, first row, last row)
    padded = np.zeros((short.shape[0] + 2, short.shape[1]), dtype=np.int8)
    padded[1:-1] = short
    step = np.diff(padded, axis=0)
    # np.nonzero of the transpose lists the runs column by column, top down: they pair up
    xs, tops = np.nonzero(step.T == 1)
    _, ends = np.nonzero(step.T == -1)
    bottoms = ends - 1
    both = near[tops, xs] & near[bottoms, xs]
    for x, top, bottom in zip(xs[both], tops[both], bottoms[both], strict=True):
        keep[top : bottom + 1, x] = True
    return keep


def ruling_lines(
    gray: np.ndarray, dpi: int, threshold: int = _DARK
) -> tuple[list[Edge], np.ndarray]:
    """The table rules of a page image as edges (points) and the mask of their pixels."""
    dark = gray < threshold
    length = max(20, int(dpi * 0.35))  # ~9 mm: longer than any glyph stroke
    horizontal = _runs(dark, length)
    vertical = _runs(dark.T, length).T
    vertical |= _short_rules(dark, horizontal, vertical, dpi)
    scale = 72.0 / dpi
    edges = _segments(horizontal, scale, "h") + _segments(vertical, scale, "v")
    return edges, horizontal | vertical


# ---------------------------------------------------------------- recognition


LABEL_LANGUAGES = "chi_sim"
"""A table cell that came back with Latin letters is read again with the Chinese model
alone: with ``eng`` beside it some Chinese row labels come back as Latin look-alikes
(``(一)予以公开`` → ``(一)PLUAT``); alone, it reads figures worse, so it is not the
first reading."""
DIGITS = "0123456789.,-%/"
"""What the figures pass may read (``eng`` with this whitelist): a table cell's figure."""


def _tesseract(
    image: np.ndarray, limits: Limits, *, digits: bool = False, languages: str = LANGUAGES
) -> list[Word]:
    """Words of a (binarised) image, one uniform block of text (``--psm 6``); with
    ``digits``, read as figures only (``eng``, :data:`DIGITS`)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    language = ["-l", "eng", "-c", f"tessedit_char_whitelist={DIGITS}"] if digits else [
        "-l", languages]  # fmt: skip
    result = run_program(
        ["tesseract", "stdin", "stdout", *language, "--psm", "6", "--dpi", str(DPI), "tsv"],
        input_bytes=buffer.getvalue(),
        limits=limits,
        what="ocr",
        env=env,
    )  # fmt: skip
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError(
            f"ocr: tesseract failed ({detail[-1] if detail else result.returncode})"
        )
    words: list[Word] = []
    for line in result.stdout.decode("utf-8", "replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        text = parts[11].strip()
        if not text:
            continue
        left, top, width, height = (int(v) for v in parts[6:10])
        confidence = max(0.0, min(1.0, float(parts[10]) / 100.0))
        words.append(Word(text, left, top, left + width, top + height, confidence))
    return words


def _chars(words: list[Word], scale: float) -> list[Char]:
    """Characters spread evenly over their word's box (CJK glyphs are of one width)."""
    chars: list[Char] = []
    for word in words:
        count = len(word.text)
        step = (word.x1 - word.x0) / count
        for index, char in enumerate(word.text):
            x0 = (word.x0 + index * step) * scale
            chars.append(
                Char(char, x0, x0 + step * scale, word.top * scale, word.bottom * scale,
                     word.confidence)
            )  # fmt: skip
    return chars


def _ink_probe(dark: np.ndarray, dpi: int) -> Callable[[float, float, float, float], float]:
    """Share of dark pixels in a box (points), a few pixels inside its borders."""
    factor = dpi / 72.0
    integral = np.zeros((dark.shape[0] + 1, dark.shape[1] + 1), dtype=np.int64)
    np.cumsum(np.cumsum(dark, axis=0), axis=1, out=integral[1:, 1:])
    pad = max(2, int(dpi / 50))

    def ink(x0: float, top: float, x1: float, bottom: float) -> float:
        a, b = int(x0 * factor) + pad, int(x1 * factor) - pad
        c, d = int(top * factor) + pad, int(bottom * factor) - pad
        a, c = max(a, 0), max(c, 0)
        b, d = min(b, dark.shape[1]), min(d, dark.shape[0])
        if b <= a or d <= c:
            return 0.0
        total = integral[d, b] - integral[c, b] - integral[d, a] + integral[c, a]
        return float(total / ((b - a) * (d - c)))

    return ink


def _solid(dark: np.ndarray) -> np.ndarray:
    """Dark pixels with a dark neighbour (isolated specks of scanner noise dropped)."""
    neighbour = np.zeros_like(dark)
    neighbour[1:, :] |= dark[:-1, :]
    neighbour[:-1, :] |= dark[1:, :]
    neighbour[:, 1:] |= dark[:, :-1]
    neighbour[:, :-1] |= dark[:, 1:]
    solid: np.ndarray = dark & neighbour
    return solid


def _neighbours(dark: np.ndarray) -> np.ndarray:
    """How many of each pixel's 3×3 neighbourhood (itself included) are dark."""
    padded = np.pad(dark, 1).astype(np.uint8)
    height, width = dark.shape
    count = np.zeros(dark.shape, dtype=np.uint8)
    for dy in range(3):
        for dx in range(3):
            count += padded[dy : dy + height, dx : dx + width]
    return count


def _grow(mask: np.ndarray, steps: int) -> np.ndarray:
    """``mask`` dilated by ``steps`` pixels (4-neighbourhood)."""
    out = mask
    for _ in range(steps):
        padded = np.pad(out, 1)
        out = (
            padded[1:-1, 1:-1] | padded[:-2, 1:-1] | padded[2:, 1:-1]
            | padded[1:-1, :-2] | padded[1:-1, 2:]
        )  # fmt: skip
    return out


def despeckle(dark: np.ndarray, dpi: int) -> np.ndarray:
    """Ink without scanner speckles: the *cores* of strokes (pixels with at least 6 of 9
    dark in their neighbourhood) are glyphs — a stroke is at least 2 px wide at the
    rendering's ``dpi`` — and ink is kept only within a few pixels of a core. Specks
    (single pixels smeared by blur or JPEG) have no core and go; glyph edges, thin
    serifs and decimal points next to a core stay. A speck left in a cell would widen the
    crop and make the engine drop or misread the figure."""
    core = dark & (_neighbours(dark) >= 6)
    cleaned: np.ndarray = dark & _grow(core, max(2, round(dpi / 100)))
    return cleaned


@dataclass
class _Cell:
    """A table cell with ink: its box in pixels (the ink's bounding box) and its crop."""

    x0: int
    top: int
    x1: int
    bottom: int
    crop: np.ndarray


def _cells_with_ink(
    binary: np.ndarray, edges: list[Edge], width: float, height: float
) -> tuple[list[_Cell], list[tuple[int, int, int, int]]]:
    """The cells of the ruled tables that hold ink, and the tables' boxes (pixels)."""
    from extract.text.pdf_layout import find_tables

    factor = DPI / 72.0
    pad = max(3, int(DPI / 60))
    cells: list[_Cell] = []
    regions: list[tuple[int, int, int, int]] = []
    for table in find_tables(edges, (0.0, 0.0, width, height), []):
        x0, top, x1, bottom = table.bbox
        regions.append(
            (int(x0 * factor), int(top * factor), int(x1 * factor) + 1, int(bottom * factor) + 1)
        )
        for row in table.rows:
            for bbox in row:
                if bbox is None:
                    continue
                a, c = int(bbox[0] * factor) + pad, int(bbox[1] * factor) + pad
                b, d = int(bbox[2] * factor) - pad, int(bbox[3] * factor) - pad
                if b <= a or d <= c:
                    continue
                dark = _solid(binary[c:d, a:b] == 0)
                if dark.mean() < _INK_RATIO:
                    continue
                ys, xs = np.nonzero(dark)
                ta, tb = a + int(xs.min()), a + int(xs.max()) + 1
                tc, td = c + int(ys.min()), c + int(ys.max()) + 1
                cells.append(_Cell(ta, tc, tb, td, binary[tc:td, ta:tb]))
    return cells, regions


_GAP = 28
_MOSAIC_CELLS = 120


def _read_mosaics(
    crops: list[np.ndarray], limits: Limits, *, digits: bool = False, languages: str = LANGUAGES
) -> list[tuple[str, float]]:
    """The text and lowest word confidence of every crop, recognised in mosaics: the
    crops stacked one under another with white gaps, one engine run per mosaic; a line
    belongs to the crop its centre falls on."""
    results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    for first in range(0, len(crops), _MOSAIC_CELLS):
        indexes = list(range(first, min(first + _MOSAIC_CELLS, len(crops))))
        batch = [crops[i] for i in indexes]
        width = max(crop.shape[1] for crop in batch) + 2 * _GAP
        height = sum(crop.shape[0] + _GAP for crop in batch) + _GAP
        mosaic = np.full((height, width), 255, dtype=np.uint8)
        spans: list[tuple[int, int]] = []
        y = _GAP
        for crop in batch:
            h, w = crop.shape
            mosaic[y : y + h, _GAP : _GAP + w] = crop
            spans.append((y, y + h))
            y += h + _GAP
        words: list[list[Word]] = [[] for _ in batch]
        for word in _tesseract(mosaic, limits, digits=digits, languages=languages):
            middle = (word.top + word.bottom) / 2
            for index, (a, b) in enumerate(spans):
                if a - _GAP / 2 <= middle < b + _GAP / 2:
                    words[index].append(word)
                    break
        for index, crop_index in enumerate(indexes):
            text = join_words(words[index])
            confidence = min(w.confidence for w in words[index]) if text else 0.0
            results[crop_index] = (text, confidence)
    return results


_SPACE = 0.3
"""White between a figure and the word after it (or before it), as a share of their
height, that is a printed space (``162000 元``): the side bearings of a figure and a
Chinese character printed together leave less than a tenth."""


def join_words(words: list[Word]) -> str:
    """A cell's text from its words as the engine read them, in order: run together (the
    engine cuts Chinese text into words anywhere), but a space kept between a figure and
    a Chinese unit printed apart (``162000 元``) — the gap shows it, and a figure's printed form
    is a value of its own (``amount_raw``)."""
    text = ""
    for previous, word in zip([None, *words], words, strict=False):
        if (
            previous is not None
            and text
            and word.text
            and (
                (text[-1].isdigit() and _CJK.match(word.text[0]))
                or (_CJK.match(text[-1]) and word.text[0].isdigit())
            )
            and min(previous.bottom, word.bottom) > max(previous.top, word.top)  # one line
            and word.x0 - previous.x1
            >= _SPACE * max(previous.bottom - previous.top, word.bottom - word.top)
        ):
            text += " "
        text += word.text
    return text


def _read_cells(cells: list[_Cell], limits: Limits) -> list[tuple[str, float]]:
    """Every cell's text and confidence. Each cell is read alone (in mosaics: cells read
    alone read far better than cells in a page) with the Chinese and English models; a
    cell that came back with Latin letters is read again with the Chinese model alone
    (:data:`LABEL_LANGUAGES`); a cell that holds no Chinese text — a figure, a dash,
    nothing — is read again as figures only (:data:`DIGITS`), and the two readings are
    reconciled by :func:`reconcile`. A lone dash or slash is known by its shape.

    The figures are read at their size and, when they are small (:data:`_SMALL`), may be
    read at twice it: the engine misreads the lone figures of some prints at one size (``0`` as
    ``6``, or nothing) and not at the other, and which size suits a print differs. When
    many of a page's figures read at their size disagree with the first reading, they are
    read at twice it, and the size agreeing more often is taken for the page."""
    crops = [cell.crop for cell in cells]
    raw = _read_mosaics(crops, limits)
    latin = [i for i, (text, _) in enumerate(raw) if len(_LATIN.findall(text)) >= 2]
    if latin:
        labels = _read_mosaics([crops[i] for i in latin], limits, languages=LABEL_LANGUAGES)
        for index, (text, confidence) in zip(latin, labels, strict=True):
            if len(_CJK.findall(text)) >= 2:
                raw[index] = (text, min(confidence, raw[index][1]))
    first = [figure_lookalikes(text, conf) for text, conf in raw]
    items = {i for i, (text, _) in enumerate(raw) if is_item_number(text, crops[i])}
    for index in items:
        first[index] = (raw[index][0].strip(), raw[index][1])
    shaped = {}
    for index, crop in enumerate(crops):
        if index in items:
            continue
        if _is_dash(crop):
            shaped[index] = first[index] = ("—", 1.0)
        elif _is_slash(crop):
            shaped[index] = first[index] = ("/", 1.0)
    again = [
        index
        for index, (text, _) in enumerate(first)
        if (not _CJK.search(text) or _narrow_glyph(text, crops[index]))
        and index not in shaped
        and index not in items
    ]
    results = list(first)
    short = [i for i in again if crops[i].shape[1] <= _FIGURE_WIDTH * crops[i].shape[0]]
    readings = _read_figures(crops, short, limits)
    small = [i for i in short if crops[i].shape[0] < _SMALL]

    def agreeing(found: dict[int, tuple[str, float]]) -> int:
        return sum(1 for i in small if _FIGURE.match(first[i][0]) and found[i][0] == first[i][0])

    if len(small) - agreeing(readings) > _DISAGREEING * len(small):
        enlarged = {i: _enlarged(crops[i]) for i in small}
        twice = _read_figures(enlarged, small, limits)
        if agreeing(twice) > agreeing(readings):
            readings.update(twice)
    for index in again:
        figures = readings.get(index, ("", 0.0))
        results[index] = by_loops(
            crops[index], first[index], figures, reconcile(first[index], figures)
        )
    square = [i for i in again if len(results[i][0]) == 1 and _square_glyph(crops[i])]
    if square:
        # one glyph as wide as it is high is no figure: a Chinese character (无) read as
        # 一 by the first pass and as 7 by the figures pass; the Chinese model alone says
        chinese = _read_mosaics([crops[i] for i in square], limits, languages=LABEL_LANGUAGES)
        for index, (text, confidence) in zip(square, chinese, strict=True):
            text = text.strip(_STRAY)
            flagged = min(confidence, results[index][1], UNCERTAIN_BELOW / 2)
            if len(text) == 1 and _CJK.match(text):
                results[index] = (text, flagged)
            else:
                results[index] = (results[index][0], flagged)
    return results


_ITEM_NUMBER = re.compile(r"^[（(〈《][^（()）\s]{1,3}[)）]$")
"""An item's number in brackets as the engine reads it (``(1)``, ``(三)``, look-alikes
inside: ``(=)``, ``(<)``, ``(1D)``)."""


def is_item_number(text: str, crop: np.ndarray) -> bool:
    """Whether a piece of text read alone is an item's number in brackets — ``（1）``
    printed apart from its row's label, read ``(1)`` by the first pass — and not a figure:
    read again as figures only (no brackets), it came back ``1``, a value left of its own
    label, and the row's label lost its start. Brackets around a glyph make a piece at
    least as wide as it is high (a lone figure is about half as wide)."""
    height, width = crop.shape
    return bool(_ITEM_NUMBER.match(text.strip())) and width >= height


def _square_glyph(crop: np.ndarray) -> bool:
    """Whether a cell's ink is one glyph about as wide as it is high — a Chinese
    character; a figure is about half as wide (``4``, the widest, three quarters)."""
    height, width = crop.shape
    if height < DPI // 30 or width < 0.85 * height or width > 1.3 * height:
        return False
    ink = crop == 0
    return bool(ink[:, : width // 3].any() and ink[:, -(width // 3) :].any())


def _read_figures(
    crops: list[np.ndarray] | dict[int, np.ndarray], indexes: list[int], limits: Limits
) -> dict[int, tuple[str, float]]:
    """The figures reading of the crops at ``indexes``, in mosaics of similar heights:
    the engine sizes the text of a mosaic from its lines, and misreads a lone figure
    stacked among lines of another size."""
    order = sorted(indexes, key=lambda i: crops[i].shape[0])
    readings: dict[int, tuple[str, float]] = {}
    while order:
        lowest = crops[order[0]].shape[0]
        size = next((n for n, i in enumerate(order) if crops[i].shape[0] > 1.4 * lowest), None)
        batch, order = order[:size], order[len(order) if size is None else size :]
        figures = _read_mosaics([crops[i] for i in batch], limits, digits=True)
        readings.update(zip(batch, figures, strict=True))
    return readings


_FIGURE_WIDTH = 6
"""A crop wider than this many times its height is a line of text, not a figure."""
_DISAGREEING = 0.15
"""Share of the small figures whose two readings disagree above which they are read
again at twice their size (most pages read alike at their own size: one run saved)."""


_SMALL = 45
"""Figure crops lower than this (pixels at :data:`DPI`: one line of 8–10 pt print) are
read at twice their size as well (:func:`_read_cells`)."""


def _enlarged(crop: np.ndarray) -> np.ndarray:
    """``crop`` at twice its size when it is a low, short crop (:data:`_SMALL`), kept binary."""
    from PIL import Image

    height, width = crop.shape
    if height >= _SMALL or width > _FIGURE_WIDTH * height:
        return crop
    image = Image.fromarray(crop).resize((2 * width, 2 * height), Image.Resampling.BILINEAR)
    return np.where(np.asarray(image) < 128, 0, 255).astype(np.uint8)


_LATIN = re.compile(r"[A-Za-z]")


def _narrow_glyph(text: str, crop: np.ndarray) -> bool:
    """Whether a cell read as one Chinese character holds a glyph too narrow for one: a
    Chinese character is about as wide as it is high, a figure about half as wide — a
    lone ``7`` read as ``了`` is read again as figures (and flagged, the readings differ)."""
    height, width = crop.shape
    return len(text) == 1 and width < 0.75 * height


def _is_dash(crop: np.ndarray) -> bool:
    """A cell whose only ink is one flat bar: a dash (``—``, ``-``), printed for "none".
    The engine drops a lone dash; its shape says what it is. (The crop is the ink's
    bounding box: a bar is at most a stroke thick and several strokes long.)"""
    height, width = crop.shape
    if height > max(4, DPI // 50) or width < 3 * height or width < DPI // 30:
        return False
    return bool((crop == 0).mean() > 0.5)


def _is_slash(crop: np.ndarray) -> bool:
    """A cell whose only ink is one rising stroke: a slash (``/``), printed for "none".
    The figures pass reads a lone slash as ``4`` or ``7``; its shape says what it is:
    every row's ink is one short run centred on the box's rising diagonal."""
    height, width = crop.shape
    if height < DPI // 30 or not 0.4 * height <= width <= 2 * height:
        return False
    dark = crop == 0
    for y in range(height):
        xs = np.nonzero(dark[y])[0]
        if xs.size == 0:
            continue
        expected = (1 - (y + 0.5) / height) * width
        if xs[-1] - xs[0] > 0.35 * width + 2 or abs(xs.mean() - expected) > 0.15 * width + 2:
            return False
    return True


_FIGURE = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")


def _components(mask: np.ndarray, diagonal: bool) -> list[list[tuple[int, int]]]:
    """The connected parts of ``mask`` (True pixels), each as its list of pixels; with
    ``diagonal``, pixels touching at a corner are connected (ink), else only side by side
    (the white inside a loop)."""
    from collections import deque

    height, width = mask.shape
    seen = np.zeros_like(mask, dtype=bool)
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if diagonal:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    parts: list[list[tuple[int, int]]] = []
    for y0, x0 in zip(*np.nonzero(mask), strict=True):
        if seen[y0, x0]:
            continue
        seen[y0, x0] = True
        part = [(int(y0), int(x0))]
        queue = deque(part)
        while queue:
            y, x = queue.popleft()
            for dy, dx in steps:
                ny, nx = y + dy, x + dx
                if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    part.append((ny, nx))
                    queue.append((ny, nx))
        parts.append(part)
    return parts


def loop_digit(crop: np.ndarray) -> str | None:
    """The digit a lone glyph's loops say it is: ``0`` (one loop as high as the glyph),
    ``6`` (one loop in its lower part), ``9`` (upper part), ``8`` (two loops, one above
    the other) — ``None`` when the crop is not one glyph of a digit's proportions or its
    loops are none of these. The engine reads a lone ``0`` as ``6`` or ``8`` in some
    prints and mosaics (and the other reading of the cell may be right, or nothing); the
    white enclosed by the strokes is not in doubt. (The crop is the ink's bounding box.)"""
    ink = crop == 0
    height, width = ink.shape
    if height < 8 or not 0.3 * height <= width <= 1.1 * height or height > 200:
        return None
    parts = _components(ink, diagonal=True)
    if not parts or max(len(p) for p in parts) < 0.95 * int(ink.sum()):
        return None  # more than one glyph (or a glyph and a mark)
    white = np.pad(~ink, 1, constant_values=True)
    smallest = max(2, int(0.01 * height * width))
    loops = []
    for part in _components(white, diagonal=False):
        ys = [y for y, x in part]
        xs = [x for y, x in part]
        if min(ys) == 0 or min(xs) == 0 or max(ys) == height + 1 or max(xs) == width + 1:
            continue  # the white around the glyph
        if len(part) >= smallest:
            loops.append(((min(ys) - 1) / height, max(ys) / height))
    if len(loops) == 2:
        upper, lower = sorted(loops)
        return "8" if upper[1] <= lower[0] + 0.1 else None
    if len(loops) != 1:
        return None
    top, bottom = loops[0]
    if top < 0.3 and bottom > 0.7:
        return "0"
    if top >= 0.35 and bottom > 0.65:
        return "6"
    if top < 0.3 and bottom <= 0.6:
        return "9"
    return None


_LOOPED = frozenset("0689")


def by_loops(
    crop: np.ndarray,
    general: tuple[str, float],
    figures: tuple[str, float],
    reconciled: tuple[str, float],
) -> tuple[str, float]:
    """A cell read as one of the looped digits (0, 6, 8, 9) checked against the loops of
    its glyph (:func:`loop_digit`). When they disagree the value is flagged; it becomes
    the loops' digit when either reading said so, or when the reconciled one was
    uncertain already or empty (``0`` and ``8`` only, :data:`_CLOSED`) — a lone ``0`` read
    ``6`` by one pass and ``0`` (or nothing) by the other comes back ``0``, flagged. A
    cell no reading took for a looped digit is left alone (a blank cell's smudge never
    becomes a figure here)."""
    text, confidence = reconciled
    said = {general[0].strip(), figures[0].replace(" ", "")}
    if not (said | {text}) & _LOOPED:
        return reconciled
    shape = loop_digit(crop)
    if shape is None or shape == text:
        return reconciled
    flagged = min(confidence, UNCERTAIN_BELOW / 2)
    if shape in _CLOSED and (shape in said or not text or confidence < UNCERTAIN_BELOW):
        return shape, flagged
    return text, flagged


_CLOSED = frozenset("08")
"""The loops' digits that may replace a reading: a loop as high as the glyph, or two, are
not made by blur; a coarse scan's ``0`` blurred shut at one end looks like a ``6`` or a
``9`` (those only flag the value)."""


def reconcile(general: tuple[str, float], figures: tuple[str, float]) -> tuple[str, float]:
    """One cell's text from its two readings: ``general`` (Chinese model, look-alikes
    already made figures) and ``figures`` (figures only). When both read the same figure,
    or the same blank marker, the cell is that, with the better confidence; otherwise the
    figures reading wins when it is a well-formed figure (else the general one), and the
    cell is flagged uncertain: its confidence is capped below :data:`UNCERTAIN_BELOW`."""
    text, confidence = general
    digits, digits_conf = figures
    digits = digits.replace(" ", "")
    uncertain = min(confidence, digits_conf, UNCERTAIN_BELOW / 2)
    if not digits:
        # nothing but a figure-less mark: a blank marker read alike or ink lost twice
        return (text, confidence) if text in _MARKERS or not text else (text, uncertain)
    if text in _MARKERS or _DASH_LIKE.match(text):
        if re.fullmatch(r"-+", digits):
            return text, max(confidence, digits_conf)
        if _FIGURE.match(digits):
            return digits, uncertain
        return text, uncertain
    if text == digits and _FIGURE.match(digits):
        return digits, max(confidence, digits_conf)
    if _FIGURE.match(digits):
        return digits, uncertain
    return text, uncertain


_LOOKALIKES = str.maketrans({
    "l": "1", "I": "1", "|": "1", "]": "1", "[": "1", "!": "1", "i": "1", "丨": "1",
    "O": "0", "o": "0", "〇": "0", "D": "0", "Q": "0", "○": "0",
    "S": "5", "s": "5", "Z": "2", "z": "2", "B": "8", "g": "9", "q": "9",
})  # fmt: skip
_FIGURE_LIKE = re.compile(r"^[-—－+]?[0-9lI|\]\[!i丨OoD〇Q○SsZzBgq.,，]{1,12}$")


_AMOUNT_LIKE = re.compile(
    r"^(?P<figure>[0-9][0-9lI|\]\[!i丨OoD〇Q○SsZzBgq.,，]{0,11})\s?(?:万元|千元|亿元|元|万)$"
)
"""A sum printed with its unit, the figure read with look-alikes (the unit makes the
cell Chinese text: it is not read again as figures)."""
_DASH_LIKE = re.compile(r"^[xX_\-—－一~·.。、'\"”“`]+$")
_STRAY = " .,;:'\"”“`_~·、。，；："
_MARKERS = ("-", "—", "－", "——", "/", "／", "无")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def figure_lookalikes(text: str, confidence: float) -> tuple[str, float]:
    """A table cell as the engine read it, made a figure or a blank marker where it only
    looks like one: letters taken for digits (``-|`` → ``-1``, ``O`` → ``0``), a dash read
    as ``x``/``_``/``一``, stray specks around a figure; a cell with neither figure nor
    Chinese text is noise: blank, confidence 0. Every such repair caps the confidence so
    that the value is flagged uncertain."""
    uncertain = min(confidence, UNCERTAIN_BELOW / 2)
    if text.strip(_STRAY + "-—－") == "无" and text != "无":
        return "无", uncertain
    amount = _AMOUNT_LIKE.match(text)
    if amount and re.search(r"[^0-9.,]", amount["figure"]):
        # an amount with its unit (618]万元): the figure's look-alikes made digits
        figure = amount["figure"].translate(_LOOKALIKES).replace("，", ",")
        return figure + text[amount.end("figure") :], uncertain
    stripped = text.strip(_STRAY)
    if (
        stripped != text
        and stripped
        and (_FIGURE_LIKE.match(stripped) or stripped == "无" or _DASH_LIKE.match(stripped))
    ):
        text, confidence = stripped, uncertain
    if text and _DASH_LIKE.match(text) and text not in _MARKERS:
        return "—", uncertain
    if text and text not in _MARKERS and not _CJK.search(text) and not _FIGURE_LIKE.match(text):
        return "", 0.0
    if not _FIGURE_LIKE.match(text) or not re.search(r"[^0-9.,，\-—－+]", text):
        return text, confidence
    mapped = text.translate(_LOOKALIKES).replace("，", ",")
    if mapped.startswith(("—", "－")):
        mapped = "-" + mapped[1:]
    return mapped, min(confidence, UNCERTAIN_BELOW / 2)


def skew_angle(gray: np.ndarray) -> float:
    """The page's tilt in degrees (a scan fed askew): the angle whose shear makes the rows
    of ink sharpest (the variance of the horizontal projection of dark pixels)."""
    small = gray[::4, ::4] < _DARK
    ys, xs = np.nonzero(small)
    if ys.size < 200:
        return 0.0
    if ys.size > 60_000:
        keep = np.random.default_rng(0).choice(ys.size, 60_000, replace=False)
        ys, xs = ys[keep], xs[keep]
    best, best_score = 0.0, -1.0
    for tenth in range(-25, 26):
        angle = tenth / 10.0
        shifted = ys - xs * np.tan(np.radians(angle))
        rows = np.bincount(np.round(shifted - shifted.min()).astype(np.int64))
        score = float(np.var(rows))
        if score > best_score:
            best, best_score = angle, score
    return best


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned straight (rules horizontal), and the angle it was turned by."""
    from PIL import Image

    angle = skew_angle(gray)
    if abs(angle) < 0.05:
        return gray, 0.0
    image = Image.fromarray(gray).rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return np.asarray(image), angle


# ---------------------------------------------------------------- tables without rules


_FRAGMENT_GAP = 0.055
"""Inches of white that split two pieces of text on one line (~4 pt): more than the
space between the characters of a word or the digits of a figure, less than the gutter
between two columns of a table printed without rules."""
_LINE_GAP = 2
"""Pixels of white (at least) between two lines of text."""


def _spans(profile: Any, gap: int) -> list[tuple[int, int]]:
    """Runs of ``profile`` (a projection of ink) that are non-zero, joined across runs of
    fewer than ``gap`` zeros: (start, end) with ``end`` exclusive."""
    where = np.nonzero(profile)[0]
    if where.size == 0:
        return []
    breaks = np.nonzero(np.diff(where) > gap)[0]
    starts = np.concatenate(([where[0]], where[breaks + 1]))
    ends = np.concatenate((where[breaks], [where[-1]])) + 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _line_spans(block: np.ndarray, lowest: int) -> list[tuple[int, int]]:
    """Lines of text of a block of ink (True where dark), from its vertical projection:
    runs split at rows of white, a run lower than ``lowest`` (a bar of 三 or 二) joined to
    its nearer neighbour — unless its ink is a speck (at most half ``lowest`` wide as
    well): joined, it would stretch a figure's box up to a line of its own."""
    spans = _spans(block.any(axis=1), _LINE_GAP)
    specks: set[tuple[int, int]] = set()
    alone: set[tuple[int, int]] = set()
    while True:
        low = [i for i in range(len(spans)) if spans[i] not in alone]
        if len(spans) < 2 or not low:
            break
        index = min(low, key=lambda i: spans[i][1] - spans[i][0])
        a, b = spans[index]
        if b - a >= lowest:
            break
        columns = np.nonzero(block[a:b].any(axis=0))[0]
        if b - a <= lowest // 2 and columns[-1] - columns[0] < lowest // 2:
            specks.add((a, b))
            alone.add((a, b))
            continue
        up, down = index > 0, index + 1 < len(spans)
        above = a - spans[index - 1][1] if up and spans[index - 1] not in specks else None
        below = spans[index + 1][0] - b if down and spans[index + 1] not in specks else None
        if above is None and below is None:
            alone.add((a, b))
            continue
        other = index - 1 if below is None or (above is not None and above <= below) else index + 1
        lo, hi = sorted((index, other))
        spans[lo : hi + 1] = [(spans[lo][0], spans[hi][1])]
    return spans


def fragments(ink: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """The pieces of text of a page image (``ink``: True where dark) as boxes
    ``(x0, top, x1, bottom)`` in pixels: the page cut recursively (an XY cut) at rows of
    white between lines and at gutters of white between pieces of one line. A table
    printed without rules comes out one box per cell line — the row label, every figure
    on its own — where a page read as one block runs the cells of a row together."""
    gap = max(4, round(dpi * _FRAGMENT_GAP))
    lowest = max(4, round(dpi * 0.05))
    out: list[tuple[int, int, int, int]] = []
    stack = [(0, 0, ink.shape[1], ink.shape[0], True)]
    while stack:
        x0, top, x1, bottom, by_rows = stack.pop()
        block = ink[top:bottom, x0:x1]
        if by_rows:
            pieces = _line_spans(block, lowest)
            if len(pieces) == 1:
                a, b = pieces[0]
                cols = _spans(block[a:b].any(axis=0), gap)
                if len(cols) == 1:
                    c, d = cols[0]
                    out.append((x0 + c, top + a, x0 + d, top + b))
                    continue
                stack.extend((x0 + c, top + a, x0 + d, top + b, True) for c, d in cols)
                continue
            stack.extend((x0, top + a, x1, top + b, False) for a, b in pieces)
        else:
            cols = _spans(block.any(axis=0), gap)
            if len(cols) == 1:
                c, d = cols[0]
                rows = _line_spans(block[:, c:d], lowest)
                if len(rows) == 1:
                    a, b = rows[0]
                    out.append((x0 + c, top + a, x0 + d, top + b))
                    continue
                stack.extend((x0 + c, top + a, x0 + d, top + b, False) for a, b in rows)
                continue
            stack.extend((x0 + c, top, x0 + d, bottom, True) for c, d in cols)
    min_side = max(2, dpi // 50)
    boxes = sorted(
        (box for box in out if box[3] - box[1] >= min_side or box[2] - box[0] >= 2 * min_side),
        key=lambda box: (box[1], box[0]),
    )
    return _join_punctuation(ink, boxes)


def _ends_low(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether a piece of text ends in a mark that sits low on the line (、，。): its last
    third of an em holds ink in the lower half of the line only. The white such a mark
    leaves after it is as wide as a gutter, but the text goes on."""
    x0, top, x1, bottom = box
    height = bottom - top
    strip = ink[top:bottom, max(x0, x1 - max(2, height // 3)) : x1]
    rows = np.nonzero(strip.any(axis=1))[0]
    return bool(rows.size) and x1 - x0 > height and int(rows[0]) >= height // 2


def _join_punctuation(
    ink: np.ndarray, boxes: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Pieces of one line cut after a low mark (``三、`` | ``收到和处理…``) joined again —
    ``一、`` too, whose ink is flat (a bar and the mark): the line's height is the taller
    piece's (the text after it), or the gap after ``一、`` looked like a gutter and the
    piece, read alone, came back as nothing: the row's label lost its number."""
    out: list[tuple[int, int, int, int]] = []
    for box in sorted(boxes, key=lambda b: (b[0], b[1])):
        for index, left in enumerate(out):
            heights = (left[3] - left[1], box[3] - box[1])
            overlap = min(left[3], box[3]) - max(left[1], box[1])
            if (
                0 <= box[0] - left[2] < 1.3 * max(heights)
                and overlap > 0.6 * min(heights)
                and _ends_low(ink, left)
            ):
                out[index] = (left[0], min(left[1], box[1]), box[2], max(left[3], box[3]))
                break
        else:
            out.append(box)
    return sorted(out, key=lambda box: (box[1], box[0]))


def is_tabular(boxes: list[tuple[int, int, int, int]], dpi: int) -> bool:
    """Whether the pieces of text make a table printed without rules: several lines of
    the page cut into three pieces or more (a label and figures in columns); prose lines
    and headings are one piece."""
    lines: list[list[tuple[int, int, int, int]]] = []
    for box in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        middle = (box[1] + box[3]) / 2
        if lines and abs(middle - (lines[-1][0][1] + lines[-1][0][3]) / 2) <= dpi * 0.04:
            lines[-1].append(box)
        else:
            lines.append([box])
    return sum(1 for line in lines if len(line) >= 3) >= 3


def _read_fragments(
    binary: np.ndarray, boxes: list[tuple[int, int, int, int]], limits: Limits
) -> list[Word]:
    """Every piece of text read alone (as the cells of a ruled table are): figures with
    their two readings reconciled, dashes and slashes by their shape, each with its box
    and confidence."""
    cells = [_Cell(a, c, b, d, binary[c:d, a:b]) for a, c, b, d in boxes]
    words: list[Word] = []
    for cell, (text, confidence) in zip(cells, _read_cells(cells, limits), strict=True):
        if text:
            words.append(Word(text, cell.x0, cell.top, cell.x1, cell.bottom, confidence))
    return words


def ocr_page(gray: np.ndarray, width: float, height: float, limits: Limits) -> PageObjects:
    """One page image (grey, ``DPI``) → characters with confidences and ruling edges.

    The rules are erased and the image binarised; the ruled tables' cells are read one by
    one (in mosaics), the rest of the page as a block of text."""
    gray, _ = deskew(gray)
    threshold = ink_threshold(gray)
    edges, lines = ruling_lines(gray, DPI, threshold)
    clean = gray.copy()
    if lines.any():
        # erase the rules (and their anti-aliased fringe) so glyphs stand alone
        grown = lines.copy()
        grown[1:, :] |= lines[:-1, :]
        grown[:-1, :] |= lines[1:, :]
        grown[:, 1:] |= lines[:, :-1]
        grown[:, :-1] |= lines[:, 1:]
        clean[grown] = 255
    ink = despeckle(clean < max(threshold, _BINARY), DPI)
    binary = np.where(ink, 0, 255).astype(np.uint8)
    scale = 72.0 / DPI
    cells, regions = _cells_with_ink(binary, edges, width, height)
    text_image = binary.copy()
    for a, c, b, d in regions:
        text_image[c:d, a:b] = 255
    chars: list[Char] = []
    if (text_image == 0).mean() > 0.0005:
        boxes = fragments(text_image == 0, DPI)
        if is_tabular(boxes, DPI):
            # a table without rules: its cells are read one by one, as ruled ones are
            chars += _chars(_read_fragments(text_image, boxes, limits), scale)
        else:
            chars += _chars(_tesseract(text_image, limits), scale)
    for cell, (text, confidence) in zip(cells, _read_cells(cells, limits), strict=True):
        if not text:
            continue
        word = Word(text, cell.x0, cell.top, cell.x1, cell.bottom, confidence)
        chars += _chars([word], scale)
    page = PageObjects(width, height, chars, edges)
    page.ink = _ink_probe(_solid(binary == 0), DPI)
    return page


def legible(page: PageObjects) -> bool:
    """Whether text was recognised on the page: at least :data:`LEGIBLE_CHARS` Chinese
    characters read with confidence. (The characters' mean confidence does not tell: a
    page of small figures read cell by cell, each in doubt, is as low as a page of noise.)"""
    sure = 0
    for char in page.chars:
        if char.confidence is not None and char.confidence >= UNCERTAIN_BELOW:
            sure += len(_CJK.findall(char.text))
            if sure >= LEGIBLE_CHARS:
                return True
    return False


def _render(pdf: PdfFile, number: int) -> tuple[np.ndarray, float, float]:
    page = pdf._doc[number]
    try:
        width, height = page.get_size()
        bitmap = page.render(scale=DPI / 72.0, grayscale=True)
        image = bitmap.to_numpy()
        if image.ndim == 3:
            image = image[..., 0]
        return np.ascontiguousarray(image), float(width), float(height)
    finally:
        page.close()


def ocr_pdf(
    data: bytes, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[PageObjects], dict[str, Any]]:
    """The pages of a scanned PDF as recognised objects, and an account of the run."""
    if not available():
        raise ExtractionError("ocr: tesseract with the chi_sim model is not installed")
    started = time.monotonic()
    pages: list[PageObjects] = []
    with PdfFile(data) as pdf:
        count = min(pdf.page_count, limits.max_pages, MAX_OCR_PAGES)
        for number in range(count):
            gray, width, height = _render(pdf, number)
            pages.append(ocr_page(gray, width, height, limits))
    confidences = [
        ch.confidence for page in pages for ch in page.chars if ch.confidence is not None
    ]
    account: dict[str, Any] = {
        "engine": f"{ENGINE} ({LANGUAGES})",
        "dpi": DPI,
        "pages": len(pages),
        "seconds": round(time.monotonic() - started, 2),
        "mean_confidence": round(sum(confidences) / len(confidences), 3) if confidences else None,
        "illegible_pages": [number + 1 for number, page in enumerate(pages) if not legible(page)],
        "uncertain_below": UNCERTAIN_BELOW,
    }
    return pages, account


def plan(limits: Limits, pages: int | None) -> tuple[Limits | None, str | None]:
    """How a scan of ``pages`` pages is read by OCR: the limits of that reading (the
    document's, with time for every page), or ``None`` and why it is not read — no engine
    installed, or more pages than OCR reads (a scan that long is not a report; reading it
    would hold a worker for hours)."""
    if not available():
        return None, "no OCR engine installed (tesseract with chi_sim)"
    count = max(1, pages or 1)
    if count > MAX_OCR_PAGES:
        return None, f"not read by OCR: {count} pages, more than the {MAX_OCR_PAGES} it reads"
    return ocr_limits(limits, count), None


def ocr_limits(limits: Limits, pages: int) -> Limits:
    """The limits of one OCR run: the document's, with time for every page."""
    count = min(max(1, pages), MAX_OCR_PAGES)
    extra = SECONDS_PER_PAGE * count
    return replace(limits, timeout_s=limits.timeout_s + extra, cpu_s=limits.cpu_s + extra)
