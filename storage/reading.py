"""Read queries of the reading room (``web/``) and its JSON API.

The web layer never opens a session: every query it needs lives here (or in the query,
audit and ops modules, which read through the archive's sessions too). All are read-only
and bounded — lists are paged, lookups go through indexed columns — so pages stay fast on
an archive of millions of versions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, any_, bindparam, func, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from capture.normalise import url_sha256
from storage.archive import Archive, as_utc, iso
from storage.models import (
    AgencyRow,
    CaptureRow,
    CrawlRunRow,
    DocumentRow,
    ExtractionRow,
    ObservationRow,
    ReportRow,
    SiteRow,
    SiteRunRow,
    VersionRow,
)
from storage.vocab import DocumentStatus, RunOutcome


def _utc(value: datetime | str | None) -> datetime | None:
    """A timestamp read raw (``type_coerce(…, String)``): SQLite gives its stored text,
    parsed here by ``fromisoformat`` — ten times cheaper than SQLAlchemy's per-value
    parsing, which dominated reading tens of thousands of rows; PostgreSQL gives a
    datetime already."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _raw(column: Any) -> Any:
    return type_coerce(column, String)


IN_CHUNK = 900
"""Bound values per IN list (SQLite allows 32766; short lists keep plans simple)."""


def _chunks(values: list[Any], size: int = IN_CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _among(archive: Archive, column: Any, values: list[str]) -> Iterable[ColumnElement[bool]]:
    """``column`` is one of ``values``: on PostgreSQL one condition with the values as
    one array parameter (``= ANY``: one statement, planned once, however many values;
    an IN list of 900 parameters took 15 ms to plan and as long for the driver to
    convert); on SQLite an IN list per chunk of ``IN_CHUNK``."""
    if archive.dialect == "postgresql":
        if values:
            yield column == any_(bindparam(None, values, type_=ARRAY(String)))
        return
    for chunk in _chunks(values):
        yield column.in_(chunk)


# -- what changed -----------------------------------------------------------------------
def data_version(archive: Archive) -> tuple[Any, ...]:
    """A cheap fingerprint of everything a finding or a coverage cell depends on: new
    captures, extractions, crawl runs (started or finished), registry changes. Equal
    fingerprints mean an audit computed under one still holds under the other.

    Every part is the maximum of an indexed column (a few index lookups). Agencies are
    never deleted; a registry import stamps what it adds or changes with the time of the
    import (the latest ``updated_at``), and an agency the registry does not know is
    added by the ingest of a capture (a new capture id), so their number is not needed
    here (counting them reads every one: ``agencies_version``)."""
    return _maxima(
        archive,
        CaptureRow.id,
        ExtractionRow.id,
        ObservationRow.id,
        CrawlRunRow.id,
        CrawlRunRow.finished_at,
        AgencyRow.updated_at,
        SiteRow.updated_at,
    )


def search_version(archive: Archive) -> tuple[Any, ...]:
    """A cheap fingerprint of everything a search result depends on: the versions and
    their index (new versions), extractions (the layout filter), documents' status (new
    observations) and agencies (registry changes; an agency added by the ingest comes
    with new versions). Equal fingerprints mean a result computed under one still holds
    under the other. A few index lookups."""
    return _maxima(
        archive, VersionRow.id, ExtractionRow.id, ObservationRow.id, AgencyRow.updated_at
    )


def _maxima(archive: Archive, *columns: Any) -> tuple[Any, ...]:
    """The maximum of each indexed column, in one statement (one round trip): each a
    scalar subquery that both databases answer from the end of the column's index."""
    with archive.session() as s:
        return tuple(
            s.execute(select(*(select(func.max(c)).scalar_subquery() for c in columns))).one()
        )


def agencies_version(archive: Archive, session: Session | None = None) -> tuple[Any, ...]:
    """(number of agencies, latest change): changes when the registry is imported again
    or a crawl archives a report of an agency the registry does not know."""

    def read(s: Session) -> tuple[Any, ...]:
        # two statements: together, one scan of every agency; apart, SQLite counts the
        # rows from the B-tree's pages and both databases read the maximum off its index
        return (
            s.scalar(select(func.count()).select_from(AgencyRow)),
            s.scalar(select(func.max(AgencyRow.updated_at))),
        )

    if session is not None:
        return read(session)
    with archive.session() as s:
        return read(s)


# -- agencies ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AgencyRecord:
    id: str
    name: str
    aliases: list[str]
    level: str
    kind: str
    parent_id: str | None
    division_code: str | None
    registered: bool

    def record(self) -> dict[str, Any]:
        return {
            "agency_id": self.id,
            "agency_name": self.name,
            "aliases": self.aliases,
            "level": self.level,
            "kind": self.kind,
            "parent_id": self.parent_id,
            "division_code": self.division_code,
            "registered": self.registered,
        }


_AGENCY_COLUMNS = (
    AgencyRow.id,
    AgencyRow.name,
    AgencyRow.aliases,
    AgencyRow.level,
    AgencyRow.kind,
    AgencyRow.parent_id,
    AgencyRow.division_code,
    AgencyRow.registered,
)


def _agency(row: Any) -> AgencyRecord:
    return AgencyRecord(
        row[0], row[1], list(row[2] or []), row[3], row[4], row[5], row[6], bool(row[7])
    )


def all_agencies(archive: Archive) -> list[AgencyRecord]:
    """Every agency (for the region tree of the coverage matrix, cached by the caller)."""
    with archive.session() as s:
        return [_agency(row) for row in s.execute(select(*_AGENCY_COLUMNS))]


def agency(archive: Archive, agency_id: str) -> AgencyRecord | None:
    with archive.session() as s:
        row = s.execute(select(*_AGENCY_COLUMNS).where(AgencyRow.id == agency_id)).first()
        return _agency(row) if row is not None else None


def agency_chain(archive: Archive, agency_id: str) -> list[AgencyRecord]:
    """The agency and those above it, nearest first (parents the registry does not hold
    end the chain)."""
    out: list[AgencyRecord] = []
    seen: set[str] = set()
    current: str | None = agency_id
    with archive.session() as s:
        while current and current not in seen:
            seen.add(current)
            row = s.execute(select(*_AGENCY_COLUMNS).where(AgencyRow.id == current)).first()
            if row is None:
                break
            out.append(_agency(row))
            current = row[5]
    return out


def children(archive: Archive, agency_id: str, limit: int = 500) -> list[AgencyRecord]:
    with archive.session() as s:
        return [
            _agency(row)
            for row in s.execute(
                select(*_AGENCY_COLUMNS)
                .where(AgencyRow.parent_id == agency_id)
                .order_by(AgencyRow.division_code, AgencyRow.id)
                .limit(limit)
            )
        ]


def list_agencies(
    archive: Archive,
    *,
    region: str | None = None,
    level: str | None = None,
    kind: str | None = None,
    registered: bool | None = None,
    name: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[AgencyRecord]]:
    """(total, one page) of agencies by id; ``region`` is a prefix of their own division
    code, ``name`` a part of the name."""
    where: list[ColumnElement[bool]] = []
    if region:
        where.append(AgencyRow.division_code.like(region + "%"))
    if level:
        where.append(AgencyRow.level == level)
    if kind:
        where.append(AgencyRow.kind == kind)
    if registered is not None:
        where.append(AgencyRow.registered == registered)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(AgencyRow.name.like(f"%{escaped}%", escape="\\"))
    with archive.session() as s:
        total = s.scalar(select(func.count()).select_from(AgencyRow).where(*where)) or 0
        rows = s.execute(
            select(*_AGENCY_COLUMNS)
            .where(*where)
            .order_by(AgencyRow.id)
            .limit(limit)
            .offset(offset)
        ).all()
    return total, [_agency(row) for row in rows]


def agency_reports(archive: Archive, agency_id: str) -> list[dict[str, Any]]:
    """Every report of one agency, by year: its documents, versions and state."""
    with archive.session() as s:
        rows = s.execute(
            select(
                ReportRow.id,
                ReportRow.year,
                ReportRow.title,
                ReportRow.published_at,
                ReportRow.first_seen_at,
                ReportRow.site_id,
                func.count(func.distinct(DocumentRow.id)),
                func.count(VersionRow.id),
            )
            .outerjoin(DocumentRow, DocumentRow.report_id == ReportRow.id)
            .outerjoin(VersionRow, VersionRow.document_id == DocumentRow.id)
            .where(ReportRow.agency_id == agency_id)
            .group_by(ReportRow.id)
            .order_by(ReportRow.year)
        ).all()
        vanished = dict(
            s.execute(
                select(ReportRow.id, func.count(DocumentRow.id))
                .join(DocumentRow, DocumentRow.report_id == ReportRow.id)
                .where(
                    ReportRow.agency_id == agency_id, DocumentRow.status == DocumentStatus.VANISHED
                )
                .group_by(ReportRow.id)
            ).all()
        )
    out = []
    for rid, year, title, published, first_seen, site, docs, versions in rows:
        out.append(
            {
                "report_id": rid,
                "year": year,
                "title": title,
                "published_at": published,
                "first_seen_at": iso(first_seen),
                "site_id": site,
                "documents": int(docs or 0),
                "versions": int(versions or 0),
                "status": DocumentStatus.VANISHED
                if docs and vanished.get(rid, 0) == docs
                else DocumentStatus.PRESENT,
            }
        )
    return out


# -- sites ------------------------------------------------------------------------------
def sites_of(archive: Archive, agency_ids: list[str]) -> list[tuple[str, str]]:
    """(site id, agency id) of the given agencies' sites."""
    out: list[tuple[str, str]] = []
    with archive.session() as s:
        for among in _among(archive, SiteRow.agency_id, agency_ids):
            out.extend(
                (row[0], row[1])
                for row in s.execute(
                    select(SiteRow.id, SiteRow.agency_id).where(among).order_by(SiteRow.id)
                )
            )
    return out


def successful_crawls(
    archive: Archive, site_ids: list[str] | None = None
) -> list[tuple[int, str, datetime, datetime]]:
    """(run id, site id, started, finished) of every successful finished crawl of the
    sites (all sites: None), oldest first."""
    query = select(
        SiteRunRow.run_id,
        SiteRunRow.site_id,
        _raw(SiteRunRow.started_at),
        _raw(SiteRunRow.finished_at),
    ).where(SiteRunRow.outcome == RunOutcome.SUCCESS, SiteRunRow.finished_at.is_not(None))
    out: list[tuple[int, str, datetime, datetime]] = []
    with archive.session() as s:
        chunks = [None] if site_ids is None else list(_chunks(sorted(set(site_ids))))
        for chunk in chunks:
            q = query if chunk is None else query.where(SiteRunRow.site_id.in_(chunk))
            for run_id, site_id, started, finished in s.execute(q):
                out.append((run_id, site_id, _utc(started), _utc(finished)))  # type: ignore[arg-type]
    out.sort(key=lambda c: (c[2], c[0], c[1]))
    return out


def crawls_version(archive: Archive) -> tuple[Any, ...]:
    """Changes whenever a site's crawl is added or finishes."""
    with archive.session() as s:
        return tuple(
            s.execute(
                select(func.count(), func.max(SiteRunRow.id), func.max(SiteRunRow.finished_at))
            ).one()
        )


def site_summaries(archive: Archive, site_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Each site with its agency, start URLs and how much of the archive it brought."""
    with archive.session() as s:
        query = (
            select(SiteRow, AgencyRow.name)
            .join(AgencyRow, AgencyRow.id == SiteRow.agency_id)
            .order_by(SiteRow.id)
        )
        if site_ids is not None:
            query = query.where(SiteRow.id.in_(site_ids))
        rows = s.execute(query).all()
        ids = [site.id for site, _ in rows]
        reports: dict[str | None, int] = {}
        for chunk in _chunks(ids):
            reports.update(
                s.execute(
                    select(ReportRow.site_id, func.count())
                    .where(ReportRow.site_id.in_(chunk))
                    .group_by(ReportRow.site_id)
                ).all()
            )
    return [
        {
            "site_id": site.id,
            "agency_id": site.agency_id,
            "agency_name": name,
            "start_urls": list(site.start_urls),
            "hosts": list(site.hosts),
            "render": site.render,
            "registry_schedule": site.schedule,
            "obey_robots": site.obey_robots,
            "reports": int(reports.get(site.id, 0)),
        }
        for site, name in rows
    ]


# -- reports for the coverage matrix ----------------------------------------------------
@dataclass
class ReportTiming:
    """What judging a report's timeliness needs, and no more."""

    id: int
    agency_id: str
    year: int
    title: str | None
    published_at: str | None
    published_source: str | None
    first_seen_at: datetime
    site_id: str | None
    first_version_at: datetime | None
    """When the archive first held any version of any of its documents."""
    first_version_id: int | None = None


def report_timings(archive: Archive, agency_ids: list[str], years: list[int]) -> list[ReportTiming]:
    """The reports of the given agencies in the given years, each with the first time
    the archive held a version of it (kept on the report's row by the ingest: one
    indexed query per chunk of agencies, no join)."""
    out: list[ReportTiming] = []
    if not agency_ids or not years:
        return out
    query = select(
        ReportRow.id,
        ReportRow.agency_id,
        ReportRow.year,
        ReportRow.title,
        ReportRow.published_at,
        ReportRow.published_source,
        _raw(ReportRow.first_seen_at),
        ReportRow.site_id,
        _raw(ReportRow.first_version_at),
        ReportRow.first_version_id,
    )
    with archive.session() as s:
        for among in _among(archive, ReportRow.agency_id, sorted(set(agency_ids))):
            rows = s.execute(query.where(among, ReportRow.year.in_(years))).all()
            for row in rows:
                out.append(
                    ReportTiming(
                        row[0],
                        row[1],
                        row[2],
                        row[3],
                        row[4],
                        row[5],
                        _utc(row[6]),  # type: ignore[arg-type]
                        row[7],
                        _utc(row[8]),
                        row[9],
                    )
                )
    return out


def report_timings_joined(
    archive: Archive, agency_ids: list[str], years: list[int]
) -> list[ReportTiming]:
    """``report_timings`` computed from the versions themselves (a grouped join): what
    the ingest keeps on the reports' rows must equal it (tests, the migration's check)."""
    out: list[ReportTiming] = []
    if not agency_ids or not years:
        return out
    with archive.session() as s:
        for chunk in _chunks(sorted(set(agency_ids))):
            rows = s.execute(
                select(
                    ReportRow.id,
                    ReportRow.agency_id,
                    ReportRow.year,
                    ReportRow.title,
                    ReportRow.published_at,
                    ReportRow.published_source,
                    _raw(ReportRow.first_seen_at),
                    ReportRow.site_id,
                    _raw(func.min(VersionRow.first_seen_at)),
                    func.min(VersionRow.id),
                )
                .outerjoin(DocumentRow, DocumentRow.report_id == ReportRow.id)
                .outerjoin(VersionRow, VersionRow.document_id == DocumentRow.id)
                .where(ReportRow.agency_id.in_(chunk), ReportRow.year.in_(years))
                .group_by(ReportRow.id)
            ).all()
            for row in rows:
                out.append(
                    ReportTiming(
                        row[0],
                        row[1],
                        row[2],
                        row[3],
                        row[4],
                        row[5],
                        _utc(row[6]),  # type: ignore[arg-type]
                        row[7],
                        _utc(row[8]),
                        row[9],
                    )
                )
    return out


def report_years(archive: Archive) -> tuple[int | None, int | None]:
    """The oldest and newest report year archived."""
    with archive.session() as s:
        low, high = s.execute(select(func.min(ReportRow.year), func.max(ReportRow.year))).one()
    return low, high


# -- versions, extractions, captures ----------------------------------------------------
def latest_extractions(archive: Archive, version_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The newest extraction of each version: parser version, layout, metadata, table
    values, checks, sections, needs_ocr, error."""
    out: dict[int, tuple[int, dict[str, Any]]] = {}
    with archive.session() as s:
        for chunk in _chunks(sorted(set(version_ids))):
            for ex in s.scalars(select(ExtractionRow).where(ExtractionRow.version_id.in_(chunk))):
                if ex.version_id in out and out[ex.version_id][0] > ex.id:
                    continue
                out[ex.version_id] = (
                    ex.id,
                    {
                        "parser_version": ex.parser_version,
                        "created_at": iso(ex.created_at),
                        "media_type": ex.media_type,
                        "layout": ex.layout or "none",
                        "title": ex.title,
                        "year": ex.year,
                        "agency_name": ex.agency_name,
                        "published_at": ex.published_at,
                        "meta": dict(ex.meta or {}),
                        "values": dict(ex.values or {}),
                        "checks": list(ex.checks or []),
                        "sections": list(ex.sections or []),
                        "needs_ocr": bool(ex.needs_ocr),
                        "error": ex.error,
                    },
                )
    return {vid: data for vid, (_, data) in out.items()}


@dataclass
class VersionDetail:
    version_id: int
    seq: int
    content_sha256: str
    first_seen_at: str | None
    media_type: str | None
    text: str
    document_id: int
    url: str
    role: str
    document_status: str
    report_id: int
    agency_id: str
    agency_name: str
    year: int
    title: str | None
    capture_id: int
    versions: list[tuple[int, int]] = field(default_factory=list)
    """(version id, seq) of every version of the document, oldest first."""

    def record(self, *, text: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version_id": self.version_id,
            "version": self.seq,
            "content_sha256": self.content_sha256,
            "first_seen_at": self.first_seen_at,
            "media_type": self.media_type,
            "url": self.url,
            "role": self.role,
            "document_status": self.document_status,
            "agency_id": self.agency_id,
            "agency_name": self.agency_name,
            "year": self.year,
            "title": self.title,
            "capture_id": self.capture_id,
            "versions": [{"version_id": v, "version": seq} for v, seq in self.versions],
        }
        if text:
            out["text"] = self.text
        return out


def version_detail(archive: Archive, version_id: int) -> VersionDetail | None:
    with archive.session() as s:
        row = s.execute(
            select(VersionRow, DocumentRow, ReportRow, AgencyRow.name)
            .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
            .join(ReportRow, ReportRow.id == DocumentRow.report_id)
            .join(AgencyRow, AgencyRow.id == ReportRow.agency_id)
            .where(VersionRow.id == version_id)
        ).first()
        if row is None:
            return None
        v, d, r, name = row
        siblings = s.execute(
            select(VersionRow.id, VersionRow.seq)
            .where(VersionRow.document_id == d.id)
            .order_by(VersionRow.seq)
        ).all()
        return VersionDetail(
            v.id,
            v.seq,
            v.content_sha256,
            iso(v.first_seen_at),
            v.media_type,
            v.text or "",
            d.id,
            d.url,
            d.role,
            d.status,
            r.id,
            r.agency_id,
            name,
            r.year,
            r.title,
            v.capture_id,
            [(vid, seq) for vid, seq in siblings],
        )


@dataclass
class CaptureDetail:
    capture_id: int
    url: str
    method: str
    status: int
    captured_at: str | None
    role: str
    media_type: str | None
    headers: dict[str, Any]
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
    document: dict[str, Any] | None = None
    """The report document this URL is (url, media type as sniffed, file name, report)."""

    def record(self) -> dict[str, Any]:
        return {
            "capture_id": self.capture_id,
            "url": self.url,
            "method": self.method,
            "status": self.status,
            "captured_at": self.captured_at,
            "role": self.role,
            "media_type": self.media_type,
            "headers": self.headers,
            "sha256": self.payload_sha256,
            "payload_length": self.payload_length,
            "record_type": self.record_type,
            "warc_record_id": self.warc_record_id,
            "warc_file": self.warc_file,
            "warc_offset": self.warc_offset,
            "warc_length": self.warc_length,
            "refers_to": self.refers_to_id,
            "site_id": self.site_id,
            "run_id": self.run_id,
            "document": self.document,
        }


def capture_detail(archive: Archive, capture_id: int) -> CaptureDetail | None:
    with archive.session() as s:
        cap = s.get(CaptureRow, capture_id)
        if cap is None:
            return None
        detail = CaptureDetail(
            cap.id,
            cap.url,
            cap.method,
            cap.status,
            iso(cap.captured_at),
            cap.role,
            cap.media_type,
            dict(cap.headers or {}),
            cap.payload_sha256,
            cap.payload_length,
            cap.record_type,
            cap.warc_record_id,
            cap.warc_file,
            cap.warc_offset,
            cap.warc_length,
            cap.refers_to_id,
            cap.site_id,
            cap.run_id,
        )
        row = s.execute(
            select(DocumentRow, ReportRow.agency_id, ReportRow.year, ReportRow.title)
            .join(ReportRow, ReportRow.id == DocumentRow.report_id)
            .where(DocumentRow.url_hash == cap.url_hash)
        ).first()
        if row is not None:
            doc, agency_id, year, title = row
            detail.document = {
                "url": doc.url,
                "media_type": doc.media_type,
                "filename": doc.filename,
                "status": doc.status,
                "agency_id": agency_id,
                "year": year,
                "title": title,
            }
    return detail


def captures_of_url(archive: Archive, url: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Every capture of exactly this URL, with where its record (and, for a revisit, the
    original record holding its payload) lies: what a CDX index line carries."""
    with archive.session() as s:
        caps = list(
            s.scalars(
                select(CaptureRow)
                .where(CaptureRow.url_hash == url_sha256(url))
                .order_by(CaptureRow.captured_at, CaptureRow.id)
                .limit(limit)
            )
        )
        refers = {c.refers_to_id for c in caps if c.refers_to_id is not None}
        originals = {
            c.id: c for c in s.scalars(select(CaptureRow).where(CaptureRow.id.in_(refers)))
        }
    out = []
    for c in caps:
        if c.url != url:
            continue
        entry: dict[str, Any] = {
            "capture_id": c.id,
            "url": c.url,
            "captured_at": as_utc(c.captured_at),
            "status": c.status,
            "media_type": c.media_type,
            "sha256": c.payload_sha256,
            "record_type": c.record_type,
            "warc_file": c.warc_file,
            "warc_offset": c.warc_offset,
            "warc_length": c.warc_length,
            "original": None,
        }
        original = originals.get(c.refers_to_id) if c.refers_to_id is not None else None
        if original is not None:
            entry["original"] = {
                "warc_file": original.warc_file,
                "warc_offset": original.warc_offset,
                "warc_length": original.warc_length,
                "media_type": original.media_type,
            }
        out.append(entry)
    return out


def first_report_capture(archive: Archive, agency_id: str, year: int) -> int | None:
    """The id of the capture of the report's main page (or its first document)."""
    with archive.session() as s:
        return s.scalar(
            select(DocumentRow.last_capture_id)
            .join(ReportRow, ReportRow.id == DocumentRow.report_id)
            .where(ReportRow.agency_id == agency_id, ReportRow.year == year)
            .order_by(DocumentRow.id)
            .limit(1)
        )


def capture_ids_of_versions(archive: Archive, version_ids: list[int]) -> dict[int, int]:
    with archive.session() as s:
        return {
            vid: cid
            for chunk in _chunks(version_ids)
            for vid, cid in s.execute(
                select(VersionRow.id, VersionRow.capture_id).where(VersionRow.id.in_(chunk))
            )
        }


def report_exists(archive: Archive, agency_id: str, year: int) -> bool:
    with archive.session() as s:
        return (
            s.scalar(
                select(ReportRow.id).where(ReportRow.agency_id == agency_id, ReportRow.year == year)
            )
            is not None
        )


# -- evidence links for findings --------------------------------------------------------
def capture_ids_by_evidence(
    archive: Archive, evidence: list[tuple[str, str | None]]
) -> dict[tuple[str, str | None], int]:
    """The capture id of each (url, sha256) cited as evidence (the latest capture of
    that URL with that payload; any capture of the URL when no hash is cited)."""
    wanted: dict[str, set[str | None]] = defaultdict(set)
    for url, sha in evidence:
        if url:
            wanted[url_sha256(url)].add(sha)
    out: dict[tuple[str, str | None], int] = {}
    hashes = list(wanted)
    with archive.session() as s:
        for chunk in _chunks(hashes):
            for cid, url, sha in s.execute(
                select(CaptureRow.id, CaptureRow.url, CaptureRow.payload_sha256)
                .where(CaptureRow.url_hash.in_(chunk))
                .order_by(CaptureRow.id)
            ):
                out[(url, sha)] = cid
                out[(url, None)] = cid
    return out


def runs_page(
    archive: Archive, *, limit: int = 50, offset: int = 0, outcome: str | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """(total, one page) of crawl runs, newest first, each with its sites' figures."""
    where = [CrawlRunRow.outcome == outcome] if outcome else []
    with archive.session() as s:
        total = s.scalar(select(func.count()).select_from(CrawlRunRow).where(*where)) or 0
        runs = list(
            s.scalars(
                select(CrawlRunRow)
                .where(*where)
                .order_by(CrawlRunRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        by_run: dict[int, list[SiteRunRow]] = defaultdict(list)
        ids = [run.id for run in runs]
        if ids:
            for row in s.scalars(
                select(SiteRunRow).where(SiteRunRow.run_id.in_(ids)).order_by(SiteRunRow.site_id)
            ):
                by_run[row.run_id].append(row)
    return total, [
        {
            "run_id": run.id,
            "started_at": iso(run.started_at),
            "finished_at": iso(run.finished_at),
            "outcome": run.outcome,
            "trigger": run.trigger,
            "host": run.host,
            "stats": dict(run.stats or {}),
            "sites": [
                {
                    "site_id": r.site_id,
                    "outcome": r.outcome,
                    "requests": r.requests,
                    "pages": r.pages,
                    "bytes": r.bytes,
                    "reports_found": r.reports_found,
                    "new_versions": r.new_versions,
                    "errors": dict(r.errors or {}),
                    "blocked": r.blocked,
                }
                for r in by_run.get(run.id, [])
            ],
        }
        for run in runs
    ]
