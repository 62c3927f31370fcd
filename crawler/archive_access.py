"""The archive and capture recorder a crawl process shares between its components."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

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
                    extract_workers=crawler.settings.getint("NIANBAO_EXTRACT_WORKERS", 0),
                    db_retry=crawler.settings.getfloat("NIANBAO_DB_RETRY_SECONDS", 60.0),
                )
                crawler._nianbao_recorder = recorder  # type: ignore[attr-defined]
    return recorder
