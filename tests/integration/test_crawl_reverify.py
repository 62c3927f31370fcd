"""Re-verification after discovery (crawler.extensions.reverify): the archive is read in a
worker thread, never on the thread of the crawl's event loop (the reactor's)."""

from __future__ import annotations

import asyncio
import threading

from archive_helpers import fetched, setup_archive
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.statscollectors import MemoryStatsCollector

from capture.types import Role
from crawler.extensions.reverify import Reverifier
from crawler.hints import Hint, RequestRole
from crawler.links import canonical_url
from crawler.spiders.reports import ReportsSpider
from storage.archive import Archive

PAGE = "http://www.ninghai.gov.cn/col/col1/art/2021/1/7/art_1_1.html"
PDF = "http://www.ninghai.gov.cn/module/download/downfile.jsp?filename=nb2020.pdf"
TITLE = "长街镇2020年度政府信息公开年度报告"


class ThreadNotingArchive(Archive):
    """The real archive, noting which thread each of its reads runs on."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.read_on: list[int] = []

    def last_payload(self, url: str) -> tuple[bytes, str | None] | None:
        self.read_on.append(threading.get_ident())
        return super().last_payload(url)


def _crawl_of(archive: Archive, *, with_attachment: bool = False):
    """A report page (and its attachment) in the archive; the spider and re-verifier of a
    crawl of its site, reading it through a ThreadNotingArchive."""
    recorder = setup_archive(archive)
    body = (
        f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body>"
        f"<h1>{TITLE}</h1><p>正文</p><a href='{PDF}'>附件：{TITLE}.pdf</a></body></html>"
    ).encode()
    recorder.record(fetched(PAGE, body, title=TITLE))
    if with_attachment:
        recorder.record(
            fetched(
                PDF,
                b"%PDF-1.4\n%%EOF\n",
                role=Role.ATTACHMENT,
                content_type="application/pdf",
                title=TITLE,
                parent_url=PAGE,
            )
        )
    recorder.close()
    noting = ThreadNotingArchive(archive.url, data_dir=archive.data_dir)
    crawler = Crawler(ReportsSpider, {"NIANBAO_RENDER_ENABLED": False})
    crawler.settings.set("NIANBAO_ARCHIVE", noting, priority="cmdline")
    crawler.stats = MemoryStatsCollector(crawler)
    spider = ReportsSpider.from_crawler(crawler)
    return noting, crawler, spider, Reverifier.from_crawler(crawler)


def test_archived_pages_are_read_off_the_event_loop_thread(archive) -> None:
    noting, crawler, spider, reverifier = _crawl_of(archive)
    state = spider.book["ninghai-gov"]
    # a report page this crawl did not download (it answered 304)
    state.unread_pages[canonical_url(PAGE)] = (PAGE, Hint(title=TITLE, year=2020, depth=1))

    async def idle_work() -> tuple[int, list]:
        requests, reads = reverifier.plan(spider, spider.book)
        assert requests == [] and len(reads) == 1  # the site is swept after the read
        return threading.get_ident(), await reverifier.requests_after_reading(spider, reads)

    try:
        loop_thread, requests = asyncio.run(idle_work())
    finally:
        noting.close()
    assert noting.read_on and loop_thread not in noting.read_on
    attachments = [r for r in requests if Hint.of(r).role is RequestRole.ATTACHMENT]
    assert [r.url for r in attachments] == [PDF]
    hint = Hint.of(attachments[0])
    assert (hint.site, hint.parent, hint.title, hint.year) == ("ninghai-gov", PAGE, TITLE, 2020)
    assert state.swept and not state.unread_pages
    assert crawler.stats.get_value("nianbao/ninghai-gov/archived_copies_read") == 1


def test_the_spider_stays_open_while_the_archive_is_read(archive) -> None:
    """spider_idle raises DontCloseSpider while archived pages are being read, and lets the
    spider close once re-verification has nothing more to ask for."""
    noting, _crawler, spider, reverifier = _crawl_of(archive, with_attachment=True)
    state = spider.book["ninghai-gov"]
    # this crawl's listing reached the page, within the re-verify cadence: its archived
    # copy is read for attachments the archive lacks (none)
    state.reached.add(canonical_url(PAGE))
    hint = Hint(title=TITLE, year=2020, depth=1, only_new=True)
    state.unread_pages[canonical_url(PAGE)] = (PAGE, hint)

    async def idle_until_closed() -> list[str]:
        seen = []
        for _ in range(200):
            try:
                reverifier.spider_idle(spider)
            except DontCloseSpider:
                seen.append("open")
                await asyncio.sleep(0.01)
                continue
            seen.append("may close")
            return seen
        return seen

    try:
        seen = asyncio.run(idle_until_closed())
    finally:
        noting.close()
    assert seen[0] == "open" and seen[-1] == "may close"
    assert noting.read_on  # the page was read, in a worker thread
    assert state.swept and canonical_url(PDF) in state.reached
