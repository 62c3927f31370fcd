"""The archive and capture recorder a crawl process shares between its components."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from capture.extractor import Extractor

from crawler.config import CrawlConfig

_lock = threading.Lock()


def archive_for(crawler: Crawler) -> Any:
    """The crawl's storage.archive.Archive: NIANBAO_ARCHIVE when a caller put one in the
    settings, else one opened from NIANBAO_DB and NIANBAO_DATA_DIR (one per crawler)."""
    with _lock:
        archive = getattr(crawler, "_nianbao_archive", None)
        if archive is None:
            config = CrawlConfig.of(crawler)
            archive = config.archive
            if archive is None:
                from storage.archive import Archive

                archive = Archive(config.db, config.data_dir)
            crawler._nianbao_archive = archive  # type: ignore[attr-defined]
        return archive


def recorder_for(crawler: Crawler) -> Any:
    """The crawl's capture.recorder.CaptureRecorder (opened once, closed by its pipeline)."""
    with _lock:
        recorder = getattr(crawler, "_nianbao_recorder", None)
    if recorder is None:
        from capture.recorder import CaptureRecorder

        archive = archive_for(crawler)
        with _lock:
            recorder = getattr(crawler, "_nianbao_recorder", None)
            if recorder is None:
                recorder = CaptureRecorder.open(
                    archive,
                    extractor=extractor_for(crawler),
                    db_retry=CrawlConfig.of(crawler).db_retry_seconds,
                )
                crawler._nianbao_recorder = recorder  # type: ignore[attr-defined]
    return recorder


def extractor_for(crawler: Crawler) -> Extractor:
    """The crawl's document extractor: ``NIANBAO_EXTRACT_WORKERS`` isolated workers under
    ``NIANBAO_EXTRACT_TIMEOUT`` and ``NIANBAO_EXTRACT_MEMORY_MB``."""
    from dataclasses import replace

    from capture.extractor import Extractor
    from extract.limits import DEFAULT_LIMITS

    config = CrawlConfig.of(crawler)
    timeout = config.extract_timeout
    limits = replace(
        DEFAULT_LIMITS,
        timeout_s=timeout,
        cpu_s=timeout,
        memory_bytes=config.extract_memory_mb * 1024 * 1024,
    )
    return Extractor(config.extract_workers, limits)
