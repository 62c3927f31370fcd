"""Listings that JavaScript fills from a JSON API.

The page's scripts name the API (`fetch("…")`, `$.getJSON("…")`, `$.ajax({url: "…"})`,
`axios.get("…")`, or a `data-api`/`data-url` attribute). Answers are walked for lists of
objects carrying a title and a URL; page counts in the answer (`totalPage`, `pages`,
`total` + `pageSize`, …) give the remaining pages of a query-string-paged API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.anchors import Anchor, clean_text, find_date

NAME = "jsonapi"
_CALLS = re.compile(
    r"""(?:fetch|\$\.getJSON|\$\.get|axios\.get|\$\.ajax\s*\(\s*\{[^}]*?\burl)\s*[(:]\s*["'`]([^"'`]+)["'`]"""
    r"""|data-(?:api|url|src|list-url)\s*=\s*["']([^"']+)["']""",
    re.IGNORECASE,
)
_API_HINT = re.compile(
    r"(\.json\b|/api/|json|list|query|search|data|getdoc|article)", re.IGNORECASE
)
_NOT_API = re.compile(r"\.(js|css|png|jpe?g|gif|svg|html?|shtml)(\?|$)", re.IGNORECASE)
TITLE_KEYS = ("title", "doctitle", "name", "wzbt", "bt", "subject", "text", "label")
URL_KEYS = ("url", "link", "href", "docurl", "path", "fileurl", "file", "downloadurl", "pageurl")
DATE_KEYS = (
    "date",
    "pubdate",
    "publishdate",
    "publishtime",
    "releasedate",
    "time",
    "fbrq",
    "docreltime",
    "created",
    "createtime",
)
PAGE_PARAMS = ("page", "pageno", "pagenum", "pageindex", "curpage", "currentpage", "current", "p")
TOTAL_PAGE_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal", "totalpagenum")
TOTAL_KEYS = ("total", "totalcount", "totalrecords", "totalrecord", "recordcount", "count")
SIZE_KEYS = ("pagesize", "size", "rows", "limit", "perpage", "per_page")


def api_urls(page: ListingPage) -> list[str]:
    urls: list[str] = []
    for match in _CALLS.finditer(page.text):
        raw = match.group(1) or match.group(2)
        if not raw or "${" in raw or _NOT_API.search(raw) or not _API_HINT.search(raw):
            continue
        url = _first_page(urljoin(page.url, raw))
        if url not in urls:
            urls.append(url)
    return urls


def _first_page(url: str) -> str:
    """A script builds `…?page=' + n`: the literal ends with an empty page parameter."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k.lower() in PAGE_PARAMS and v == "" for k, v in query):
        return url
    query = [(k, "1" if k.lower() in PAGE_PARAMS and v == "" else v) for k, v in query]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def listing_fetches(page: ListingPage) -> list[ListingFetch]:
    return [
        ListingFetch(
            url=url, format=ListingFormat.JSON, headers={"Accept": "application/json"}, adapter=NAME
        )
        for url in api_urls(page)
    ]


def _lower_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in obj.items()}


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _objects(value)
    elif isinstance(data, list):
        for value in data:
            yield from _objects(value)


def entries(data: Any, base_url: str) -> list[Anchor]:
    """Every object in the answer with a title and a URL, as anchors."""
    anchors: list[Anchor] = []
    for obj in _objects(data):
        keys = _lower_keys(obj)
        title = next((keys[k] for k in TITLE_KEYS if isinstance(keys.get(k), str)), None)
        url = next((keys[k] for k in URL_KEYS if isinstance(keys.get(k), str) and keys[k]), None)
        if not title or not url:
            continue
        date = next((keys[k] for k in DATE_KEYS if isinstance(keys.get(k), str)), None)
        anchors.append(
            Anchor(
                url=urljoin(base_url, url),
                text=clean_text(title),
                published=find_date(date) if date else None,
            )
        )
    return anchors


def _find_int(data: Any, names: tuple[str, ...]) -> int | None:
    for obj in _objects(data):
        keys = _lower_keys(obj)
        for name in names:
            value = keys.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and value.isdigit():
                return int(value)
    return None


def next_fetches(data: Any, request_url: str, max_pages: int = 200) -> list[ListingFetch]:
    """The other pages of a paged API, from the page count the first answer gives."""
    parts = urlsplit(request_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    param = next((k for k, _ in query if k.lower() in PAGE_PARAMS), None)
    current = int(dict(query)[param]) if param and dict(query)[param].isdigit() else None
    if param is None:
        param = next(
            (k for obj in _objects(data) for k in obj if str(k).lower() in PAGE_PARAMS), "page"
        )
    if current is None:
        current = _find_int(data, (param.lower(),)) or 1
    pages = _find_int(data, TOTAL_PAGE_KEYS)
    if pages is None:
        total, size = _find_int(data, TOTAL_KEYS), _find_int(data, SIZE_KEYS)
        if total is None or not size:
            return []
        pages = -(-total // size)
    first = 0 if current == 0 else 1
    last = min(pages - (1 - first), first + max_pages - 1)
    fetches = []
    for number in range(first, last + 1):
        if number == current:
            continue
        new_query = [(k, v) for k, v in query if k != param] + [(param, str(number))]
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(new_query), ""))
        fetches.append(
            ListingFetch(
                url=url,
                format=ListingFormat.JSON,
                headers={"Accept": "application/json"},
                adapter=NAME,
            )
        )
    return fetches


def parse_json(text: str) -> Any | None:
    """The answer as JSON; JSONP wrappers (`callback({...})`) are unwrapped."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    match = re.match(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", text, re.DOTALL)
    if match:
        try:
            return json.loads(match.group(1))
        except ValueError:
            return None
    return None
