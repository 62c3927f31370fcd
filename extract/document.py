"""One document version → :class:`~extract.types.Extraction`; never raises on bad input."""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from typing import Any

from extract.limits import ExtractionError
from extract.sniff import base_media_type, sniff_media_type
from extract.text import read_document
from extract.types import Extraction, TextDocument

PARSER_VERSION = "1.1.0"
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
) -> Extraction:
    """Text, metadata, tables and checks of one document; failures go to ``error``."""
    try:
        sniffed = sniff_media_type(data, declared=media_type, filename=filename) if data else ""
    except Exception:
        sniffed = ""
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
