"""The crawl the scheduler starts: ``crawler.run.crawl`` of the due sites, as one run."""

from __future__ import annotations

from typing import Any

from storage.archive import Archive


def local_crawl(settings_overrides: dict[str, Any] | None = None) -> Any:
    """A scheduler crawl callable running the crawl on this machine (a child process)."""

    def crawl(archive: Archive, site_ids: list[str]) -> int:
        from crawler.run import crawl as run_crawl

        return run_crawl(
            archive, site_ids, settings_overrides=settings_overrides, trigger="schedule"
        ).run_id

    return crawl
