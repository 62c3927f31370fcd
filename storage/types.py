"""The archive's value types: what goes in (captures, documents, versions), what comes
back (lookups, results, run figures) and the time helpers every layer uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypedDict, overload

from registry.names import clean_name, clean_text
from storage.vocab import RunOutcome

LOOKUP_CHUNK = 500


class FailureRecord(TypedDict):
    """A recorded failure as `Archive.failures` returns it."""

    run_id: int | None
    site_id: str | None
    url: str
    kind: str
    status: int | None
    detail: str
    occurred_at: str | None
    """ISO 8601, UTC"""


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...
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
