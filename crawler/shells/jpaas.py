"""Hanweb jpaas column pages (guide §1.2): `<script url="…/build/unit" queryData="{…}">`.

The element names the endpoint (`url`) and the widget (`queryData`: webId, pageId,
tplSetId, pageType, tagId, pageSize). The loader asks
`{url}?parseType=buildstatic&webId=&tplSetId=&pageType=&tagId=&editType=null&pageId=&paramJson={"pageNo":n,"pageSize":m}`
with `paramJson` compact (some sites answer 403 to spaces) and the browser's Referer and
X-Requested-With (403 without).
"""

from __future__ import annotations

from urllib.parse import quote, urljoin

from crawler.adapters.types import ListingFetch
from crawler.shells.jstokens import tokenize
from crawler.shells.jsvalues import PAGE, compact_json, evaluate, render
from crawler.shells.pagedoc import PageDoc

NAME = "jpaas"
_ORDER = ("parseType", "webId", "tplSetId", "pageType", "tagId", "editType", "pageId")
_DEFAULTS = {"parseType": "buildstatic", "pageType": "column", "editType": "null"}


def fetches(doc: PageDoc, label: str) -> list[ListingFetch]:
    from crawler.shells.apis import browser_headers, make_fetch

    out = []
    for node in doc.elements_with("querydata"):
        endpoint = node.get("url") or node.get("data-url") or node.get("src") or ""
        raw = next((v for k, v in node.attrib.items() if k.lower() == "querydata"), "")
        query = evaluate(tokenize(raw), doc.scope)
        if not endpoint or not isinstance(query, dict):
            continue
        params = {k: render(v) or "" for k, v in query.items()}
        size = params.pop("pageSize", "") or "15"
        params.pop("pageNo", None)
        param_json = params.pop("paramJson", "")
        try:
            page_size: int | str = int(size)
        except ValueError:
            page_size = size
        if param_json.startswith("{"):
            body = evaluate(tokenize(param_json), doc.scope)
            body = body if isinstance(body, dict) else {}
        else:
            body = {}
        body = {"pageNo": PAGE, "pageSize": page_size} | {
            k: v for k, v in body.items() if k not in ("pageNo", "pageSize")
        }
        ordered = [(k, params.pop(k, _DEFAULTS.get(k, ""))) for k in _ORDER]
        ordered = [(k, v) for k, v in ordered if v != ""] + list(params.items())
        query_text = "&".join(f"{k}={quote(v, safe='')}" for k, v in ordered)
        query_text += "&paramJson=" + quote(compact_json(body), safe="").replace(
            quote(PAGE, safe=""), PAGE
        )
        template = urljoin(doc.page.url, endpoint) + "?" + query_text
        headers = browser_headers(doc.page.url)
        out.append(make_fetch(template, "GET", "", headers, 1, label, adapter=NAME))
    return out
