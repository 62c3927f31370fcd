"""Guangdong gkmlpt shells (guide §1.4): `window._CONFIG = {SID:'…', TREE:[…]}`.

The list API is not named in the page; the platform's convention is
`{prefix}/gkmlpt/api/all/{node id}?page={p}&sid={SID}`, where `{prefix}` is the path in
front of `/gkmlpt/` in the page's own URL (departments mount the platform under
`/{dept}/gkmlpt/`). Pages count from 1 on most sites and from 0 on some, and a site may
answer 404 for every page but the first: both page 1 and page 0 are asked for, and the
answers' `total` gives the rest (100 a page). TREE nodes with a `jump_url` leave the
platform: they are links (`crawler.shells.links`), not API fetches; nodes whose
`post_count` is 0 are not asked for, the others' count is the fetch's `expected_records`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.adapters.types import ListingFetch
from crawler.shells.jsvalues import PAGE
from crawler.shells.pagedoc import PageDoc

NAME = "gkmlpt"
PAGE_SIZE = 100


def config(doc: PageDoc) -> dict[str, Any] | None:
    """The page's gkmlpt configuration object (with a SID), if any."""
    for name in ("_CONFIG", "CONFIG", "_config"):
        value = doc.scope.lookup(name)
        if isinstance(value, dict) and value.get("SID") not in (None, ""):
            return value
    return None


def nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every node of a TREE, depth first."""
    if isinstance(tree, list):
        for node in tree:
            if isinstance(node, dict):
                yield node
                yield from nodes(node.get("children"))


def _prefix(page_url: str) -> str:
    path = urlsplit(page_url).path
    return path.split("/gkmlpt/")[0] if "/gkmlpt/" in path else ""


def fetches(doc: PageDoc) -> list[ListingFetch]:
    from crawler.shells.apis import browser_headers, make_fetch

    cfg = config(doc)
    if cfg is None:
        return []
    sid = str(cfg["SID"])
    if cfg.get("DETAIL"):
        return []  # an article page, not a list
    base = urljoin(doc.page.url, _prefix(doc.page.url) + "/gkmlpt/api/all/")
    listed = [
        (str(n["id"]), str(n.get("name") or ""), _count(n.get("post_count")))
        for n in nodes(cfg.get("TREE"))
        if n.get("id") not in (None, "") and not n.get("jump_url")
    ]
    # a node the tree says is empty (post_count 0) has nothing to list
    listed = [(i, name, count) for i, name, count in listed if count != 0] or [("0", "", None)]
    out = []
    headers = browser_headers(doc.page.url)
    for node_id, name, count in listed:
        template = f"{base}{node_id}?page={PAGE}&sid={sid}"
        for first in (1, 0):
            fetch = make_fetch(template, "GET", "", headers, first, name, adapter=NAME)
            out.append(replace(fetch, expected_records=count))
    return out


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def post_url(record: dict[str, Any], request_url: str) -> str | None:
    """A gkmlpt article's URL when the record gives none: `content/{id//1e6}/{id//1000}/post_{id}.html`
    under the platform's mount."""
    path = urlsplit(request_url).path
    if "/gkmlpt/api/" not in path:
        return None
    try:
        post_id = int(record.get("id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    mount = path.split("/gkmlpt/api/")[0]
    return urljoin(
        request_url,
        f"{mount}/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1000}/post_{post_id}.html",
    )


__all__ = ["config", "fetches", "nodes", "post_url"]
