"""Jump boxes: a GET form with a page field (跳转/GO/确定) submitting to the listing itself.

The form gives the page parameter's name and the listing's other parameters (its hidden
fields); how far to go comes from a declared total (`共N页`, a script count). A form whose
action is another path (site search, another column) is not this listing's pager.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from crawler.listings.series import (
    RECORD_PARAMS,
    QuerySeries,
    as_int,
    is_page_param,
    stable_query,
    strip_session,
)

_SUBMIT = re.compile(r"跳转|转到|跳至|GO|确定|到第", re.IGNORECASE)
_TEXT_TYPES = ("", "text", "number", "tel")


def _inputs(form: Selector) -> list[tuple[str, str, str]]:
    """(type, name, value) of the form's inputs."""
    out = []
    for node in form.xpath(".//input"):
        name = node.attrib.get("name", "")
        if name:
            out.append((node.attrib.get("type", "").lower(), name, node.attrib.get("value", "")))
    return out


def form_series(
    selector: Selector, page_url: str, base_url: str, per_page: int | None = None
) -> QuerySeries | None:
    """The page naming of a GET jump form submitting to this listing, if any. A field
    counted in records (`offset`, `start`) needs the page size (`per_page`)."""
    for form in selector.xpath("//form"):
        if (form.attrib.get("method") or "get").lower() != "get":
            continue
        inputs = _inputs(form)
        fields = [(t, n, v) for t, n, v in inputs if t in _TEXT_TYPES]
        page_fields = [n for _t, n, _v in fields if is_page_param(n)]
        labels = " ".join(form.xpath(".//input/@value | .//button//text() | .//a//text()").getall())
        if not page_fields and len(fields) == 1 and _SUBMIT.search(labels):
            page_fields = [fields[0][1]]
        if len(page_fields) != 1:
            continue
        param = page_fields[0]
        records = param.lower() in RECORD_PARAMS
        if records and not per_page:
            continue
        action = urljoin(base_url, (form.attrib.get("action") or "").strip() or page_url)
        parts = urlsplit(strip_session(action))
        if parts.path != urlsplit(strip_session(page_url)).path:
            continue
        hidden = [(n, v) for t, n, v in inputs if t == "hidden" and n != param]
        base = urlunsplit(urlsplit(action)._replace(query=urlencode(hidden), fragment=""))
        if stable_query(base) != stable_query(page_url):
            continue
        own = [v for k, v in parse_qsl(urlsplit(page_url).query) if k == param]
        first, step = (0, per_page or 1) if records else (1, 1)
        has_param = bool(own) and as_int(own[0]) == first
        return QuerySeries(base, param, first, step, page1_has_param=has_param)
    return None
