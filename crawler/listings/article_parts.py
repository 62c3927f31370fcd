"""The further parts of an article split over several pages (TRS `t20250102_10066.html`,
`…_1.html`, `…_2.html`): found by the same pager evidence as a listing's pages (numbered
and 下一页 links, `createPageHTML` and other page-name templates in scripts), kept only
when they are continuations of this article — its own file name with a part number."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.adapters.types import ListingFormat, ListingPage
from crawler.anchors import Anchor
from crawler.listings.pagination import pagination_fetches

MAX_PARTS = 50


def _folder_and_stem(url: str) -> tuple[str, str, str]:
    path = urlsplit(url).path
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    return (folder, stem, ext) if dot else (folder, name, "")


def article_parts(page: ListingPage, anchors: list[Anchor], parent: str | None = None) -> list[str]:
    """URLs of the other parts of the article at ``page.url``. ``parent``: the page this
    one was reached from; when this page is a part of it, the parts are the parent's."""
    first = page.url
    if parent:
        p_folder, p_stem, p_ext = _folder_and_stem(parent)
        folder, stem, ext = _folder_and_stem(page.url)
        if (
            folder == p_folder
            and ext == p_ext
            and re.fullmatch(rf"{re.escape(p_stem)}[_-]\d+", stem)
        ):
            first = parent
    folder, stem, ext = _folder_and_stem(first)
    if not stem:
        return []
    part = re.compile(rf"{re.escape(stem)}[_-]\d{{1,3}}" + (rf"\.{re.escape(ext)}" if ext else ""))
    out: list[str] = []
    for fetch in pagination_fetches(page, anchors, max_pages=MAX_PARTS):
        if fetch.format != ListingFormat.HTML or fetch.method != "GET":
            continue
        f_folder, _, f_name = urlsplit(fetch.url).path.rpartition("/")
        if f_folder == folder and part.fullmatch(f_name) and fetch.url not in out:
            out.append(fetch.url)
    return out
