"""A live progress display (rich) of a crawl: per site pages, reports found, errors.

On by NIANBAO_PROGRESS: `auto` (default) shows it when stderr is a terminal, `true`
always, `false` never.
"""

from __future__ import annotations

import sys
from typing import Any, Self

from rich.console import Console
from rich.live import Live
from rich.table import Table
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.config import CrawlConfig


def progress_table(
    stats: dict[str, Any], book: dict[str, Any], elapsed: float | None = None
) -> Table:
    title = "nianbao crawl" + (f" — {elapsed:.0f}s" if elapsed is not None else "")
    table = Table(title=title)
    for column in ("site", "requests", "pages", "MB", "reports", "errors", "state"):
        table.add_column(column, justify="left" if column in ("site", "state") else "right")
    totals = [0, 0, 0.0, 0, 0]
    for site_id, state in book.items():
        prefix = f"nianbao/{site_id}/"
        errors = sum(int(v) for k, v in stats.items() if k.startswith(prefix + "errors/"))
        row = [
            int(stats.get(prefix + "requests", 0)),
            int(stats.get(prefix + "pages", 0)),
            stats.get(prefix + "bytes", 0) / 1e6,
            len(state.reports),
            errors,
        ]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        status = "blocked" if state.blocked else ("budget" if state.budget_exhausted else "")
        table.add_row(
            site_id, str(row[0]), str(row[1]), f"{row[2]:.1f}", str(row[3]), str(row[4]), status
        )
    table.add_row(
        f"{len(book)} sites",
        str(totals[0]),
        str(totals[1]),
        f"{totals[2]:.1f}",
        str(totals[3]),
        str(totals[4]),
        "",
        style="bold",
    )
    return table


class ProgressDisplay:
    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        mode = config.progress
        if mode in ("0", "false", "no", "off") or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured
        self.crawler = crawler
        self.interval = config.progress_interval
        self.live: Live | None = None
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def _table(self) -> Table:
        spider = self.crawler.spider
        stats = self.crawler.stats.get_stats()
        start = stats.get("start_time")
        elapsed = None
        if start is not None:
            from datetime import UTC, datetime

            elapsed = (datetime.now(UTC) - start).total_seconds()
        return progress_table(stats, getattr(spider, "book", {}), elapsed)

    def opened(self) -> None:
        self.live = Live(self._table(), console=Console(stderr=True), refresh_per_second=4)
        self.live.start()
        self.loop = task.LoopingCall(self.refresh)
        self.loop.start(self.interval, now=False)

    def refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._table())

    def closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.update(self._table())
            self.live.stop()
            self.live = None
