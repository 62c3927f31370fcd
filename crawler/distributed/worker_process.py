"""The crawl child of a worker: ``python -m crawler.distributed.worker_process JOB.json``.

JOB.json: crawl_id, run_id, site_ids, settings (the crawl's overrides), worker_id,
redis_url, db, data_dir.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

IDLE_POLL = 0.25
"""Seconds between an idle worker's looks at the shared queue (Scrapy's default is 5)."""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m crawler.distributed.worker_process JOB.json", file=sys.stderr)
        return 2
    job = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import CrawlerProcess

    from crawler.distributed.settings import crawl_settings, distributed_settings
    from crawler.distributed.spider import DistributedReportsSpider
    from storage.archive import Archive

    # An idle worker must notice requests other workers queue soon, not in 5 s.
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL
    overrides = {
        **job.get("settings", {}),
        "NIANBAO_DB": job["db"],
        "NIANBAO_DATA_DIR": job["data_dir"],
        "NIANBAO_RUN_ID": job["run_id"],
    }
    settings = crawl_settings(
        distributed_settings(job["crawl_id"], job["worker_id"], job["redis_url"], overrides)
    )
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(DistributedReportsSpider)
    # The crawl's archive (crawler.archive_access reads NIANBAO_ARCHIVE): one that
    # retries an ingest that raced another worker's.
    crawler.settings.set("NIANBAO_ARCHIVE", Archive(job["db"], job["data_dir"]), priority="cmdline")
    process.crawl(crawler, site_ids=job["site_ids"])
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
