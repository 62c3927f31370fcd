"""Anchors of an HTML page or fragment: absolute URL, the best text, a date next to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from parsel import Selector
from w3lib.html import strip_html5_whitespace

_DATE = re.compile(r"(20\d\d|19\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Anchor:
    url: str
    text: str
    """The title attribute when it is longer than the visible text (CMSs truncate visible
    titles), else the visible text."""
    published: str | None = None
    """A YYYY-MM-DD date shown in the same list item or row, if any."""


def clean_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def find_date(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_CONTAINERS = frozenset({"li", "tr", "dd", "p"})


def _element_text(element: Any) -> str:
    return clean_text(" ".join(t for t in element.itertext() if isinstance(t, str)))


def extract_anchors(html: str | Selector, base_url: str) -> list[Anchor]:
    """Every <a href> (and <area href>) with an http(s) target, in document order."""
    selector = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    root = selector.root
    if not hasattr(root, "iter"):
        return []
    for base in root.iter("base"):
        href = base.get("href")
        if href:
            base_url = urljoin(base_url, strip_html5_whitespace(href))
            break
    anchors: list[Anchor] = []
    for node in root.iter("a", "area"):
        href = strip_html5_whitespace(node.get("href") or "")
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base_url, href)
        visible = _element_text(node)
        title = clean_text(node.get("title") or "")
        text = title if len(title) > len(visible) else visible
        container = node.getparent()
        while container is not None and container.tag not in _CONTAINERS:
            container = container.getparent()
        context = _element_text(container) if container is not None else ""
        anchors.append(Anchor(url=url, text=text, published=find_date(context)))
    return anchors


def title_candidates(selector: Selector) -> list[str]:
    """Where a page may state its own title, best first: the ArticleTitle meta, the
    headings, `<title>` (an h1 is often the site's logo, a `<title>` often carries the
    site's name): callers take the first that reads as what they look for."""
    out: list[str] = []
    for query in (
        "//meta[@name='ArticleTitle']/@content",
        "//meta[@name='articletitle']/@content",
        "//h1//text()",
        "//*[contains(@class,'title')][self::h1 or self::h2 or self::h3 or self::div]//text()",
        "//h2//text()",
        "//title/text()",
    ):
        text = clean_text(" ".join(selector.xpath(query).getall()[:20]))
        if text and text not in out:
            out.append(text[:300])
    return out


_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)


def comment_anchors(text: str, base_url: str) -> list[Anchor]:
    """Links inside HTML comments: templates comment out menu entries whose pages still
    answer (an old 年报 column link kept as `<!--<a href=…>-->`)."""
    found: list[Anchor] = []
    for match in _COMMENT.finditer(text or ""):
        inner = match.group(1)
        if "<a" in inner.lower() and "href" in inner.lower() and len(inner) < 20_000:
            found += extract_anchors(f"<div>{inner}</div>", base_url)
    return found


def page_title(selector: Selector) -> str:
    """The page's own title: the ArticleTitle meta of government CMSs, else the first
    h1, else <title>."""
    for query in (
        "//meta[@name='ArticleTitle']/@content",
        "//meta[@name='articletitle']/@content",
        "//h1//text()",
        "//title/text()",
    ):
        values = selector.xpath(query).getall()
        text = clean_text(" ".join(values))
        if text:
            return text
    return ""
