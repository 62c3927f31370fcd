"""SQLAlchemy 2 typed models of the archive.

The schema is created only by Alembic migrations (``migrations/``); ``alembic check``
keeps these models and the migrations in agreement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from storage.vocab import DocumentStatus, RunOutcome

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Timestamps are stored as UTC; SQLite keeps no zone, so the API re-attaches UTC on read.
UTCDateTime = DateTime(timezone=True)
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: UTCDateTime,
    }


class AgencyRow(Base):
    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    division_code: Mapped[str | None] = mapped_column(String(12), index=True)
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(String(100), index=True)
    """The agency above; may name one not (yet) registered, e.g. when counties' files
    are imported one at a time."""
    registered: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class SiteRow(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    start_urls: Mapped[list[Any]]
    hosts: Mapped[list[Any]]
    render: Mapped[str] = mapped_column(String(10), default="auto")
    schedule: Mapped[str | None] = mapped_column(String(100))
    obey_robots: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CrawlRunRow(Base):
    """One run of the crawler over one or more sites."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(20), default=RunOutcome.RUNNING)
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    host: Mapped[str | None] = mapped_column(String(200))
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    process: Mapped[str | None] = mapped_column(String(200))
    """``host:pid:start time`` of the process that began the run and waits for its end."""
    heartbeat_at: Mapped[datetime | None]
    """Renewed by that process while the run goes on (``RUN_HEARTBEAT``)."""


class SiteRunRow(Base):
    """One site's part of a crawl run, with its statistics."""

    __tablename__ = "site_runs"
    __table_args__ = (UniqueConstraint("run_id", "site_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(20), default=RunOutcome.RUNNING)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    reports_found: Mapped[int] = mapped_column(Integer, default=0)
    new_versions: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    explored: Mapped[dict[str, Any] | None]
    """What the crawl explored of the site: navigation queued, followed and left, and
    the best links left (for a site that yielded no report)."""


class FailureRow(Base):
    """A failure recorded per site and URL (HTTP status, timeout, WAF, robots, extraction…)."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]


class CaptureRow(Base):
    """One HTTP exchange kept as evidence, and where its WARC record lies."""

    __tablename__ = "captures"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10), default="GET")
    status: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    payload_sha256: Mapped[str] = mapped_column(String(64), index=True)
    payload_length: Mapped[int] = mapped_column(BigInteger)
    record_type: Mapped[str] = mapped_column(String(10))
    """``response`` or ``revisit`` (payload identical to an earlier capture)."""
    warc_record_id: Mapped[str] = mapped_column(String(100))
    warc_file: Mapped[str] = mapped_column(String(300), index=True)
    warc_offset: Mapped[int] = mapped_column(BigInteger)
    warc_length: Mapped[int] = mapped_column(BigInteger)
    refers_to_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)


class ReportRow(Base):
    """One agency's report on one year."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("agency_id", "year"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[str | None] = mapped_column(String(10))
    published_source: Mapped[str | None] = mapped_column(String(50))
    first_seen_at: Mapped[datetime]
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True)
    first_version_at: Mapped[datetime | None]
    """When the archive first held a version of any of its documents (the earliest
    ``versions.first_seen_at``), kept by the ingest (migration 0007): the coverage
    matrix reads it for thousands of reports without joining their versions."""
    first_version_id: Mapped[int | None] = mapped_column(Id)
    """The first of its versions (the lowest id), kept with ``first_version_at``."""

    documents: Mapped[list[DocumentRow]] = relationship(back_populates="report")


class DocumentRow(Base):
    """One URL where a report lives: its HTML page or an attachment."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(Text)
    parent_url: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.PRESENT)
    status_changed_at: Mapped[datetime | None]
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))

    report: Mapped[ReportRow] = relationship(back_populates="documents")


class VersionRow(Base):
    """One distinct normalised content of a document."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("document_id", "content_sha256"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"))
    first_seen_at: Mapped[datetime]
    media_type: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")


class ObservationRow(Base):
    """A document seen (or found unchanged, or gone) by a crawl at a time."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), index=True)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    observed_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    """``new_version``, ``unchanged``, ``not_modified`` (304), ``gone`` (404/410), or
    ``listed``: still linked from a listing page this crawl captured (``capture_id``), not
    fetched again because it was verified within the re-verify cadence."""


class ExtractionRow(Base):
    """The parse of one version by one parser version; re-extraction adds rows."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("version_id", "parser_version"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    parser_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    media_type: Mapped[str | None] = mapped_column(String(200))
    layout: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    agency_name: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[str | None] = mapped_column(String(10))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Each metadata field with its source: ``{"published_at": {"value": …, "source": …}}``."""
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    checks: Mapped[list[Any]] = mapped_column(default=list)
    sections: Mapped[list[Any]] = mapped_column(default=list)
    needs_ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)


Index("ix_captures_url_hash_captured_at", CaptureRow.url_hash, CaptureRow.captured_at)


def document_site() -> ColumnElement[str | None]:
    """The site a document belongs to: the one whose crawl captured it last, else its
    report's (a report carried by two sites has documents on each). For queries that
    join ``ReportRow`` and, outer, ``CaptureRow`` on ``DocumentRow.last_capture_id``."""
    return func.coalesce(CaptureRow.site_id, ReportRow.site_id)
