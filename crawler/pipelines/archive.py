"""Hand captures to the CaptureRecorder and failures to the Archive, off the reactor thread.

Captures are recorded in groups (a group commit: one WARC fsync and one SQL transaction
for up to NIANBAO_INGEST_BATCH captures, or for those that arrived within
NIANBAO_INGEST_FLUSH_SECONDS). An item's processing ends when its group is committed, so
the crawl never reports as archived what is not, and the spider does not close before the
last group is in."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Self

from scrapy.exceptions import NotConfigured

from capture.types import FetchedResponse
from capture.warc import WarcWriteError
from crawler.archive_access import archive_for, recorder_for
from crawler.items import CrawlFailure, ListedDocument

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.getbool("NIANBAO_CAPTURE_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.run_id: int | None = crawler.settings.getint("NIANBAO_RUN_ID") or None
        self.recorder: Any = None
        self.archive: Any = None
        self.batch_size = max(1, crawler.settings.getint("NIANBAO_INGEST_BATCH", 50))
        self.flush_after = max(0.0, crawler.settings.getfloat("NIANBAO_INGEST_FLUSH_SECONDS", 0.5))
        self._pending: list[tuple[FetchedResponse, asyncio.Future[Any]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self._stopping = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = archive_for(self.crawler)
        self.recorder = recorder_for(self.crawler)

    def close_spider(self) -> None:
        # Every item waits for its group's commit, so no group is pending by now.
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
            self.crawler._nianbao_recorder = None

    async def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        if isinstance(item, FetchedResponse):
            try:
                result = await self._record(item)
            except WarcWriteError as exc:
                # Nothing more can be archived (disk full, read-only): stop the crawl,
                # keep everything archived so far, and say why.
                if not self._stopping:
                    self._stopping = True
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
        elif isinstance(item, ListedDocument):
            # its evidence, the listing page's capture, is in a group: commit it first
            self._flush()
            if self._flushes:
                await asyncio.wait(list(self._flushes))
            if await asyncio.to_thread(
                self.archive.record_listed, item.url, item.listing_url, item.run_id, item.seen_at
            ):
                stats.inc_value(f"nianbao/{item.site_id}/listed_unchanged")
        elif isinstance(item, CrawlFailure):
            await self._failure(item)
        return item

    async def _record(self, item: FetchedResponse) -> Any:
        """Queue a capture for the next group commit and wait for it."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        self._pending.append((item, done))
        if len(self._pending) >= self.batch_size:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.flush_after, self._flush)
        return await done

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        group, self._pending = self._pending, []
        if group:
            task = asyncio.ensure_future(self._commit(group))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def _commit(self, group: list[tuple[FetchedResponse, asyncio.Future[Any]]]) -> None:
        items = [item for item, _ in group]
        try:
            results = await asyncio.to_thread(self.recorder.record_many, items)
        except WarcWriteError as exc:
            for _, done in group:
                done.set_exception(exc)
            return
        except Exception as exc:
            if len(group) == 1:
                group[0][1].set_exception(exc)
                return
            # One capture's failure must not cost the others theirs: one at a time.
            for item, done in group:
                try:
                    done.set_result(await asyncio.to_thread(self.recorder.record, item))
                except Exception as exc:
                    done.set_exception(exc)
            return
        for (_, done), result in zip(group, results, strict=True):
            done.set_result(result)

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
