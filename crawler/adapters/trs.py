"""TRS WCM static columns: `createPageHTML(total, current, "index", "html")` pagination.

Page 0 is index.html, page i is index_i.html in the same folder. Both call forms are
recognised: createPageHTML(count, current, prefix, ext[, records]) and the newer
createPageHTML(elementId, count, current, prefix, ext[, records]); numeric arguments may
be variables assigned earlier in the page (`var countPage = 5`).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage

NAME = "trs"
_CALL = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_ARG = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([\w.$]+))\s*""")


def _arguments(raw: str) -> list[str | int]:
    values: list[str | int] = []
    for part in raw.split(","):
        match = _ARG.fullmatch(part)
        if not match:
            return []
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        if quoted is not None:
            values.append(quoted)
        else:
            token = match.group(3)
            values.append(int(token) if token.isdigit() else "$" + token)
    return values


def _resolve(value: str | int, text: str) -> int | None:
    if isinstance(value, int):
        return value
    if value.startswith("$"):
        name = re.escape(value[1:])
        found = re.search(rf"\b{name}\s*=\s*['\"]?(\d+)", text)
        return int(found.group(1)) if found else None
    return int(value) if value.isdigit() else None


def listing_fetches(page: ListingPage, max_pages: int = 200) -> list[ListingFetch]:
    match = _CALL.search(page.text)
    if not match:
        return []
    args = _arguments(match.group(1))
    if len(args) >= 5 and isinstance(args[0], str) and not args[0].startswith("$"):
        args = args[1:]  # the newer form names the target element first
    if len(args) < 4:
        return []
    total = _resolve(args[0], page.text)
    prefix, ext = args[2], args[3]
    if total is None or not isinstance(prefix, str) or not isinstance(ext, str):
        return []
    if prefix.startswith("$") or ext.startswith("$"):
        return []
    total = min(total, max_pages)
    return [
        ListingFetch(
            url=urljoin(page.url, f"{prefix}_{i}.{ext}"), format=ListingFormat.HTML, adapter=NAME
        )
        for i in range(1, total)
    ]
