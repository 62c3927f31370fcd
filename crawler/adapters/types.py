"""What adapters read (a decoded page) and what they return (fetches to make)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ListingFormat(StrEnum):
    """How the response of a listing fetch is parsed."""

    HTML = "html"
    HANWEB_XML = "hanweb_xml"
    JSON = "json"


@dataclass(frozen=True)
class ListingPage:
    url: str
    text: str
    """The decoded body."""
    listing_key: str = ""
    """The listing this page was fetched for (the `ListingFetch.listing_key` that asked for
    it), so later pages keep the key of the first; empty: derived from the URL."""


@dataclass(frozen=True)
class ListingFetch:
    url: str
    format: ListingFormat = ListingFormat.HTML
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    adapter: str = ""
    """Which adapter asked for it (for statistics and tests)."""
    expected_records: int | None = None
    """How many records the whole listing holds, when the page says (Hanweb totalRecord)."""
    label: str = ""
    """The column the fetch lists (a gkmlpt TREE node name, the page's ColumnName), so a
    crawl can prefer 年报 columns."""
    listing_key: str = ""
    """The same for every page of one listing (method, URL and body with the page number
    left out): the spider's unit for "stop when a page repeats or comes back empty"."""
    page_number: int | None = None
    """Which page of the listing this fetch asks for, when known."""
    url_template: str = ""
    body_template: str = ""
    """URL and body with the page number as `crawler.shells.jsvalues.PAGE`: how the page's
    script builds page n (empty when the page number's place is not known)."""
