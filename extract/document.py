"""One document version → :class:`~extract.types.Extraction`; never raises on bad input.

The document is read in an isolated worker process under :class:`~extract.limits.Limits`
(:mod:`extract.isolation`): whatever the bytes, the caller's memory and time are safe, and
a document that is refused, hits a limit or kills its worker comes back with ``error``.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from extract.isolation import run_isolated
from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, check_input_size
from extract.sniff import HTML, LABELS, PDF, base_media_type, quick_media_type, sniff_media_type
from extract.text import read_document
from extract.types import Extraction, TextDocument

PARSER_VERSION = "1.2.1"
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
    limits: Limits = DEFAULT_LIMITS,
) -> Extraction:
    """Text, metadata, tables and checks of one document, read in an isolated worker
    process under ``limits``; failures go to ``error``.

    ``rendered_html`` is the DOM a browser rendered from ``data`` (the crawler's browser
    fallback for pages that build their body in JavaScript), serialised as UTF-8 HTML.
    Both are read; the reading holding more of the report (more table values, else more
    text) is kept, and ``Extraction.body_source`` says which (``rendered`` for the DOM).
    """
    name = filename or (url.split("?", 1)[0].rsplit("/", 1)[-1] if url else None)
    what = LABELS[quick_media_type(data, media_type, name)]
    try:
        check_input_size(data, limits)
        if rendered_html:
            check_input_size(rendered_html, limits)
        # OCR takes far longer than reading: a scan is read again by OCR, with its own time
        # for every page, once the first reading has shown it has no text layer.
        first = replace(limits, ocr=False)
        args = (data, url, media_type, filename)
        extraction: Extraction = run_isolated(
            extract_here, *args, first, rendered_html, limits=first, what=what
        )
    except ExtractionError as exc:
        return failed_extraction(data, str(exc), media_type, name)
    if not (limits.ocr and extraction.needs_ocr and extraction.media_type == PDF):
        return extraction
    from extract.text import ocr

    run_limits, why = ocr.plan(limits, extraction.pages)
    if run_limits is None:
        extraction.ocr = {"error": why}
        return extraction
    try:
        return run_isolated(
            extract_here, *args, limits, rendered_html, limits=run_limits, what="ocr"
        )
    except ExtractionError as exc:
        extraction.error = None
        extraction.ocr = {"error": str(exc)}
        return extraction


def failed_extraction(
    data: bytes, error: str, media_type: str | None = None, filename: str | None = None
) -> Extraction:
    """The extraction of a document that could not be read (named from its first bytes)."""
    kind = quick_media_type(data, media_type, filename) if data else ""
    return Extraction(
        parser_version=PARSER_VERSION,
        media_type=kind or base_media_type(media_type) or "application/octet-stream",
        error=error,
    )


def extract_here(
    data: bytes,
    url: str | None = None,
    media_type: str | None = None,
    filename: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    rendered_html: bytes | None = None,
) -> Extraction:
    """:func:`extract_document` in the calling process: for worker processes only."""
    try:
        sniffed = sniff_media_type(data, declared=media_type, filename=filename) if data else ""
    except (MemoryError, RecursionError):
        raise
    except Exception:
        sniffed = ""
    extraction = _read(data, url, media_type, filename, sniffed, limits)
    if rendered_html:
        rendered = _read(rendered_html, url, "text/html; charset=utf-8", None, HTML, limits)
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
    data: bytes,
    url: str | None,
    media_type: str | None,
    filename: str | None,
    sniffed: str,
    limits: Limits,
) -> Extraction:
    extraction = Extraction(
        parser_version=PARSER_VERSION,
        media_type=sniffed or base_media_type(media_type) or "application/octet-stream",
    )
    try:
        document = read_document(
            data, media_type=media_type, filename=filename, url=url, limits=limits
        )
    except ExtractionError as exc:
        extraction.error = str(exc)
        return extraction
    except (MemoryError, RecursionError):
        raise  # the worker reports them, and is replaced
    except Exception as exc:
        log.info("unexpected reader failure for %s", url or filename, exc_info=True)
        extraction.error = f"{LABELS.get(sniffed, 'document')}: reader failed: {_describe(exc)}"
        return extraction
    extraction.media_type = document.media_type
    extraction.text = document.text
    extraction.needs_ocr = document.needs_ocr
    extraction.pages = getattr(document, "pages", None)
    extraction.body_source = document.meta.get("body_source")
    try:
        analyse = _analyser()
        if analyse is not None:
            analyse(document, extraction)
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        log.info("report analysis failed for %s", url or filename, exc_info=True)
        extraction.error = f"analysis failed: {_describe(exc)}"
    if "ocr_error" in document.meta:
        # a scan OCR could not read (no engine, too long, nothing legible): said so, so
        # that an empty reading is not taken for a report without tables
        extraction.ocr = {**(extraction.ocr or {}), "error": document.meta["ocr_error"]}
    return extraction


def _describe(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()
