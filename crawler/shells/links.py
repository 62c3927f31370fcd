"""Links that exist only in scripts, as anchors navigation can follow.

- `href="javascript:goXxgkml('xxgknb')"` (or an onclick calling a page function): the
  function's definition in the page's scripts builds the URL from its argument
  (`window.location.href = '/xxgk/' + code + '/index.html'`), read with the argument bound;
- `onclick="window.open('…')"`, `javascript:location.href='…'`;
- redirect shells: a top-level `location.href = …`/`location.replace(…)` script, or
  `<meta http-equiv="refresh" content="0;url=…">`;
- `<iframe src>` of same-site pages (lists embedded by frame);
- configuration trees (gkmlpt TREE nodes with `jump_url`, menu objects with name + url):
  anchors whose text is the node name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from crawler.adapters.types import ListingPage
from crawler.anchors import Anchor, clean_text
from crawler.shells.jstokens import (
    Token,
    functions,
    matching,
    split_top,
    statement_end,
    tokenize,
)
from crawler.shells.jsvalues import PAGE, Scope, evaluate
from crawler.shells.pagedoc import PageDoc, same_site

_NAVIGATE = ("href", "replace", "assign", "open")
_NAME_KEYS = ("name", "title", "text", "label", "catname", "columnname", "colname")
_URL_KEYS = ("jump_url", "url", "link", "href", "path", "linkurl", "jumpurl")
_STATIC = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico)(?:[?#]|$)", re.I)


def _navigations(tokens: list[Token], scope: Scope) -> Iterator[Any]:
    """Values a script navigates to: `location.href = X`, `location = X`,
    `location.replace(X)`, `location.assign(X)`, `window.open(X)`."""
    for i, t in enumerate(tokens):
        if t.kind != "name":
            continue
        nxt = tokens[i + 1].value if i + 1 < len(tokens) else ""
        prev = tokens[i - 1].value if i else ""
        before = tokens[i - 2].value if i > 1 else ""
        target: list[Token] | None = None
        if (t.value == "location" and nxt == "=") or (
            prev == "." and before == "location" and t.value == "href" and nxt == "="
        ):
            target = tokens[i + 2 : statement_end(tokens, i + 2)]
        elif (
            prev == "."
            and (
                (before == "location" and t.value in ("replace", "assign"))
                or (before == "window" and t.value == "open")
            )
            and nxt == "("
        ) or (t.value == "open" and prev != "." and nxt == "("):
            args = split_top(tokens[i + 2 : matching(tokens, i + 1)], ",")
            target = args[0] if args else None
        if target:
            yield evaluate(target, scope)


def _functions(doc: PageDoc) -> dict[str, tuple[tuple[str, ...], list[Token]]]:
    """Page functions: name -> (parameter names, body tokens); the first definition wins."""
    out: dict[str, tuple[tuple[str, ...], list[Token]]] = {}
    for text in doc.scripts:
        tokens = tokenize(text)
        for f in functions(tokens):
            out.setdefault(f.name, (f.params, tokens[f.body[0] : f.body[1]]))
    return out


def _call_targets(
    code: str, doc: PageDoc, defined: dict[str, tuple[tuple[str, ...], list[Token]]]
) -> list[str]:
    """URLs a piece of inline code (an href's `javascript:` or an onclick) navigates to."""
    tokens = tokenize(code)
    found: list[str] = []
    for value in _navigations(tokens, doc.scope):
        if isinstance(value, str):
            found.append(value)
    for i, t in enumerate(tokens[:-1]):
        if t.kind != "name" or tokens[i + 1].value != "(" or t.value not in defined:
            continue
        if i and tokens[i - 1].value == ".":
            continue
        args = split_top(tokens[i + 2 : matching(tokens, i + 1)], ",")
        params, body = defined[t.value]
        scope = Scope(doc.page.url, doc.attribute, dict(doc.scope.assignments))
        for param, arg in zip(params, args, strict=False):
            scope.assignments[param] = [arg]
        for value in _navigations(body, scope):
            if isinstance(value, str) and PAGE not in value:
                found.append(value)
    return found


def _usable(url: str, page_url: str) -> str | None:
    url = url.strip()
    if not url or url.startswith(("javascript:", "#", "mailto:", "data:", "about:")):
        return None
    absolute = urljoin(page_url, url)
    if not absolute.startswith(("http://", "https://")) or _STATIC.search(absolute):
        return None
    return absolute


def _tree_anchors(value: Any, page_url: str, out: list[Anchor]) -> None:
    if isinstance(value, list):
        for item in value:
            _tree_anchors(item, page_url, out)
        return
    if not isinstance(value, dict):
        return
    keys = {str(k).lower(): v for k, v in value.items()}
    name = next((keys[k] for k in _NAME_KEYS if isinstance(keys.get(k), str) and keys[k]), None)
    url = next((keys[k] for k in _URL_KEYS if isinstance(keys.get(k), str) and keys[k]), None)
    if name and url:
        absolute = _usable(url, page_url)
        if absolute:
            out.append(Anchor(absolute, clean_text(name)))
    for child in value.values():
        if isinstance(child, dict | list):
            _tree_anchors(child, page_url, out)


def script_links(page: ListingPage, scripts: tuple[str, ...] | list[str] = ()) -> list[Anchor]:
    """Links of the page that only its scripts make (see the module docstring)."""
    try:
        return _script_links(page, PageDoc(page, tuple(scripts)))
    except RecursionError:  # pathologically nested script literals
        return []


def _script_links(page: ListingPage, doc: PageDoc) -> list[Anchor]:
    defined = _functions(doc)
    anchors: list[Anchor] = []
    root = doc.root
    nodes = list(root.iter()) if hasattr(root, "iter") else []
    for node in nodes:
        if not isinstance(node.tag, str):
            continue
        codes = []
        href = (node.get("href") or "").strip()
        if href.lower().startswith("javascript:"):
            codes.append(href[len("javascript:") :])
        codes += [v for k, v in node.attrib.items() if k.lower() in ("onclick", "ondblclick")]
        if not codes:
            continue
        text = clean_text(" ".join(t for t in node.itertext() if isinstance(t, str)))
        text = clean_text(node.get("title") or "") or text
        for code in codes:
            for target in _call_targets(code, doc, defined):
                absolute = _usable(target, page.url)
                if absolute:
                    anchors.append(Anchor(absolute, text))
    anchors += [Anchor(url, "redirect") for url in redirects(doc)]
    for node in doc._iter("iframe", "frame"):
        src = node.get("src") or ""
        absolute = _usable(src, page.url)
        if absolute and same_site(absolute, page.url):
            anchors.append(
                Anchor(absolute, clean_text(node.get("title") or node.get("name") or ""))
            )
    # configuration trees
    seen_objects: list[Any] = []
    for name in doc.scope.assignments:
        value = doc.scope.lookup(name)
        if isinstance(value, dict | list) and value not in seen_objects:
            seen_objects.append(value)
            _tree_anchors(value, page.url, anchors)
    unique: dict[str, Anchor] = {}
    for a in anchors:
        if a.url != page.url and (a.url not in unique or not unique[a.url].text):
            unique[a.url] = a
    return list(unique.values())


def redirects(doc: PageDoc) -> list[str]:
    """Where a redirect shell sends the browser: navigation at the top level of an inline
    script (not inside a function), or a `<meta http-equiv="refresh">`. A page that
    reloads itself (anti-bot challenges set a cookie and reload) is not redirected."""
    out: list[str] = []
    for text in doc.inline_scripts:
        for value in _navigations(_top_level(tokenize(text)), doc.scope):
            if isinstance(value, str) and (absolute := _usable(value, doc.page.url)):
                out.append(absolute)
    for content in doc.selector.xpath(
        "//meta[translate(@http-equiv,'REFSH','refsh')='refresh']/@content"
    ).getall():
        match = re.search(r"url\s*=\s*['\"]?([^'\";]+)", content, re.I)
        if match and (absolute := _usable(match.group(1), doc.page.url)):
            out.append(absolute)
    here = doc.page.url.split("#", 1)[0]
    return [u for u in out if u.split("#", 1)[0] != here]


def _top_level(tokens: list[Token]) -> list[Token]:
    """The tokens of a script outside function bodies."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.value == "function" or t.value == "=>":
            j = i + 1
            while j < len(tokens) and tokens[j].value != "{":
                j += 1
            i = matching(tokens, j) + 1 if j < len(tokens) else len(tokens)
            continue
        out.append(t)
        i += 1
    return out
