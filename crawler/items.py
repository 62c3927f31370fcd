"""What the spider yields besides captures (capture.types.FetchedResponse): failures."""

from __future__ import annotations

from dataclasses import dataclass

FAILURE_KINDS = (
    "http_status",
    "timeout",
    "dns",
    "connection",
    "blocked",
    "robots",
    "offsite",
    "private_address",
    "extraction",
    "budget",
)


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
