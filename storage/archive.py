"""The Archive: the one Python API over the archive's SQL records and WARC files.

The command line, the crawler's pipeline and any web layer call this; no other module
writes SQL. Nothing archived is ever deleted or overwritten: captures, versions,
observations and extractions are only added; documents and reports carry derived state
(``status``, ``last_seen_at``) that observations update.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.util.exc import CommandError as AlembicError
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from capture.liveness import ProcessId
from capture.normalise import url_sha256
from capture.reader import IndexedRecord, read_payload
from query.search_index import index_term_rows
from query.tokenize import index_terms
from registry.model import Agency, Registry, Site
from registry.names import clean_name, clean_text
from storage import db
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
    SiteRunRow,
    VersionRow,
)
from storage.vocab import DocumentStatus, ObservationOutcome, RunOutcome

INGEST_ATTEMPTS = 5
LOOKUP_CHUNK = 500


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """``2021-02-15T03:00:12Z`` (UTC, whole seconds); naive values are UTC already."""
    if value is None:
        return None
    if value.tzinfo is not None and value.tzinfo is not UTC and value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat is several times cheaper than strftime (the audit formats ~10⁶ of them)
    return value.isoformat(timespec="seconds")[:19] + "Z"


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True)
class Validators:
    url: str
    role: str
    status: str
    etag: str | None
    last_modified: str | None
    last_checked_at: datetime | None
    payload_sha256: str | None


@dataclass(frozen=True)
class CapturedPage:
    """A navigation or listing page's last full capture: when, as what, and the
    validators it was sent with, for a later crawl to ask for the page conditionally (or
    to read a navigation page it captured recently from the archive)."""

    capture_id: int
    role: str
    captured_at: datetime
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class KnownDocument:
    url: str
    role: str
    title: str | None
    year: int
    agency_name: str
    last_seen_at: datetime
    status: str
    parent_url: str | None


@dataclass(frozen=True)
class PriorCapture:
    id: int
    url: str
    captured_at: datetime
    record_id: str


@dataclass
class Lookup:
    prior: PriorCapture | None = None
    """The first full capture with the same payload."""
    document_id: int | None = None
    last_payload: str | None = None
    last_full: PriorCapture | None = None
    """The full (response) record holding the document's last capture's payload."""
    content_sha256: str | None = None
    """The document's latest version's content hash."""


@dataclass
class CaptureIn:
    """A capture already written to WARC, to be indexed."""

    url: str
    method: str
    status: int
    captured_at: datetime
    role: str
    media_type: str | None
    headers: dict[str, str]
    payload_sha256: str
    payload_length: int
    record_type: str
    warc_record_id: str
    warc_file: str
    warc_offset: int
    warc_length: int
    refers_to_id: int | None
    site_id: str | None
    run_id: int | None


@dataclass
class DocumentIn:
    """What is known of the document a capture belongs to."""

    url: str
    role: str
    site_id: str
    year: int | None
    agency_name: str | None
    title: str | None
    parent_url: str | None
    filename: str | None
    media_type: str | None
    published_at: str | None = None
    published_source: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    issuer_name: str | None = None
    """The document's own issuer (its 落款 signature, first line or ``ContentSource``):
    decides the agency when the title names none the archive can place."""

    def cleaned(self) -> DocumentIn:
        """Text taken from crawled pages made safe to keep and export: no markup,
        entities, control or invisible characters; names that are not names dropped."""
        return replace(
            self,
            title=clean_text(self.title),
            agency_name=clean_name(self.agency_name),
            issuer_name=clean_name(self.issuer_name),
            filename=clean_text(self.filename, max_length=255),
        )


@dataclass
class VersionIn:
    content_sha256: str
    text: str
    media_type: str | None
    extraction: dict[str, Any] | None = None
    """Columns of ``ExtractionRow`` (parser_version, layout, values, checks, …)."""
    terms: list[str] | None = None
    """The text's search index terms, when already computed (by an extraction worker)."""


@dataclass
class IngestResult:
    capture_id: int
    report_id: int | None = None
    document_id: int | None = None
    version_id: int | None = None
    new_version: bool = False
    problem: str | None = None


@dataclass
class RunStats:
    pages: int = 0
    requests: int = 0
    bytes: int = 0
    reports_found: int = 0
    new_versions: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    blocked: bool = False
    outcome: str = RunOutcome.SUCCESS


class Archive:
    """Open an archive: ``Archive()`` uses ``NIANBAO_DB`` or SQLite under ``./data/``."""

    def __init__(
        self,
        db_url: str | None = None,
        data_dir: str | Path | None = None,
        *,
        upgrade: bool = True,
        create_dirs: bool = True,
    ) -> None:
        """``create_dirs=False``: a SQLite file in a folder that does not exist is refused
        rather than the folders made (the command line, for a URL typed by hand); the
        default database under the data directory always gets its folder."""
        self.data_dir = db.data_dir(data_dir)
        self.url = db.database_url(db_url, data=self.data_dir)
        default = not (db_url or os.environ.get("NIANBAO_DB"))
        self.engine = db.create(self.url, make_dirs=create_dirs or default)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()
        self._agency_index: AgencyIndex | None = None
        self._site_owner: dict[str, str] = {}
        self._sequences: dict[str, str | None] = {}
        try:
            if upgrade:
                db.upgrade(self.url)
            else:
                with self.engine.connect():
                    pass
        except OperationalError as exc:
            self.engine.dispose()
            raise db.DatabaseError(
                f"cannot open the archive database {self.safe_url}: {_first_line(exc)}"
            ) from exc
        except AlembicError as exc:
            self.engine.dispose()
            raise db.DatabaseError(
                f"cannot bring the schema of {self.safe_url} up to date: {exc}"
            ) from exc

    @property
    def safe_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                self._agency_index = None  # it may hold an agency the rollback undid
                raise

    # -- registry ---------------------------------------------------------------------
    def import_registry(self, registry: Registry) -> ImportSummary:
        """Load agencies and sites; importing the same registry twice changes nothing."""
        summary = ImportSummary()
        now = utcnow()
        self._agency_index, self._site_owner = None, {}
        with self._write_lock, self.session() as s:
            # Parents first, so that foreign keys hold whatever the file's order.
            for agency in _parents_first(registry.agencies):
                values = {
                    "name": agency.name,
                    "aliases": list(agency.aliases),
                    "division_code": agency.division_code,
                    "level": agency.level,
                    "kind": agency.kind,
                    "parent_id": agency.parent_id,
                    "registered": True,
                }
                self._upsert(s, AgencyRow, agency.id, values, now, summary)
            s.flush()
            for site in registry.sites:
                values = {
                    "agency_id": site.agency_id,
                    "start_urls": list(site.start_urls),
                    "hosts": list(site.hosts),
                    "render": site.render,
                    "schedule": site.schedule,
                    "obey_robots": site.obey_robots,
                    "allow_private": site.allow_private,
                }
                self._upsert(s, SiteRow, site.id, values, now, summary)
        return summary

    @staticmethod
    def _upsert(
        s: Session,
        model: Any,
        ident: str,
        values: dict[str, Any],
        now: datetime,
        summary: ImportSummary,
    ) -> None:
        row = s.get(model, ident)
        if row is None:
            s.add(model(id=ident, created_at=now, updated_at=now, **values))
            summary.added += 1
            return
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            summary.unchanged += 1
            return
        for key, value in changed.items():
            setattr(row, key, value)
        row.updated_at = now
        summary.updated += 1

    def agencies(self, *, registered: bool | None = None) -> list[Agency]:
        with self.session() as s:
            query = select(AgencyRow).order_by(AgencyRow.id)
            if registered is not None:
                query = query.where(AgencyRow.registered == registered)
            return [_agency(row) for row in s.scalars(query)]

    def sites(self, ids: list[str] | None = None) -> list[Site]:
        with self.session() as s:
            query = select(SiteRow).order_by(SiteRow.id)
            if ids:
                query = query.where(SiteRow.id.in_(ids))
            rows = list(s.scalars(query))
        if ids:
            missing = sorted(set(ids) - {row.id for row in rows})
            if missing:
                raise KeyError(f"unknown site(s): {', '.join(missing)}")
        return [_site(row) for row in rows]

    # -- runs and failures ------------------------------------------------------------
    def begin_run(
        self, site_ids: list[str], *, trigger: str = "manual", process: str | None = None
    ) -> int:
        """Record a run as ``running``. ``process`` (``host:pid:start``, default this
        process) is the one that will end it: if it dies first, the run is ``crashed``."""
        now = utcnow()
        with self._write_lock, self.session() as s:
            run = CrawlRunRow(
                started_at=now,
                trigger=trigger,
                host=socket.gethostname(),
                stats={},
                process=process or str(ProcessId.current()),
                heartbeat_at=now,
            )
            s.add(run)
            s.flush()
            for site_id in site_ids:
                s.add(SiteRunRow(run_id=run.id, site_id=site_id, started_at=now, errors={}))
            return run.id

    def heartbeat_run(self, run_id: int) -> None:
        """The run's process is alive and the run goes on."""
        with self.session() as s:
            s.execute(
                update(CrawlRunRow)
                .where(CrawlRunRow.id == run_id, CrawlRunRow.finished_at.is_(None))
                .values(heartbeat_at=utcnow())
            )

    def unfinished_runs(self) -> list[tuple[int, str | None, datetime | None, datetime]]:
        """(run id, process, last heartbeat, start) of every run not ended."""
        with self.session() as s:
            rows = s.execute(
                select(
                    CrawlRunRow.id,
                    CrawlRunRow.process,
                    CrawlRunRow.heartbeat_at,
                    CrawlRunRow.started_at,
                ).where(CrawlRunRow.finished_at.is_(None))
            ).all()
        return [(r[0], r[1], as_utc(r[2]), as_utc(r[3]) or utcnow()) for r in rows]

    def mark_crashed(self, run_ids: list[int], outcome: str = RunOutcome.CRASHED) -> None:
        """End runs whose process died without ending them: the run and its sites get
        ``outcome`` and end at their last heartbeat (when the process was last alive)."""
        if not run_ids:
            return
        with self._write_lock, self.session() as s:
            for run in s.scalars(
                select(CrawlRunRow).where(
                    CrawlRunRow.id.in_(run_ids), CrawlRunRow.finished_at.is_(None)
                )
            ):
                run.finished_at = run.heartbeat_at or run.started_at
                run.outcome = outcome
                for row in s.scalars(select(SiteRunRow).where(SiteRunRow.run_id == run.id)):
                    if row.finished_at is None:
                        row.finished_at = run.finished_at
                        row.outcome = outcome

    def end_run(
        self, run_id: int, *, outcome: str, site_stats: dict[str, dict[str, Any] | RunStats]
    ) -> None:
        now = utcnow()
        with self._write_lock, self.session() as s:
            run = s.get(CrawlRunRow, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            run.finished_at = now
            run.outcome = outcome
            totals: dict[str, int] = {}
            for site_id, stats in site_stats.items():
                data = stats.__dict__ if isinstance(stats, RunStats) else dict(stats)
                row = s.scalar(
                    select(SiteRunRow).where(
                        SiteRunRow.run_id == run_id, SiteRunRow.site_id == site_id
                    )
                )
                if row is None:
                    row = SiteRunRow(run_id=run_id, site_id=site_id, started_at=run.started_at)
                    s.add(row)
                row.finished_at = now
                for key in ("requests", "pages", "bytes", "reports_found", "new_versions"):
                    row_value = int(data.get(key, 0) or 0)
                    setattr(row, key, row_value)
                    totals[key] = totals.get(key, 0) + row_value
                row.errors = dict(data.get("errors") or {})
                row.blocked = bool(data.get("blocked", False))
                row.explored = data.get("explored") or None
                row.outcome = str(
                    data.get("outcome")
                    or (RunOutcome.BLOCKED if row.blocked else RunOutcome.SUCCESS)
                )
            # sites without figures (a run that failed before it could count) end with it
            for row in s.scalars(
                select(SiteRunRow).where(
                    SiteRunRow.run_id == run_id, SiteRunRow.finished_at.is_(None)
                )
            ):
                row.finished_at = now
                row.outcome = outcome
            run.stats = totals

    def record_failure(
        self,
        run_id: int | None,
        site_id: str | None,
        url: str,
        kind: str,
        detail: str,
        status: int | None = None,
    ) -> None:
        """Keep a failure of one URL of one site. Kinds: ``http_status``, ``timeout``,
        ``dns``, ``connection``, ``blocked`` (WAF), ``robots``, ``offsite``,
        ``private_address``, ``budget``, ``extraction`` (a document archived but not
        read), ``capture`` (a response that could not be archived)."""
        with self._write_lock, self.session() as s:
            s.add(
                FailureRow(
                    run_id=run_id,
                    site_id=site_id,
                    url=url,
                    kind=kind,
                    status=status,
                    detail=detail[:2000],
                    occurred_at=utcnow(),
                )
            )

    def failures(
        self, run_id: int | None = None, site_id: str | None = None
    ) -> list[dict[str, Any]]:
        with self.session() as s:
            query = select(FailureRow).order_by(FailureRow.id)
            if run_id is not None:
                query = query.where(FailureRow.run_id == run_id)
            if site_id is not None:
                query = query.where(FailureRow.site_id == site_id)
            return [
                {
                    "run_id": f.run_id,
                    "site_id": f.site_id,
                    "url": f.url,
                    "kind": f.kind,
                    "status": f.status,
                    "detail": f.detail,
                    "occurred_at": iso(f.occurred_at),
                }
                for f in s.scalars(query)
            ]

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.session() as s:
            runs = list(s.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(limit)))
            out = []
            for run in runs:
                sites = list(
                    s.scalars(
                        select(SiteRunRow)
                        .where(SiteRunRow.run_id == run.id)
                        .order_by(SiteRunRow.site_id)
                    )
                )
                out.append(
                    {
                        "run_id": run.id,
                        "started_at": iso(run.started_at),
                        "finished_at": iso(run.finished_at),
                        "outcome": run.outcome,
                        "trigger": run.trigger,
                        "host": run.host,
                        "stats": run.stats,
                        "sites": [
                            {
                                "site_id": r.site_id,
                                "outcome": r.outcome,
                                "requests": r.requests,
                                "pages": r.pages,
                                "bytes": r.bytes,
                                "reports_found": r.reports_found,
                                "new_versions": r.new_versions,
                                "errors": r.errors,
                                "blocked": r.blocked,
                            }
                            for r in sites
                        ],
                    }
                )
            return out

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
        with self.session() as s:
            rows = s.execute(
                select(DocumentRow, ReportRow, AgencyRow)
                .join(ReportRow, DocumentRow.report_id == ReportRow.id)
                .join(AgencyRow, ReportRow.agency_id == AgencyRow.id)
                .where(ReportRow.site_id == site_id)
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
        # 3. what hangs on the new versions: observations, extractions, the search index
        for observation, new in observations:
            if new is not None:
                observation.version_id = new.id
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


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return (
        str(orig or exc).strip().splitlines()[0] if str(orig or exc).strip() else type(exc).__name__
    )


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


def _agency(row: AgencyRow) -> Agency:
    return Agency(
        id=row.id,
        name=row.name,
        level=row.level,
        kind=row.kind,
        aliases=list(row.aliases or []),
        division_code=row.division_code,
        parent_id=row.parent_id,
        registered=row.registered,
    )


def _site(row: SiteRow) -> Site:
    return Site(
        id=row.id,
        agency_id=row.agency_id,
        start_urls=list(row.start_urls),
        hosts=list(row.hosts),
        render=row.render,
        schedule=row.schedule,
        obey_robots=row.obey_robots,
        allow_private=row.allow_private,
    )


def _parents_first(agencies: list[Agency]) -> list[Agency]:
    by_id = {a.id: a for a in agencies}
    ordered: list[Agency] = []
    placed: set[str] = set()

    def place(agency: Agency, depth: int = 0) -> None:
        if agency.id in placed or depth > len(agencies):
            return
        if agency.parent_id and agency.parent_id in by_id:
            place(by_id[agency.parent_id], depth + 1)
        placed.add(agency.id)
        ordered.append(agency)

    for agency in agencies:
        place(agency)
    return ordered
