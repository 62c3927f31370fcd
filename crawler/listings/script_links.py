r"""Pagers driven by a page function: `<a href="javascript:goPage(3)">3</a>` with
`function goPage(p){ location.href = 'list.jsp?catid=5&page=' + p; }` in a script, or one
rewriting the current URL (`location.href.replace(/currpage=\d+/, 'currpage=' + p)`).

The script's URL template gives the page parameter (it must point at this listing: same
path, same other parameters); the anchors' arguments give the pages linked and whether the
argument counts from 0 or 1. Which function an anchor calls is not checked: a page with two
templates for the same listing is not a case the evidence shows.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector

from crawler.listings.pager_links import pager_role
from crawler.listings.series import (
    QuerySeries,
    is_page_param,
    query_base,
    stable_query,
    strip_session,
)

_TEMPLATE = re.compile(
    r"""(['"])(?P<url>(?:[^'"\s<>]*?[?&])?(?P<param>[A-Za-z_]\w*)=)\1\s*\+\s*\(?\s*[A-Za-z_$][\w$.]*"""
)
_CALL = re.compile(
    r"""^\s*(?:javascript:)?\s*[\w$.]+\(\s*['"]?(\d{1,4})['"]?\s*\)\s*;?\s*(?:return\s+false;?)?\s*$"""
)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def template_series(text: str, page_url: str, base_url: str) -> QuerySeries | None:
    """The listing's page URL template written in a script, if any."""
    own_path = urlsplit(strip_session(page_url)).path
    for script in _SCRIPT.findall(text):
        for m in _TEMPLATE.finditer(script):
            param = m["param"]
            if not is_page_param(param):
                continue
            url = urljoin(base_url, m["url"][: -len(param) - 1] or page_url)
            if urlsplit(strip_session(url)).path != own_path:
                continue
            if stable_query(url) != stable_query(page_url):
                continue
            return QuerySeries(query_base(url, param), param)
    return None


def called_pages(selector: Selector) -> list[tuple[str, int]]:
    """(role, argument) of pager anchors calling a page function with one number."""
    out: list[tuple[str, int]] = []
    for a in selector.xpath("//a[starts-with(normalize-space(@href), 'javascript:') or @onclick]"):
        text = " ".join(a.xpath(".//text()").getall()).strip()
        role = pager_role(text)
        if role is None:
            continue
        for code in (a.attrib.get("href", ""), a.attrib.get("onclick", "")):
            if (m := _CALL.match(code)) and "__doPostBack" not in code:
                out.append((text, int(m[1])))
                break
    return out


def js_pages(
    selector: Selector, text: str, page_url: str, base_url: str
) -> tuple[QuerySeries | None, list[tuple[str, int]]]:
    """The template series (first value read from the anchors) and the pages the pager's
    function calls name, as (url, page number)."""
    series = template_series(text, page_url, base_url)
    if series is None:
        return None, []
    calls = called_pages(selector)
    pairs = [(int(t), arg) for t, arg in calls if t.isdigit()]
    first = 1
    if pairs and all(arg == n - 1 for n, arg in pairs):
        first = 0
    own = [v for k, v in parse_qsl(urlsplit(page_url).query) if k == series.param]
    series = replace(series, first=first, page1_has_param=bool(own) and own[0] == str(first))
    pages = sorted({(series.url(arg - first + 1), arg - first + 1) for _t, arg in calls})
    return series, [(u, n) for u, n in pages if n >= 1]
