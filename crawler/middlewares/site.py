"""Find the site state a request belongs to."""

from __future__ import annotations

from typing import Any

from scrapy import Request

from crawler.hints import Hint
from crawler.sitebook import SiteState


def site_state(crawler: Any, request: Request) -> SiteState | None:
    """The SiteState of a crawl request; None for requests that belong to no site (robots.txt)."""
    site_id = Hint.of(request).site
    spider = crawler.spider
    book: dict[str, SiteState] | None = getattr(spider, "book", None)
    if site_id is None or book is None:
        return None
    return book.get(site_id)
