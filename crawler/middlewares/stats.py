"""Per-site request, page and byte counts in the crawl's stats (`nianbao/<site>/…`).

Placed after the WAF middleware on the way back, so challenge pages and the browser's
error pages of a blocked site are not counted as pages."""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy.http import Response

from crawler.hints import Hint
from crawler.middlewares.site import site_state


class SiteStatsMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        state = site_state(self.crawler, request)
        if state is not None:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/requests")
            self.crawler.stats.inc_value(f"nianbao/{state.id}/requests/{Hint.of(request).role}")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        state = site_state(self.crawler, request)
        if state is not None and "archived" in response.flags:
            # read from the archive (a page within its revisit interval): not downloaded
            self.crawler.stats.inc_value(f"nianbao/{state.id}/archived_pages")
        elif state is not None:
            stats = self.crawler.stats
            stats.inc_value(f"nianbao/{state.id}/pages")
            stats.inc_value(f"nianbao/{state.id}/bytes", len(response.body))
            stats.inc_value(f"nianbao/{state.id}/status/{response.status}")
        return response
