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
from typing import Any

from extract.isolation import run_isolated
from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, check_input_size
from extract.sniff import LABELS, base_media_type, quick_media_type, sniff_media_type
from extract.text import read_document
from extract.types import Extraction, TextDocument

PARSER_VERSION = "1.1.1"
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
    limits: Limits = DEFAULT_LIMITS,
) -> Extraction:
    """Text, metadata, tables and checks of one document, read in an isolated worker
    process under ``limits``; failures go to ``error``."""
    name = filename or (url.split("?", 1)[0].rsplit("/", 1)[-1] if url else None)
    try:
        check_input_size(data, limits)
        return run_isolated(
            extract_here,
            data,
            url,
            media_type,
            filename,
            limits,
            limits=limits,
            what=LABELS[quick_media_type(data, media_type, name)],
        )
    except ExtractionError as exc:
        return failed_extraction(data, str(exc), media_type, name)


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
) -> Extraction:
    """:func:`extract_document` in the calling process: for worker processes only."""
    try:
        sniffed = sniff_media_type(data, declared=media_type, filename=filename) if data else ""
    except (MemoryError, RecursionError):
        raise
    except Exception:
        sniffed = ""
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
    try:
        analyse = _analyser()
        if analyse is not None:
            analyse(document, extraction)
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        log.info("report analysis failed for %s", url or filename, exc_info=True)
        extraction.error = f"analysis failed: {_describe(exc)}"
    return extraction


def _describe(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()
