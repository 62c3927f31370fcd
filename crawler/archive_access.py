"""The archive and capture recorder a crawl process shares between its components."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from capture.extractor import Extractor

_lock = threading.Lock()


def archive_for(crawler: Crawler) -> Any:
    """The crawl's storage.archive.Archive: NIANBAO_ARCHIVE when a caller put one in the
    settings, else one opened from NIANBAO_DB and NIANBAO_DATA_DIR (one per crawler)."""
    with _lock:
        archive = getattr(crawler, "_nianbao_archive", None)
        if archive is None:
            archive = crawler.settings.get("NIANBAO_ARCHIVE")
            if archive is None:
                from storage.archive import Archive

                archive = Archive(
                    crawler.settings.get("NIANBAO_DB") or None,
                    crawler.settings.get("NIANBAO_DATA_DIR") or None,
                )
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
                    db_retry=crawler.settings.getfloat("NIANBAO_DB_RETRY_SECONDS", 60.0),
                )
                crawler._nianbao_recorder = recorder  # type: ignore[attr-defined]
    return recorder


def extractor_for(crawler: Crawler) -> Extractor:
    """The crawl's document extractor: ``NIANBAO_EXTRACT_WORKERS`` isolated workers under
    ``NIANBAO_EXTRACT_TIMEOUT`` and ``NIANBAO_EXTRACT_MEMORY_MB``."""
    from dataclasses import replace

    from capture.extractor import Extractor
    from extract.limits import DEFAULT_LIMITS

    timeout = crawler.settings.getfloat("NIANBAO_EXTRACT_TIMEOUT", DEFAULT_LIMITS.timeout_s)
    memory = crawler.settings.getint(
        "NIANBAO_EXTRACT_MEMORY_MB", DEFAULT_LIMITS.memory_bytes // (1024 * 1024)
    )
    limits = replace(
        DEFAULT_LIMITS, timeout_s=timeout, cpu_s=timeout, memory_bytes=memory * 1024 * 1024
    )
    return Extractor(crawler.settings.getint("NIANBAO_EXTRACT_WORKERS", 0), limits)
