"""The CaptureRecorder: a fetched response becomes WARC records and archive rows.

Order of work, which keeps WARC and SQL consistent whatever the moment of a crash:
1. the request and response (or revisit) records are written to WARC and fsynced;
2. the capture is indexed, with its report/document/version/observation rows, in one
   SQL transaction.
A crash between 1 and 2 leaves a WARC record without an index row (harmless: the next
crawl fetches and indexes the page again); an index row never points at nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from capture.extractor import Extractor
from capture.normalise import payload_sha256
from capture.repair import repair_tails
from capture.types import FetchedResponse, RecordResult, Role
from capture.warc import (
    CONTENT_PROFILE,
    RevisitOf,
    RollingWarcWriter,
    WarcLocation,
    WarcWriteError,
)
from extract.sniff import base_media_type
from storage.archive import Archive, CaptureIn, DocumentIn, IngestResult, Lookup, VersionIn
from storage.db import DatabaseUnavailable, first_line, retrying

T = TypeVar("T")

logger = logging.getLogger(__name__)

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
    """One per process; thread-safe. Use :meth:`open` with an archive.

    Documents are extracted in ``extract_workers`` isolated worker processes at once (0
    or 1: one), never in the calling process, so that a document that exhausts its limits
    or crashes its parser cannot take the crawl down with it."""

    def __init__(
        self,
        archive: Archive,
        writer: RollingWarcWriter,
        *,
        extract_workers: int = 0,
        extractor: Extractor | None = None,
        db_retry: float = 0.0,
    ) -> None:
        self.archive = archive
        self.writer = writer
        self.db_retry = db_retry
        self._lock = threading.Lock()
        self._extractor = extractor or Extractor(extract_workers)
        self._waiting = False
        self._lost: str | None = None

    @classmethod
    def open(
        cls,
        archive: Archive,
        *,
        max_warc_bytes: int | None = None,
        prefix: str = "nianbao",
        extract_workers: int = 0,
        extractor: Extractor | None = None,
        db_retry: float = 0.0,
    ) -> CaptureRecorder:
        kwargs: dict[str, Any] = {"prefix": prefix}
        if max_warc_bytes:
            kwargs["max_bytes"] = max_warc_bytes
        # The torn last record a killed writer left is moved aside before writing.
        for repair in repair_tails(archive.warc_dir, archive.indexed_end):
            logger.warning("WARC repair: %s", repair)
        return cls(
            archive,
            RollingWarcWriter(archive.warc_dir, **kwargs),
            extract_workers=extract_workers,
            extractor=extractor,
            db_retry=db_retry,
        )

    def close(self) -> None:
        self._extractor.close()
        self.writer.close()

    def __enter__(self) -> CaptureRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _db(self, fn: Callable[[], T]) -> T:
        """``fn()`` against the database, waited for up to ``db_retry`` seconds while the
        database is unreachable (then storage.db.DatabaseUnavailable)."""

        def waiting(exc: BaseException, pause: float) -> None:
            if not self._waiting:
                self._waiting = True
                logger.warning(
                    "the archive database is unavailable (%s); waiting up to %gs for it",
                    first_line(exc),
                    self.db_retry,
                )

        if self._lost is not None:  # already waited in vain: the caller is stopping
            raise DatabaseUnavailable(self._lost)
        try:
            result = retrying(
                fn, self.db_retry, on_wait=waiting, abandon=lambda: self._lost is not None
            )
        except DatabaseUnavailable as exc:
            self._lost = str(exc)
            raise
        if self._waiting:
            self._waiting = False
            logger.warning("the archive database is back")
        return result

    def give_up_on_database(self, why: str) -> None:
        """Stop waiting for the database: calls waiting now, and later ones, raise
        DatabaseUnavailable (the caller is stopping)."""
        if self._lost is None:
            self._lost = why

    def _ingest(
        self, items: list[tuple[CaptureIn, DocumentIn | None, VersionIn | None]]
    ) -> list[IngestResult]:
        """Index a group whose records are in WARC. Done again after a lost connection, it
        first asks whether the lost commit went through (then the rows are there)."""
        attempts = 0

        def once() -> list[IngestResult]:
            nonlocal attempts
            attempts += 1
            if attempts > 1 and items:
                places = [(c.warc_file, c.warc_offset) for c, _, _ in items]
                done = self.archive.captures_at(places)
                if len(done) == len(places):
                    return [IngestResult(capture_id=done[place]) for place in places]
            return self.archive.ingest_many(items)

        return self._db(once)

    def read_metadata(self, resp: FetchedResponse) -> dict[str, Any]:
        """What a document says of itself (title, agency, year, publication date), read in
        an isolated worker like every extraction, without recording anything."""
        [(_, error, meta)] = self._extractor.run([(resp, payload_sha256(resp.body))])
        return meta if error is None else {}

    def record(self, resp: FetchedResponse) -> RecordResult:
        return self.record_many([resp])[0]

    def record_many(self, responses: list[FetchedResponse]) -> list[RecordResult]:
        """Record several responses with one WARC fsync and one SQL transaction per group
        (a group commit). A group never holds the same URL or payload twice, so that a
        later capture can be written as a revisit of an earlier one. A response's
        ``exchanges`` (the XHR answers a rendered page received) are recorded right after
        it, each a capture of its own whose response record is ``WARC-Concurrent-To`` the
        page's; their results are the page result's ``exchanges``."""
        flat: list[FetchedResponse] = []
        pages: list[int | None] = []  # of each, the position in `flat` of its page
        for resp in responses:
            page = len(flat)
            flat.append(resp)
            pages.append(None)
            flat.extend(resp.exchanges)
            pages.extend(page for _ in resp.exchanges)
        payloads = [payload_sha256(resp.body) for resp in flat]
        record_ids: dict[int, str] = {}
        results: list[RecordResult] = []
        group: list[tuple[FetchedResponse, str]] = []
        urls: set[str] = set()
        digests: set[str] = set()
        for resp, payload in zip(flat, payloads, strict=True):
            if resp.url in urls or payload in digests:
                results.extend(self._record_group(group, len(results), pages, record_ids))
                group, urls, digests = [], set(), set()
            group.append((resp, payload))
            urls.add(resp.url)
            digests.add(payload)
        results.extend(self._record_group(group, len(results), pages, record_ids))
        out: list[RecordResult] = []
        for result, of_page in zip(results, pages, strict=True):
            if of_page is None:
                out.append(result)
            else:
                out[-1].exchanges.append(result)
        return out

    def _record_group(
        self,
        group: list[tuple[FetchedResponse, str]],
        first: int,
        pages: list[int | None],
        record_ids: dict[int, str],
    ) -> list[RecordResult]:
        """Record `group`, the responses from position `first` of the call's list; `pages`
        names, by position, the page a response was received with, whose response record
        id `record_ids` holds (and gets those of this group)."""
        if not group:
            return []
        documents = [resp.role in (Role.REPORT, Role.ATTACHMENT) for resp, _ in group]
        knowns = self._db(
            lambda: self.archive.lookup_many(
                [
                    (resp.url, payload, doc)
                    for (resp, payload), doc in zip(group, documents, strict=True)
                ]
            )
        )
        # Extraction runs outside the lock: it is the slow part, and it may run in
        # worker processes. A payload identical to the document's last capture is the
        # same version without reading it again.
        same = [
            known.last_payload == payload and known.content_sha256 is not None
            for (_, payload), known in zip(group, knowns, strict=True)
        ]
        jobs = [
            i
            for i, (resp, _) in enumerate(group)
            if documents[i] and resp.status == 200 and not same[i]
        ]
        extracted = dict(zip(jobs, self._extractor.run([group[i] for i in jobs]), strict=True))

        with self._lock:
            items: list[tuple[CaptureIn, DocumentIn | None, VersionIn | None]] = []
            revisits: list[RevisitOf | None] = []
            locations = []
            for i, (resp, payload) in enumerate(group):
                version, _, doc_meta = extracted.get(i, (None, None, {}))
                revisit = self._revisit_for(resp, payload, knowns[i], version)
                page = pages[first + i]
                try:
                    loc = self.writer.write_exchange(
                        resp,
                        revisit,
                        sync=False,
                        concurrent_to=record_ids.get(page) if page is not None else None,
                    )
                except WarcWriteError:
                    # The disk is full or gone: what was written before is still indexed
                    # when it can be made safe, and the error goes to the caller.
                    if items and self.writer.salvage():
                        with contextlib.suppress(Exception):  # the WARC error is the news
                            self.archive.ingest_many(items)
                    raise
                record_ids[first + i] = loc.record_id
                revisits.append(revisit)
                locations.append(loc)
                items.append(
                    self._rows(resp, payload, revisit, loc, version, doc_meta, documents[i])
                )
            self.writer.sync()
        # Indexed outside the WARC lock: another group's lookups and WARC records go on
        # meanwhile (the archive takes its own write lock). A group looked up before this
        # one commits may then store in full a payload this one holds; never the reverse
        # of the WARC-first rule.
        ingested = self._ingest(items)
        out = []
        for i, (_, payload) in enumerate(group):
            version, error, _ = extracted.get(i, (None, None, {}))
            known, loc, result = knowns[i], locations[i], ingested[i]
            out.append(
                RecordResult(
                    capture_id=result.capture_id,
                    payload_sha256=payload,
                    revisit=revisits[i] is not None,
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
                    if same[i]
                    else None,
                    extraction_error=error or result.problem,
                )
            )
        return out

    @staticmethod
    def _rows(
        resp: FetchedResponse,
        payload: str,
        revisit: RevisitOf | None,
        loc: WarcLocation,
        version: VersionIn | None,
        doc_meta: dict[str, Any],
        is_document: bool,
    ) -> tuple[CaptureIn, DocumentIn | None, VersionIn | None]:
        headers = {k.lower(): v for k, v in resp.response_headers if k.lower() in INDEXED_HEADERS}
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
        if not is_document:
            return capture, None, version
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
            published_source="listing" if resp.published_at else doc_meta.get("published_source"),
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            issuer_name=doc_meta.get("issuer_name"),
        )
        return capture, document, version

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
