"""The crawl's NIANBAO_* settings, parsed once from Scrapy settings into a frozen object.

Every component of the crawl process (spider, middlewares, pipeline, extensions) reads its
settings from ``CrawlConfig.of(crawler)``; names and defaults are those of
docs/settings.md (and ``crawler/settings.py``)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if value else {}


@dataclass(frozen=True)
class CrawlConfig:
    # what is crawled, into which archive
    sites: tuple[str, ...] = ()
    """NIANBAO_SITES"""
    run_id: int | None = None
    """NIANBAO_RUN_ID (0: none)"""
    db: str | None = None
    """NIANBAO_DB"""
    data_dir: str | None = None
    """NIANBAO_DATA_DIR"""
    archive: Any = field(default=None, compare=False, repr=False)
    """NIANBAO_ARCHIVE: an open storage.archive.Archive (in-process use only)"""
    # discovery
    focused: bool = True
    """NIANBAO_FOCUSED"""
    page_budget: int = 2000
    """NIANBAO_PAGE_BUDGET"""
    max_depth: int = 8
    """NIANBAO_MAX_DEPTH"""
    min_link_score: float = 0.2
    """NIANBAO_MIN_LINK_SCORE"""
    explore_reserve: float = 0.1
    """NIANBAO_EXPLORE_RESERVE"""
    explore_concurrency: int = 1
    """NIANBAO_EXPLORE_CONCURRENCY"""
    trap_pattern_limit: int = 4
    """NIANBAO_TRAP_PATTERN_LIMIT"""
    frontier_hold: bool = True
    """NIANBAO_FRONTIER_HOLD"""
    max_listing_pages: int = 200
    """NIANBAO_MAX_LISTING_PAGES"""
    max_empty_listing_pages: int = 1
    """NIANBAO_MAX_EMPTY_LISTING_PAGES"""
    reverify_days: float = 7.0
    """NIANBAO_REVERIFY_DAYS"""
    incremental_listings: bool = True
    """NIANBAO_INCREMENTAL_LISTINGS"""
    conditional: bool = True
    """NIANBAO_CONDITIONAL"""
    conditional_pages: bool = True
    """NIANBAO_CONDITIONAL_PAGES"""
    navigation_revisit_hours: float = 0.0
    """NIANBAO_NAVIGATION_REVISIT_HOURS"""
    # the browser and WAF challenges
    render_enabled: bool = True
    """NIANBAO_RENDER_ENABLED"""
    render_max_reloads: int = 6
    """NIANBAO_RENDER_MAX_RELOADS"""
    render_settle: float = 3.0
    """NIANBAO_RENDER_SETTLE (seconds)"""
    render_xhr: bool = True
    """NIANBAO_RENDER_XHR"""
    render_xhr_max_answers: int = 20
    """NIANBAO_RENDER_XHR_MAX_ANSWERS"""
    render_xhr_max_bytes: int = 8 * 1024 * 1024
    """NIANBAO_RENDER_XHR_MAX_BYTES"""
    waf_detect: bool = True
    """NIANBAO_WAF_DETECT"""
    waf_browser_timeout: float = 5.0
    """NIANBAO_WAF_BROWSER_TIMEOUT (seconds)"""
    waf_challenge_wait: float = 10.0
    """NIANBAO_WAF_CHALLENGE_WAIT (seconds)"""
    rate_limit_retries: int = 3
    """NIANBAO_RATE_LIMIT_RETRIES"""
    rate_limit_wait: float = 2.0
    """NIANBAO_RATE_LIMIT_WAIT (seconds)"""
    rate_limit_max_delay: float = 30.0
    """NIANBAO_RATE_LIMIT_MAX_DELAY (seconds)"""
    # scope
    scope_enabled: bool = True
    """NIANBAO_SCOPE_ENABLED"""
    test_dns: dict[str, Any] = field(default_factory=dict, compare=False)
    """NIANBAO_TEST_DNS (tests only)"""
    # retries
    retry_backoff: float = 0.5
    """NIANBAO_RETRY_BACKOFF"""
    retry_backoff_max: float = 30.0
    """NIANBAO_RETRY_BACKOFF_MAX"""
    # the archive pipeline and extraction
    capture_enabled: bool = True
    """NIANBAO_CAPTURE_ENABLED"""
    db_retry_seconds: float = 60.0
    """NIANBAO_DB_RETRY_SECONDS"""
    ingest_batch: int = 50
    """NIANBAO_INGEST_BATCH"""
    ingest_flush_seconds: float = 0.5
    """NIANBAO_INGEST_FLUSH_SECONDS"""
    extract_workers: int = 0
    """NIANBAO_EXTRACT_WORKERS"""
    extract_timeout: float = 45.0
    """NIANBAO_EXTRACT_TIMEOUT (extract.limits.DEFAULT_LIMITS.timeout_s)"""
    extract_memory_mb: int = 1024
    """NIANBAO_EXTRACT_MEMORY_MB (extract.limits.DEFAULT_LIMITS.memory_bytes in MiB)"""
    # reporting
    progress: str = "auto"
    """NIANBAO_PROGRESS"""
    progress_interval: float = 0.5
    """NIANBAO_PROGRESS_INTERVAL"""
    summary_file: str | None = None
    """NIANBAO_SUMMARY_FILE"""

    @classmethod
    def from_settings(cls, settings: Any) -> CrawlConfig:
        """The configuration a Scrapy ``Settings`` object gives (unset: the defaults)."""
        d = cls()
        return cls(
            sites=tuple(settings.getlist("NIANBAO_SITES")),
            run_id=settings.getint("NIANBAO_RUN_ID") or None,
            db=settings.get("NIANBAO_DB") or None,
            data_dir=settings.get("NIANBAO_DATA_DIR") or None,
            archive=settings.get("NIANBAO_ARCHIVE"),
            focused=settings.getbool("NIANBAO_FOCUSED", d.focused),
            page_budget=settings.getint("NIANBAO_PAGE_BUDGET", d.page_budget),
            max_depth=settings.getint("NIANBAO_MAX_DEPTH", d.max_depth),
            min_link_score=settings.getfloat("NIANBAO_MIN_LINK_SCORE", d.min_link_score),
            explore_reserve=settings.getfloat("NIANBAO_EXPLORE_RESERVE", d.explore_reserve),
            explore_concurrency=settings.getint(
                "NIANBAO_EXPLORE_CONCURRENCY", d.explore_concurrency
            ),
            trap_pattern_limit=settings.getint("NIANBAO_TRAP_PATTERN_LIMIT", d.trap_pattern_limit),
            frontier_hold=settings.getbool("NIANBAO_FRONTIER_HOLD", d.frontier_hold),
            max_listing_pages=settings.getint("NIANBAO_MAX_LISTING_PAGES", d.max_listing_pages),
            max_empty_listing_pages=settings.getint(
                "NIANBAO_MAX_EMPTY_LISTING_PAGES", d.max_empty_listing_pages
            ),
            reverify_days=settings.getfloat("NIANBAO_REVERIFY_DAYS", d.reverify_days),
            incremental_listings=settings.getbool(
                "NIANBAO_INCREMENTAL_LISTINGS", d.incremental_listings
            ),
            conditional=settings.getbool("NIANBAO_CONDITIONAL", d.conditional),
            conditional_pages=settings.getbool("NIANBAO_CONDITIONAL_PAGES", d.conditional_pages),
            navigation_revisit_hours=settings.getfloat(
                "NIANBAO_NAVIGATION_REVISIT_HOURS", d.navigation_revisit_hours
            ),
            render_enabled=settings.getbool("NIANBAO_RENDER_ENABLED", d.render_enabled),
            render_max_reloads=settings.getint("NIANBAO_RENDER_MAX_RELOADS", d.render_max_reloads),
            render_settle=settings.getfloat("NIANBAO_RENDER_SETTLE", d.render_settle),
            render_xhr=settings.getbool("NIANBAO_RENDER_XHR", d.render_xhr),
            render_xhr_max_answers=settings.getint(
                "NIANBAO_RENDER_XHR_MAX_ANSWERS", d.render_xhr_max_answers
            ),
            render_xhr_max_bytes=settings.getint(
                "NIANBAO_RENDER_XHR_MAX_BYTES", d.render_xhr_max_bytes
            ),
            rate_limit_retries=settings.getint("NIANBAO_RATE_LIMIT_RETRIES", d.rate_limit_retries),
            rate_limit_wait=settings.getfloat("NIANBAO_RATE_LIMIT_WAIT", d.rate_limit_wait),
            rate_limit_max_delay=settings.getfloat(
                "NIANBAO_RATE_LIMIT_MAX_DELAY", d.rate_limit_max_delay
            ),
            waf_detect=settings.getbool("NIANBAO_WAF_DETECT", d.waf_detect),
            waf_browser_timeout=settings.getfloat(
                "NIANBAO_WAF_BROWSER_TIMEOUT", d.waf_browser_timeout
            ),
            waf_challenge_wait=settings.getfloat(
                "NIANBAO_WAF_CHALLENGE_WAIT", d.waf_challenge_wait
            ),
            scope_enabled=settings.getbool("NIANBAO_SCOPE_ENABLED", d.scope_enabled),
            test_dns=_mapping(settings.getdict("NIANBAO_TEST_DNS")),
            retry_backoff=settings.getfloat("NIANBAO_RETRY_BACKOFF", d.retry_backoff),
            retry_backoff_max=settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX", d.retry_backoff_max),
            capture_enabled=settings.getbool("NIANBAO_CAPTURE_ENABLED", d.capture_enabled),
            db_retry_seconds=settings.getfloat("NIANBAO_DB_RETRY_SECONDS", d.db_retry_seconds),
            ingest_batch=settings.getint("NIANBAO_INGEST_BATCH", d.ingest_batch),
            ingest_flush_seconds=settings.getfloat(
                "NIANBAO_INGEST_FLUSH_SECONDS", d.ingest_flush_seconds
            ),
            extract_workers=settings.getint("NIANBAO_EXTRACT_WORKERS", d.extract_workers),
            extract_timeout=settings.getfloat("NIANBAO_EXTRACT_TIMEOUT", d.extract_timeout),
            extract_memory_mb=settings.getint("NIANBAO_EXTRACT_MEMORY_MB", d.extract_memory_mb),
            progress=str(settings.get("NIANBAO_PROGRESS", d.progress)).lower(),
            progress_interval=settings.getfloat("NIANBAO_PROGRESS_INTERVAL", d.progress_interval),
            summary_file=settings.get("NIANBAO_SUMMARY_FILE") or None,
        )

    @classmethod
    def of(cls, crawler: Any) -> CrawlConfig:
        """The crawler's configuration, parsed from its settings the first time it is asked
        for (a crawler's settings are frozen once it is set up)."""
        config = _configs.get(crawler)
        if config is None:
            config = cls.from_settings(crawler.settings)
            _configs[crawler] = config
        return config

    @property
    def test_dns_table(self) -> dict[str, Any] | None:
        """NIANBAO_TEST_DNS for the resolver (None: the system's)."""
        return self.test_dns or None


_configs: weakref.WeakKeyDictionary[Any, CrawlConfig] = weakref.WeakKeyDictionary()
