"""The XHR/fetch answers a page receives while the browser renders it.

A page whose list is filled by script and whose list API the script scanner could not
find (`crawler.shells`) is rendered in the browser. What its scripts then ask for is the
list API itself: the answers are evidence (archived beside the page, role ``xhr``, their
WARC records ``WARC-Concurrent-To`` the page's) and, read like an API answer found in
scripts, they name the reports and the API's further pages, which are then asked for with
plain requests sent as the browser sent the first (its Referer, X-Requested-With…).

`ExchangeCollector` is given to scrapy-playwright by the browser middleware
(`crawler.middlewares.browser`) through its documented request meta: its `on_response` as
the page's ``response`` event handler (``playwright_page_event_handlers``) and its
`settle` as the last page method (``playwright_page_methods``), which waits, bounded, for
the page's network to fall quiet and for the answers' bodies, before the DOM is read and
the page closed. Only XHR and fetch answers of the site's hosts are kept (the site's
filtering proxy lets nothing else through anyway), at most NIANBAO_RENDER_XHR_MAX_ANSWERS
answers and NIANBAO_RENDER_XHR_MAX_BYTES bytes per page. Everything runs on the event loop,
awaiting the browser; nothing blocks.

The spider reads what was kept with `exchanges_of(response)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from playwright.async_api import Error as PlaywrightError
from scrapy.http import Response, TextResponse

from capture.types import FetchedResponse, Role
from crawler.adapters.types import ListingFetch, ListingFormat

logger = logging.getLogger(__name__)

EXCHANGES_KEY = "nianbao_exchanges"
"""The response meta key of the exchanges kept while its page was rendered."""
RESOURCE_TYPES = frozenset({"xhr", "fetch"})
"""The browser's resource types of the requests whose answers are kept."""
SENT_HEADERS = ("referer", "x-requested-with", "accept", "content-type")
"""The request headers a plain request for a further page repeats as the browser sent
them (the site's server may answer its API only to those)."""


@dataclass(frozen=True)
class BrowserExchange:
    """One XHR/fetch request of a rendered page and its answer, as the browser saw them."""

    url: str
    method: str
    status: int
    request_headers: list[tuple[str, str]]
    response_headers: list[tuple[str, str]]
    request_body: bytes
    body: bytes
    received_at: datetime
    """UTC, timezone-aware."""

    def header(self, name: str) -> str | None:
        """The request header `name` as the browser sent it."""
        name = name.lower()
        return next((v for k, v in self.request_headers if k.lower() == name), None)

    def text(self) -> str:
        """The answer decoded (its charset, a BOM, else UTF-8), as Scrapy decodes a page."""
        headers = {k: v for k, v in self.response_headers if k.lower() == "content-type"}
        return TextResponse(url=self.url, headers=headers, body=self.body).text

    def fetch(self) -> ListingFetch:
        """The same request as a plain JSON listing fetch: method, body and the headers of
        `SENT_HEADERS` as the browser sent them (its further pages are made from it)."""
        headers = {}
        for name in SENT_HEADERS:
            value = self.header(name)
            if value is not None:
                headers[name.title()] = value
        return ListingFetch(
            url=self.url,
            format=ListingFormat.JSON,
            method=self.method,
            body=self.request_body.decode("utf-8", "replace"),
            headers=headers,
            adapter="browser",
        )

    def fetched(self, site_id: str, run_id: int | None) -> FetchedResponse:
        """The exchange as a capture of role ``xhr`` (see `capture.types.Role.XHR`)."""
        return FetchedResponse(
            url=self.url,
            status=self.status,
            body=self.body,
            fetched_at=self.received_at,
            site_id=site_id,
            role=Role.XHR,
            run_id=run_id,
            method=self.method,
            request_headers=list(self.request_headers),
            response_headers=[
                (k, v)
                for k, v in self.response_headers
                # the browser decoded the body: these no longer describe it
                if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
            ],
            request_body=self.request_body,
        )


def exchanges_of(response: Any) -> list[BrowserExchange]:
    """The exchanges kept while the browser rendered `response` (none for a response the
    browser did not render; the browser middleware drops those of an earlier attempt
    from a retry)."""
    if not response.meta.get("playwright"):
        return []
    return list(response.meta.get(EXCHANGES_KEY) or [])


class ExchangeCollector:
    """The XHR/fetch answers of one page being rendered, within the page's limits."""

    def __init__(
        self,
        in_scope: Callable[[str], bool],
        *,
        max_answers: int,
        max_bytes: int,
        settle_seconds: float,
    ) -> None:
        self.in_scope = in_scope
        self.max_answers = max_answers
        self.max_bytes = max_bytes
        self.settle_seconds = settle_seconds
        self.seen = 0
        """XHR/fetch answers of the site's hosts the page received"""
        self.over_limits = 0
        """of these, answers not kept: beyond the page's count or bytes"""
        self._kept: dict[int, BrowserExchange] = {}
        self._bytes = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    # -- scrapy-playwright's hooks ------------------------------------------------------------
    def on_response(self, response: Any) -> None:
        """The page's ``response`` event handler: reads an XHR/fetch answer's body (in a
        task: the browser goes on meanwhile)."""
        request = response.request
        if self._closed or request.resource_type not in RESOURCE_TYPES:
            return
        if not response.url.startswith(("http://", "https://")) or not self.in_scope(response.url):
            return
        if 300 <= response.status < 400:
            return  # a redirect: its target's answer is the one kept
        self.seen += 1
        if len(self._kept) + len(self._tasks) >= self.max_answers:
            self.over_limits += 1
            return
        task = asyncio.ensure_future(self._read(self.seen, response))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self, page: Any) -> None:
        """The last page method: wait (at most NIANBAO_RENDER_SETTLE seconds) for the page's
        network to fall quiet and for the answers' bodies, then keep nothing more."""
        if self.settle_seconds <= 0:
            self._closed = True
            return
        deadline = time.monotonic() + self.settle_seconds
        with contextlib.suppress(PlaywrightError):  # a timeout included
            await page.wait_for_load_state("networkidle", timeout=self.settle_seconds * 1000)
        left = deadline - time.monotonic()
        if self._tasks and left > 0:
            await asyncio.wait(list(self._tasks), timeout=left)
        self._closed = True

    # -- reading ------------------------------------------------------------------------------
    async def _read(self, number: int, response: Any) -> None:
        request = response.request
        try:
            declared = (await response.header_value("content-length")) or ""
            if declared.isdigit() and self._bytes + int(declared) > self.max_bytes:
                self.over_limits += 1
                return
            body = await response.body()
            if self._closed:
                return
            if self._bytes + len(body) > self.max_bytes:
                self.over_limits += 1
                return
            self._bytes += len(body)
            self._kept[number] = BrowserExchange(
                url=response.url,
                method=request.method,
                status=response.status,
                request_headers=_pairs(await request.headers_array()),
                response_headers=_pairs(await response.headers_array()),
                request_body=request.post_data_buffer or b"",
                body=body,
                received_at=datetime.now(UTC),
            )
        except PlaywrightError as exc:  # the page closed, the request failed
            logger.debug("answer of %s not read: %s", response.url, exc)

    def exchanges(self) -> list[BrowserExchange]:
        """What was kept, in the order the answers arrived; reads not finished by now are
        abandoned."""
        self._closed = True
        for task in self._tasks:
            task.cancel()
        return [self._kept[n] for n in sorted(self._kept)]


def _pairs(headers: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Playwright's ``headers_array()`` as (name, value) pairs, HTTP/2 pseudo-headers
    left out."""
    return [(h["name"], h["value"]) for h in headers if not h["name"].startswith(":")]


def with_exchanges(captured: FetchedResponse, page: Response) -> FetchedResponse:
    """A rendered page's capture with the XHR/fetch answers the browser kept."""
    exchanges = exchanges_of(page)
    if not exchanges:
        return captured
    return dataclasses.replace(
        captured,
        exchanges=[e.fetched(captured.site_id, captured.run_id) for e in exchanges],
    )
