"""The parts of a page that shell analysis reads: scripts, element attributes, links.

Parsed once per page with lxml (through parsel, as the rest of the crawler) and shared by
the detector, the API finder and the script-link finder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.adapters.types import ListingPage
from crawler.shells.jsvalues import Scope

_JS_TYPES = ("", "text/javascript", "application/javascript", "module", "text/ecmascript")
_TEMPLATE_TYPES = ("text/template", "text/html", "text/x-template", "text/x-handlebars-template")
LIBRARY = re.compile(
    r"(jquery|vue|react|angular|layui|bootstrap|swiper|echarts|polyfill|vendor|"
    r"analytics|gtag|hm\.baidu|cnzz|umeng|tongji|51\.la|busuanzi|wza|aria|barrier|"
    r"jiucuo|kaipuyun|share|baidu|qq\.com|webdig|lazyload|md5|base64|crypto|zepto|"
    r"moment|lodash|axios\.min|layer|pdf\.js|video|flash|wangsu|font)",
    re.IGNORECASE,
)


@dataclass
class PageDoc:
    page: ListingPage
    extra_scripts: tuple[str, ...] = ()
    """Texts of the page's external scripts, when the caller fetched them."""

    @cached_property
    def selector(self) -> Selector:
        return Selector(text=self.page.text or "<html></html>")

    @cached_property
    def root(self) -> Any:
        return self.selector.root

    def _iter(self, *tags: str) -> list[Any]:
        root = self.root
        return list(root.iter(*tags)) if hasattr(root, "iter") else []

    @cached_property
    def inline_scripts(self) -> list[str]:
        out = []
        for node in self._iter("script"):
            kind = (node.get("type") or "").strip().lower()
            if node.get("src") or kind not in _JS_TYPES:
                continue
            out.append(node.text or "")
        return out

    @cached_property
    def templates(self) -> list[str]:
        return [
            node.text or ""
            for node in self._iter("script")
            if (node.get("type") or "").strip().lower() in _TEMPLATE_TYPES
        ] + ["template" for _ in self._iter("template")]

    @cached_property
    def scripts(self) -> list[str]:
        """Inline scripts, inline handlers (onclick, onload) and fetched external scripts."""
        handlers = [
            value
            for node in self._iter()
            if isinstance(node.tag, str)
            for name, value in node.attrib.items()
            if name.lower().startswith("on")
        ]
        return self.inline_scripts + handlers + list(self.extra_scripts)

    @cached_property
    def script_sources(self) -> list[str]:
        return [
            urljoin(self.page.url, src.strip())
            for node in self._iter("script")
            if (src := node.get("src"))
        ]

    @cached_property
    def scope(self) -> Scope:
        scope = Scope(self.page.url, self.attribute)
        for text in self.scripts:
            scope.add_script(text)
        return scope

    def attribute(self, element_id: str | None, name: str) -> str | None:
        """The attribute `name` of the element with id `element_id`; without an id, of the
        one element carrying that attribute (None when several disagree)."""
        values = set()
        for node in self._iter():
            if not isinstance(node.tag, str):
                continue
            if element_id is not None and node.get("id") != element_id:
                continue
            value = node.get(name)
            if value is None:
                # lxml keeps attribute names as written; HTML is case-insensitive
                value = next((v for k, v in node.attrib.items() if k.lower() == name.lower()), None)
            if value is not None:
                values.add(value)
        return values.pop() if len(values) == 1 else None

    def elements_with(self, *names: str) -> list[Any]:
        wanted = {n.lower() for n in names}
        return [
            node
            for node in self._iter()
            if isinstance(node.tag, str) and any(k.lower() in wanted for k in node.attrib)
        ]

    @cached_property
    def column_name(self) -> str:
        """What the page says its column is: the ColumnName meta, else the title."""
        sel = self.selector
        for query in (
            "//meta[translate(@name,'COLUMNAME','columname')='columnname']/@content",
            "//title/text()",
            "//h1//text()",
            "//h2//text()",
        ):
            value = " ".join(sel.xpath(query).getall()).strip()
            if value:
                return re.sub(r"\s+", " ", value)
        return ""


def same_site(url: str, page_url: str) -> bool:
    host_a, host_b = (urlsplit(url).hostname or ""), (urlsplit(page_url).hostname or "")
    if host_a == host_b:
        return True
    if re.fullmatch(r"[\d.]+|\[.*\]", host_a) or re.fullmatch(r"[\d.]+|\[.*\]", host_b):
        return False  # addresses: only the same one
    # sibling hosts of one registrable domain (www.x.gov.cn / static.x.gov.cn)
    return host_a.split(".")[-3:] == host_b.split(".")[-3:] and host_a.count(".") >= 2


def script_sources(page: ListingPage) -> list[str]:
    """The page's external scripts that may hold its list API: same-site scripts that are
    not well-known libraries, widgets or analytics. Fetch them (GET, Referer = page URL)
    and pass their texts to `api_fetches(page, scripts=…)`."""
    doc = PageDoc(page)
    out = []
    for url in doc.script_sources:
        path = urlsplit(url).path
        if not url.startswith(("http://", "https://")) or not same_site(url, page.url):
            continue
        if LIBRARY.search(path.rsplit("/", 1)[-1]) or (
            path.endswith(".min.js") and LIBRARY.search(path)
        ):
            continue
        if url not in out:
            out.append(url)
    return out
