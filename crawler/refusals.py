"""Requests the crawler refuses to make, with the failure kind to record."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from storage.vocab import FailureKind


class Refused(IgnoreRequest):
    """A request dropped on purpose; `kind` is an Archive.record_failure kind, or None
    when the drop is not worth a failure row (a blocked site's remaining queue)."""

    def __init__(self, kind: FailureKind | None, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status
