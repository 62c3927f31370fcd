"""What the spider yields besides captures (capture.types.FetchedResponse): failures, and
documents seen listed but not fetched again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.vocab import FailureKind

FAILURE_KINDS = tuple(kind.value for kind in FailureKind)


@dataclass
class CrawlFailure:
    """One failed URL of one site, for Archive.record_failure."""

    site_id: str
    url: str
    kind: FailureKind
    detail: str
    status: int | None = None

    def __post_init__(self) -> None:
        # a kind given as its string (the spider's) becomes the member; an unknown one raises
        if self.kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {self.kind!r}; expected one of {FAILURE_KINDS}")
        self.kind = FailureKind(self.kind)


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
