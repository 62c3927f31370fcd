"""Report pages and their files: what a crawl does with an answer it asked for as a
report (`parse_report`) or as an attachment (`parse_attachment`).

A report page is captured with its title, year and agency (from the list entry that led
to it, else from the page), and its attachments and further article pages are asked for;
a file is captured by what its bytes are (sniffed), named by its `Content-Disposition` or
link text; a "file" link answering with the report's own HTML page is read as the report;
a navigation link that turned out to be a file is kept only when it is a report (by its
link, its file name, or, for a list title cut short, its own content). Status-only
answers (304 Not Modified, 404/410) are recorded: a 304 keeps the archived copy as this
crawl's evidence, a 404/410 of a known document marks it vanished.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from parsel import Selector
from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.statscollectors import StatsCollector

from capture.types import Role
from crawler import shells
from crawler.adapters.types import ListingPage
from crawler.anchors import Anchor, extract_anchors, page_title
from crawler.attachments import content_disposition_filename, filename_from_url, sniff_file_type
from crawler.browser_exchanges import with_exchanges
from crawler.config import CrawlConfig
from crawler.discovery.navigation import Navigation
from crawler.discovery.pages import is_file, report_title
from crawler.discovery.titles import classify_title
from crawler.encoding import as_text_response
from crawler.evidence import fetched_response
from crawler.hints import Hint, RequestRole
from crawler.items import CrawlFailure
from crawler.links import canonical_url, is_attachment_link, is_ignored_link, trap_reason
from crawler.listings.article_parts import article_parts
from crawler.request_builder import RequestBuilder
from crawler.sitebook import SiteState
from storage.vocab import FailureKind


class Documents:
    """The spider's handling of report pages and files (one per crawl)."""

    def __init__(
        self,
        book: dict[str, SiteState],
        config: CrawlConfig,
        requests: RequestBuilder,
        navigation: Navigation,
        crawler: Any,
    ) -> None:
        self.book = book
        self.config = config
        self.requests = requests
        self.navigation = navigation
        self.crawler = crawler

    @property
    def stats(self) -> StatsCollector:
        """The crawl's stats (set when the crawl starts, after the spider is built)."""
        stats: StatsCollector = self.crawler.stats
        return stats

    def report_response(self, response: Response) -> Iterator[Any]:
        hint = Hint.of(response)
        state = self.book[hint.site or ""]
        if response.status in (304, 404, 410):
            yield from self.status_only(state, response, Role.REPORT)
            return
        if is_file(response):
            yield from self.attachment_found_as_page(state, response)
            return
        page = as_text_response(response)
        selector = Selector(text=page.text or "<html></html>")
        match = classify_title(hint.title or "")
        if match is None:
            match = report_title(selector)[1]
        anchors = extract_anchors(selector, page.url)
        self.navigation.sight(state, page.url, anchors)
        if "<script" in page.text:
            # attachments named only in the page's data (gkmlpt `_CONFIG.DETAIL`…)
            anchors += shells.script_links(ListingPage(url=page.url, text=page.text))
        anchors = state.mirrors.fold(anchors)
        yield from self.report_page(state, page, selector, anchors, match)

    def report_page(
        self,
        state: SiteState,
        page: TextResponse,
        selector: Selector,
        anchors: list[Anchor],
        match: Any,
    ) -> Iterator[Any]:
        hint = Hint.of(page)
        title = hint.title or report_title(selector)[0] or page_title(selector)
        year = hint.year or (match.year if match else None)
        agency = hint.agency or (match.agency if match else None)
        state.reports.add(canonical_url(page.url))
        state.reached.add(canonical_url(page.url))
        captured = fetched_response(
            page,
            Role.REPORT,
            run_id=self.config.run_id,
            title=title,
            year=year,
            agency_name=agency,
            parent_url=hint.parent,
            published_at=hint.published,
        )
        yield with_exchanges(captured, page)
        yield from self.attachment_requests(
            state,
            page.url,
            anchors,
            depth=hint.depth,
            title=title,
            year=year,
            agency=agency,
            published=hint.published,
        )
        for url in article_parts(ListingPage(url=page.url, text=page.text), anchors, hint.parent):
            if state.in_scope(url):
                yield self.requests.report(
                    state,
                    url,
                    depth=hint.depth,
                    hint=Hint(
                        title=title,
                        year=year,
                        agency=agency,
                        published=hint.published,
                        parent=page.url,
                    ),
                )

    def attachment_requests(
        self,
        state: SiteState,
        page_url: str,
        anchors: Iterable[Anchor],
        *,
        depth: int,
        title: str | None,
        year: int | None,
        agency: str | None,
        published: str | None,
        only_new: bool = False,
    ) -> Iterator[Request]:
        """Requests for the attachments a report page links (`only_new`: those the archive
        does not hold; the others count as reached)."""
        seen: set[str] = set()
        for anchor in anchors:
            if not is_attachment_link(anchor.url, anchor.text) or is_ignored_link(anchor.url):
                continue
            key = canonical_url(anchor.url)
            if key in seen or not state.in_scope(anchor.url) or trap_reason(anchor.url):
                continue
            seen.add(key)
            if only_new and key in state.known:
                state.reached.add(key)
                continue
            yield self.requests.attachment(
                state,
                anchor.url,
                depth=depth + 1,
                hint=Hint(
                    title=title,
                    year=year,
                    agency=agency,
                    parent=page_url,
                    link_text=anchor.text,
                    published=published,
                ),
            )

    def attachment_response(self, response: Response) -> Iterator[Any]:
        hint = Hint.of(response)
        state = self.book[hint.site or ""]
        if response.status in (304, 404, 410):
            yield from self.status_only(state, response, Role.ATTACHMENT)
            return
        filename = content_disposition_filename(response.headers.get(b"Content-Disposition"))
        kind = sniff_file_type(response.body, response.url, filename)
        if kind is None:
            if b"<html" in response.body[:2048].lower() and hint.bare:
                # A "file" link that answers with the report's own HTML page.
                yield from self.report_response(response)
                return
            yield CrawlFailure(
                state.id,
                response.url,
                FailureKind.EXTRACTION,
                "attachment link did not return a document",
                response.status,
            )
            return
        if not filename:
            text = hint.link_text or ""
            filename = text if "." in text[-6:] else filename_from_url(response.url)
        self.stats.inc_value(f"nianbao/{state.id}/attachments/{kind}")
        decide = hint.decide_by_content
        if hint.bare and not decide:
            state.reports.add(canonical_url(response.url))
        state.reached.add(canonical_url(response.url))
        captured = fetched_response(
            response,
            Role.ATTACHMENT,
            run_id=self.config.run_id,
            title=hint.title,
            year=hint.year,
            agency_name=hint.agency,
            parent_url=None if hint.bare else hint.parent,
            filename=filename,
            published_at=hint.published,
        )
        yield dataclasses.replace(captured, decide_by_content=True) if decide else captured

    def attachment_found_as_page(self, state: SiteState, response: Response) -> Iterator[Any]:
        """A navigation link that turned out to be a file: keep it only if it is a report
        (by its link's title, else by the file name the server gives it: a list title cut
        short is often whole there)."""
        hint = Hint.of(response)
        match = classify_title(hint.title or "")
        if match is None:
            filename = content_disposition_filename(response.headers.get(b"Content-Disposition"))
            stem = (filename or "").rsplit(".", 1)[0]
            match = classify_title(stem)
            if match is None:
                if not hint.maybe_report:
                    return
                # a list title cut short, a file name that says nothing: the document's
                # own title decides (read by the archive pipeline, in an isolated worker)
                hint.replace(bare=True, decide_by_content=True).store(response)
                yield from self.attachment_response(response)
                return
            # navigation says nothing of the year and agency; a report link's words stand
            navigation = hint.role == RequestRole.PAGE
            hint = hint.replace(
                title=stem,
                year=match.year if navigation else hint.year,
                agency=match.agency if navigation else hint.agency,
            )
        if hint.maybe_report:
            hint = hint.replace(bare=True)  # a report published as a bare file
        hint.store(response)
        yield from self.attachment_response(response)

    def status_only(self, state: SiteState, response: Response, role: Role) -> Iterator[Any]:
        hint = Hint.of(response)
        if response.status == 304:
            self.stats.inc_value(f"nianbao/{state.id}/not_modified")
            if role == Role.REPORT or hint.bare:
                state.reports.add(canonical_url(response.url))
            if role == Role.REPORT:
                # An unchanged page: its archived copy names its attachments (read once
                # listings are exhausted, off the download path).
                state.unread_pages.setdefault(
                    canonical_url(response.url),
                    (
                        response.url,
                        Hint(
                            title=hint.title,
                            year=hint.year,
                            agency=hint.agency,
                            published=hint.published,
                            depth=hint.depth,
                        ),
                    ),
                )
            yield fetched_response(
                response,
                role,
                run_id=self.config.run_id,
                title=hint.title,
                year=hint.year,
                agency_name=hint.agency,
                parent_url=hint.parent if role == Role.ATTACHMENT else None,
            )
            return
        yield CrawlFailure(
            state.id,
            response.url,
            FailureKind.HTTP_STATUS,
            f"HTTP {response.status}",
            response.status,
        )
        if canonical_url(response.url) in state.known:
            # The recorder marks a known document vanished.
            yield fetched_response(response, role, run_id=self.config.run_id, title=hint.title)
