"""Data types shared by the sample web: served resources and the ground truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

FURNITURE_MARK = b"<!--#furniture-->"


@dataclass
class Resource:
    """One thing a sample server answers with (before per-request furniture is filled in)."""

    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime = datetime(2021, 1, 7, 9, 0, tzinfo=UTC)
    furniture: bool = False  # body holds FURNITURE_MARK: a view counter and a clock
    behaviour: str | None = None  # "503-once" | "stall-once" | None
    conditional: bool = True  # sends ETag/Last-Modified and answers 304


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]


DynamicHandler = Callable[[Request], Resource | None]


@dataclass(frozen=True)
class Attachment:
    url: str
    media_type: str
    filename: str


@dataclass(frozen=True)
class ReportTruth:
    """One report as a perfect crawler should find it."""

    site: str
    agency: str  # the agency named in the title (or the site owner's name)
    registered: bool
    year: int
    title: str
    page_url: str | None
    attachments: tuple[Attachment, ...]
    published: str  # YYYY-MM-DD as the page shows it
    expected: bool = True  # False: robots-forbidden or behind a WAF
    reason: str | None = None  # "robots" | "waf" when not expected

    @property
    def urls(self) -> list[str]:
        found = [self.page_url] if self.page_url else []
        return found + [a.url for a in self.attachments]


@dataclass(frozen=True)
class Change:
    """A difference between the "before" and "after" states."""

    kind: str  # edited | deleted | moved | late | copied | inconsistent
    agency: str
    year: int
    url: str
    old_url: str | None = None
    note: str = ""


@dataclass
class SiteTruth:
    reports: list[ReportTruth] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)  # URLs of look-alikes
    min_fetches: list[str] = field(default_factory=list)  # "GET url" / "POST url"
    traps: list[str] = field(default_factory=list)  # example trap URLs
    broken_links: list[str] = field(default_factory=list)  # URLs answering 404


@dataclass
class Truth:
    state: str
    reports: list[ReportTruth]
    decoys: list[str]
    min_fetches: list[str]
    traps: list[str]
    broken_links: list[str]
    changes: list[Change]

    @property
    def expected_reports(self) -> list[ReportTruth]:
        return [r for r in self.reports if r.expected]

    @property
    def robots_forbidden(self) -> list[ReportTruth]:
        return [r for r in self.reports if r.reason == "robots"]

    @property
    def waf_blocked(self) -> list[ReportTruth]:
        return [r for r in self.reports if r.reason == "waf"]


@dataclass
class SiteContent:
    """Everything one site serves in one state."""

    pages: dict[str, Resource]  # key: path with its query string, e.g. "/list.jsp?page=2"
    dynamic: list[DynamicHandler]
    truth: SiteTruth
