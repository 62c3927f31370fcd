"""Ingest: captures already written to WARC indexed, with the report, document, version,
observation, extraction and search-index rows they make, in group commits.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from capture.normalise import url_sha256
from storage.agencies import (
    AgencyEntry,
    AgencyIndex,
    NameSource,
    guess_level_kind,
    looks_like_agency,
    names_compatible,
    plausible_name,
    unregistered_id,
)
from storage.base import ArchiveBase
from storage.models import (
    AgencyRow,
    CaptureRow,
    DocumentRow,
    ExtractionRow,
    ObservationRow,
    ReportRow,
    SiteRow,
    VersionRow,
)
from storage.search_index import index_term_rows
from storage.tokenize import index_terms
from storage.types import (
    LOOKUP_CHUNK,
    CaptureIn,
    DocumentIn,
    IngestResult,
    Lookup,
    PriorCapture,
    VersionIn,
    as_utc,
    utcnow,
)
from storage.vocab import DocumentStatus, ObservationOutcome

INGEST_ATTEMPTS = 5


class IngestStore(ArchiveBase):
    """Captures indexed, with the report, document, version and observation rows they
    make."""

    # -- ingest -----------------------------------------------------------------------
    def lookup_many(self, wanted: list[tuple[str, str, bool]]) -> list[Lookup]:
        """What the archive already holds for each (url, payload sha256, is document), in
        a few set-wise queries in one transaction: the first full capture of the payload
        (for a revisit record) and, for documents, the last capture's payload and the
        latest version's content hash."""
        out: list[Lookup] = []
        with self.engine.connect() as s:  # read only: no ORM, no commit
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                out.extend(self._lookup_chunk(s, wanted[start : start + LOOKUP_CHUNK]))
        return out

    @staticmethod
    def _lookup_chunk(s: Any, wanted: list[tuple[str, str, bool]]) -> list[Lookup]:
        if not wanted:
            return []
        first_of = dict(
            s.execute(
                select(CaptureRow.payload_sha256, func.min(CaptureRow.id))
                .where(
                    CaptureRow.payload_sha256.in_({p for _, p, _ in wanted}),
                    CaptureRow.record_type == "response",
                )
                .group_by(CaptureRow.payload_sha256)
            ).all()
        )
        doc_hashes = {url_sha256(url) for url, _, is_doc in wanted if is_doc}
        docs = {
            h: (doc_id, last_id)
            for h, doc_id, last_id in s.execute(
                select(DocumentRow.url_hash, DocumentRow.id, DocumentRow.last_capture_id).where(
                    DocumentRow.url_hash.in_(doc_hashes)
                )
            )
        }
        captures: dict[int, Any] = {}

        def fetch(ids: set[int]) -> None:
            ids = ids - captures.keys()
            if ids:
                for row in s.execute(
                    select(
                        CaptureRow.id,
                        CaptureRow.url,
                        CaptureRow.captured_at,
                        CaptureRow.warc_record_id,
                        CaptureRow.payload_sha256,
                        CaptureRow.record_type,
                        CaptureRow.refers_to_id,
                    ).where(CaptureRow.id.in_(ids))
                ):
                    captures[row[0]] = row

        fetch(set(first_of.values()) | {last for _, last in docs.values() if last is not None})
        fetch(
            {
                captures[last][6]
                for _, last in docs.values()
                if last in captures and captures[last][5] != "response" and captures[last][6]
            }
        )
        latest: dict[int, tuple[int, str]] = {}
        for doc_id, seq, content in s.execute(
            select(VersionRow.document_id, VersionRow.seq, VersionRow.content_sha256).where(
                VersionRow.document_id.in_({doc_id for doc_id, _ in docs.values()})
            )
        ):
            if doc_id not in latest or seq > latest[doc_id][0]:
                latest[doc_id] = (seq, content)

        def prior(row: Any) -> PriorCapture:
            return PriorCapture(row[0], row[1], as_utc(row[2]) or utcnow(), row[3])

        out = []
        for url, payload, is_doc in wanted:
            first = first_of.get(payload)
            lookup = Lookup(prior=prior(captures[first]) if first in captures else None)
            doc = docs.get(url_sha256(url)) if is_doc else None
            if doc is not None:
                lookup.document_id = doc[0]
                last = captures.get(doc[1]) if doc[1] is not None else None
                if last is not None:
                    lookup.last_payload = last[4]
                    # the full record the last capture's content lies in
                    full = last if last[5] == "response" else captures.get(last[6])
                    if full is not None:
                        lookup.last_full = prior(full)
                if doc[0] in latest:
                    lookup.content_sha256 = latest[doc[0]][1]
            out.append(lookup)
        return out

    def ingest_many(
        self, items: list[tuple[CaptureIn, DocumentIn | None, VersionIn | None]]
    ) -> list[IngestResult]:
        """Index several captures in one transaction (a group commit): all of them or,
        on error, none.

        Writers in this process take turns on a lock; writers in other processes (the
        workers of a distributed crawl) may race to create the same report, agency or
        document row. The loser's transaction breaks a unique constraint and is rolled
        back whole; done again, it finds the row the other committed. A race costs a
        retry, never a capture."""
        if not items:
            return []
        items = [(c, d.cleaned() if d is not None else None, v) for c, d, v in items]
        for attempt in range(1, INGEST_ATTEMPTS + 1):
            try:
                with self._write_lock, self.session() as s:
                    caps = [
                        CaptureRow(url_hash=url_sha256(c.url), **c.__dict__) for c, _, _ in items
                    ]
                    s.add_all(caps)
                    self._assign_ids(s)
                    s.flush()
                    results = [IngestResult(capture_id=cap.id) for cap in caps]
                    self._ingest_documents(s, caps, items, results)
                    return results
            except IntegrityError:
                if attempt == INGEST_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")

    def _assign_ids(self, s: Session) -> None:
        """On PostgreSQL, give the session's new rows their ids from their sequences, a
        block per table, before a flush: the rows then go in by a plain executemany of
        one short statement, not by a multi-row INSERT … RETURNING whose text changes
        with every group (measured: parsing those statements cost more than the SQL)."""
        if self.dialect != "postgresql":
            return
        pending: dict[Any, list[Any]] = {}
        for obj in s.new:
            if getattr(obj, "id", None) is None and "id" in obj.__table__.c:
                pending.setdefault(obj.__table__, []).append(obj)
        with s.no_autoflush:  # the rows must not go in before they have their ids
            for table, objs in pending.items():
                if table.name not in self._sequences:
                    self._sequences[table.name] = s.scalar(
                        text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
                    )
                sequence = self._sequences[table.name]
                if sequence is None:  # not a serial id (agencies, sites): nothing to give
                    continue
                ids = s.scalars(
                    text("SELECT nextval(CAST(:seq AS regclass)) FROM generate_series(1, :n)"),
                    {"seq": sequence, "n": len(objs)},
                ).all()
                for obj, ident in zip(objs, ids, strict=True):
                    obj.id = ident

    def _ingest_documents(
        self,
        s: Session,
        caps: list[CaptureRow],
        items: list[tuple[CaptureIn, DocumentIn | None, VersionIn | None]],
        results: list[IngestResult],
    ) -> None:
        """The report/document/version/observation rows of a group of captures, with a
        few set-wise queries and flushes for the whole group. A group holds each URL at
        most once (the recorder sees to it)."""
        work = [
            (cap, doc_in, version, result)
            for cap, (_, doc_in, version), result in zip(caps, items, results, strict=True)
            if doc_in is not None
        ]
        if not work:
            return
        # 1. documents: those archived already, and new ones for new report documents
        hashes = {url_sha256(d.url) for _, d, _, _ in work}
        hashes |= {url_sha256(d.parent_url) for _, d, _, _ in work if d.parent_url}
        docs = {
            doc.url_hash: doc
            for doc in s.scalars(select(DocumentRow).where(DocumentRow.url_hash.in_(hashes)))
        }
        # the reports of the documents found, loaded here so that ``doc.report`` is
        # read from the session, not fetched one at a time
        report_ids = {d.report_id for d in docs.values()}
        if report_ids:
            list(s.scalars(select(ReportRow).where(ReportRow.id.in_(report_ids))))
        placed: list[tuple[CaptureRow, DocumentIn, VersionIn | None, IngestResult, DocumentRow]]
        placed = []
        new: list[tuple[CaptureRow, DocumentIn, VersionIn | None, IngestResult]] = []
        for cap, doc_in, version, result in work:
            doc = docs.get(url_sha256(doc_in.url))
            if doc is not None:
                placed.append((cap, doc_in, version, result, doc))
            elif cap.status >= 400 or version is None:
                result.problem = "not a known document"
            else:
                new.append((cap, doc_in, version, result))
        reports = self._reports_for(s, [(d, cap.captured_at) for cap, d, _, _ in new])
        for (cap, doc_in, version, result), report in zip(new, reports, strict=True):
            parent = docs.get(url_sha256(doc_in.parent_url)) if doc_in.parent_url else None
            if parent is not None:
                report = parent.report
            if report is None:
                result.problem = "no report year: the document was kept as a capture only"
                continue
            doc = DocumentRow(
                report=report,
                url=doc_in.url,
                url_hash=url_sha256(doc_in.url),
                role=doc_in.role,
                media_type=doc_in.media_type,
                filename=doc_in.filename,
                parent_url=doc_in.parent_url,
                first_seen_at=cap.captured_at,
                last_seen_at=cap.captured_at,
                status=DocumentStatus.PRESENT,
            )
            s.add(doc)
            docs[doc.url_hash] = doc
            placed.append((cap, doc_in, version, result, doc))
        self._assign_ids(s)
        s.flush()  # ids of the new documents
        # 2. versions: what each document holds already (no texts loaded)
        latest: dict[int, tuple[int, int]] = {}  # document id -> (version id, seq)
        by_content: dict[tuple[int, str], int] = {}
        for vid, doc_id, seq, content in s.execute(
            select(
                VersionRow.id, VersionRow.document_id, VersionRow.seq, VersionRow.content_sha256
            ).where(VersionRow.document_id.in_({p[4].id for p in placed}))
        ):
            by_content[(doc_id, content)] = vid
            if doc_id not in latest or seq > latest[doc_id][1]:
                latest[doc_id] = (vid, seq)
        new_versions: list[tuple[CaptureRow, VersionIn, IngestResult, VersionRow]] = []
        firsts: list[tuple[ReportRow, VersionRow]] = []
        observations: list[tuple[ObservationRow, VersionRow | None]] = []
        for cap, doc_in, version, result, doc in placed:
            now = cap.captured_at
            report = doc.report
            result.report_id, result.document_id = report.id, doc.id
            known = latest.get(doc.id)
            observation = ObservationRow(
                document_id=doc.id,
                capture_id=cap.id,
                run_id=cap.run_id,
                observed_at=now,
                status=cap.status,
            )
            observations.append((observation, None))
            if cap.status in (404, 410):
                if doc.status != DocumentStatus.VANISHED:
                    doc.status, doc.status_changed_at = DocumentStatus.VANISHED, now
                observation.outcome = ObservationOutcome.GONE
                continue
            self._seen(doc, cap, doc_in, now)
            if cap.status == 304 or version is None:
                observation.outcome = (
                    ObservationOutcome.NOT_MODIFIED
                    if cap.status == 304
                    else ObservationOutcome.UNCHANGED
                )
                observation.version_id = result.version_id = known[0] if known else None
                continue
            doc.last_capture_id = cap.id
            if doc_in.media_type:
                doc.media_type = doc_in.media_type
            existing = by_content.get((doc.id, version.content_sha256))
            if existing is not None:
                observation.outcome = ObservationOutcome.UNCHANGED
                observation.version_id = result.version_id = existing
                continue
            row = VersionRow(
                document_id=doc.id,
                seq=known[1] + 1 if known else 1,
                content_sha256=version.content_sha256,
                capture_id=cap.id,
                first_seen_at=now,
                media_type=version.media_type,
                text=version.text,
            )
            s.add(row)
            firsts.append((report, row))
            observation.outcome = ObservationOutcome.NEW_VERSION
            observations[-1] = (observation, row)
            new_versions.append((cap, version, result, row))
            if doc_in.published_at and not report.published_at:
                report.published_at = doc_in.published_at
                report.published_source = doc_in.published_source
            if doc_in.title and not report.title:
                report.title = doc_in.title
        self._assign_ids(s)
        s.flush()  # ids of the new versions
        # the report's first version (the coverage matrix reads it off the report's row);
        # a capture archived late may be older than the versions held already
        for report, row in firsts:
            if report.first_version_at is None or as_utc(row.first_seen_at) < as_utc(
                report.first_version_at
            ):
                report.first_version_at = row.first_seen_at
            if report.first_version_id is None or row.id < report.first_version_id:
                report.first_version_id = row.id
        # 3. what hangs on the new versions: observations, extractions, the search index
        for observation, new_row in observations:
            if new_row is not None:
                observation.version_id = new_row.id
        s.add_all([observation for observation, _ in observations])
        for cap, version, result, row in new_versions:
            if version.extraction is not None:
                s.add(
                    ExtractionRow(
                        version_id=row.id, created_at=cap.captured_at, **version.extraction
                    )
                )
            result.version_id, result.new_version = row.id, True
        self._assign_ids(s)
        index_term_rows(
            s,
            [
                (row.id, version.terms if version.terms is not None else index_terms(row.text))
                for _, version, _, row in new_versions
            ],
        )

    @staticmethod
    def _seen(doc: DocumentRow, cap: CaptureRow, doc_in: DocumentIn, now: datetime) -> None:
        doc.last_seen_at = now
        if doc.status != DocumentStatus.PRESENT:
            doc.status, doc.status_changed_at = DocumentStatus.PRESENT, now
        if doc_in.etag or doc_in.last_modified:
            doc.etag, doc.last_modified = doc_in.etag, doc_in.last_modified

    def _reports_for(
        self, s: Session, wanted: list[tuple[DocumentIn, datetime]]
    ) -> list[ReportRow | None]:
        """The report (agency × year) of each new document, None without a year: those
        archived, and new ones (added to the session) for the others."""
        keys: dict[tuple[str, int], tuple[DocumentIn, datetime]] = {}
        of_doc: list[tuple[str, int] | None] = []
        for doc_in, now in wanted:
            key = None
            if doc_in.year is not None:
                key = (self._agency_for(s, doc_in, now), doc_in.year)
                keys.setdefault(key, (doc_in, now))
            of_doc.append(key)
        if not keys:
            return [None] * len(wanted)
        found = {
            (r.agency_id, r.year): r
            for r in s.scalars(
                select(ReportRow).where(
                    ReportRow.agency_id.in_({k[0] for k in keys}),
                    ReportRow.year.in_({k[1] for k in keys}),
                )
            )
        }
        for (agency_id, year), (doc_in, now) in keys.items():
            if (agency_id, year) not in found:
                report = ReportRow(
                    agency_id=agency_id,
                    year=year,
                    title=doc_in.title,
                    published_at=doc_in.published_at,
                    published_source=doc_in.published_source,
                    first_seen_at=now,
                    site_id=doc_in.site_id,
                )
                s.add(report)
                found[(agency_id, year)] = report
        return [found[key] if key is not None else None for key in of_doc]

    def _agency_for(self, s: Session, doc_in: DocumentIn, now: datetime) -> str:
        """The agency a new report belongs to: the one its title names, else the one its
        issuer names, else the site's owner (``storage.agencies``). A name the registry
        does not know becomes an agency marked ``registered: false``."""
        site_id = doc_in.site_id
        owner = self._site_owner.get(site_id)
        if owner is None:
            owner = s.scalar(select(SiteRow.agency_id).where(SiteRow.id == site_id))
            if owner is None:
                raise KeyError(f"unknown site {site_id!r}")
            self._site_owner[site_id] = owner
        title, issuer = doc_in.agency_name, doc_in.issuer_name
        if not plausible_name(title):
            title = None  # 政府, 本机关: no name
        if not looks_like_agency(issuer):
            issuer = None
        if title is None and issuer is None:
            return owner
        index = self._agencies(s)
        if title is not None:
            found = index.match(title, owner=owner, source=NameSource.TITLE)
            if found is not None:
                return found
        if issuer is not None:
            found = index.match(issuer, owner=owner, source=NameSource.ISSUER)
            # the issuer places the report when the title names nothing, or names a
            # shorter form of the same agency (市教育局 signed 宁波市教育局)
            if found is not None and (title is None or index.compatible(title, found)):
                return found
        if title is not None:
            # a relative name (县卫健局) is the one of the owner's region; an absolute
            # issuer's name is fuller than the title's form of it
            name = index.qualify(title, owner) or title
            if issuer is not None and names_compatible(title, issuer) and len(issuer) > len(name):
                name = issuer
        else:
            assert issuer is not None
            name = issuer
        return self._unregistered(s, index, name, title, owner, now)

    def _agencies(self, s: Session) -> AgencyIndex:
        if self._agency_index is None:
            self._agency_index = AgencyIndex.of(
                AgencyEntry(
                    row.id,
                    row.name,
                    tuple(row.aliases or ()),
                    row.parent_id,
                    row.level,
                    row.kind,
                    row.registered,
                )
                for row in s.scalars(select(AgencyRow))
            )
        return self._agency_index

    def _unregistered(
        self,
        s: Session,
        index: AgencyIndex,
        name: str,
        printed: str | None,
        owner: str,
        now: datetime,
    ) -> str:
        """The ``registered: false`` agency of ``name`` (made when new), under its likely
        parent; the name as the title printed it, when different, is its alias."""
        found = index.match(name, owner=owner)
        if found is not None:
            return found
        ident = unregistered_id(name)
        row = s.get(AgencyRow, ident)
        if row is None:
            level, kind = guess_level_kind(name)
            aliases = [printed] if printed and printed != name else []
            row = AgencyRow(
                id=ident,
                name=name,
                aliases=aliases,
                level=level,
                kind=kind,
                parent_id=index.parent_for(name, owner),
                registered=False,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
        index.add(
            AgencyEntry(
                ident, row.name, tuple(row.aliases or ()), row.parent_id, row.level, row.kind, False
            )
        )
        return ident

    def record_listed(
        self, url: str, listing_url: str, run_id: int | None, seen_at: datetime
    ) -> bool:
        """Observe a known document as still linked from a listing page that a crawl
        captured, without fetching the document again (it was verified recently). The
        observation (outcome ``listed``) points at the listing page's capture — by this
        run when it has one — as its evidence. The document's ``last_seen_at`` is left to
        fetches. False when the archive holds no such document."""
        with self._write_lock, self.session() as s:
            doc = s.scalar(select(DocumentRow).where(DocumentRow.url_hash == url_sha256(url)))
            if doc is None:
                return False
            listing = (
                select(CaptureRow.id)
                .where(CaptureRow.url_hash == url_sha256(listing_url))
                .order_by(CaptureRow.id.desc())
                .limit(1)
            )
            capture_id = None
            if run_id is not None:
                # this crawl's capture: the page, or the 304 that said it is unchanged
                capture_id = s.scalar(
                    listing.where(CaptureRow.run_id == run_id, CaptureRow.status.in_((200, 304)))
                )
            if capture_id is None:
                capture_id = s.scalar(listing.where(CaptureRow.status == 200))
            latest = s.scalar(
                select(VersionRow.id)
                .where(VersionRow.document_id == doc.id)
                .order_by(VersionRow.seq.desc())
                .limit(1)
            )
            s.add(
                ObservationRow(
                    document_id=doc.id,
                    version_id=latest,
                    capture_id=capture_id,
                    run_id=run_id,
                    observed_at=seen_at,
                    status=200,
                    outcome=ObservationOutcome.LISTED,
                )
            )
            return True

    def add_extraction(self, version_id: int, extraction: dict[str, Any]) -> bool:
        """Store a (re-)extraction of a version; False if that parser version already has one."""
        with self._write_lock, self.session() as s:
            exists = s.scalar(
                select(ExtractionRow.id).where(
                    ExtractionRow.version_id == version_id,
                    ExtractionRow.parser_version == extraction["parser_version"],
                )
            )
            if exists is not None:
                return False
            s.add(ExtractionRow(version_id=version_id, created_at=utcnow(), **extraction))
            return True
