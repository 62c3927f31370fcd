"""Is this page's list filled by script? Evidence a log line or a statistic can quote.

A shell is recognised from what the served HTML says, not from which CMS made it:

- an empty container where the list goes (`<div id="app"></div>`, `<ul id="list"></ul>`)
  next to scripts, with few links of its own;
- `<noscript>` or "正在加载"/"loading" text where a list would be;
- a configuration object (`window._CONFIG = {SID:…, TREE:[…]}`, `var config = {…}`) or
  `queryData`/`data-api`/`data-url` attributes that feed a loader;
- client-side templates (`v-for`, `ng-repeat`, `{{ }}`, `<script type="text/template">`);
- links that exist only in script (`javascript:` hrefs, `onclick="window.open(…)"`);
- a redirect shell: nothing but `location.replace(…)`/`<meta http-equiv="refresh">`;
- list APIs named in the scripts (see `crawler.shells.apis`).

An ordinary server-rendered listing with a few scripts (analytics, a jQuery include, a
pager helper) has many content links and none of these, and is not a shell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.adapters.types import ListingPage
from crawler.shells.pagedoc import PageDoc

_LOADING = re.compile(
    r"正在加载|加载中|数据加载|loading\.\.\.|请开启JavaScript|请启用JavaScript|enable javascript",
    re.I,
)
_LIST_KEYS = frozenset(
    {"sid", "tree", "api", "apiurl", "url", "listurl", "dataurl", "columnid", "catid", "channelid",
     "siteid", "webid", "pageid", "nodeid", "organid", "colid", "pagesize", "datasource"}
)  # fmt: skip
_ARTICLE_KEYS = ("detail", "article")
_BODY_KEYS = frozenset({"content", "title", "body", "html"})
_TEMPLATE_MARKERS = re.compile(
    r"\bv-for=|\bng-repeat=|\bv-bind:|:key=|\{\{\s*[\w.]+\s*\}\}|\bx-for="
)
_CONTAINER_IDS = re.compile(
    r"^(?:app|root|list|lists?box|content-?list|datalist|data-list|article-?list|news-?list|"
    r"publicinfolist|xxgk_?list|infolist|listbox|main-?list|ajax\w*|div\d+)$",
    re.I,
)
_DATA_ATTRS = ("querydata", "data-api", "data-url", "data-list-url", "data-column", "data-src-url")


@dataclass(frozen=True)
class ShellEvidence:
    """Why a page is taken for a shell: named signals (for logs and statistics) and the
    counts they rest on."""

    signals: tuple[str, ...]
    content_links: int
    script_bytes: int

    @property
    def reason(self) -> str:
        return ", ".join(self.signals)


def _content_links(doc: PageDoc) -> int:
    """Links of the page that are not navigation furniture: inside the body, not in
    header/nav/footer-like containers, with some text."""
    count = 0
    for node in doc.root.iter("a") if hasattr(doc.root, "iter") else []:
        href = (node.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        furniture = False
        parent = node.getparent()
        while parent is not None:
            marker = f"{parent.tag} {parent.get('class') or ''} {parent.get('id') or ''}".lower()
            if re.search(
                r"\b(nav|header|footer|menu|top|bottom|foot|head|breadcrumb|crumb|logo)", marker
            ):
                furniture = True
                break
            parent = parent.getparent()
        if not furniture:
            count += 1
    return count


def _empty_containers(doc: PageDoc) -> list[str]:
    out = []
    for node in (
        doc.root.iter("div", "ul", "ol", "table", "tbody", "section")
        if hasattr(doc.root, "iter")
        else []
    ):
        ident = node.get("id") or ""
        classes = node.get("class") or ""
        if not (
            _CONTAINER_IDS.match(ident) or any(_CONTAINER_IDS.match(c) for c in classes.split())
        ):
            continue
        if len(node) == 0 and not (node.text or "").strip():
            out.append(ident or classes.split()[0])
    return out


def _configs(doc: PageDoc) -> tuple[bool, bool]:
    """(a configuration object feeds a list, one carries an article's body) among the
    objects the page's inline scripts assign (`window._CONFIG = {SID, TREE}`,
    `var config = {columnId, api}`; gkmlpt articles: `{SID, DETAIL: {…}}`)."""
    listing = article = False
    for name in doc.scope.assignments:
        value = doc.scope.lookup(name)
        if not isinstance(value, dict):
            continue
        keys = {str(k).lower(): v for k, v in value.items()}
        bodies = [keys.get(k) for k in _ARTICLE_KEYS]
        if any(isinstance(b, dict) and {str(k).lower() for k in b} & _BODY_KEYS for b in bodies):
            article = True
        elif set(keys) & _LIST_KEYS:
            listing = True
    return listing, article


def detect_shell(page: ListingPage) -> ShellEvidence | None:
    """Evidence that the page's list is filled by script, or None for an ordinary page."""
    try:
        return _detect(page)
    except RecursionError:  # pathologically nested scripts: no judgement
        return None


def _detect(page: ListingPage) -> ShellEvidence | None:
    from crawler.shells.apis import _api_fetches
    from crawler.shells.links import _script_links, redirects

    doc = PageDoc(page)
    text = page.text or ""
    scripts = doc.scripts
    script_bytes = sum(len(s) for s in doc.inline_scripts)
    links = _content_links(doc)
    strong: list[str] = []
    weak: list[str] = []
    empties = _empty_containers(doc)
    if empties:
        weak.append("empty-container:" + "|".join(empties[:3]))
    if doc._iter("noscript"):
        weak.append("noscript")
    body_text = " ".join(doc.selector.xpath("//body//text()[not(ancestor::script)]").getall())
    if _LOADING.search(body_text):
        weak.append("loading-text")
    list_config, article_config = _configs(doc)
    if article_config:
        return None  # an article whose body a script writes (gkmlpt DETAIL), not a list
    if list_config:
        strong.append("config-object")
    if doc.elements_with(*_DATA_ATTRS):
        strong.append("data-attributes")
    if _TEMPLATE_MARKERS.search(text) or doc.templates:
        strong.append("client-template")
    fetches = _api_fetches(doc)
    if fetches:
        strong.append(f"list-api:{len(fetches)}")
    js_links = _script_links(page, doc)
    if js_links and links < 5:
        weak.append(f"script-links:{len(js_links)}")
    if not scripts and not doc.script_sources:
        if redirects(doc) and links < 3:
            return ShellEvidence(("meta-refresh",), links, 0)
        return None
    if redirects(doc) and links < 3:
        strong.append("script-redirect")
    if strong and links < 30:
        return ShellEvidence(tuple(strong + weak), links, script_bytes)
    if fetches and links >= 30 and empties:
        return ShellEvidence(tuple(strong + weak), links, script_bytes)
    placeholder = empties or "loading-text" in weak or "noscript" in weak
    if placeholder and links < 8 and (doc.script_sources or script_bytes > 0):
        return ShellEvidence(tuple(weak), links, script_bytes)
    return None
