"""The crawl child process: `python -m crawler.worker JOB.json`.

JOB.json holds {"site_ids": [...], "run_id": N, "settings": {...}}; the worker runs the
reports spider with crawler.settings plus those settings and writes the per-site figures
to the job's NIANBAO_SUMMARY_FILE. A separate process gives each crawl a fresh Twisted
reactor (which cannot be restarted within a process).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.config import CrawlConfig

logger = logging.getLogger(__name__)


def crawl_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    if not CrawlConfig.from_settings(settings).render_enabled:
        settings.set("DOWNLOAD_HANDLERS", {}, priority="cmdline")
    return settings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m crawler.worker JOB.json", file=sys.stderr)
        return 2
    job = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    from crawler.spiders.reports import ReportsSpider

    process = CrawlerProcess(crawl_settings(job.get("settings", {})))
    process.crawl(ReportsSpider, site_ids=job.get("site_ids") or None)
    _stop_when_orphaned(process)
    process.start()
    return 0


def _stop_when_orphaned(process: CrawlerProcess) -> None:
    """Stop the crawl (cleanly: what is fetched is archived) when the process that started
    it dies: nobody would end its run, which is then shown crashed."""
    from twisted.internet import reactor

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                logger.warning("the process that started this crawl is gone: stopping")
                reactor.callFromThread(process.stop)
                return

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


if __name__ == "__main__":
    raise SystemExit(main())
