"""Hanweb JCMS columns (大汉).

The first records of a column sit in the page itself, as CDATA inside
`<script type="text/xml"><datastore>…<recordset><record><![CDATA[…]]></record>`; the
browser fetches further groups by POSTing the column's parameters (from the
`<nextgroup>` link) to `/module/web/jpage/dataproxy.jsp?startrecord=A&endrecord=B&perpage=N`,
whose XML answer has the same `<record>` CDATA items and a `<totalrecord>`.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage

NAME = "hanweb"
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.DOTALL | re.IGNORECASE)
_RECORD = re.compile(
    r"<record>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.DOTALL | re.IGNORECASE
)
_NEXTGROUP = re.compile(
    r"<nextgroup>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</nextgroup>", re.DOTALL | re.IGNORECASE
)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_TOTAL = re.compile(r"""(?:totalRecord|totalrecord)['"]?\s*[:=>]\s*['"]?(\d+)""", re.IGNORECASE)
_PERPAGE = re.compile(r"""perPage['"]?\s*[:=]\s*['"]?(\d+)""", re.IGNORECASE)
_GROUP = re.compile(r"""groupSize['"]?\s*[:=]\s*['"]?(\d+)""", re.IGNORECASE)
_PROXY_URL = re.compile(r"""["']([^"']*dataproxy\.jsp[^"']*)["']""", re.IGNORECASE)
_PARAM = r"""['"]?\b{name}['"]?\s*[:=]\s*(?:['"]([^'"]*)['"]|([\w./%-]+))"""
_PARAM_NAMES = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)


def is_hanweb_page(text: str) -> bool:
    return "<datastore>" in text.lower() or "dataproxy.jsp" in text.lower()


def records_html(text: str) -> str:
    """The HTML of every <record> in a page's or a dataproxy answer's datastores."""
    parts: list[str] = []
    for store in _DATASTORE.findall(text) or [text]:
        for cdata, plain in _RECORD.findall(store):
            parts.append(cdata if cdata else unescape(plain))
    return "\n".join(parts)


def record_count(text: str) -> int:
    return sum(len(_RECORD.findall(store)) for store in (_DATASTORE.findall(text) or [text]))


def total_records(text: str) -> int | None:
    match = _TOTAL.search(text)
    return int(match.group(1)) if match else None


def _column_parameters(text: str, page_url: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The proxy URL and the form parameters of the column."""
    for cdata, plain in _NEXTGROUP.findall(text):
        href = _HREF.search(cdata or unescape(plain))
        if href:
            url = urljoin(page_url, unescape(href.group(1)))
            parts = urlsplit(url)
            params = [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k.lower() not in ("page", "startrecord", "endrecord", "perpage")
            ]
            return urljoin(url, parts.path), params
    proxy = _PROXY_URL.search(text)
    params = []
    for name in _PARAM_NAMES:
        match = re.search(_PARAM.format(name=name), text)
        if match:  # quoted, or a bare number in a script object (columnid:4821)
            params.append((name, match.group(1) if match.group(1) is not None else match.group(2)))
    if not any(k == "columnid" for k, _ in params):
        return None
    proxy_url = urljoin(page_url, proxy.group(1).split("?")[0] if proxy else PROXY_PATH)
    return proxy_url, params


def group_fetch(
    proxy_url: str,
    params: list[tuple[str, str]],
    start: int,
    end: int,
    per_page: int,
    total: int | None = None,
) -> ListingFetch:
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
    return ListingFetch(
        url=f"{proxy_url}?{query}",
        format=ListingFormat.HANWEB_XML,
        method="POST",
        body=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        adapter=NAME,
        expected_records=total,
    )


def listing_fetches(page: ListingPage, max_records: int = 3000) -> list[ListingFetch]:
    """The dataproxy POSTs that fetch the records after those embedded in the page."""
    if not is_hanweb_page(page.text):
        return []
    column = _column_parameters(page.text, page.url)
    if column is None:
        return []
    proxy_url, params = column
    per_page = int(m.group(1)) if (m := _PERPAGE.search(page.text)) else 15
    group_size = int(m.group(1)) if (m := _GROUP.search(page.text)) else 3
    embedded = record_count(page.text)
    total = total_records(page.text)
    if total is not None and total <= embedded:
        return []
    # One request for every remaining record when the total is known (servers that cap
    # the group size are followed up by follow_up_fetches), else one group.
    end = (
        min(total, max_records)
        if total is not None
        else embedded + max(embedded, per_page * group_size)
    )
    return [group_fetch(proxy_url, params, embedded + 1, end, per_page, total)]


def follow_up_fetches(
    answer: str,
    request_url: str,
    request_body: str,
    max_records: int = 3000,
    known_total: int | None = None,
) -> list[ListingFetch]:
    """After a dataproxy answer: the records still missing — beyond a server's cap on the
    group size, or the next group when the total is not known."""
    total = total_records(answer) or known_total
    query = dict(parse_qsl(urlsplit(request_url).query))
    try:
        start = int(query["startrecord"])
        end = int(query["endrecord"])
        per_page = int(query.get("perpage", "15"))
    except (KeyError, ValueError):
        return []
    count = record_count(answer)
    if count == 0:
        return []
    received_end = start + count - 1
    proxy_url = request_url.split("?")[0]
    params = parse_qsl(request_body, keep_blank_values=True)
    if total is not None:
        if received_end >= min(total, max_records):
            return []
        next_end = min(total, max_records)
    elif received_end < end:
        return []  # a short answer: the column has no more records
    else:
        next_end = min(received_end + (end - start + 1), max_records)
    if received_end + 1 > next_end:
        return []
    return [group_fetch(proxy_url, params, received_end + 1, next_end, per_page, total)]
