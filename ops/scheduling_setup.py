"""What ``nianbao run-due`` and ``nianbao scheduler`` share: building the scheduler."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ops.alerts import AlertConfig, check
from ops.crawl_runner import local_crawl
from ops.scheduler import Scheduler
from storage.archive import Archive

log = logging.getLogger(__name__)


def alert_hook(config: AlertConfig) -> Callable[[Archive], Any] | None:
    """After each scheduled run, raise alerts for changes of health (if configured)."""
    if not (config.webhook_url or config.feed_path):
        return None

    def after(archive: Archive) -> None:
        result = check(archive, config)
        if result.raised:
            log.info("%d alert(s) raised", len(result.raised))

    return after


def build_scheduler(
    archive: Archive,
    *,
    distributed: bool = False,
    max_sites: int = 500,
    lease_seconds: float = 300.0,
    redis_url: str | None = None,
) -> Scheduler:
    if distributed:
        from ops.distributed.crawl import distributed_crawl

        crawl = distributed_crawl(redis_url=redis_url)
    else:
        crawl = local_crawl()
    return Scheduler(
        archive,
        crawl,
        max_sites_per_run=max_sites,
        lease=timedelta(seconds=lease_seconds),
        after_run=alert_hook(AlertConfig.from_env()),
    )
