"""What the spider yields besides captures (capture.types.FetchedResponse): failures, and
documents seen listed but not fetched again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FailureKind(StrEnum):
    """Why one URL of a crawl failed (``failures.kind``)."""

    HTTP_STATUS = "http_status"
    TIMEOUT = "timeout"
    DNS = "dns"
    CONNECTION = "connection"
    BLOCKED = "blocked"
    ROBOTS = "robots"
    OFFSITE = "offsite"
    """a host that is not the site's (a link, a redirect, or a request of the browser)"""
    PRIVATE_ADDRESS = "private_address"
    """a private or loopback address the registry does not allow for the site (an IP
    literal, or a host name that resolves to one)"""
    EXTRACTION = "extraction"
    BUDGET = "budget"
    CAPTURE = "capture"
    """a response fetched but not archived (any error of the capture but a full disk or
    a lost database, which stop the crawl)"""


FAILURE_KINDS = tuple(kind.value for kind in FailureKind)


@dataclass
class CrawlFailure:
    """One failed URL of one site, for Archive.record_failure."""

    site_id: str
    url: str
    kind: str
    detail: str
    status: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {self.kind!r}; expected one of {FAILURE_KINDS}")


@dataclass
class ListedDocument:
    """A known document still linked from a listing page, which this crawl did not fetch
    again (it was verified within NIANBAO_REVERIFY_DAYS): the listing page's capture is
    the evidence that the document was present, for Archive.record_listed."""

    site_id: str
    url: str
    listing_url: str
    run_id: int | None
    seen_at: datetime
