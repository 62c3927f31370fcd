"""What the audit (``audit.findings``, ``audit.matrix``) reads from the archive, loaded in
a few bulk queries per run.

An audit over 100,000 agencies × 5 years cannot ask the database per agency; this module
reads agencies, sites, successful crawls, reports, documents, versions and their latest
extractions for the years in question at once, into plain objects. A run reads through
one :class:`AuditReads` (`audit_reads`): every read of the run in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.archive import Archive, as_utc, iso
from storage.models import (
    AgencyRow,
    CaptureRow,
    DocumentRow,
    ExtractionRow,
    ObservationRow,
    ReportRow,
    SiteRow,
    SiteRunRow,
    VersionRow,
)
from storage.texts import version_texts
from storage.vocab import DocumentStatus, ObservationOutcome, RunOutcome


@dataclass
class Agency:
    id: str
    name: str
    aliases: list[str]
    level: str
    kind: str
    parent_id: str | None
    division_code: str | None
    registered: bool


@dataclass(frozen=True)
class Crawl:
    run_id: int
    site_id: str
    started_at: datetime
    finished_at: datetime


@dataclass
class Version:
    id: int
    seq: int
    first_seen_at: datetime
    content_sha256: str
    length: int
    """Bytes of the capture that brought this version (which document is the report's
    main one, among documents with as many table values)."""
    capture: dict[str, Any]
    """url, captured_at (as stored), sha256 (raw payload) of the capture that brought
    this version; :meth:`evidence` gives it for a finding."""
    extraction: dict[str, Any] | None = None
    """The latest extraction: layout, values, checks, sections, needs_ocr."""

    def evidence(self, **extra: Any) -> dict[str, Any]:
        """The capture as checkable evidence: url, captured_at (ISO, UTC), sha256."""
        return {**self.capture, "captured_at": iso(self.capture["captured_at"]), **extra}


@dataclass
class Document:
    id: int
    url: str
    role: str
    status: str
    status_changed_at: datetime | None
    first_seen_at: datetime
    versions: list[Version] = field(default_factory=list)
    gone: dict[str, Any] | None = None
    """The capture of the last 404/410 answer (for vanished documents)."""

    @property
    def latest(self) -> Version | None:
        return self.versions[-1] if self.versions else None


@dataclass
class Report:
    id: int
    agency_id: str
    year: int
    title: str | None
    published_at: str | None
    published_source: str | None
    first_seen_at: datetime
    site_id: str | None
    documents: list[Document] = field(default_factory=list)

    @property
    def vanished(self) -> bool:
        return bool(self.documents) and all(
            d.status == DocumentStatus.VANISHED for d in self.documents
        )

    # first_capture and main are read many times per report by the audit, and a report's
    # documents and versions do not change once loaded: computed once.
    @cached_property
    def first_capture(self) -> Version | None:
        firsts = [d.versions[0] for d in self.documents if d.versions]
        return min(firsts, key=lambda v: (v.first_seen_at, v.id), default=None)

    @cached_property
    def main(self) -> Version | None:
        """The latest version that carries the report: most table values, then most text."""
        latest = [d.latest for d in self.documents if d.latest is not None]

        def weight(v: Version) -> tuple[int, int, int]:
            values = len((v.extraction or {}).get("values") or {})
            return values, v.length, v.id

        return max(latest, key=weight, default=None)


@dataclass
class AuditData:
    agencies: dict[str, Agency]
    sites_of: dict[str, list[str]]
    crawls_of_site: dict[str, list[Crawl]]
    reports: dict[tuple[str, int], Report]


def load(session: Session, years: list[int], scope: set[str] | None = None) -> AuditData:
    """Everything the audit of ``years`` needs (and the year before each, for comparisons).

    ``scope``: only these agencies (an agency and those above it, for one report's audit),
    their sites, those sites' crawls and their reports; None: the whole archive."""
    span = sorted(set(years) | {y - 1 for y in years})
    only = sorted(scope) if scope is not None else None
    agencies = {
        row[0]: Agency(
            row[0], row[1], list(row[2] or []), row[3], row[4], row[5], row[6], bool(row[7])
        )
        for row in session.execute(
            select(
                AgencyRow.id,
                AgencyRow.name,
                AgencyRow.aliases,
                AgencyRow.level,
                AgencyRow.kind,
                AgencyRow.parent_id,
                AgencyRow.division_code,
                AgencyRow.registered,
            ).where(*([AgencyRow.id.in_(only)] if only is not None else []))
        )
    }
    sites_of: dict[str, list[str]] = defaultdict(list)
    for site_id, agency_id in session.execute(
        select(SiteRow.id, SiteRow.agency_id)
        .where(*([SiteRow.agency_id.in_(only)] if only is not None else []))
        .order_by(SiteRow.id)
    ):
        sites_of[agency_id].append(site_id)
    in_scope = [site for sites in sites_of.values() for site in sites]
    crawls: dict[str, list[Crawl]] = defaultdict(list)
    for run_id, site_id, started, finished in session.execute(
        select(SiteRunRow.run_id, SiteRunRow.site_id, SiteRunRow.started_at, SiteRunRow.finished_at)
        .where(SiteRunRow.outcome == RunOutcome.SUCCESS, SiteRunRow.finished_at.is_not(None))
        .where(*([SiteRunRow.site_id.in_(in_scope)] if only is not None else []))
        .order_by(SiteRunRow.started_at)
    ):
        crawls[site_id].append(Crawl(run_id, site_id, as_utc(started), as_utc(finished)))  # type: ignore[arg-type]

    report_filter = [ReportRow.year.in_(span)]
    if only is not None:
        report_filter.append(ReportRow.agency_id.in_(only))
    reports: dict[tuple[str, int], Report] = {}
    by_id: dict[int, Report] = {}
    for row in session.execute(
        select(
            ReportRow.id,
            ReportRow.agency_id,
            ReportRow.year,
            ReportRow.title,
            ReportRow.published_at,
            ReportRow.published_source,
            ReportRow.first_seen_at,
            ReportRow.site_id,
        ).where(*report_filter)
    ):
        rep = Report(row[0], row[1], row[2], row[3], row[4], row[5], as_utc(row[6]), row[7])
        reports[(rep.agency_id, rep.year)] = rep
        by_id[rep.id] = rep

    docs: dict[int, Document] = {}
    for drow in session.execute(
        select(
            DocumentRow.id,
            DocumentRow.report_id,
            DocumentRow.url,
            DocumentRow.role,
            DocumentRow.status,
            DocumentRow.status_changed_at,
            DocumentRow.first_seen_at,
        )
        .join(ReportRow, ReportRow.id == DocumentRow.report_id)
        .where(*report_filter)
        .order_by(DocumentRow.id)
    ):
        doc = Document(drow[0], drow[2], drow[3], drow[4], as_utc(drow[5]), as_utc(drow[6]))
        docs[doc.id] = doc
        by_id[drow[1]].documents.append(doc)

    versions: dict[int, Version] = {}
    for vrow in session.execute(
        select(
            VersionRow.id,
            VersionRow.document_id,
            VersionRow.seq,
            VersionRow.first_seen_at,
            VersionRow.content_sha256,
            func.length(VersionRow.text),
            CaptureRow.url,
            CaptureRow.captured_at,
            CaptureRow.payload_sha256,
        )
        .join(CaptureRow, CaptureRow.id == VersionRow.capture_id)
        .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
        .join(ReportRow, ReportRow.id == DocumentRow.report_id)
        .where(*report_filter)
        .order_by(VersionRow.document_id, VersionRow.seq)
    ):
        capture = {"url": vrow[6], "captured_at": vrow[7], "sha256": vrow[8]}
        version = Version(vrow[0], vrow[2], as_utc(vrow[3]), vrow[4], int(vrow[5] or 0), capture)
        versions[version.id] = version
        docs[vrow[1]].versions.append(version)

    latest_ids = {d.latest.id for d in docs.values() if d.latest is not None}
    newest = (
        select(func.max(ExtractionRow.id))
        .join(VersionRow, VersionRow.id == ExtractionRow.version_id)
        .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
        .join(ReportRow, ReportRow.id == DocumentRow.report_id)
        .where(*report_filter)
        .group_by(ExtractionRow.version_id)
    )
    for vid, layout, values, checks, sections, needs_ocr in session.execute(
        select(
            ExtractionRow.version_id,
            ExtractionRow.layout,
            ExtractionRow.values,
            ExtractionRow.checks,
            ExtractionRow.sections,
            ExtractionRow.needs_ocr,
        ).where(ExtractionRow.id.in_(newest))
    ):
        if vid in latest_ids:
            versions[vid].extraction = {
                "layout": layout,
                "values": values or {},
                "checks": checks or [],
                "sections": sections or [],
                "needs_ocr": bool(needs_ocr),
            }

    for doc_id, status, url, captured_at, sha in session.execute(
        select(
            ObservationRow.document_id,
            ObservationRow.status,
            CaptureRow.url,
            CaptureRow.captured_at,
            CaptureRow.payload_sha256,
        )
        .join(CaptureRow, CaptureRow.id == ObservationRow.capture_id)
        .join(DocumentRow, DocumentRow.id == ObservationRow.document_id)
        .join(ReportRow, ReportRow.id == DocumentRow.report_id)
        .where(
            *report_filter,
            ObservationRow.outcome == ObservationOutcome.GONE,
            DocumentRow.status == DocumentStatus.VANISHED,
        )
        .order_by(ObservationRow.observed_at)
    ):
        docs[doc_id].gone = {
            "url": url,
            "captured_at": iso(captured_at),
            "sha256": sha,
            "status": status,
        }
    return AuditData(agencies, dict(sites_of), dict(crawls), reports)


def listing_captures(
    session: Session, crawls: set[tuple[int, str]]
) -> dict[tuple[int, str], dict[str, Any]]:
    """For (run, site) pairs: the first listing page each crawl fetched successfully, or
    was told by a 304 is unchanged (then the hash is that of the copy the 304 confirmed:
    the last full capture of the page before it)."""
    if not crawls:
        return {}
    run_ids = sorted({run for run, _ in crawls})
    firsts = (
        select(func.min(CaptureRow.id))
        .where(
            CaptureRow.run_id.in_(run_ids),
            CaptureRow.role == "listing",
            CaptureRow.status.in_((200, 304)),
        )
        .group_by(CaptureRow.run_id, CaptureRow.site_id)
    )
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for capture_id, run_id, site_id, url, url_hash, captured_at, status, sha in session.execute(
        select(
            CaptureRow.id,
            CaptureRow.run_id,
            CaptureRow.site_id,
            CaptureRow.url,
            CaptureRow.url_hash,
            CaptureRow.captured_at,
            CaptureRow.status,
            CaptureRow.payload_sha256,
        ).where(CaptureRow.id.in_(firsts))
    ):
        if run_id is None or site_id is None or (run_id, site_id) not in crawls:
            continue
        entry: dict[str, Any] = {"url": url, "captured_at": iso(captured_at), "sha256": sha}
        if status == 304:
            entry["not_modified"] = True
            entry["sha256"] = session.scalar(
                select(CaptureRow.payload_sha256)
                .where(
                    CaptureRow.url_hash == url_hash,
                    CaptureRow.status == 200,
                    CaptureRow.id < capture_id,
                )
                .order_by(CaptureRow.id.desc())
                .limit(1)
            )
        out[(run_id, site_id)] = entry
    return out


def values(
    session: Session, version_ids: list[int], batch: int = 2000
) -> dict[int, dict[str, Any]]:
    """The table values of the latest extraction of each version."""
    out: dict[int, tuple[int, dict[str, Any]]] = {}
    for i in range(0, len(version_ids), batch):
        chunk = version_ids[i : i + batch]
        for ext_id, vid, vals in session.execute(
            select(ExtractionRow.id, ExtractionRow.version_id, ExtractionRow.values).where(
                ExtractionRow.version_id.in_(chunk)
            )
        ):
            if vid not in out or out[vid][0] < ext_id:
                out[vid] = (ext_id, dict(vals or {}))
    return {vid: vals for vid, (_, vals) in out.items()}


class AuditReads:
    """The reads of one audit run, on one session (one transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def load(self, years: list[int], scope: set[str] | None = None) -> AuditData:
        """See :func:`load`."""
        return load(self._session, years, scope)

    def listing_captures(
        self, crawls: set[tuple[int, str]]
    ) -> dict[tuple[int, str], dict[str, Any]]:
        """See :func:`listing_captures`."""
        return listing_captures(self._session, crawls)

    def values(self, version_ids: list[int]) -> dict[int, dict[str, Any]]:
        """See :func:`values`."""
        return values(self._session, version_ids)

    def texts(self, version_ids: list[int]) -> dict[int, str]:
        """{version id: text} of the given versions (``storage.texts.version_texts``)."""
        return version_texts(self._session, version_ids)


@contextmanager
def audit_reads(archive: Archive) -> Iterator[AuditReads]:
    """The reads of one audit run, in one transaction."""
    with archive.session() as s:
        yield AuditReads(s)


def oldest_report_year(archive: Archive) -> int | None:
    """The year of the oldest report held; None when none is."""
    with archive.session() as s:
        return s.scalar(select(func.min(ReportRow.year)))
