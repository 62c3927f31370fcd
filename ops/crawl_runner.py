"""The crawls operations start: ``crawler.run.crawl`` of the due sites, as one run (the
scheduler), or of the sites an archivist names (the reading room's archivists' page,
which does not import the crawler itself)."""

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


def crawl_sites(
    archive: Archive, site_ids: list[str], settings_overrides: dict[str, Any] | None = None
) -> Any:
    """Crawl these sites now, on this machine, as one run; its ``RunSummary``."""
    from crawler.run import crawl as run_crawl

    return run_crawl(archive, site_ids, settings_overrides=settings_overrides)
