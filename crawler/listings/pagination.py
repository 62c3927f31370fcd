"""Every further page of a listing, from every kind of evidence on one of its pages.

The union of: the pager script (`createPageHTML` in all its forms, page-count variables,
jump-box bounds), pager links (numbered, 下一页, 尾页 with its number), GET jump forms,
ASP.NET postbacks, Hanweb proxies and iframe pagers. Where a total is declared, every page
up to it (capped by `max_pages`) is returned in the naming the evidence shows; where the
pager shows only a window or only 下一页, what it links — the spider calls again on each
fetched page. Nothing is guessed beyond the evidence, the page itself is never returned,
and every fetch names the listing it belongs to (`listing_key`) and its page number when
known, so the spider can stop a listing whose page repeats or comes back empty.
"""

from __future__ import annotations

from urllib.parse import urljoin

from parsel import Selector
from w3lib.html import strip_html5_whitespace

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.anchors import Anchor
from crawler.listings import forms, hanweb, script_counts, script_links, webforms
from crawler.listings.pager_links import link_pager
from crawler.listings.series import (
    FileSeries,
    Series,
    is_page_param,
    listing_key,
    same_host,
    strip_session,
)

NAME = "listings"


def base_url(selector: Selector, page_url: str) -> str:
    """The URL relative names resolve against (`<base href>` when the page has one)."""
    href = selector.xpath("//base/@href").get()
    return urljoin(page_url, strip_html5_whitespace(href)) if href else page_url


def _iframe_pagers(selector: Selector, page_url: str, base: str) -> list[str]:
    """Frames that hold the listing's pager (`…/iframePagerIndex_…html?page=1`)."""
    out = []
    for src in selector.xpath("//iframe/@src | //frame/@src").getall():
        url = urljoin(base, strip_html5_whitespace(src))
        if not same_host(url, page_url) or url == page_url:
            continue
        lowered = url.lower()
        query = lowered.split("?", 1)[1] if "?" in lowered else ""
        has_page = any(is_page_param(p.split("=", 1)[0]) for p in query.split("&") if p)
        if "pager" in lowered or "pagemore" in lowered or has_page:
            out.append(url)
    return out


def _expand(
    series: Series, total: int, current: int | None, max_pages: int
) -> list[tuple[str, int]]:
    return [(series.url(n), n) for n in range(1, min(total, max_pages) + 1) if n != current]


def pagination_fetches(
    page: ListingPage, anchors: list[Anchor], *, max_pages: int = 200
) -> list[ListingFetch]:
    """The fetches for the other pages of the listing `page` shows (see module doc)."""
    selector = Selector(text=page.text or "<html></html>")
    base = base_url(selector, page.url)
    key = page.listing_key or listing_key(page.url)
    script = script_counts.script_pager(page.text, base)
    links = link_pager(page.url, anchors)
    dated = len({a.url for a in anchors if a.published})
    per_page = script_counts.page_size(page.text, script.text_count or script.count, dated)
    form = forms.form_series(selector, page.url, base, per_page)
    js_series, js_found = script_links.js_pages(selector, page.text, page.url, base)
    series: Series | None = script.series or links.series or form or js_series
    total = script.count or links.last or script.text_count
    if script.empty:
        total = 1
    pages: list[tuple[str, int | None]] = []
    current: int | None = None
    if series is not None:
        current = series.number(page.url)
        if current is None and isinstance(series, FileSeries) and script.series is not None:
            current = 1  # the script names files the page itself is not one of (a folder URL)
        if total is not None:
            pages += _expand(series, total, current, max_pages)
    known = {n for _u, n in pages}
    evidenced = [(links.series, url, n) for url, n in links.pages]
    evidenced += [(js_series, url, n) for url, n in js_found]
    for own_series, url, number in evidenced:
        if series is not own_series and series is not None:
            number = series.number(url)
        if number is not None and (number in known or number == current):
            continue  # already returned, or the page itself under another name (`./`)
        if number is not None:
            known.add(number)
        pages.append((url, number))
    fetches = [
        ListingFetch(url=url, adapter=NAME, listing_key=key, page_number=number)
        for url, number in pages
    ]
    found, shown = webforms.postbacks(selector, page.url, base)
    if found:
        lasts = [p.page_number for p in found if p.role == "last" and p.page_number]
        pager_total = script.count or (max(lasts) if lasts else None) or script.text_count
        if pager_total is not None:
            found = webforms.expand(found, min(pager_total, max_pages), shown)
        fetches += [
            ListingFetch(
                url=p.url,
                method="POST",
                body=p.body,
                headers={"Content-Type": webforms.FORM_TYPE, "Referer": page.url},
                adapter=NAME,
                listing_key=key,
                page_number=p.page_number,
            )
            for p in found
        ]
    if hanweb.is_hanweb_page(page.text):
        fetches += hanweb.listing_fetches(page, max_records=max_pages * 50)
    fetches += [
        ListingFetch(url=url, adapter=NAME, listing_key=listing_key(url), page_number=1)
        for url in _iframe_pagers(selector, page.url, base)
    ]
    return _unique(fetches, page.url)


def _unique(fetches: list[ListingFetch], page_url: str) -> list[ListingFetch]:
    own = strip_session(page_url).split("#", 1)[0]
    seen: set[tuple[str, str, str]] = set()
    out: list[ListingFetch] = []
    for fetch in fetches:
        url = strip_session(fetch.url).split("#", 1)[0]
        if fetch.method == "GET" and url == own:
            continue
        ident = (fetch.method, url, fetch.body)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(fetch)
    return out


def listing_fetches_for(
    page: ListingPage, anchors: list[Anchor], max_pages: int = 200
) -> list[ListingFetch]:
    """What the spider calls on every listing page (instead of the trs, querystring and
    hanweb adapters): HTML pages and Hanweb proxy requests, `format` saying how to parse
    each answer (`HANWEB_XML` answers go to `hanweb.records_html`/`follow_up_fetches`)."""
    return pagination_fetches(page, anchors, max_pages=max_pages)


__all__ = ["ListingFormat", "listing_fetches_for", "pagination_fetches"]
