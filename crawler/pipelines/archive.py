"""Hand captures to the CaptureRecorder and failures to the Archive, off the reactor thread.

Captures are recorded in groups (a group commit: one WARC fsync and one SQL transaction
for up to NIANBAO_INGEST_BATCH captures, or for those that arrived within
NIANBAO_INGEST_FLUSH_SECONDS). An item's processing ends when its group is committed, so
the crawl never reports as archived what is not, and the spider does not close before the
last group is in.

Faults end the crawl cleanly, in one line, never a traceback per item:
- the disk is full or the WARC directory unwritable (``WarcWriteError``): the crawl stops,
  everything archived so far is kept;
- the database is unreachable: each database call waits for it, with doubling pauses,
  for up to NIANBAO_DB_RETRY_SECONDS (the captures wait in memory; a group whose records
  are already in WARC is indexed when the database is back). If it does not come back,
  the crawl stops; records written to WARC but not indexed stay in their files (``nianbao
  verify`` lists them) and the next crawl fetches those pages again;
- a capture that fails for any other reason is recorded as a ``capture`` failure and the
  crawl goes on."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any, Self

from scrapy.exceptions import NotConfigured

from capture.types import FetchedResponse
from capture.warc import WarcWriteError
from crawler.archive_access import ArchiveAccess
from crawler.config import CrawlConfig
from crawler.discovery.titles import classify_title
from crawler.items import CrawlFailure, ListedDocument
from registry.names import clean_text
from storage.db import DatabaseUnavailable, retrying
from storage.vocab import FailureKind

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        if not config.capture_enabled:
            raise NotConfigured
        self.crawler = crawler
        self.access = ArchiveAccess.of(crawler)
        self.run_id: int | None = config.run_id
        self.recorder: Any = None
        self.archive: Any = None
        self.batch_size = max(1, config.ingest_batch)
        self.flush_after = max(0.0, config.ingest_flush_seconds)
        self._pending: list[tuple[FetchedResponse, asyncio.Future[Any]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._closing: asyncio.Future[None] | None = None
        self.db_retry = config.db_retry_seconds

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = self.access.archive
        self.recorder = self.access.recorder

    def close_spider(self) -> None:
        # Every item waits for its group's commit, so no group is pending by now.
        if self.recorder is not None:
            self.access.close_recorder()
            self.recorder = None

    async def process_item(self, item: Any) -> Any:
        if self._stopping:
            return item  # the crawl is stopping: nothing more can be archived
        try:
            await self._process(item)
        except WarcWriteError as exc:
            self._stop(str(exc), "archive_error")
        except DatabaseUnavailable as exc:
            self._stop(
                f"{exc} (waited {self.db_retry:g}s); what was written to WARC is kept",
                "database_lost",
            )
            if self.recorder is not None:  # the captures still waiting give up too
                self.recorder.give_up_on_database(str(exc))
        return item

    async def _process(self, item: Any) -> None:
        stats = self.crawler.stats
        if isinstance(item, FetchedResponse):
            if item.decide_by_content:
                decided = await self._decided(item)
                if decided is None:
                    return
                item = decided
            try:
                result = await self._record(item)
            except (WarcWriteError, DatabaseUnavailable):
                raise
            except Exception as exc:  # the crawl goes on; the failure is kept
                detail = f"capture failed: {type(exc).__name__}: {exc}"
                logger.error("%s: %s", item.url, detail.splitlines()[0])
                await self._failure(
                    CrawlFailure(item.site_id, item.url, FailureKind.CAPTURE, detail)
                )
                return
            stats.inc_value(f"nianbao/{item.site_id}/captures/{item.role}")
            for exchange in item.exchanges:  # the XHR answers of a rendered page
                stats.inc_value(f"nianbao/{item.site_id}/captures/{exchange.role}")
            if result.new_version:
                stats.inc_value(f"nianbao/{item.site_id}/new_versions")
            if result.extraction_error:
                stats.inc_value(f"nianbao/{item.site_id}/extraction_errors")
                await self._failure(
                    CrawlFailure(
                        item.site_id, item.url, FailureKind.EXTRACTION, result.extraction_error
                    )
                )
        elif isinstance(item, ListedDocument):
            # its evidence, the listing page's capture, is in a group: commit it first
            self._flush()
            if self._flushes:
                await asyncio.wait(list(self._flushes))
            if await self._db(
                self.archive.record_listed, item.url, item.listing_url, item.run_id, item.seen_at
            ):
                stats.inc_value(f"nianbao/{item.site_id}/listed_unchanged")
        elif isinstance(item, CrawlFailure):
            await self._failure(item)

    async def _decided(self, item: FetchedResponse) -> FetchedResponse | None:
        """A file whose link and name say nothing: a report if its own title is one
        (read in an isolated worker, off the reactor thread); else not kept."""
        stats = self.crawler.stats
        meta = await asyncio.to_thread(self.recorder.read_metadata, item)
        title = clean_text(str(meta.get("title") or ""))
        match = classify_title(title) if title else None
        if match is None:
            stats.inc_value(f"nianbao/{item.site_id}/cut_titles_not_reports")
            return None
        stats.inc_value(f"nianbao/{item.site_id}/reports_by_content")
        return replace(
            item,
            title=title,
            year=item.year or match.year,
            agency_name=item.agency_name or match.agency,
            decide_by_content=False,
        )

    def _stop(self, message: str, reason: str) -> None:
        """Stop the crawl once, saying why in one line (the run records it as failed)."""
        if self._stopping:
            return
        self._stopping = True
        logger.error("%s; stopping the crawl", message)
        self.crawler.stats.set_value("nianbao/fatal", message)
        # not awaited: closing waits for the items in progress, this one among them
        self._closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=reason))

    async def _db(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in a thread, waiting out a database outage (DatabaseUnavailable
        after NIANBAO_DB_RETRY_SECONDS)."""
        return await asyncio.to_thread(
            lambda: retrying(lambda: fn(*args), self.db_retry, abandon=lambda: self._stopping)
        )

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
        except (WarcWriteError, DatabaseUnavailable) as exc:
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
        await self._db(
            self.archive.record_failure,
            self.run_id,
            failure.site_id,
            failure.url,
            failure.kind,
            failure.detail,
            failure.status,
        )
