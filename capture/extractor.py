"""Extraction of captured documents for the recorder, always in isolated worker processes
(:mod:`extract.isolation`): a document that exhausts its time or memory limits, or crashes
its parser, stops only its worker; the crawl process keeps its memory and goes on, and the
failure is recorded as the version's extraction error.

A version's content hash is the hash of its normalised text (``capture.normalise``), so
extraction decides whether a capture is a new version; the worker also computes the text's
search index terms, so that the writer only writes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from capture.types import FetchedResponse
from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits
from registry.names import clean_name, clean_text

if TYPE_CHECKING:
    from extract.isolation import WorkerPool
    from extract.types import Extraction
    from storage.archive import VersionIn

Extracted = tuple["VersionIn", str | None, dict[str, Any]]
"""The version (content hash, text, extraction row, index terms), the extraction error,
and the document's metadata read from its content (title, agency, year, publication,
issuer)."""

Job = tuple[bytes, str, str | None, str | None, str, bytes | None]
"""The arguments of :func:`extract_version`: body, URL, content type, file name, payload
hash, and the DOM a browser rendered from the body (or None)."""


def read_capture(
    body: bytes,
    url: str,
    content_type: str | None,
    filename: str | None,
    rendered_html: bytes | None = None,
) -> tuple[str, Extraction, list[str]]:
    """In a worker: the document's extraction (with the DOM a browser rendered from it, if
    any), the hash of its text (empty without text) and the text's index terms."""
    from capture.normalise import content_sha256
    from extract.document import extract_here
    from storage.tokenize import index_terms

    ex = extract_here(
        body, url=url, media_type=content_type, filename=filename, rendered_html=rendered_html
    )
    text = ex.text or ""
    return (content_sha256(text) if text.strip() else ""), ex, index_terms(text)


def _version(job: Job, read: tuple[str, Extraction, list[str]] | ExtractionError) -> Extracted:
    from storage.archive import VersionIn

    if isinstance(read, ExtractionError):
        from extract.document import failed_extraction

        body, url, content_type, filename = job[:4]
        read = "", failed_extraction(body, str(read), content_type, filename or url), []
    content, ex, terms = read
    meta: dict[str, Any] = {}
    for name in ("title", "agency_name", "year", "published_at"):
        sourced = getattr(ex, name)
        if sourced is not None and sourced.value not in (None, ""):
            meta[name] = sourced.value
            if name == "published_at":
                meta["published_source"] = sourced.source
    from capture.issuer import document_issuer

    columns = extraction_columns(ex)
    issuer = document_issuer(job[0], ex.media_type, ex.text or "")
    if issuer is not None:
        # the issuer the document names for itself: kept with the extraction's metadata
        # (as evidence) and handed to the archive, which attributes the report with it
        meta["issuer_name"] = issuer.name
        columns["meta"]["issuer"] = {"value": issuer.name, "source": issuer.source}
    # Without text (unreadable, or a scan that needs OCR) the raw bytes decide.
    version = VersionIn(content or job[4], ex.text, ex.media_type, columns, terms)
    return version, ex.error, meta


def _what(job: Any) -> str:
    from extract.sniff import LABELS, quick_media_type

    body, url, content_type, filename = job[:4]
    return LABELS[quick_media_type(body, content_type, filename or url.split("?", 1)[0])]


def extract_version(
    body: bytes,
    url: str,
    content_type: str | None,
    filename: str | None,
    payload: str,
    rendered_html: bytes | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Extracted:
    """Read one document (in a worker of the process's shared pool), with the DOM a browser
    rendered from it if any: its version, its extraction error and its metadata."""
    from extract.isolation import run_isolated

    job: Job = (body, url, content_type, filename, payload, rendered_html)
    try:
        read: tuple[str, Extraction, list[str]] | ExtractionError = run_isolated(
            read_capture, *_read_args(job), limits=limits, what=_what(job)
        )
    except ExtractionError as exc:
        read = exc
    return _version(job, read)


def extraction_job(resp: FetchedResponse, payload: str) -> Job:
    """The arguments of :func:`extract_version` for a captured response."""
    content_type = next((v for k, v in resp.response_headers if k.lower() == "content-type"), None)
    return resp.body, resp.url, content_type, resp.filename, payload, resp.rendered_html


def _read_args(job: Job) -> tuple[bytes, str, str | None, str | None, bytes | None]:
    """The arguments of :func:`read_capture` for a job (no payload hash)."""
    return job[0], job[1], job[2], job[3], job[5]


class Extractor:
    """Runs the extraction of a group of captures in ``workers`` isolated worker processes
    at once (0 or 1: one worker, documents one after another)."""

    def __init__(self, workers: int = 0, limits: Limits = DEFAULT_LIMITS) -> None:
        self.workers = max(1, workers)
        self.limits = limits
        self._pool: WorkerPool | None = None

    def pool(self) -> WorkerPool:
        if self._pool is None:
            from extract.isolation import WorkerPool

            self._pool = WorkerPool(self.workers)
        return self._pool

    def run(self, group: list[tuple[FetchedResponse, str]]) -> list[Extracted]:
        jobs = [extraction_job(resp, payload) for resp, payload in group]
        if not jobs:
            return []
        reads = self.pool().map(
            read_capture, [_read_args(job) for job in jobs], limits=self.limits, what=_what
        )
        return [_version(job, read) for job, read in zip(jobs, reads, strict=True)]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _meta(ex: Any) -> dict[str, Any]:
    """Where each metadata value came from, the body's source, and the OCR account."""
    meta: dict[str, Any] = {
        name: asdict(getattr(ex, name))
        for name in ("title", "agency_name", "year", "published_at")
        if getattr(ex, name)
    }
    if getattr(ex, "body_source", None):
        meta["body_source"] = ex.body_source
    if getattr(ex, "ocr", None):
        meta["ocr"] = ex.ocr
    return meta


def extraction_columns(ex: Any) -> dict[str, Any]:
    """The ``extractions`` row of an :class:`extract.types.Extraction`."""

    def value(name: str) -> Any:
        sourced = getattr(ex, name)
        return None if sourced is None else sourced.value

    year = value("year")
    return {
        "parser_version": ex.parser_version,
        "media_type": ex.media_type,
        "layout": ex.layout,
        # text a page chose: no markup or invisible characters, no overlong names
        "title": clean_text(value("title")),
        "year": int(year) if isinstance(year, int | str) and str(year).isdigit() else None,
        "agency_name": clean_name(value("agency_name")),
        "published_at": value("published_at"),
        "meta": _meta(ex),
        "values": dict(ex.values),
        "checks": list(ex.checks),
        "sections": list(ex.sections),
        "needs_ocr": bool(ex.needs_ocr),
        "error": ex.error,
    }
