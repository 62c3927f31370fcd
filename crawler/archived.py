"""A report page as the archive last captured it, for a crawl that did not download it
again (the publisher answered 304, or the page was checked within the re-verify cadence)."""

from __future__ import annotations

import logging
import zlib
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse

from crawler.encoding import as_text_response

logger = logging.getLogger(__name__)


def archived_page(archive: Any, url: str, meta: dict[str, Any]) -> TextResponse | None:
    """The archived copy of the page at `url` as a decoded response whose request carries
    `meta`; None when the archive has no readable copy (never captured, WARC unreadable)."""
    try:
        payload = archive.last_payload(url)
    except (OSError, KeyError, ValueError, EOFError, StopIteration, zlib.error) as exc:
        logger.warning("archived copy of %s unreadable: %s", url, exc)
        return None
    if payload is None:
        return None
    body, content_type = payload
    headers = {"Content-Type": content_type} if content_type else {}
    response = HtmlResponse(
        url=url,
        status=200,
        headers=headers,
        body=body,
        request=Request(url, meta=meta),
        flags=["archived"],
    )
    return as_text_response(response)
