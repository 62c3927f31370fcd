"""The archive a crawl process shares between its components: ``ArchiveAccess.of(crawler)``.

One per crawler: the storage.archive.Archive (NIANBAO_ARCHIVE when a caller put one in the
settings, else one opened from NIANBAO_DB and NIANBAO_DATA_DIR), the capture recorder
(opened once, closed by the archive pipeline) and the document extractor. Every archive
call a component makes from the reactor thread goes through ``call`` (a worker thread)."""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import TYPE_CHECKING, Any, Self

from crawler.config import CrawlConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from capture.extractor import Extractor


class ArchiveAccess:
    def __init__(self, crawler: Crawler) -> None:
        # (no reference to the crawler: the registry's value must not keep its key alive)
        self.config = CrawlConfig.of(crawler)
        self._archive: Any = None
        self._recorder: Any = None
        self._lock = threading.RLock()

    @classmethod
    def of(cls, crawler: Crawler) -> Self:
        """The crawler's archive access (made the first time it is asked for)."""
        with _registry_lock:
            access = _registry.get(crawler)
            if access is None:
                access = cls(crawler)
                _registry[crawler] = access
            return access  # type: ignore[return-value]

    # ------------------------------------------------------------------ the archive

    @property
    def archive(self) -> Any:
        """The crawl's storage.archive.Archive (opened on first use)."""
        with self._lock:
            if self._archive is None:
                archive = self.config.archive
                if archive is None:
                    from storage.archive import Archive

                    archive = Archive(self.config.db, self.config.data_dir)
                self._archive = archive
            return self._archive

    @property
    def opened(self) -> Any:
        """The archive if one was opened (or given), without opening one."""
        return self._archive

    def close_archive(self) -> None:
        """Close the archive this access opened (one given as NIANBAO_ARCHIVE is the
        caller's to close)."""
        with self._lock:
            archive, self._archive = self._archive, None
        if archive is not None and archive is not self.config.archive:
            archive.close()

    async def call(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in a worker thread (archive calls never block the reactor)."""
        return await asyncio.to_thread(fn, *args)

    # ------------------------------------------------------------------ capture

    @property
    def recorder(self) -> Any:
        """The crawl's capture.recorder.CaptureRecorder (opened once, closed by its
        pipeline with ``close_recorder``)."""
        with self._lock:
            if self._recorder is None:
                from capture.recorder import CaptureRecorder

                self._recorder = CaptureRecorder.open(
                    self.archive,
                    extractor=self.extractor(),
                    db_retry=self.config.db_retry_seconds,
                )
            return self._recorder

    def close_recorder(self) -> None:
        with self._lock:
            recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.close()

    def extractor(self) -> Extractor:
        """A document extractor: ``NIANBAO_EXTRACT_WORKERS`` isolated workers under
        ``NIANBAO_EXTRACT_TIMEOUT`` and ``NIANBAO_EXTRACT_MEMORY_MB``."""
        from dataclasses import replace

        from capture.extractor import Extractor
        from extract.limits import DEFAULT_LIMITS

        timeout = self.config.extract_timeout
        limits = replace(
            DEFAULT_LIMITS,
            timeout_s=timeout,
            cpu_s=timeout,
            memory_bytes=self.config.extract_memory_mb * 1024 * 1024,
        )
        return Extractor(self.config.extract_workers, limits)


_registry: weakref.WeakKeyDictionary[Any, ArchiveAccess] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()
