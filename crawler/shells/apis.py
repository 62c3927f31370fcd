"""The list APIs a shell page's own scripts and configuration name, as plain requests.

Dialects read (guide §1.2, §1.4, §1.5, §1.8, §3):

- gkmlpt `window._CONFIG = {SID, TREE}` → `{prefix}/gkmlpt/api/all/{node}?page=&sid=`
  (see `crawler.shells.gkmlpt`);
- jpaas `<script url="…/build/unit" queryData="{…}">` → the `build/unit` request with a
  compact `paramJson` (see `crawler.shells.jpaas`);
- calls in scripts: `fetch(url, {method, body})`, `$.ajax({url, type, data, dataType})`,
  `$.get/$.post/$.getJSON(url, data)`, `axios.get(url, {params})`/`axios.post(url, data)`,
  `xhr.open(method, url)`, `$('#x').load(url)`, JSONP `script.src = url` — their URL and
  data read by `crawler.shells.jsvalues` (concatenation with variables, element
  attributes, page variables, cache busters dropped);
- `data-api`/`data-url`/`data-list-url` attributes.

Every fetch carries the headers the page's browser would send (Referer = page URL,
X-Requested-With, an Accept for JSON), a label (the column it lists) and, where the page
number's place is known, URL/body templates for the next pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.shells import gkmlpt, jpaas
from crawler.shells.jstokens import (
    Token,
    calls_by_name,
    functions,
    matching,
    split_top,
    statement_end,
    tokenize,
)
from crawler.shells.jsvalues import (
    DROP,
    PAGE,
    PAGE_KEY,
    PAGE_NAME,
    FormOf,
    Partial,
    Scope,
    evaluate,
    form_encode,
    incomplete,
    render,
)
from crawler.shells.pagedoc import PageDoc

NAME = "shells"
ACCEPT_JSON = "application/json, text/javascript, */*; q=0.01"
FORM_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"
JSON_TYPE = "application/json;charset=UTF-8"
ANNUAL = re.compile(r"年报|年度报告|ndbg|gknb|xxgknb|zfxxgknb")
_STATIC = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|mp4|swf)(?:[?#]|$)", re.I)
_SRC_HINT = re.compile(
    r"callback=|jsonp|\.jsp|\.do\b|\.action|\.ashx|\.aspx|/api/|search|list|data", re.I
)
# endpoints scripts call that are not lists: counters, statistics, login, weather,
# captchas, and page furniture included by script (`$('#header').load('/include/header.html')`)
_NOT_LIST = re.compile(
    r"(?:^|[/_.-])(?:count(?:er)?|visit\w*|hits?|click\w*|stat(?:s|istics)?|tongji|log|pv|uv|"
    r"weather|login|logout|captcha|token|cookie|share|like|favou?r|fav|comment|vote|"
    r"user(?:info)?|session|ip|geo|heartbeat|track\w*|collect|"
    r"header|footer|head|foot|nav|menu|include|top|bottom|sidebar|banner)(?:$|[/_.?-])",
    re.I,
)
_CALLEES = {"fetch", "ajax", "get", "post", "getJSON", "load", "request", "axios", "open"}
_AJAX = {"ajax", "get", "post", "getJSON", "load", "request"}


@dataclass
class Call:
    method: str
    url: Any
    data: Any = None
    body: Any = None
    headers: dict[str, str] | None = None
    jsonp: str | None = None
    start: int = 0


def browser_headers(page_url: str, method: str = "GET", content_type: str = "") -> dict[str, str]:
    """What a browser's script request carries: sites check Referer and X-Requested-With
    (jpaas answers 403 without them). A Referer never carries the URL's fragment."""
    headers = {
        "Accept": ACCEPT_JSON,
        "X-Requested-With": "XMLHttpRequest",
        "Referer": page_url.split("#", 1)[0],
    }
    if method == "POST":
        headers["Content-Type"] = content_type or FORM_TYPE
    return headers


def _options(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dead_ranges(tokens: list[Token]) -> list[tuple[int, int]]:
    """Branches of conditionals a template decided with constants (`'GET'=='GET' ? a : b`):
    calls inside the branch never taken are not requests the page makes."""
    dead = []
    for i in range(len(tokens) - 3):
        a, op, b, q = tokens[i : i + 4]
        if not (
            a.kind in ("str", "num")
            and op.value in ("==", "===", "!=", "!==")
            and b.kind in ("str", "num")
            and q.value == "?"
        ):
            continue
        truth = (a.value == b.value) == (op.value in ("==", "==="))
        depth, colon = 0, None
        for j in range(i + 4, len(tokens)):
            v = tokens[j].value if tokens[j].kind == "punct" else ""
            if v in ("(", "[", "{"):
                depth += 1
            elif v in (")", "]", "}"):
                depth -= 1
            elif v == ":" and depth == 0:
                colon = j
                break
        if colon is None:
            continue
        end = statement_end(tokens, colon + 1)
        dead.append((colon + 1, end) if truth else (i + 4, colon))
    return dead


def _calls(tokens: list[Token], scope: Scope) -> list[Call]:
    calls: list[Call] = []
    n = len(tokens)
    for i, t in enumerate(tokens):
        if t.kind != "name":
            continue
        prev = tokens[i - 1].value if i else ""
        before = tokens[i - 2].value if i > 1 else ""
        nxt = tokens[i + 1].value if i + 1 < n else ""
        if nxt != "(" and not (t.value == "src" and nxt == "=" and prev == "."):
            continue
        if nxt == "(" and t.value not in _CALLEES:
            continue
        args: list[list[Token]] = []
        if nxt == "(":
            end = matching(tokens, i + 1)
            args = split_top(tokens[i + 2 : end], ",")
        call: Call | None = None
        if t.value == "fetch" and (prev != "." or before == "window"):
            opts = _options(evaluate(args[1], scope)) if len(args) > 1 else {}
            method = str(opts.get("method") or "GET").upper()
            call = Call(method, evaluate(args[0], scope) if args else None, body=opts.get("body"))
            call.headers = _str_dict(opts.get("headers"))
        elif prev == "." and before in ("$", "jQuery") and t.value in _AJAX and args:
            first = evaluate(args[0], scope)
            if t.value == "ajax" or isinstance(first, dict):
                opts = first if isinstance(first, dict) else {}
                if not isinstance(first, dict) and len(args) > 1:
                    opts = _options(evaluate(args[1], scope)) | {"url": first}
                method = str(opts.get("type") or opts.get("method") or "GET").upper()
                jsonp = None
                if str(opts.get("dataType", "")).lower() == "jsonp":
                    jsonp = str(opts.get("jsonp") or "callback")
                call = Call(method, opts.get("url"), data=opts.get("data"), jsonp=jsonp)
                call.headers = _str_dict(opts.get("headers"))
            else:
                data = evaluate(args[1], scope) if len(args) > 1 else None
                if not isinstance(data, dict | FormOf | str):
                    data = None
                call = Call("POST" if t.value == "post" else "GET", first, data=data)
        elif prev == "." and t.value == "load" and args and before == ")":
            # jQuery `$('#list').load(url[, data])`: POST when data is an object
            first = evaluate(args[0], scope)
            if isinstance(first, Partial) or (isinstance(first, str) and "/" in first):
                data = evaluate(args[1], scope) if len(args) > 1 else None
                call = Call("POST" if isinstance(data, dict) else "GET", first, data=data)
        elif t.value == "axios" and (nxt == "(" or nxt == "."):
            if nxt == "(" and args:
                opts = _options(evaluate(args[0], scope))
                method = str(opts.get("method") or "GET").upper()
                call = Call(method, opts.get("url"), data=opts.get("params"), body=opts.get("data"))
        elif prev == "." and before == "axios" and t.value in ("get", "post", "request") and args:
            first = evaluate(args[0], scope)
            if t.value == "get":
                opts = _options(evaluate(args[1], scope)) if len(args) > 1 else {}
                call = Call("GET", first, data=opts.get("params"))
            elif t.value == "post":
                body = evaluate(args[1], scope) if len(args) > 1 else None
                call = Call("POST", first, body=body if not isinstance(body, dict) else None)
                if isinstance(body, dict):
                    call.body = body  # axios posts objects as JSON
            else:
                opts = _options(first)
                call = Call(
                    str(opts.get("method") or "GET").upper(),
                    opts.get("url"),
                    data=opts.get("params"),
                    body=opts.get("data"),
                )
        elif prev == "." and t.value == "open" and len(args) >= 2:
            method = evaluate(args[0], scope)
            if isinstance(method, str) and method.upper() in ("GET", "POST"):
                call = Call(method.upper(), evaluate(args[1], scope))
                # xhr.send(body) further on
                for j in range(i, min(n, i + 400)):
                    if tokens[j].value == "send" and j + 1 < n and tokens[j + 1].value == "(":
                        body_args = split_top(tokens[j + 2 : matching(tokens, j + 1)], ",")
                        if body_args:
                            call.body = evaluate(body_args[0], scope)
                        break
        elif t.value == "src" and nxt == "=":
            end = statement_end(tokens, i + 2)
            value = evaluate(tokens[i + 2 : end], scope)
            text = (
                value
                if isinstance(value, str)
                else value.prefix
                if isinstance(value, Partial)
                else ""
            )
            if text and _SRC_HINT.search(text) and not _STATIC.search(text.replace(PAGE, "1")):
                call = Call("GET", value)
        if call is not None:
            call.start = i
            calls.append(call)
    return calls


def _str_dict(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _first_page(doc: PageDoc, tokens: list[Token]) -> int:
    """Page numbering base: the smallest number a page-loading function of the script is
    first called with (`load(1)`, `getPage(0)`); 1 when none."""
    functions: set[str] = set()
    for i, t in enumerate(tokens[:-3]):
        if t.value == "function" and tokens[i + 1].kind == "name" and tokens[i + 2].value == "(":
            param = tokens[i + 3]
            if param.kind == "name" and PAGE_NAME.match(param.value):
                functions.add(tokens[i + 1].value)
    numbers = []
    for i, t in enumerate(tokens[:-3]):
        if t.kind == "name" and t.value in functions and tokens[i + 1].value == "(":
            arg = tokens[i + 2]
            if arg.kind == "num" and tokens[i + 3].value in (")", ","):
                numbers.append(int(float(arg.value)))
    return min(numbers) if numbers and min(numbers) in (0, 1) else 1


def _url_text(value: Any, data_query: str) -> str | None:
    """The request URL as text with PAGE/DROP markers; a Partial URL ending in `?`/`&`
    completed with the call's data."""
    if isinstance(value, str):
        return value
    if isinstance(value, FormOf):
        return None
    if isinstance(value, Partial) and data_query and value.prefix.endswith(("?", "&")):
        return value.prefix + data_query
    return None


def _clean_query(url: str) -> str:
    """Drop cache-buster parameters (DROP), keep the rest as written."""
    if DROP not in url:
        return url
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if DROP not in v]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe=f"[]{PAGE}/:,")))


def _with_query(url: str, query: str) -> str:
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query


def _body_text(body: Any) -> tuple[str, str] | None:
    """(body text, content type) of a request body value."""
    if body is None:
        return "", ""
    if isinstance(body, FormOf):
        return form_encode(body.data), FORM_TYPE
    if isinstance(body, dict):
        return render(body) or "", JSON_TYPE
    if isinstance(body, str):
        kind = JSON_TYPE if body.lstrip().startswith(("{", "[")) else FORM_TYPE
        return body, kind
    return None


def _fetch_of(call: Call, doc: PageDoc, first_page: int, label: str) -> ListingFetch | None:
    if incomplete(call.data) or incomplete(call.body):
        return None
    data = call.data
    data_query = ""
    if isinstance(data, dict):
        data_query = form_encode(data)
    elif isinstance(data, FormOf):
        data_query = form_encode(data.data)
    elif isinstance(data, str):
        data_query = data
    body_value = call.body
    if call.method == "POST" and body_value is None and data is not None:
        body_value = FormOf(data) if isinstance(data, dict) else data
        data_query = ""
    url = _url_text(call.url, data_query)
    if url is None or not url.strip():
        return None
    url = url.strip()
    if url.startswith(("javascript:", "#", "data:")):
        return None
    if isinstance(call.url, str) and data_query and call.method == "GET":
        url = _with_query(url, data_query)
    if call.jsonp and f"{call.jsonp}=" not in url:
        url = _with_query(url, f"{call.jsonp}=jsonp_callback")
    url = url.replace("callback=?", "callback=jsonp_callback")
    absolute = urljoin(doc.page.url, url)
    if not absolute.startswith(("http://", "https://")) or _STATIC.search(
        absolute.replace(PAGE, "1")
    ):
        return None
    absolute = _clean_query(absolute)
    if _NOT_LIST.search(urlsplit(absolute).path):
        return None
    body = _body_text(body_value)
    if body is None:
        return None
    body_text, content_type = body
    body_text = _clean_form(body_text)
    headers = browser_headers(doc.page.url, call.method, content_type)
    for key, value in (call.headers or {}).items():
        if key.lower() not in ("referer", "host", "cookie", "content-length"):
            headers[key] = value
    return make_fetch(absolute, call.method, body_text, headers, first_page, label)


def _clean_form(body: str) -> str:
    if DROP not in body or body.lstrip().startswith(("{", "[")):
        return body
    pairs = [(k, v) for k, v in parse_qsl(body, keep_blank_values=True) if DROP not in v]
    return urlencode(pairs, safe=f"[]{PAGE}/")


def make_fetch(
    url_template: str,
    method: str,
    body_template: str,
    headers: dict[str, str],
    first_page: int,
    label: str,
    *,
    adapter: str = NAME,
) -> ListingFetch:
    """A JSON listing fetch for page `first_page` of a templated request."""
    paged = PAGE in url_template or PAGE in body_template
    key = f"{method} {url_template}\n{body_template}"
    return ListingFetch(
        url=url_template.replace(PAGE, str(first_page)),
        format=ListingFormat.JSON,
        method=method,
        body=body_template.replace(PAGE, str(first_page)),
        headers=headers,
        adapter=adapter,
        label=label,
        listing_key=key,
        page_number=first_page if paged else None,
        url_template=url_template if paged else "",
        body_template=body_template if paged else "",
    )


def _attribute_fetches(doc: PageDoc, label: str) -> list[ListingFetch]:
    out = []
    for node in doc.elements_with("data-api", "data-url", "data-list-url", "data-source"):
        for name in ("data-api", "data-url", "data-list-url", "data-source"):
            raw = (node.get(name) or "").strip()
            if not raw or raw.startswith(("javascript:", "#")) or _STATIC.search(raw):
                continue
            url = urljoin(doc.page.url, raw)
            template = _page_template(url)
            out.append(make_fetch(template, "GET", "", browser_headers(doc.page.url), 1, label))
    return out


def _page_template(url: str) -> str:
    """A URL with an empty page parameter (`…?page=` written for a script to complete)
    takes the page there."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(PAGE_KEY.match(k) and v == "" for k, v in pairs):
        return url
    pairs = [(k, PAGE if PAGE_KEY.match(k) and v == "" else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe=f"[]{PAGE}")))


def api_fetches(page: ListingPage, scripts: tuple[str, ...] | list[str] = ()) -> list[ListingFetch]:
    """The list requests the page's scripts make, first page of each listing, 年报
    columns first. `scripts`: texts of the page's external scripts
    (`crawler.shells.pagedoc.script_sources`), when fetched."""
    try:
        return _api_fetches(PageDoc(page, tuple(scripts)))
    except RecursionError:  # pathologically nested script literals: nothing we can read
        return []


def _api_fetches(doc: PageDoc) -> list[ListingFetch]:
    label = doc.column_name
    fetches: list[ListingFetch] = []
    fetches += gkmlpt.fetches(doc)
    fetches += jpaas.fetches(doc, label)
    scripts = [tokenize(text) for text in doc.scripts]
    defined = [functions(tokens) for tokens in scripts]
    loaders = {
        f.name
        for tokens, fs in zip(scripts, defined, strict=True)
        for f in fs
        if any(t.value in _CALLEES or t.value == "src" for t in tokens[f.body[0] : f.body[1]])
    }
    sites = _call_sites(doc, scripts, loaders)
    for tokens, fs in zip(scripts, defined, strict=True):
        first = _first_page(doc, tokens)
        fetches += _script_fetches(tokens, doc.scope, doc, first, label)
        # functions called with arguments (tabs: onclick="loadList('ndbg')"): one
        # reading of the function body per distinct set of literal arguments
        for function in fs:
            if function.name not in loaders:
                continue
            body = tokens[function.body[0] : function.body[1]]
            for scope, site_label in _bindings(function, sites.get(function.name, []), doc):
                fetches += _script_fetches(body, scope, doc, first, site_label or label)
    fetches += _attribute_fetches(doc, label)
    return prefer_reports(_unique(fetches))


def _script_fetches(
    tokens: list[Token], scope: Scope, doc: PageDoc, first: int, label: str
) -> list[ListingFetch]:
    dead = _dead_ranges(tokens)
    out = []
    for call in _calls(tokens, scope):
        if any(a <= call.start < b for a, b in dead):
            continue
        fetch = _fetch_of(call, doc, first, label)
        if fetch is not None:
            out.append(fetch)
    return out


def _handler_calls(doc: PageDoc) -> list[tuple[list[Token], str]]:
    """Inline handlers (`onclick`, `javascript:` hrefs) with the text of their element."""
    out = []
    for node in doc.elements_with("onclick", "href", "onchange"):
        codes = [v for k, v in node.attrib.items() if k.lower() in ("onclick", "onchange")]
        href = (node.get("href") or "").strip()
        if href.lower().startswith("javascript:"):
            codes.append(href[len("javascript:") :])
        text = " ".join(t.strip() for t in node.itertext() if isinstance(t, str)).strip()
        out += [(tokenize(code), node.get("title") or text) for code in codes]
    return out


def _call_sites(
    doc: PageDoc, scripts: list[list[Token]], names: set[str]
) -> dict[str, list[tuple[list[list[Token]], str]]]:
    """Argument lists of the calls of `names`, with the text of the element whose handler
    makes the call (handlers first: their text labels the listing)."""
    out: dict[str, list[tuple[list[list[Token]], str]]] = {}
    if not names:
        return out
    for tokens, text in _handler_calls(doc):
        for name, calls in calls_by_name(tokens, names).items():
            out.setdefault(name, []).extend((args, text) for args in calls)
    for tokens in scripts:
        for name, calls in calls_by_name(tokens, names).items():
            out.setdefault(name, []).extend((args, "") for args in calls)
    return out


MAX_BINDINGS = 30


def _bindings(
    function: Any, sites: list[tuple[list[list[Token]], str]], doc: PageDoc
) -> list[tuple[Scope, str]]:
    """Scopes binding the function's parameters to the literal arguments of its calls
    (page-like parameters called with a number stay the page number)."""
    out: list[tuple[Scope, str]] = []
    seen: set[tuple[str, ...]] = set()
    for args, text in sites:
        bound: dict[str, list[list[Token]]] = {}
        for param, arg in zip(function.params, args, strict=False):
            if len(arg) == 1 and arg[0].kind == "num" and PAGE_NAME.match(param):
                continue
            if len(arg) == 1 and arg[0].kind in ("str", "num"):
                bound[param] = [arg]
        key = tuple(f"{k}={v[0][0].value}" for k, v in sorted(bound.items()))
        if not bound or key in seen:
            continue
        seen.add(key)
        scope = Scope(doc.page.url, doc.attribute, dict(doc.scope.assignments) | bound)
        out.append((scope, text))
        if len(out) >= MAX_BINDINGS:
            break
    return out


def _unique(fetches: list[ListingFetch]) -> list[ListingFetch]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for f in fetches:
        key = (f.method, f.url, f.body)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def prefer_reports(fetches: list[ListingFetch]) -> list[ListingFetch]:
    """年报 columns first (stable otherwise)."""
    return sorted(fetches, key=lambda f: not is_report_column(f.label))


def is_report_column(label: str) -> bool:
    return bool(ANNUAL.search(label or ""))


def report_fetches(fetches: list[ListingFetch]) -> list[ListingFetch]:
    """The fetches a focused crawl makes first: those listing a 年报 column when some do,
    else all of them."""
    annual = [f for f in fetches if is_report_column(f.label)]
    return annual or fetches


__all__ = ["api_fetches", "browser_headers", "make_fetch", "prefer_reports", "report_fetches"]
