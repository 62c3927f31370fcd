"""Pagination written as links: `?page=2`, `?pageNo=3&col=…`, `list_2.html`, `index_3.htm`.

Pagination anchors are recognised by their text (page numbers, 下一页, 尾页, …) and by
pointing at the same listing: the same path with another page parameter, or a sibling
file whose name differs only in its number.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.anchors import Anchor

NAME = "querystring"
_PAGER_TEXT = re.compile(
    r"^\s*(\d{1,4}|下一页|下页|上一页|上页|尾页|末页|最后一页|首页|第一页|next|last|prev|previous|»|›|>|>>|\.\.\.)\s*$",
    re.IGNORECASE,
)
_NUMBERED_FILE = re.compile(r"^(.*?)(?:[_-]\d+)?\.(s?html?|jsp|php|aspx?)$", re.IGNORECASE)
_PAGE_PARAMS = {
    "page",
    "pageno",
    "pagenum",
    "pageindex",
    "curpage",
    "currentpage",
    "p",
    "pn",
    "start",
    "offset",
    "cur",
    "current",
    "pagenumber",
}


def is_pager_text(text: str) -> bool:
    """Whether an anchor text is a pager's (a page number, 下一页, 尾页, …)."""
    return bool(_PAGER_TEXT.match(text or ""))


def _file_stem(path: str) -> tuple[str, str]:
    folder, _, name = path.rpartition("/")
    match = _NUMBERED_FILE.match(name)
    return folder, (match.group(1) if match else name)


def is_same_listing(page_url: str, url: str) -> bool:
    page, other = urlsplit(page_url), urlsplit(url)
    if page.netloc.lower() != other.netloc.lower():
        return False
    if page.path == other.path:
        page_q = {k.lower(): v for k, v in parse_qsl(page.query)}
        other_q = {k.lower(): v for k, v in parse_qsl(other.query)}
        changed = {k for k in page_q.keys() | other_q.keys() if page_q.get(k) != other_q.get(k)}
        return bool(changed) and changed <= _PAGE_PARAMS
    page_folder, page_stem = _file_stem(page.path)
    other_folder, other_stem = _file_stem(other.path)
    if page.path.endswith("/"):
        page_folder, page_stem = page.path.rstrip("/"), "index"
    return page_folder == other_folder and page_stem == other_stem


def pagination_fetches(page: ListingPage, anchors: list[Anchor]) -> list[ListingFetch]:
    fetches: list[ListingFetch] = []
    seen: set[str] = set()
    for anchor in anchors:
        if not _PAGER_TEXT.match(anchor.text or ""):
            continue
        if anchor.url in seen or not is_same_listing(page.url, anchor.url):
            continue
        seen.add(anchor.url)
        fetches.append(ListingFetch(url=anchor.url, format=ListingFormat.HTML, adapter=NAME))
    return fetches
