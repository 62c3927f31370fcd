"""Answers of list APIs: parse them, find their records, and the listing's other pages.

Answers come as JSON, JSONP (`cb({…});`), `var x = {…};`, JavaScript object literals,
or HTML fragments (alone or inside JSON as `data.html`). Records are objects carrying a
title and a URL under many key names, nested anywhere (`data.list`, `rows`, `articles`,
`result.records`, `page.content`); their attachments (`attachment[]`, `files`) are
records too. Page counts are read from the answer only (`totalPage`, `pages`,
`total`+`pageSize`, `hasNext`, a pager's `data-pages`/`rows`+`count` attributes, `共N页`);
without any, the next page is asked for and the spider stops at a page that repeats or
is empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit

from crawler.adapters.types import ListingFetch, ListingFormat
from crawler.anchors import Anchor, clean_text, extract_anchors, find_date
from crawler.shells import gkmlpt
from crawler.shells.jstokens import tokenize
from crawler.shells.jsvalues import PAGE, PAGE_KEY, Scope, compact_json, evaluate

TITLE_KEYS = (
    "title", "doctitle", "wzbt", "bt", "subject", "articletitle", "infotitle", "maintitle",
    "showtitle", "fulltitle", "name", "filename", "docname", "text", "label",
)  # fmt: skip
URL_KEYS = (
    "jump_url", "jumpurl", "redirect_url", "url", "docpuburl", "puburl", "post_url", "link",
    "href", "docurl", "detailurl", "articleurl", "infourl", "linkurl", "pageurl", "fileurl",
    "downloadurl", "download_url", "file_url", "filepath", "path", "file", "src",
)  # fmt: skip
DATE_KEYS = (
    "display_publish_time", "publishdate", "pubdate", "publish_time", "publishtime",
    "releasedate", "release_date", "docreltime", "fbrq", "fwrq", "scrq", "date", "pubtime",
    "createtime", "create_time", "created_at", "created", "time", "updatetime",
)  # fmt: skip
ATTACHMENT_KEYS = ("attachment", "attachments", "files", "fileList", "fj", "appendix", "appendixes")
_ATTACHMENT_SET = frozenset(k.lower() for k in ATTACHMENT_KEYS)
TOTAL_PAGE_KEYS = (
    "totalpage", "totalpages", "total_pages", "pagecount", "page_count", "pages", "pagetotal",
    "totalpagenum", "totalpagecount", "last_page", "lastpage", "pagenum_total",
)  # fmt: skip
TOTAL_KEYS = (
    "total", "totalcount", "total_count", "totalrecords", "totalrecord", "recordcount",
    "totalelements", "totalnum", "totalsize", "rowcount", "records_total", "post_count",
)  # fmt: skip
SIZE_KEYS = ("pagesize", "page_size", "per_page", "perpage", "size", "limit", "rows", "prepage")
NEXT_KEYS = ("hasnext", "has_next", "hasmore", "has_more", "hasnextpage")
LAST_KEYS = ("islastpage", "lastpage", "is_last", "last")
_URLISH = re.compile(
    r"^(?:https?://|/|\./|\.\./|[\w.-]+/)|\.(?:s?html?|pdf|docx?|xlsx?|wps|ofd|jsp|aspx?)(?:[?#]|$)",
    re.I,
)
_HTML = re.compile(r"<(?:a|li|tr|td|ul|div|table)\b", re.I)
_TAGS = re.compile(r"<[^>]+>")


def parse_json(text: str) -> Any | None:
    """The answer as data: JSON, JSONP unwrapped, `var x = …;` unwrapped, a JavaScript
    object literal; an HTML fragment is returned as the string. None otherwise."""
    try:
        return _parse(text)
    except RecursionError:  # nesting deeper than the interpreter allows: not a list
        return None


def _parse(text: str) -> Any | None:
    if text is None:
        return None
    text = text.lstrip("\ufeff").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    inner = _unwrap(text)
    if inner is not None:
        try:
            return json.loads(inner)
        except ValueError:
            value = evaluate(tokenize(inner), Scope("", lambda _i, _n: None))
            if isinstance(value, dict | list):
                return value
    if text[:1] in "{[":
        value = evaluate(tokenize(text.rstrip(";")), Scope("", lambda _i, _n: None))
        if isinstance(value, dict | list):
            return value
    if _HTML.search(text):
        return text  # an HTML fragment (records as links, or none: an empty page)
    return None


def _unwrap(text: str) -> str | None:
    text = re.sub(r"^/\*\*/\s*", "", text)
    text = re.sub(
        r"^try\s*\{(.*)\}\s*catch\s*\(\w*\)\s*\{\s*\}\s*;?$", r"\1", text, flags=re.S
    ).strip()
    match = re.match(r"^[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", text, re.DOTALL)
    if match:
        return match.group(1)
    match = re.match(r"^(?:var|let|const)?\s*[\w$.]+\s*=\s*(.*?)\s*;?\s*$", text, re.DOTALL)
    if match and match.group(1)[:1] in "{[":
        return match.group(1)
    return None


def _objects(
    data: Any, depth: int = 0, skip: frozenset[str] = frozenset()
) -> Iterator[dict[str, Any]]:
    """Every object of the answer, depth first (not under the keys in `skip`)."""
    if depth > 30:
        return
    if isinstance(data, dict):
        yield data
        for key, value in data.items():
            if str(key).lower() not in skip:
                yield from _objects(value, depth + 1, skip)
    elif isinstance(data, list):
        for value in data:
            yield from _objects(value, depth + 1, skip)


def _strings(data: Any, depth: int = 0) -> Iterator[str]:
    if depth > 30:
        return
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, depth + 1)


def _lower(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in obj.items()}


def _title(value: str) -> str:
    if "%u" in value:
        value = re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), value)
        value = unquote(value)
    return clean_text(_TAGS.sub("", value))


def _date(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 19000101 <= value <= 21001231:  # yyyymmdd
        return find_date(f"{value // 10000}-{value // 100 % 100}-{value % 100}")
    if isinstance(value, int | float) and value > 0:
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        if value.isdigit() and len(value) in (8, 10, 13):
            return _date(int(value))
        return find_date(value)
    return None


def _record_url(keys: dict[str, Any], request_url: str | None) -> str | None:
    for key in URL_KEYS:
        value = keys.get(key)
        text = value.strip() if isinstance(value, str) else ""
        if text and _URLISH.search(text) and not text.lower().startswith(("javascript:", "#")):
            return text
    if request_url and "id" in keys:
        return gkmlpt.post_url(keys, request_url)
    return None


def entries(data: Any, base_url: str, request_url: str | None = None) -> list[Anchor]:
    """Records of an answer as anchors (text = title, published = its date).

    `base_url`: what relative record URLs resolve against — the page that made the request
    (its Referer), since the browser resolves the list's links there; `request_url`: the
    API URL (gkmlpt records without a URL are placed from it; defaults to base_url)."""
    request_url = request_url or base_url
    anchors: list[Anchor] = []
    if isinstance(data, str):
        return _unique(extract_anchors(data, base_url))
    for obj in _objects(data):
        keys = _lower(obj)
        title = next(
            (keys[k] for k in TITLE_KEYS if isinstance(keys.get(k), str) and keys[k].strip()), None
        )
        if title is None:
            continue
        url = _record_url(keys, request_url)
        date = next((d for k in DATE_KEYS if (d := _date(keys.get(k)))), None)
        text = _title(title)
        if url:
            anchors.append(Anchor(urljoin(base_url, url), text, date))
        for key in ATTACHMENT_KEYS:
            files = keys.get(key.lower())
            for item in files if isinstance(files, list) else []:
                if isinstance(item, str) and _URLISH.search(item):
                    anchors.append(Anchor(urljoin(base_url, item), text, date))
                elif isinstance(item, dict):
                    file_keys = _lower(item)
                    file_url = _record_url(file_keys, None)
                    name = next(
                        (file_keys[k] for k in TITLE_KEYS if isinstance(file_keys.get(k), str)), ""
                    )
                    if file_url:
                        label = text if not name or name in text else f"{text} {_title(name)}"
                        anchors.append(Anchor(urljoin(base_url, file_url), label, date))
    for text in _strings(data):
        if len(text) > 20 and _HTML.search(text) and "href" in text:
            anchors += extract_anchors(text, base_url)
    return _unique(anchors)


def record_count(data: Any, request_url: str) -> int:
    """Records on this page of the listing (attachments of a record not counted): the
    page size when the answer states none."""
    if isinstance(data, str):
        return len(_unique(extract_anchors(data, request_url)))
    count = 0
    for obj in _objects(data, skip=_ATTACHMENT_SET):
        keys = _lower(obj)
        has_title = any(isinstance(keys.get(k), str) and keys[k].strip() for k in TITLE_KEYS)
        if has_title and _record_url(keys, request_url):
            count += 1
    fragments = [t for t in _strings(data) if len(t) > 20 and _HTML.search(t) and "href" in t]
    return count + sum(len(_unique(extract_anchors(t, request_url))) for t in fragments)


def _unique(anchors: list[Anchor]) -> list[Anchor]:
    out: dict[str, Anchor] = {}
    for a in anchors:
        if a.url.startswith(("http://", "https://")) and a.url not in out:
            out[a.url] = a
    return list(out.values())


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(?:\.0+)?", value.strip()):
        return int(float(value))
    return None


def _find(data: Any, names: tuple[str, ...]) -> int | None:
    for obj in _objects(data):
        keys = _lower(obj)
        for name in names:
            number = _number(keys.get(name))
            if number is not None:
                return number
    return None


def _flag(data: Any, names: tuple[str, ...]) -> bool | None:
    for obj in _objects(data):
        keys = _lower(obj)
        for name in names:
            value = keys.get(name)
            if isinstance(value, bool):
                return value
    return None


_HTML_PAGES = (
    re.compile(r"\b(?:data-)?(?:pages|totalpages?|pagecount|page-count)\s*=\s*[\"']?(\d+)", re.I),
    re.compile(r"共\s*(\d+)\s*页"),
    re.compile(r"\d+\s*/\s*(\d+)\s*页"),
)
_HTML_TOTAL = re.compile(
    r"\b(?:data-)?(?:total|rows|totalrecords?|recordcount)\s*=\s*[\"']?(\d+)", re.I
)
_HTML_SIZE = re.compile(r"\b(?:data-)?(?:count|pagesize|per-page|perpage)\s*=\s*[\"']?(\d+)", re.I)


def _html_counts(data: Any) -> tuple[int | None, int | None, int | None]:
    """(pages, total, size) that a pager in an HTML fragment of the answer states."""
    pages = total = size = None
    for text in _strings(data):
        if "<" not in text and "页" not in text:
            continue
        for pattern in _HTML_PAGES:
            if pages is None and (m := pattern.search(text)):
                pages = int(m.group(1))
        if total is None and (m := _HTML_TOTAL.search(text)):
            total = int(m.group(1))
        if size is None and (m := _HTML_SIZE.search(text)):
            size = int(m.group(1))
    return pages, total, size


def page_count(data: Any, observed: int, first: bool = True) -> int | None:
    """How many pages the listing has, by the answer's own evidence (None: it does not say).
    `observed`: records on this page, the page size when the answer states none (or a
    smaller one than it holds); `first`: this is the listing's first page (a later one may
    be the short last page, whose size says nothing)."""
    pages = _find(data, TOTAL_PAGE_KEYS)
    if pages is not None:
        return pages
    total, size = _find(data, TOTAL_KEYS), _find(data, SIZE_KEYS)
    html_pages, html_total, html_size = _html_counts(data)
    if html_pages is not None:
        return html_pages
    total = total if total is not None else html_total
    size = size or html_size
    if total is None:
        return None
    if not size:
        if not first or not observed:
            return None if total else 0
        size = observed
    elif observed > size:
        size = observed
    return -(-total // size)


def listing_complete(data: Any, request_url: str) -> bool:
    """Does this one answer hold every record of its listing (the answer's total is no
    more than the records it carries)? Then the listing's other first-page candidates
    (gkmlpt page 0 after page 1) need not be asked for."""
    total = _find(data, TOTAL_KEYS)
    if total is None:
        _pages, total, _size = _html_counts(data)
    observed = record_count(data, request_url)
    return total is not None and 0 < total <= observed


_OFFSET_KEY = re.compile(r"^(?:offset|start|startindex|start_index|from|skip)$", re.I)


def _offset_template(request_url: str, body: str) -> tuple[str, str, int] | None:
    """(URL template, body template, current offset) for a request that pages by record
    offset (`offset=30`, `start=0`; Henan lists use `offset={i*15}`)."""
    for text, is_url in ((request_url, True), (body, False)):
        query = urlsplit(text).query if is_url else text
        if not text or (not is_url and text.lstrip().startswith("{")):
            continue
        for key, value in parse_qsl(query, keep_blank_values=True):
            if _OFFSET_KEY.match(key) and value.isdigit():
                template = _replace_param(text, key, value, PAGE)
                if is_url:
                    return template, body, int(value)
                return request_url, template, int(value)
    return None


def _templates(request_url: str, body: str) -> tuple[str, str, int] | None:
    """(URL template, body template, current page) for a request whose page number sits
    in a query parameter, a form field, or a JSON value (`paramJson={"pageNo":1}`)."""
    for text, is_url in ((request_url, True), (body, False)):
        if not text:
            continue
        query = urlsplit(text).query if is_url else text
        if not is_url and text.lstrip().startswith("{"):
            found = _json_template(text)
            if found:
                return request_url, found[0], found[1]
            continue
        for key, value in parse_qsl(query, keep_blank_values=True):
            if PAGE_KEY.match(key) and value.isdigit():
                template = _replace_param(text, key, value, PAGE)
                return (
                    (template, body, int(value)) if is_url else (request_url, template, int(value))
                )
            if value.lstrip().startswith("{"):
                found = _json_template(value)
                if found:
                    encoded = quote(found[0], safe="").replace(quote(PAGE, safe=""), PAGE)
                    raw = _raw_param(text, key)
                    if raw is None:
                        continue
                    template = text.replace(f"{key}={raw}", f"{key}={encoded}", 1)
                    return (
                        (template, body, found[1]) if is_url else (request_url, template, found[1])
                    )
    return None


def _raw_param(text: str, key: str) -> str | None:
    m = re.search(rf"(?:^|[?&]){re.escape(key)}=([^&#]*)", text)
    return m.group(1) if m else None


def _replace_param(text: str, key: str, value: str, new: str) -> str:
    return re.sub(
        rf"((?:^|[?&]){re.escape(key)}=){re.escape(value)}(?=&|#|$)",
        lambda m: m.group(1) + new,
        text,
        count=1,
    )


def _json_template(text: str) -> tuple[str, int] | None:
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    for key, value in obj.items():
        number = _number(value)
        if PAGE_KEY.match(str(key)) and number is not None:
            obj[key] = PAGE
            return compact_json(obj), number
    return None


def next_fetches(
    data: Any,
    request_url: str,
    max_pages: int = 200,
    fetch: ListingFetch | None = None,
) -> list[ListingFetch]:
    """The listing's remaining pages after this answer, never beyond what the answer says;
    the next page only when it says nothing (and nothing when this page had no records).
    `fetch`: the request that got the answer (its templates, body and headers are reused);
    without it the page number is found in `request_url`."""
    offsets = False
    if fetch is not None and (fetch.url_template or fetch.body_template):
        url_t, body_t = fetch.url_template, fetch.body_template
        current = fetch.page_number if fetch.page_number is not None else 1
    else:
        body = fetch.body if fetch else ""
        found = _templates(request_url, body)
        if found is None:
            found = _offset_template(request_url, body)
            offsets = found is not None
        if found is None:
            return []
        url_t, body_t, current = found
    observed = record_count(data, request_url)
    if not observed:
        return []
    numbers = (
        _next_offsets(data, current, observed, max_pages)
        if offsets
        else _next_pages(data, current, observed, max_pages)
    )
    template = fetch or ListingFetch(
        url=request_url,
        format=ListingFormat.JSON,
        headers={
            "Accept": "application/json, text/javascript, */*; q=0.01",
            "X-Requested-With": "XMLHttpRequest",
        },
        adapter="shells",
    )
    key = template.listing_key or f"{template.method} {url_t}\n{body_t}"
    return [
        replace(
            template,
            url=url_t.replace(PAGE, str(n)),
            body=body_t.replace(PAGE, str(n)),
            page_number=n,
            url_template=url_t,
            body_template=body_t,
            listing_key=key,
        )
        for n in numbers
    ]


def _next_offsets(data: Any, current: int, observed: int, max_pages: int) -> list[int]:
    """Offsets of the following pages: a page is the stated size (else the records on this
    one) further on, up to the stated total (else one page)."""
    size = _find(data, SIZE_KEYS) or observed
    total = _find(data, TOTAL_KEYS)
    if total is None:
        return [current + size] if _flag(data, NEXT_KEYS) is not False else []
    return list(range(current + size, total, size))[: max_pages - 1]


def _next_pages(data: Any, current: int, observed: int, max_pages: int) -> list[int]:
    base = 0 if current == 0 else 1
    pages = page_count(data, observed, first=current == base)
    has_next = _flag(data, NEXT_KEYS)
    is_last = _flag(data, LAST_KEYS)
    if pages is not None:
        last = base + pages - 1
    elif has_next is False or is_last is True:
        last = current
    else:
        last = current + 1
    last = min(last, base + max_pages - 1)
    return list(range(current + 1, last + 1))
