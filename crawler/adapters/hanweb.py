"""Hanweb JCMS columns (大汉).

The first records of a column sit in the page itself, as CDATA inside
`<script type="text/xml"><datastore>…<recordset><record><![CDATA[…]]></record>`; the
browser fetches further groups by POSTing the column's parameters (from the
`<nextgroup>` link) to `/module/web/jpage/dataproxy.jsp?startrecord=A&endrecord=B&perpage=N`,
whose XML answer has the same `<record>` CDATA items and a `<totalrecord>`.

This module reads a column page and a proxy answer; what to fetch next (every dialect of
the proxy: GET pages, POST record ranges, JS-text answers) is `crawler.listings.hanweb`.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit

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
