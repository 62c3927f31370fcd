"""The crawl child process: `python -m crawler.worker JOB.json`.

JOB.json holds {"site_ids": [...], "run_id": N, "settings": {...}}; the worker runs the
reports spider with crawler.settings plus those settings and writes the per-site figures
to the job's NIANBAO_SUMMARY_FILE. A separate process gives each crawl a fresh Twisted
reactor (which cannot be restarted within a process).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


def crawl_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    if not settings.getbool("NIANBAO_RENDER_ENABLED", True):
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
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
