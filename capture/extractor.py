"""Extraction of captured documents for the recorder: in the calling thread, or in worker
processes that use the machine's other cores and isolate a crashing parser.

A version's content hash is the hash of its normalised text (``capture.normalise``), so
extraction decides whether a capture is a new version; the worker also computes the text's
search index terms, so that the writer only writes.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from typing import Any

from capture.normalise import content_sha256
from capture.types import FetchedResponse
from storage.archive import VersionIn

Extracted = tuple[VersionIn, str | None, dict[str, Any]]
"""The version (content hash, text, extraction row, index terms), the extraction error,
and the document's metadata read from its content (title, agency, year, publication)."""


def extract_version(
    body: bytes,
    url: str,
    content_type: str | None,
    filename: str | None,
    payload: str,
    rendered_html: bytes | None = None,
) -> Extracted:
    """Read one document (with the DOM a browser rendered from it, if any): its version,
    its extraction error and its metadata."""
    from extract import extract_document
    from query.tokenize import index_terms

    ex = extract_document(
        body, url=url, media_type=content_type, filename=filename, rendered_html=rendered_html
    )
    text = ex.text or ""
    # Without text (unreadable, or a scan that needs OCR) the raw bytes decide.
    content = content_sha256(text) if text.strip() else payload
    meta: dict[str, Any] = {}
    for name in ("title", "agency_name", "year", "published_at"):
        sourced = getattr(ex, name)
        if sourced is not None and sourced.value not in (None, ""):
            meta[name] = sourced.value
            if name == "published_at":
                meta["published_source"] = sourced.source
    version = VersionIn(content, text, ex.media_type, extraction_columns(ex), index_terms(text))
    return version, ex.error, meta


Job = tuple[bytes, str, str | None, str | None, str, bytes | None]


def extraction_job(resp: FetchedResponse, payload: str) -> Job:
    """The arguments of :func:`extract_version` for a captured response."""
    content_type = next((v for k, v in resp.response_headers if k.lower() == "content-type"), None)
    return resp.body, resp.url, content_type, resp.filename, payload, resp.rendered_html


def crashed(payload: str, detail: str) -> Extracted:
    """What is kept of a document whose extraction killed its worker process: the raw
    bytes decide the version, and the failure is recorded."""
    return VersionIn(payload, "", None, None, []), f"extraction crashed: {detail}", {}


class Extractor:
    """Runs :func:`extract_version` over a group of captures, in ``workers`` processes
    (0: in the calling thread)."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: the crawl process runs threads (Twisted, asyncio) that a
            # fork would copy in whatever state they are in.
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("forkserver")
            )
        return self._pool

    def run(self, group: list[tuple[FetchedResponse, str]]) -> list[Extracted]:
        jobs = [extraction_job(resp, payload) for resp, payload in group]
        if not jobs:
            return []
        if not self.workers:
            return [extract_version(*job) for job in jobs]
        try:
            futures = [self._executor().submit(extract_version, *job) for job in jobs]
            return [future.result() for future in futures]
        except BrokenProcessPool:
            # One of the documents killed its worker (a parser crash, the memory limit):
            # read them one at a time in a fresh pool, to find which.
            self._restart()
            return [self._alone(job) for job in jobs]

    def _alone(self, job: Job) -> Extracted:
        try:
            future: Future[Extracted] = self._executor().submit(extract_version, *job)
            return future.result()
        except BrokenProcessPool as exc:
            self._restart()
            return crashed(job[4], f"the extraction worker process died ({exc})")

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
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
        "title": value("title"),
        "year": int(year) if isinstance(year, int | str) and str(year).isdigit() else None,
        "agency_name": value("agency_name"),
        "published_at": value("published_at"),
        "meta": _meta(ex),
        "values": dict(ex.values),
        "checks": list(ex.checks),
        "sections": list(ex.sections),
        "needs_ocr": bool(ex.needs_ocr),
        "error": ex.error,
    }
