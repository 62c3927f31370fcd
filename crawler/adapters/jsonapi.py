"""Listings that JavaScript fills from a JSON API: the spider's entry points.

Kept for the spider's calls (`listing_fetches`, `parse_json`, `entries`, `next_fetches`);
the work is done by `crawler.shells`, which reads the page's scripts and configuration
(gkmlpt `_CONFIG`, jpaas `queryData`, `fetch`/`$.ajax`/`axios`/XHR/JSONP calls built by
concatenation, `data-api` attributes) and answers in JSON, JSONP or HTML fragments.
"""

from __future__ import annotations

from typing import Any

from crawler.adapters.types import ListingFetch, ListingPage
from crawler.anchors import Anchor
from crawler.shells import answers, apis

NAME = apis.NAME


def listing_fetches(
    page: ListingPage, scripts: tuple[str, ...] | list[str] = ()
) -> list[ListingFetch]:
    """First-page requests of the list APIs the page's scripts name (年报 columns first)."""
    return apis.api_fetches(page, scripts)


def parse_json(text: str) -> Any | None:
    """JSON, JSONP, `var x = …;` or an HTML fragment (returned as the string); None
    when the answer is none of these."""
    return answers.parse_json(text)


def entries(data: Any, base_url: str, request_url: str | None = None) -> list[Anchor]:
    """Records of an answer as anchors; relative URLs resolve against `base_url` (pass the
    request's Referer, the page that made it, when known)."""
    return answers.entries(data, base_url, request_url)


def next_fetches(
    data: Any, request_url: str, max_pages: int = 200, fetch: ListingFetch | None = None
) -> list[ListingFetch]:
    """The listing's remaining pages by the answer's own count (the next one when it
    gives none); pass the `fetch` that got the answer to page POST bodies and templates."""
    return answers.next_fetches(data, request_url, max_pages, fetch)
