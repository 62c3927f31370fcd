"""Records: what the archive holds, read back — what the crawler asks before fetching,
where each capture lies in the WARC files, versions to re-extract, counts.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from capture.normalise import url_sha256
from capture.reader import IndexedRecord, read_payload
from storage.base import ArchiveBase
from storage.models import (
    AgencyRow,
    CaptureRow,
    CrawlRunRow,
    DocumentRow,
    ExtractionRow,
    FailureRow,
    ObservationRow,
    ReportRow,
    SiteRow,
    VersionRow,
    document_site,
)
from storage.types import (
    LOOKUP_CHUNK,
    CapturedPage,
    KnownDocument,
    Validators,
    as_utc,
    utcnow,
)
from storage.vocab import DocumentStatus


class RecordStore(ArchiveBase):
    """What the archive holds: documents' validators, captures' places in WARC files,
    versions to re-extract, counts."""

    # -- what the crawler asks before fetching ----------------------------------------
    def validators(self, url: str) -> Validators | None:
        with self.session() as s:
            doc = s.scalar(select(DocumentRow).where(DocumentRow.url_hash == url_sha256(url)))
            if doc is not None:
                payload = None
                if doc.last_capture_id is not None:
                    payload = s.scalar(
                        select(CaptureRow.payload_sha256).where(
                            CaptureRow.id == doc.last_capture_id
                        )
                    )
                return Validators(
                    url,
                    doc.role,
                    doc.status,
                    doc.etag,
                    doc.last_modified,
                    as_utc(doc.last_seen_at),
                    payload,
                )
            cap = s.scalar(
                select(CaptureRow)
                .where(CaptureRow.url_hash == url_sha256(url), CaptureRow.status == 200)
                .order_by(CaptureRow.captured_at.desc())
                .limit(1)
            )
            if cap is None:
                return None
            return Validators(
                url,
                cap.role,
                DocumentStatus.PRESENT,
                cap.headers.get("etag"),
                cap.headers.get("last-modified"),
                as_utc(cap.captured_at),
                cap.payload_sha256,
            )

    def known_documents(self, site_id: str) -> list[KnownDocument]:
        """The documents this site's crawls found: those its crawl captured last (a
        report carried by two sites, as a city list carries the province's, is one
        report whose documents each site knows by its own captures), and those never
        captured under the site of their report."""
        with self.session() as s:
            rows = s.execute(
                select(DocumentRow, ReportRow, AgencyRow)
                .join(ReportRow, DocumentRow.report_id == ReportRow.id)
                .join(AgencyRow, ReportRow.agency_id == AgencyRow.id)
                .outerjoin(CaptureRow, DocumentRow.last_capture_id == CaptureRow.id)
                .where(document_site() == site_id)
                .order_by(DocumentRow.id)
            ).all()
            return [
                KnownDocument(
                    d.url,
                    d.role,
                    r.title,
                    r.year,
                    a.name,
                    as_utc(d.last_seen_at) or utcnow(),
                    d.status,
                    d.parent_url,
                )
                for d, r, a in rows
            ]

    def versions_for_reextraction(
        self, parser_version: str
    ) -> Iterator[tuple[int, str, int, str, str | None]]:
        """Versions with no extraction by ``parser_version``: (version id, url, capture
        id, warc file, media type)."""
        with self.session() as s:
            done = select(ExtractionRow.version_id).where(
                ExtractionRow.parser_version == parser_version
            )
            rows = s.execute(
                select(
                    VersionRow.id,
                    DocumentRow.url,
                    VersionRow.capture_id,
                    CaptureRow.warc_file,
                    VersionRow.media_type,
                )
                .join(DocumentRow, VersionRow.document_id == DocumentRow.id)
                .join(CaptureRow, VersionRow.capture_id == CaptureRow.id)
                .where(VersionRow.id.not_in(done))
                .order_by(VersionRow.id)
            ).all()
        for row in rows:
            yield row[0], row[1], row[2], row[3], row[4]

    def capture_location(self, capture_id: int) -> IndexedRecord:
        with self.session() as s:
            cap = s.get(CaptureRow, capture_id)
            if cap is None:
                raise KeyError(f"no capture {capture_id}")
            if cap.record_type == "revisit" and cap.refers_to_id is not None:
                cap = s.get(CaptureRow, cap.refers_to_id)
                assert cap is not None
            return _indexed(cap)

    def last_payload(self, url: str) -> tuple[bytes, str | None] | None:
        """The body and Content-Type of the last full capture of the document at `url`,
        read back from WARC; None when the archive holds no captured document there."""
        with self.session() as s:
            capture_id = s.scalar(
                select(DocumentRow.last_capture_id).where(DocumentRow.url_hash == url_sha256(url))
            )
        if capture_id is None:
            return None
        return read_payload(self.warc_dir, self.capture_location(capture_id))

    def captured_pages(self, site_id: str) -> dict[str, CapturedPage]:
        """The site's navigation and listing pages (GET, status 200) by URL: the last
        capture of each, with its validators (ETag, Last-Modified) if it had any."""
        out: dict[str, CapturedPage] = {}
        with self.session() as s:
            rows = s.execute(
                select(
                    CaptureRow.id,
                    CaptureRow.url,
                    CaptureRow.role,
                    CaptureRow.captured_at,
                    CaptureRow.headers,
                )
                .where(
                    CaptureRow.site_id == site_id,
                    CaptureRow.role.in_(("page", "listing")),
                    CaptureRow.status == 200,
                    CaptureRow.method == "GET",
                )
                .order_by(CaptureRow.id)
            )
            for capture_id, url, role, captured_at, headers in rows:
                headers = headers or {}
                out[url] = CapturedPage(
                    capture_id,
                    role,
                    as_utc(captured_at) or utcnow(),
                    headers.get("etag"),
                    headers.get("last-modified"),
                )
        return out

    def capture_payload(self, capture_id: int) -> tuple[bytes, str | None]:
        """The body and Content-Type a capture holds (for a revisit record, the record
        it refers to), read back from WARC."""
        return read_payload(self.warc_dir, self.capture_location(capture_id))

    def indexed_records(self) -> Iterator[IndexedRecord]:
        last = 0
        while True:
            with self.session() as s:
                batch = list(
                    s.scalars(
                        select(CaptureRow)
                        .where(CaptureRow.id > last)
                        .order_by(CaptureRow.id)
                        .limit(1000)
                    )
                )
            if not batch:
                return
            for cap in batch:
                yield _indexed(cap)
            last = batch[-1].id

    def indexed_warc_files(self) -> list[str]:
        """The WARC files the index points into."""
        with self.session() as s:
            return list(s.scalars(select(CaptureRow.warc_file).distinct()))

    def indexed_records_in(self, warc_file: str) -> list[IndexedRecord]:
        """The captures indexed in one WARC file, by offset."""
        with self.session() as s:
            return [
                _indexed(cap)
                for cap in s.scalars(
                    select(CaptureRow)
                    .where(CaptureRow.warc_file == warc_file)
                    .order_by(CaptureRow.warc_offset)
                )
            ]

    def captures_at(self, places: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
        """The ids of the captures indexed at these (WARC file, offset) places."""
        out: dict[tuple[str, int], int] = {}
        with self.session() as s:
            for file in {f for f, _ in places}:
                offsets = [o for f, o in places if f == file]
                for start in range(0, len(offsets), LOOKUP_CHUNK):
                    rows = s.execute(
                        select(CaptureRow.warc_offset, CaptureRow.id).where(
                            CaptureRow.warc_file == file,
                            CaptureRow.warc_offset.in_(offsets[start : start + LOOKUP_CHUNK]),
                        )
                    )
                    out.update({(file, int(o)): int(i) for o, i in rows})
        return out

    def indexed_end(self, warc_file: str) -> int | None:
        """Where the last indexed record of a WARC file ends (None: none indexed)."""
        with self.session() as s:
            end = s.scalar(
                select(func.max(CaptureRow.warc_offset + CaptureRow.warc_length)).where(
                    CaptureRow.warc_file == warc_file
                )
            )
        return None if end is None else int(end)

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                name: s.scalar(select(func.count()).select_from(model)) or 0
                for name, model in (
                    ("agencies", AgencyRow),
                    ("sites", SiteRow),
                    ("runs", CrawlRunRow),
                    ("captures", CaptureRow),
                    ("reports", ReportRow),
                    ("documents", DocumentRow),
                    ("versions", VersionRow),
                    ("observations", ObservationRow),
                    ("failures", FailureRow),
                )
            }


def _indexed(cap: CaptureRow) -> IndexedRecord:
    return IndexedRecord(
        cap.id,
        cap.url,
        cap.warc_file,
        cap.warc_offset,
        cap.warc_length,
        cap.record_type,
        cap.payload_sha256,
    )
