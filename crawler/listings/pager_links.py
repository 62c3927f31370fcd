"""Pagination written as links: numbered pages, 下一页/尾页/末页/>>, in a query parameter
(`?page=`, `pageNum`, `curPage`, `cur_page`, `currpage`, `pageIndex`, `pageNumber`, `p`,
`offset` counted in records, …) or a file suffix (`index_2.html`, `list_3.html`).

An anchor is a page of *this* listing only when its text is a pager's and its URL differs
from the page's in the page parameter or the file suffix alone — other columns, articles,
calendars and search results differ elsewhere. How the parameter counts (from 0 or 1, in
pages or records) is read from numbered links; a 尾页 link then gives the total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlsplit

from crawler.anchors import Anchor
from crawler.listings.series import (
    RECORD_PARAMS,
    FileSeries,
    QuerySeries,
    Series,
    as_int,
    file_series_of,
    is_page_param,
    query_base,
    same_host,
    split_file,
    stable_query,
    strip_session,
)

_NUMBER_TEXT = re.compile(r"^\s*[\[【(（]?\s*(?:第\s*)?(\d{1,4})\s*(?:页)?\s*[\]】)）]?\s*$")
_NEXT = re.compile(r"^\s*(下一页|下页|后页|下一頁|next|›|>|»|>>|＞|下一页\s*>+)\s*$", re.IGNORECASE)
_LAST = re.compile(r"^\s*(尾页|末页|最后一页|最末页|last|>>\||»\|)\s*$", re.IGNORECASE)
_OTHER = re.compile(
    r"^\s*(上一页|上页|前页|首页|第一页|prev|previous|first|‹|<|«|<<|\.\.\.|…|更多页)\s*$",
    re.IGNORECASE,
)


def pager_role(text: str) -> str | None:
    """'number', 'next', 'last' or 'other' for a pager's anchor text, else None."""
    text = text or ""
    if _NUMBER_TEXT.match(text):
        return "number"
    if _NEXT.match(text):
        return "next"
    if _LAST.match(text):
        return "last"
    if _OTHER.match(text):
        return "other"
    return None


def is_pager_text(text: str) -> bool:
    return pager_role(text) is not None


@dataclass
class LinkPager:
    """What the pager links of a page show."""

    series: Series | None = None
    pages: list[tuple[str, int | None]] = field(default_factory=list)
    """Linked page URLs of this listing with their page number when known."""
    last: int | None = None
    """The page a 尾页 link points at."""
    current: int | None = None


@dataclass(frozen=True)
class _Hit:
    url: str
    role: str
    text_number: int | None
    param: str | None = None
    value: int | None = None
    suffix: int | None = None
    plain: bool = False  # the file without suffix (page 1 of a file series)
    bare: bool = False  # a file named by its page number alone


def _path(url: str) -> str:
    return urlsplit(strip_session(url)).path


def _query_hit(page_url: str, url: str) -> tuple[str, int] | None:
    """(page parameter, value) when `url` is `page_url` with another page parameter."""
    if _path(page_url) != _path(url):
        return None
    mine, theirs = stable_query(page_url), stable_query(url)
    if any(theirs.get(k) != v for k, v in mine.items()):
        return None
    added = set(theirs) - set(mine)
    own = dict(parse_qsl(urlsplit(page_url).query, keep_blank_values=True))
    changed = [
        (k, v)
        for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)
        if is_page_param(k) and own.get(k) != v and as_int(v) is not None
    ]
    if len(changed) != 1 or (added and not changed):
        return None
    value = as_int(changed[0][1])
    return (changed[0][0], value) if value is not None else None


def _file_hit(page_url: str, url: str) -> tuple[int | None, bool, bool] | None:
    """(suffix, is-plain, is-bare) when `url` is a sibling page file of `page_url`:
    `stem_N.ext` beside `stem.ext`, or `N.ext` beside `index.ext`/`M.ext`."""
    if urlsplit(page_url).query != urlsplit(url).query:
        return None
    p_folder, p_stem, p_n, p_ext = split_file(_path(page_url))
    a_folder, a_stem, a_n, a_ext = split_file(_path(url))
    if p_folder != a_folder or (p_ext and a_ext and p_ext != a_ext):
        return None
    if a_stem.isdigit() and a_n is None and (p_stem == "index" or p_stem.isdigit()) and not p_n:
        return int(a_stem), False, True
    if p_stem != a_stem:
        return None
    return a_n, a_n is None, False


def _hits(page_url: str, anchors: list[Anchor]) -> list[_Hit]:
    hits: list[_Hit] = []
    own = strip_session(page_url).split("#", 1)[0]
    for anchor in anchors:
        role = pager_role(anchor.text)
        if role is None or not same_host(page_url, anchor.url):
            continue
        url = anchor.url.split("#", 1)[0]
        if strip_session(url) == own:
            continue
        number = int(m[1]) if (m := _NUMBER_TEXT.match(anchor.text)) else None
        if q := _query_hit(page_url, url):
            hits.append(_Hit(url, role, number, param=q[0], value=q[1]))
        elif (f := _file_hit(page_url, url)) is not None:
            hits.append(_Hit(url, role, number, suffix=f[0], plain=f[1], bare=f[2]))
    return hits


def _query_series(page_url: str, hits: list[_Hit]) -> QuerySeries | None:
    params = [h.param for h in hits if h.param]
    if not params:
        return None
    param = max(set(params), key=params.count)
    mine = [h for h in hits if h.param == param]
    own = dict(parse_qsl(urlsplit(page_url).query, keep_blank_values=True))
    own_value = as_int(own.get(param))
    pairs = sorted(
        {(h.text_number, h.value) for h in mine if h.text_number and h.value is not None}
    )
    records = param.lower() in RECORD_PARAMS
    first, step = (0 if records else 1), 1
    if len(pairs) >= 2 and pairs[-1][0] != pairs[0][0]:
        (n1, v1), (n2, v2) = pairs[0], pairs[-1]
        step = max(1, (v2 - v1) // (n2 - n1))
        first = v1 - (n1 - 1) * step
    elif pairs:
        n, v = pairs[0]
        if records and n > 1:
            step, first = max(1, v // (n - 1)), 0
        elif not records:
            first = v - (n - 1)
    else:
        nexts = [h.value for h in mine if h.role == "next" and h.value is not None]
        current = own_value if own_value is not None else first
        if nexts and records:
            step = max(1, nexts[0] - current)
        elif nexts and own_value is None:
            first = nexts[0] - 1
        elif own_value == 0:
            first = 0
    # the links name the pages: parameters they carry beside the page number and the
    # page's own URL lacks (Hanweb `?uid=…&pageNum=N` on `index.html`) belong to the series
    base = query_base(_widest(page_url, mine), param)
    return QuerySeries(base, param, first, step, page1_has_param=own_value == first)


def _widest(page_url: str, hits: list[_Hit]) -> str:
    """The page's URL, or the pager link that adds the most stable parameters to it."""
    own = set(stable_query(page_url))
    best, added = page_url, 0
    for hit in hits:
        extra = len(set(stable_query(hit.url)) - own)
        if extra > added:
            best, added = hit.url, extra
    return best


def _file_series(page_url: str, hits: list[_Hit]) -> FileSeries | None:
    files = [h for h in hits if h.param is None]
    if not files:
        return None
    if any(h.bare for h in files):
        _folder, stem, _n, ext = split_file(_path(page_url))
        series = file_series_of(page_url, False, stem="1" if stem.isdigit() else stem, ext=ext)
        return replace(series, bare=True)
    zero_based = True
    pairs = [(h.text_number, h.suffix) for h in files if h.text_number and h.suffix is not None]
    _folder, _stem, own_suffix, _ext = split_file(_path(page_url))
    if pairs:
        zero_based = pairs[0][1] == pairs[0][0] - 1
    else:
        nexts = [h.suffix for h in files if h.role == "next" and h.suffix is not None]
        if nexts and own_suffix is None:
            zero_based = nexts[0] == 1
    files_ext = next((split_file(_path(h.url))[3] for h in files if not h.plain), None)
    return file_series_of(page_url, zero_based, ext=files_ext)


def link_pager(page_url: str, anchors: list[Anchor]) -> LinkPager:
    """The pages this page's pager links evidence, their naming and the 尾页 total."""
    hits = _hits(page_url, anchors)
    if not hits:
        return LinkPager()
    series: Series | None = _query_series(page_url, hits) or _file_series(page_url, hits)
    result = LinkPager(series=series)
    if series is not None:
        result.current = series.number(page_url)
    seen: set[str] = set()
    for hit in hits:
        if hit.url in seen:
            continue
        seen.add(hit.url)
        number = series.number(hit.url) if series is not None else None
        result.pages.append((hit.url, number))
        if hit.role == "last" and number is not None:
            result.last = max(result.last or 0, number)
    return result
