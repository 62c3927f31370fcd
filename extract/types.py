"""Data passed between the stages of extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Grid = list[list[str]]
"""A table as rows of cell texts; merged cells are expanded (their text repeated in every
grid position they cover), so every row of a grid has the same length."""

CellValue = int | float | str | None


@dataclass
class TextDocument:
    """A document turned into text: what the format readers of ``extract.text`` return."""

    media_type: str
    """The sniffed media type (from the bytes, not the extension)."""
    text: str
    """Clean text; tables rendered as one line per row, cells separated by tabs."""
    tables: list[Grid] = field(default_factory=list)
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    """Format metadata, e.g. ``{"PubDate": "2021-01-07"}`` from HTML ``<meta>``."""
    needs_ocr: bool = False
    pages: int | None = None
    parts: list[str] = field(default_factory=list)
    """For archives (zip): the member names that were read."""
    ocr: dict[str, Any] | None = None
    """For text recognised from page images: engine, pages, dpi, seconds, mean confidence.
    Table cells read by OCR are :class:`ScoredText` strings carrying their confidence."""
    cell_scores: dict[str, list[float | None]] = field(default_factory=dict)
    """OCR: the rows of tables printed without rules, rebuilt from positions (a text line
    of tab-separated cells) → the confidence of each of their cells (``None``: a label);
    a figure whose column is in doubt has a confidence below the uncertain mark."""


class ScoredText(str):
    """A cell's text with the confidence (0..1) of its recognition (OCR); a plain ``str``
    everywhere else, so the table parser passes it through unchanged."""

    confidence: float

    def __new__(cls, text: str, confidence: float) -> ScoredText:
        obj = super().__new__(cls, text)
        obj.confidence = confidence
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (ScoredText, (str(self), self.confidence))


@dataclass
class Sourced:
    """A metadata value with where it came from (e.g. ``meta:PubDate``, ``title``, ``signature``)."""

    value: Any
    source: str


@dataclass
class Extraction:
    """Everything extraction knows about one document version."""

    parser_version: str
    media_type: str
    text: str = ""
    title: Sourced | None = None
    agency_name: Sourced | None = None
    year: Sourced | None = None
    published_at: Sourced | None = None
    layout: str | None = None
    """``2019``, ``2021`` or ``none`` (no standard table found)."""
    values: dict[str, CellValue] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)
    needs_ocr: bool = False
    pages: int | None = None
    """Pages of a paged document (PDF, OFD) as read, when known."""
    body_source: str | None = None
    """Where the text came from when a page offers several: ``page`` (the HTML body),
    ``script``/``json``/``template``/``textarea`` (a body carried as data), ``rendered``
    (the browser-rendered DOM), ``trafilatura``, ``ocr``."""
    ocr: dict[str, Any] | None = None
    """When values were read by OCR: ``engine``, ``pages``, ``illegible_pages`` (numbers of
    the pages where no text was recognised), … and ``values``: for every printed value
    key, ``{"confidence": float | None, "uncertain": bool}``. When a scan was not read —
    no engine, too many pages, OCR failed, or no page held legible text (``needs_ocr``
    stays set) — ``error`` says why: an empty reading is not a report without tables."""
    uncertain: list[str] = field(default_factory=list)
    """The value keys read by OCR whose recognition is uncertain (``ocr["values"][key]
    ["uncertain"]``), for readers that want the list."""
    error: str | None = None
    """A precise message when the document could not be read (corrupt, encrypted,
    too large, too slow, hostile); ``text`` is then empty or partial."""
