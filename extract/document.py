"""One document version → :class:`~extract.types.Extraction`; never raises on bad input."""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from typing import Any

from extract.limits import ExtractionError
from extract.sniff import HTML, base_media_type, sniff_media_type
from extract.text import read_document
from extract.types import Extraction, TextDocument

PARSER_VERSION = "1.2.0"
"""Bumped whenever a change can alter the text, tables or values of existing documents."""

log = logging.getLogger(__name__)

Analyser = Callable[[TextDocument, Extraction], None]


def _analyser() -> Analyser | None:
    """``extract.report.analyse`` when that module exists (it fills title, values, checks…)."""
    try:
        module = importlib.import_module("extract.report")
    except ModuleNotFoundError as exc:
        if exc.name == "extract.report":
            return None
        raise
    analyse: Any = getattr(module, "analyse", None)
    return analyse if callable(analyse) else None


def extract_document(
    data: bytes,
    *,
    url: str | None = None,
    media_type: str | None = None,
    filename: str | None = None,
    rendered_html: bytes | None = None,
) -> Extraction:
    """Text, metadata, tables and checks of one document; failures go to ``error``.

    ``rendered_html`` is the DOM a browser rendered from ``data`` (the crawler's browser
    fallback for pages that build their body in JavaScript), serialised as UTF-8 HTML.
    Both are read; the reading holding more of the report (more table values, else more
    text) is kept, and ``Extraction.body_source`` says which (``rendered`` for the DOM).
    """
    try:
        sniffed = sniff_media_type(data, declared=media_type, filename=filename) if data else ""
    except Exception:
        sniffed = ""
    extraction = _read(data, url, media_type, filename, sniffed)
    if rendered_html:
        rendered = _read(rendered_html, url, "text/html; charset=utf-8", None, HTML)
        if rendered.error is None and (
            extraction.error is not None or _richer(rendered, extraction)
        ):
            rendered.body_source = "rendered"
            rendered.media_type = extraction.media_type if extraction.error is None else HTML
            return rendered
    return extraction


def _richer(a: Extraction, b: Extraction) -> bool:
    """Whether reading ``a`` holds more of the report than ``b``."""
    filled_a = sum(v is not None for v in a.values.values())
    filled_b = sum(v is not None for v in b.values.values())
    if filled_a != filled_b:
        return filled_a > filled_b
    return len(a.text.strip()) > max(200, 1.2 * len(b.text.strip()))


def _read(
    data: bytes, url: str | None, media_type: str | None, filename: str | None, sniffed: str
) -> Extraction:
    extraction = Extraction(
        parser_version=PARSER_VERSION,
        media_type=sniffed or base_media_type(media_type) or "application/octet-stream",
    )
    try:
        document = read_document(data, media_type=media_type, filename=filename, url=url)
    except ExtractionError as exc:
        extraction.error = str(exc)
        return extraction
    except Exception as exc:
        log.warning("unexpected reader failure for %s", url or filename, exc_info=True)
        extraction.error = f"reader failed: {_describe(exc)}"
        return extraction
    extraction.media_type = document.media_type
    extraction.text = document.text
    extraction.needs_ocr = document.needs_ocr
    extraction.body_source = document.meta.get("body_source")
    try:
        analyse = _analyser()
        if analyse is not None:
            analyse(document, extraction)
    except Exception as exc:
        log.warning("report analysis failed for %s", url or filename, exc_info=True)
        extraction.error = f"analysis failed: {_describe(exc)}"
    return extraction


def _describe(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()
