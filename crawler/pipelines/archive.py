"""Hand captures to the CaptureRecorder and failures to the Archive, off the reactor thread."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Self

from scrapy.exceptions import NotConfigured

from capture.types import FetchedResponse
from capture.warc import WarcWriteError
from crawler.archive_access import archive_for, recorder_for
from crawler.items import CrawlFailure

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.getbool("NIANBAO_CAPTURE_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.run_id: int | None = crawler.settings.getint("NIANBAO_RUN_ID") or None
        self.recorder: Any = None
        self.archive: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = archive_for(self.crawler)
        self.recorder = recorder_for(self.crawler)

    def close_spider(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
            self.crawler._nianbao_recorder = None

    async def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        if isinstance(item, FetchedResponse):
            try:
                result = await asyncio.to_thread(self.recorder.record, item)
            except WarcWriteError as exc:
                # Nothing more can be archived (disk full, read-only): stop the crawl,
                # keep everything archived so far, and say why.
                logger.error("%s; stopping the crawl", exc)
                stats.set_value("nianbao/fatal", str(exc))
                self.crawler.engine.close_spider(self.crawler.spider, "archive_error")
                return item
            except Exception as exc:  # the crawl goes on; the failure is kept
                logger.exception("capture of %s failed", item.url)
                await self._failure(
                    CrawlFailure(
                        item.site_id,
                        item.url,
                        "capture",
                        f"capture failed: {type(exc).__name__}: {exc}",
                    )
                )
                return item
            stats.inc_value(f"nianbao/{item.site_id}/captures/{item.role}")
            if result.new_version:
                stats.inc_value(f"nianbao/{item.site_id}/new_versions")
            if result.extraction_error:
                stats.inc_value(f"nianbao/{item.site_id}/extraction_errors")
                await self._failure(
                    CrawlFailure(item.site_id, item.url, "extraction", result.extraction_error)
                )
        elif isinstance(item, CrawlFailure):
            await self._failure(item)
        return item

    async def _failure(self, failure: CrawlFailure) -> None:
        self.crawler.stats.inc_value(f"nianbao/{failure.site_id}/errors/{failure.kind}")
        await asyncio.to_thread(
            self.archive.record_failure,
            self.run_id,
            failure.site_id,
            failure.url,
            failure.kind,
            failure.detail,
            failure.status,
        )
