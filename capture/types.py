"""What the crawler hands to the capture layer, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Why a response is kept as evidence."""

    LISTING = "listing"
    """A column/listing page (or API response) that lists reports."""
    REPORT = "report"
    """A report's own HTML page."""
    ATTACHMENT = "attachment"
    """A file attached to a report (pdf, doc, docx, wps, xls, zip, …)."""
    PAGE = "page"
    """A navigation page on the way to the reports (a column, a section index): evidence
    of how they were reached, and what a later crawl asks for conditionally."""
    XHR = "xhr"
    """An XHR/fetch answer the browser received while it rendered a page (the list API
    answer that filled it, typically): kept with the page's capture
    (``FetchedResponse.exchanges``), its WARC response record ``WARC-Concurrent-To`` the
    page's."""


@dataclass
class FetchedResponse:
    url: str
    status: int
    body: bytes
    fetched_at: datetime
    """UTC, timezone-aware."""
    site_id: str
    role: Role
    run_id: int | None = None
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    # What discovery knows about the report (for REPORT and ATTACHMENT roles):
    title: str | None = None
    """The report title as the listing or the page gives it."""
    year: int | None = None
    agency_name: str | None = None
    """The agency named by the title (None: the site's owner)."""
    parent_url: str | None = None
    """For attachments: the report page that links it."""
    filename: str | None = None
    """From Content-Disposition or the link, for attachments."""
    published_at: str | None = None
    """The publication date shown next to the link in a listing, if any (YYYY-MM-DD)."""
    rendered_html: bytes | None = None
    """For a page whose body only a browser shows: the DOM the browser rendered from
    ``body`` (UTF-8 HTML). It is extracted with the page and kept in the WARC file as a
    ``conversion`` record referring to the response record (``WARC-Refers-To``)."""
    exchanges: list[FetchedResponse] = field(default_factory=list)
    """For a page the browser rendered: the XHR/fetch answers it received meanwhile (role
    ``XHR``), recorded right after the page as captures of their own whose WARC records
    name the page's response record (``WARC-Concurrent-To``)."""
    decide_by_content: bool = False
    """A file reached through a list title cut short, whose link and name say nothing:
    kept as a report only if the document's own title is a report's (the crawler's
    archive pipeline reads it with :meth:`capture.recorder.CaptureRecorder.read_metadata`)."""


@dataclass
class RecordResult:
    capture_id: int
    payload_sha256: str
    revisit: bool
    warc_file: str
    warc_offset: int
    warc_length: int
    report_id: int | None = None
    document_id: int | None = None
    version_id: int | None = None
    new_version: bool = False
    content_sha256: str | None = None
    extraction_error: str | None = None
    exchanges: list[RecordResult] = field(default_factory=list)
    """The results of the response's ``exchanges``, in their order."""
