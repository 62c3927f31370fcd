"""What the crawl knows about a request, typed: the request hint.

Every request of a site carries one `Hint` in its meta, under the one key `HINT_KEY`, as a
JSON-able dict (a shared scheduler serialises requests: scrapy-redis keeps meta as it is
and callbacks by name). Components read it with ``Hint.of(request_or_response)`` and
write it back with ``hint.store(request)`` (a new dict each time: a retry or redirect
copies its parent's meta shallowly, so a hint is never changed in place)::

    hint = Hint.of(response)
    if hint.role is RequestRole.REPORT: ...
    request.meta.update(hint.replace(rendered=True).meta())

Fields left at their default are not written, so meta stays small.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Self

from capture.types import Role
from crawler.adapters.types import ListingFetch, ListingFormat

HINT_KEY = "nianbao"
"""The request meta key of the hint."""


class RequestRole(StrEnum):
    """Why a request is made. Navigation and listing pages, report pages and attachments
    are kept as evidence under the capture `Role` of the same name (`evidence`)."""

    PAGE = Role.PAGE.value
    """navigation: start URLs, links that score as likely to lead to reports"""
    LISTING = Role.LISTING.value
    """a further page of a listing (pagination, a Hanweb dataproxy group, a JSON API page)"""
    REPORT = Role.REPORT.value
    """a report's own page (its title classified as an annual report)"""
    ATTACHMENT = Role.ATTACHMENT.value
    """a file of a report, or a report published as a bare file"""
    SCRIPT = "script"
    """a script file of a script-filled page (its list API may be named there)"""

    @property
    def evidence(self) -> Role | None:
        """The capture role of the same name (None for scripts)."""
        try:
            return Role(self.value)
        except ValueError:
            return None

    @property
    def leads(self) -> bool:
        """Answers of this role may lead to more: navigation waits for them."""
        return self in _LEADS


_LEADS = frozenset({RequestRole.PAGE, RequestRole.LISTING, RequestRole.SCRIPT})


def _fetch_to_dict(fetch: ListingFetch) -> dict[str, Any]:
    return {**dataclasses.asdict(fetch), "format": str(fetch.format)}


def _fetch_from_dict(data: dict[str, Any]) -> ListingFetch:
    return ListingFetch(**{**data, "format": ListingFormat(data["format"])})


@dataclass(frozen=True)
class Hint:
    site: str | None = None
    """registry site id (None: a request of no site, robots.txt)"""
    role: RequestRole = RequestRole.PAGE
    depth: int = 0
    """navigation hops from a start URL"""
    token: int | None = None
    """the spider's number of the request, while it is in flight"""
    start: bool = False
    """a start URL of the site"""
    score: float | None = None
    """the link score that released a navigation request"""
    trail: tuple[str, ...] = ()
    """dedup keys of the pages that led here (the frontier credits them)"""
    # what the link said of the document
    title: str | None = None
    year: int | None = None
    agency: str | None = None
    published: str | None = None
    parent: str | None = None
    """the page that links the document (a report page for its attachments)"""
    link_text: str | None = None
    maybe_report: bool = False
    """a list entry whose title was cut short: its page's own title decides"""
    bare: bool = False
    """a report published as a bare file (no report page)"""
    unlisted: bool = False
    """a known document no listing of this crawl reached, asked for again"""
    only_new: bool = False
    """of a report page read from the archive: follow only the attachments it lacks"""
    unconditional: bool = False
    """asked for in full (no validators): its archived copy could not be read"""
    # listings
    format: ListingFormat = ListingFormat.HTML
    listing_key: str = ""
    expected_records: int | None = None
    fetch: ListingFetch | None = None
    """the listing fetch of an API request (JSON answers are read by it)"""
    empty_streak: int = 0
    """listing pages in a row that brought nothing new"""
    # set by middlewares
    rendered: bool = False
    """asked for again in the browser by the spider (the page's list is filled by script)"""
    rendering: bool = False
    """counted by the browser middleware as being rendered"""
    waf_retry: bool = False
    """the browser retry of a WAF-challenged request"""
    budgeted: bool = False
    """counted against the site's page budget"""
    backoff: float = 0.0
    """seconds the retry middleware waits before sending this retry"""
    retried_url: str = ""
    """the URL whose failures Scrapy's `retry_times` counts (a redirect starts afresh)"""
    rate_limited: int = 0
    """times this request was answered with a rate-limiting WAF's blank page"""
    rate_wait: float = 0.0
    """seconds the rate-limit middleware waits before sending this request again"""
    archived_copy: int | None = None
    """the capture whose validators a page request was sent with (conditional pages)"""
    not_modified: list[list[str]] | None = None
    """the headers of the 304 a page answered (its archived copy was read instead)"""
    decide_by_content: bool = False
    """a file whose link and name say nothing: its own title decides (archive pipeline)"""

    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """keys of a stored hint this version does not know (kept, not read)"""

    # ------------------------------------------------------------------ reading and writing

    @classmethod
    def of(cls, holder: Any) -> Self:
        """The hint of a request or response (a default hint when it has none)."""
        meta = holder.meta if not isinstance(holder, dict) else holder
        data = meta.get(HINT_KEY)
        return cls.from_dict(data) if data else cls()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        known = _FIELDS
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                extra[key] = value
            elif key == "role":
                values[key] = RequestRole(value)
            elif key == "format":
                values[key] = ListingFormat(value)
            elif key == "trail":
                values[key] = tuple(value)
            elif key == "fetch":
                values[key] = _fetch_from_dict(value) if value else None
            else:
                values[key] = value
        return cls(**values, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able dict stored in meta: the fields not at their default."""
        out: dict[str, Any] = dict(self.extra)
        for f in _STORED:
            value = getattr(self, f.name)
            if value == _DEFAULTS[f.name]:
                continue
            if f.name == "trail":
                value = list(value)
            elif f.name == "fetch":
                value = _fetch_to_dict(value)
            elif isinstance(value, StrEnum):
                value = str(value)
            out[f.name] = value
        return out

    def meta(self) -> dict[str, Any]:
        """The hint as request meta: ``{HINT_KEY: {...}}``."""
        return {HINT_KEY: self.to_dict()}

    def store(self, holder: Any) -> Self:
        """Write the hint into a request's (or response's) meta, as a new dict."""
        holder.meta[HINT_KEY] = self.to_dict()
        return self

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)

    @classmethod
    def update(cls, holder: Any, **changes: Any) -> Self:
        """Change fields of the hint a request carries (written back as a new dict)."""
        return cls.of(holder).replace(**changes).store(holder)

    # ------------------------------------------------------------------ derived

    @property
    def page_number(self) -> int | None:
        """The page of its listing a listing request asks for, when known."""
        return self.fetch.page_number if self.fetch is not None else None


_STORED = tuple(f for f in dataclasses.fields(Hint) if f.name != "extra")
_FIELDS = frozenset(f.name for f in _STORED)
_DEFAULTS: dict[str, Any] = {f.name: getattr(Hint(), f.name) for f in _STORED}
