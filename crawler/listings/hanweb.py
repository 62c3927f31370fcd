"""Hanweb JCMS (大汉) column proxies: what to fetch after a column page or a proxy answer
(`is_hanweb_page`, `records_html`, `listing_fetches`, `follow_up_fetches`), on the page
reading of `crawler.adapters.hanweb`, covering the dialects of field guide §1.1:

- the *GET page* dialect (`dataproxy.jsp?page=N&…`, `morecolumndataproxy.jsp?page=`), used
  when the column page says its requests are GET or its `<nextgroup>` is encrypted (`vc=`,
  no `columnid` to POST); one page of the proxy is one group of records, as many as the
  column page embeds;
- the *POST record-range* dialect (`startrecord/endrecord/perpage` + the column's form),
  with the `Referer` and `X-Requested-With` headers sites check;
- answers as XML `<datastore>` or as the old JavaScript text
  `totalRecord=714.0;totalPage = 27;dataStore = [ "<li>…", … ]` (float totals).

Every fetch carries `listing_key` (the column's) and `page_number` (proxy page or group).
"""

from __future__ import annotations

import json
import math
import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler.adapters import hanweb as adapter
from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.listings.series import as_int, listing_key

NAME = "hanweb"
XHR = "XMLHttpRequest"
FORM_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"
_TOTAL = re.compile(
    r"""(?:totalRecord|totalrecord)['"]?\s*(?:[:=]|>)\s*['"]?(\d+(?:\.\d+)?)""", re.IGNORECASE
)
_TOTAL_PAGE = re.compile(r"""totalpage['"]?\s*(?:[:=]|>)\s*['"]?(\d+(?:\.\d+)?)""", re.IGNORECASE)
_PERPAGE = re.compile(r"""perPage['"]?\s*[:=]\s*['"]?(\d+)""", re.IGNORECASE)
_GROUP = re.compile(r"""groupSize['"]?\s*[:=]\s*['"]?(\d+)""", re.IGNORECASE)
_METHOD = re.compile(r"""(?:ajaxType|ajax_type|requestType)['"]?\s*[:=]\s*['"](GET|POST)""", re.I)
_JS_STORE = re.compile(r"dataStore\s*=\s*(\[.*\])\s*;?", re.DOTALL)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', re.DOTALL)


def is_hanweb_page(text: str) -> bool:
    lower = text.lower()
    return "<datastore>" in lower or "dataproxy.jsp" in lower


def _js_records(text: str) -> list[str]:
    m = _JS_STORE.search(text)
    if not m:
        return []
    try:
        values = json.loads(m[1])
        return [v for v in values if isinstance(v, str)]
    except ValueError:
        return [
            (a if a else b).encode().decode("unicode_escape", "replace")
            for a, b in _STRING.findall(m[1])
        ]


def records_html(text: str) -> str:
    """The HTML of every record: `<record>` CDATA of datastores, or the strings of an old
    proxy's `dataStore = [ … ]`."""
    if "<record" in text.lower():
        return adapter.records_html(text)
    return "\n".join(_js_records(text))


def record_count(text: str) -> int:
    if "<record" in text.lower():
        return adapter.record_count(text)
    return len(_js_records(text))


def total_records(text: str) -> int | None:
    m = _TOTAL.search(text)
    return as_int(m[1]) if m else None


def _nextgroup_url(text: str, page_url: str) -> str | None:
    for cdata, plain in adapter._NEXTGROUP.findall(text):
        if href := adapter._HREF.search(cdata or unescape(plain)):
            return urljoin(page_url, unescape(href.group(1)))
    return None


def _column_key(page: ListingPage, params: list[tuple[str, str]], proxy: str) -> str:
    if page.listing_key:
        return page.listing_key
    ids = {k.lower(): v for k, v in params}
    if "columnid" in ids or "vc" in ids:
        host = urlsplit(proxy).netloc.lower()
        return f"{host}/hanweb?columnid={ids.get('columnid', '')}&unitid={ids.get('unitid', '')}&vc={ids.get('vc', '')}"
    return listing_key(page.url)


def _get_dialect(text: str, nextgroup: str | None) -> bool:
    """GET `page=N` when the page says so, for the "加载更多" proxy, or when the nextgroup
    has no column id to POST; else the POST record range."""
    if m := _METHOD.search(text):
        return m[1].upper() == "GET"
    if nextgroup and "morecolumndataproxy" in nextgroup.lower():
        return True
    if nextgroup:
        query = {k.lower() for k, _v in parse_qsl(urlsplit(nextgroup).query)}
        return "page" in query and "columnid" not in query
    return False


def listing_fetches(page: ListingPage, max_records: int = 3000) -> list[ListingFetch]:
    """The proxy requests that fetch the records after those embedded in the column page."""
    if not is_hanweb_page(page.text):
        return []
    nextgroup = _nextgroup_url(page.text, page.url)
    embedded = adapter.record_count(page.text)
    total = total_records(page.text)
    if total is not None and total <= embedded:
        return []
    headers = {"Referer": page.url, "X-Requested-With": XHR}
    if _get_dialect(page.text, nextgroup) and nextgroup:
        parts = urlsplit(nextgroup)
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
        proxy = urljoin(nextgroup, parts.path)
        key = _column_key(page, params, proxy)
        if total is not None and embedded:
            last = math.ceil(min(total, max_records) / embedded)
        elif m := _TOTAL_PAGE.search(page.text):
            last = as_int(m[1]) or 2
        else:
            last = 2
        return [
            ListingFetch(
                url=f"{proxy}?{urlencode([('page', n), *params])}",
                format=ListingFormat.HANWEB_XML,
                headers=dict(headers),
                adapter=NAME,
                expected_records=total,
                listing_key=key,
                page_number=n,
            )
            for n in range(2, last + 1)
        ]
    column = adapter._column_parameters(page.text, page.url)
    if column is None:
        return []
    proxy, params = column
    key = _column_key(page, params, proxy)
    per_page = int(m.group(1)) if (m := _PERPAGE.search(page.text)) else 15
    group_size = int(m.group(1)) if (m := _GROUP.search(page.text)) else 3
    end = (
        min(total, max_records)
        if total is not None
        else embedded + max(embedded, per_page * group_size)
    )
    return [_range_fetch(proxy, params, embedded + 1, end, per_page, total, key, page.url)]


def _range_fetch(
    proxy: str,
    params: list[tuple[str, str]],
    start: int,
    end: int,
    per_page: int,
    total: int | None,
    key: str,
    referer: str,
) -> ListingFetch:
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
    headers = {"Content-Type": FORM_TYPE, "X-Requested-With": XHR}
    if referer:
        headers["Referer"] = referer
    return ListingFetch(
        url=f"{proxy}?{query}",
        format=ListingFormat.HANWEB_XML,
        method="POST",
        body=urlencode(params),
        headers=headers,
        adapter=NAME,
        expected_records=total,
        listing_key=key,
        page_number=(start - 1) // max(1, per_page) + 1,
    )


def range_reaches_total(answer: str, request_url: str, known_total: int | None = None) -> bool:
    """Whether a POST record-range answer ends at the column's declared total: the proxy
    has delivered the whole listing."""
    total = total_records(answer) or known_total
    query = dict(parse_qsl(urlsplit(request_url).query))
    start = as_int(query.get("startrecord"))
    count = record_count(answer)
    if total is None or start is None or count == 0:
        return False
    return start + count - 1 >= total


def follow_up_fetches(
    answer: str,
    request_url: str,
    request_body: str,
    max_records: int = 3000,
    known_total: int | None = None,
    *,
    referer: str = "",
    listing_key: str = "",
) -> list[ListingFetch]:
    """After a POST record-range answer: the records still missing (beyond a server's cap
    on the group size, or the next group when the total is not known). GET page answers
    need none: the column page asked for every page."""
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
    proxy = request_url.split("?")[0]
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
    key = listing_key or _column_key(ListingPage(proxy, ""), params, proxy)
    return [_range_fetch(proxy, params, received_end + 1, next_end, per_page, total, key, referer)]
