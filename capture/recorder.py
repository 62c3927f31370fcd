"""The CaptureRecorder: a fetched response becomes WARC records and archive rows.

Order of work, which keeps WARC and SQL consistent whatever the moment of a crash:
1. the request and response (or revisit) records are written to WARC and fsynced;
2. the capture is indexed, with its report/document/version/observation rows, in one
   SQL transaction.
A crash between 1 and 2 leaves a WARC record without an index row (harmless: the next
crawl fetches and indexes the page again); an index row never points at nothing.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

from capture.normalise import content_sha256, payload_sha256
from capture.types import FetchedResponse, RecordResult, Role
from capture.warc import CONTENT_PROFILE, RevisitOf, RollingWarcWriter
from extract.sniff import base_media_type
from storage.archive import Archive, CaptureIn, DocumentIn, Lookup, VersionIn

# Response headers kept in the SQL index (all headers are in the WARC record).
INDEXED_HEADERS = (
    "content-type",
    "content-length",
    "etag",
    "last-modified",
    "content-disposition",
    "location",
    "server",
    "date",
)


class CaptureRecorder:
    """One per process; thread-safe. Use :meth:`open` with an archive."""

    def __init__(self, archive: Archive, writer: RollingWarcWriter) -> None:
        self.archive = archive
        self.writer = writer
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, archive: Archive, *, max_warc_bytes: int | None = None, prefix: str = "nianbao"
    ) -> CaptureRecorder:
        kwargs: dict[str, Any] = {"prefix": prefix}
        if max_warc_bytes:
            kwargs["max_bytes"] = max_warc_bytes
        return cls(archive, RollingWarcWriter(archive.warc_dir, **kwargs))

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> CaptureRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, resp: FetchedResponse) -> RecordResult:
        payload = payload_sha256(resp.body)
        is_document = resp.role in (Role.REPORT, Role.ATTACHMENT)
        known = self.archive.lookup(resp.url, payload, is_document=is_document)

        # Extraction runs outside the lock: it is the slow part, and it may run in
        # parallel threads. A payload identical to the document's last capture is the
        # same version without reading it again.
        version: VersionIn | None = None
        extraction_error: str | None = None
        doc_meta: dict[str, Any] = {}
        same_payload = known.last_payload == payload and known.content_sha256 is not None
        if is_document and resp.status == 200 and not same_payload:
            version, extraction_error, doc_meta = self._extract(resp, payload)

        with self._lock:
            revisit = self._revisit_for(resp, payload, known, version)
            loc = self.writer.write_exchange(resp, revisit)
            headers = {
                k.lower(): v for k, v in resp.response_headers if k.lower() in INDEXED_HEADERS
            }
            capture = CaptureIn(
                url=resp.url,
                method=resp.method,
                status=resp.status,
                captured_at=resp.fetched_at,
                role=str(resp.role),
                media_type=base_media_type(headers.get("content-type")) or None,
                headers=headers,
                payload_sha256=payload,
                payload_length=len(resp.body),
                record_type="revisit" if revisit else "response",
                warc_record_id=loc.record_id,
                warc_file=loc.file,
                warc_offset=loc.offset,
                warc_length=loc.length,
                refers_to_id=revisit.capture_id if revisit else None,
                site_id=resp.site_id,
                run_id=resp.run_id,
            )
            document = None
            if is_document:
                document = DocumentIn(
                    url=resp.url,
                    role=str(resp.role),
                    site_id=resp.site_id,
                    year=resp.year or doc_meta.get("year"),
                    agency_name=resp.agency_name or doc_meta.get("agency_name"),
                    title=resp.title or doc_meta.get("title"),
                    parent_url=resp.parent_url,
                    filename=resp.filename,
                    media_type=(version.media_type if version else None) or capture.media_type,
                    published_at=resp.published_at or doc_meta.get("published_at"),
                    published_source="listing"
                    if resp.published_at
                    else doc_meta.get("published_source"),
                    etag=headers.get("etag"),
                    last_modified=headers.get("last-modified"),
                )
            result = self.archive.ingest(capture, document, version)
        return RecordResult(
            capture_id=result.capture_id,
            payload_sha256=payload,
            revisit=revisit is not None,
            warc_file=loc.file,
            warc_offset=loc.offset,
            warc_length=loc.length,
            report_id=result.report_id,
            document_id=result.document_id,
            version_id=result.version_id,
            new_version=result.new_version,
            content_sha256=version.content_sha256
            if version
            else known.content_sha256
            if same_payload
            else None,
            extraction_error=extraction_error or result.problem,
        )

    @staticmethod
    def _revisit_for(
        resp: FetchedResponse, payload: str, known: Lookup, version: VersionIn | None
    ) -> RevisitOf | None:
        """A revisit instead of the full payload: when the payload is one already
        archived (identical-payload-digest), or when a report document's normalised
        content is unchanged although its raw bytes differ (page furniture) — then the
        record names the capture that holds the content (identical-normalised-content)."""
        if resp.status != 200 or not resp.body:
            return None
        if known.prior is not None:
            p = known.prior
            return RevisitOf(p.url, p.captured_at, p.record_id, capture_id=p.id)
        content = version.content_sha256 if version is not None else known.content_sha256
        same_content = version is None or content != payload  # the hash came from text, not bytes
        if (
            known.last_full is not None
            and content is not None
            and content == known.content_sha256
            and same_content
        ):
            p = known.last_full
            return RevisitOf(
                p.url,
                p.captured_at,
                p.record_id,
                capture_id=p.id,
                profile=CONTENT_PROFILE,
                content_sha256=content,
            )
        return None

    def _extract(
        self, resp: FetchedResponse, payload: str
    ) -> tuple[VersionIn, str | None, dict[str, Any]]:
        from extract import extract_document

        content_type = next(
            (v for k, v in resp.response_headers if k.lower() == "content-type"), None
        )
        ex = extract_document(
            resp.body, url=resp.url, media_type=content_type, filename=resp.filename
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
        extraction = extraction_columns(ex)
        return VersionIn(content, text, ex.media_type, extraction), ex.error, meta


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
        "meta": {
            name: asdict(getattr(ex, name))
            for name in ("title", "agency_name", "year", "published_at")
            if getattr(ex, name)
        },
        "values": dict(ex.values),
        "checks": list(ex.checks),
        "sections": list(ex.sections),
        "needs_ocr": bool(ex.needs_ocr),
        "error": ex.error,
    }
