"""Re-verification of what the archive knows, once discovery is done (spider_idle).

When the spider goes idle, the navigation its sites' frontiers still hold goes first (the
spider releases it). Once there is none, for every site not blocked:

- the archived copies of the known report pages this crawl did not download (they
  answered 304, or were checked within NIANBAO_REVERIFY_DAYS) are read for attachment
  links, as if the pages had been downloaded (only attachments the archive lacks, for
  pages within the cadence);
- then every known report page and attachment that no listing of this crawl reached is
  asked for again (conditionally): one taken down answers 404/410 and is recorded as
  vanished, one moved is found at its new place.

The archive is read (SQL and WARC payloads) in a worker thread, never on the reactor's;
the spider is kept open (DontCloseSpider) while that work is under way or brought
requests, exactly as long as before."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Self

from parsel import Selector
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider

from crawler.anchors import Anchor, extract_anchors, page_title
from crawler.archive_access import ArchiveAccess
from crawler.archived import archived_page
from crawler.hints import Hint, RequestRole
from crawler.sitebook import SiteState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchivedPage:
    """A known report page not downloaded this crawl, and what its archived copy says
    (``anchors`` None: the archive has no readable copy)."""

    state: SiteState
    url: str
    hint: Hint
    title: str = ""
    anchors: list[Anchor] | None = None


def read_archived(archive: Any, pages: list[ArchivedPage]) -> list[ArchivedPage]:
    """The archived copies of ``pages`` read and their links extracted (blocking: SQL and
    WARC reads; run it in a worker thread)."""
    out: list[ArchivedPage] = []
    for page in pages:
        response = archived_page(archive, page.url, page.hint.replace(site=page.state.id).meta())
        if response is None:
            out.append(page)
            continue
        selector = Selector(text=response.text or "<html></html>")
        out.append(
            ArchivedPage(
                page.state,
                page.url,
                page.hint,
                title=page_title(selector),
                anchors=extract_anchors(selector, response.url),
            )
        )
    return out


class Reverifier:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.access = ArchiveAccess.of(crawler)
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    # ------------------------------------------------------------------ the idle signal

    def spider_idle(self, spider: Any) -> None:
        book: dict[str, SiteState] | None = getattr(spider, "book", None)
        if book is None:
            return
        if spider.release_on_idle():
            raise DontCloseSpider  # navigation first
        if self._task is not None:
            raise DontCloseSpider  # the archive is being read
        requests, reads = self.plan(spider, book)
        for request in requests:
            self.crawler.engine.crawl(request)
        if reads:
            self._task = asyncio.ensure_future(self._read_then_request(spider, reads))
        if requests or reads:
            raise DontCloseSpider

    def plan(
        self, spider: Any, book: dict[str, SiteState]
    ) -> tuple[list[Request], list[ArchivedPage]]:
        """What can be asked for at once (sites with no archived page to read), and the
        archived pages to read first (their sites are swept once they are read)."""
        requests: list[Request] = []
        reads: list[ArchivedPage] = []
        for state in book.values():
            if state.blocked:
                state.unread_pages.clear()
                continue
            if state.unread_pages:
                while state.unread_pages:
                    _key, (url, hint) = state.unread_pages.popitem()
                    reads.append(ArchivedPage(state, url, hint))
                continue
            requests += self.sweep(spider, state)
        return requests, reads

    async def requests_after_reading(self, spider: Any, reads: list[ArchivedPage]) -> list[Request]:
        """The requests the archived pages lead to (their copies read in a worker thread),
        then those of their sites' sweeps."""
        pages = await self.access.call(read_archived, self.access.archive, reads)
        requests: list[Request] = []
        for page in pages:
            requests += self.archived_page_requests(spider, page)
        for state in {id(p.state): p.state for p in pages}.values():
            requests += self.sweep(spider, state)
        return requests

    async def _read_then_request(self, spider: Any, reads: list[ArchivedPage]) -> None:
        requests: list[Request] = []
        try:
            requests = await self.requests_after_reading(spider, reads)
            for request in requests:
                self.crawler.engine.crawl(request)
        except Exception:
            logger.exception("re-verification after discovery failed")
        finally:
            self._task = None
            if not requests:
                self._wake_engine()

    def _wake_engine(self) -> None:
        """Have the engine look at once whether the spider is idle (else its next
        heartbeat, seconds later, would)."""
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no engine (the crawl never started)
            return
        slot = getattr(engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    # ------------------------------------------------------------------ requests

    def archived_page_requests(self, spider: Any, page: ArchivedPage) -> Iterator[Request]:
        """The attachment requests of a report page read back from the archive, as if the
        page had been downloaded (`only_new`: only those the archive does not hold).
        Without a readable copy, the page is asked for again without validators."""
        state, hint, stats = page.state, page.hint, self.crawler.stats
        if page.anchors is None:
            stats.inc_value(f"nianbao/{state.id}/archived_copy_missing")
            yield spider.requests.report(
                state, page.url, depth=hint.depth, hint=hint.replace(unconditional=True)
            ).replace(dont_filter=True)
            return
        stats.inc_value(f"nianbao/{state.id}/archived_copies_read")
        yield from spider.documents.attachment_requests(
            state,
            page.url,
            page.anchors,
            depth=hint.depth,
            title=hint.title or page.title,
            year=hint.year,
            agency=hint.agency,
            published=hint.published,
            only_new=hint.only_new,
        )

    def sweep(self, spider: Any, state: SiteState) -> list[Request]:
        """Known report pages and attachments that no listing of this crawl reached, asked
        for again (conditionally: 304 says still there); once per site and crawl."""
        if state.swept:
            return []
        state.swept = True
        requests = []
        for key, doc in list(state.known.items()):
            if doc.role not in ("report", "attachment") or key in state.reached:
                continue
            if getattr(doc, "status", "present") == "vanished":
                continue
            self.crawler.stats.inc_value(f"nianbao/{state.id}/unlisted_reverified")
            parent = getattr(doc, "parent_url", None)
            requests.append(
                spider.requests.build(
                    state,
                    doc.url,
                    role=RequestRole(doc.role),
                    depth=1,
                    priority=10,
                    hint=Hint(
                        title=doc.title,
                        year=doc.year,
                        agency=getattr(doc, "agency_name", None),
                        parent=parent,
                        bare=doc.role == "attachment" and not parent,
                        unlisted=True,
                    ),
                )
            )
        return requests
