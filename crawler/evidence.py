"""Turn a Scrapy response into the capture layer's FetchedResponse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy.http import Request, Response

from capture.types import FetchedResponse, Role
from crawler.hints import Hint

# Scrapy hands over decoded bodies: headers describing the transfer encoding would lie.
_TRANSFER_HEADERS = {b"content-encoding", b"transfer-encoding", b"content-length"}


def header_pairs(headers: Any, *, drop_transfer: bool = False) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        if drop_transfer and name.lower() in _TRANSFER_HEADERS:
            continue
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


def fetched_response(
    response: Response,
    role: Role,
    *,
    run_id: int | None,
    title: str | None = None,
    year: int | None = None,
    agency_name: str | None = None,
    parent_url: str | None = None,
    filename: str | None = None,
    published_at: str | None = None,
    body: bytes | None = None,
) -> FetchedResponse:
    request: Request = response.request  # type: ignore[assignment]
    return FetchedResponse(
        url=response.url,
        status=response.status,
        body=response.body if body is None else body,
        fetched_at=datetime.now(UTC),
        site_id=str(Hint.of(request).site),
        role=role,
        run_id=run_id,
        method=request.method,
        request_headers=header_pairs(request.headers),
        response_headers=header_pairs(response.headers, drop_transfer=True),
        request_body=request.body or b"",
        title=title,
        year=year,
        agency_name=agency_name,
        parent_url=parent_url,
        filename=filename,
        published_at=published_at,
    )
