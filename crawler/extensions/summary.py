"""Write the crawl's per-site figures to NIANBAO_SUMMARY_FILE (JSON) when it closes.

`crawler.run.crawl` runs the crawl in a child process and reads this file back.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.config import CrawlConfig
from crawler.sitebook import SiteState
from crawler.sitestats import site_figures


def _explored(state: SiteState) -> dict[str, Any]:
    figures = asdict(state.frontier.summary())
    figures["pages"] = state.pages_scheduled
    figures["closed_patterns"] = sorted(state.closed_patterns)[:20]
    return figures


class SummaryWriter:
    def __init__(self, crawler: Any) -> None:
        path = CrawlConfig.of(crawler).summary_file
        if not path:
            raise NotConfigured
        self.path = Path(path)
        self.crawler = crawler
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        book = getattr(self.crawler.spider, "book", {})
        start = stats.get("start_time")
        elapsed = (datetime.now(UTC) - start).total_seconds() if start else 0.0
        data = {
            "reason": reason,
            "elapsed": elapsed,
            "sites": {
                site_id: site_figures(
                    stats, site_id, len(state.reports), explored=_explored(state)
                ).as_dict()
                for site_id, state in book.items()
            },
            "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str | bool)},
        }
        self.path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
