"""An unfocused breadth-first Scrapy spider, for the discovery benchmark's baseline.

    .venv/bin/python benchmarks/discovery_bfs_spider.py --budget 500 --hosts H1,H2 START_URL...

Follows every link (any extension) on the given hosts in breadth-first order (FIFO queues,
`DEPTH_PRIORITY=1`), obeys robots.txt, stops after `--budget` responses. Scrapy's defaults
otherwise: no JavaScript, no special handling of any platform. Prints its request count as
JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BreadthFirstSpider(CrawlSpider):
    name = "bfs"
    rules = (Rule(LinkExtractor(deny_extensions=[]), callback="parse_item", follow=True),)

    def __init__(self, start_urls: list[str], hosts: list[str], *args: Any, **kwargs: Any) -> None:
        self.start_urls = start_urls
        self.allowed_domains = hosts
        super().__init__(*args, **kwargs)

    def parse_item(self, response: Any) -> None:
        return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("start_urls", nargs="+")
    parser.add_argument("--hosts", required=True, help="comma-separated hosts the spider may visit")
    parser.add_argument("--budget", type=int, default=500)
    args = parser.parse_args()
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "ROBOTSTXT_OBEY": True,
            "DEPTH_PRIORITY": 1,
            "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
            "CLOSESPIDER_PAGECOUNT": args.budget,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
            "DOWNLOAD_TIMEOUT": 30,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    crawler = process.create_crawler(BreadthFirstSpider)
    process.crawl(crawler, start_urls=args.start_urls, hosts=args.hosts.split(","))
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    json.dump({"responses": int(stats.get("response_received_count", 0))}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
