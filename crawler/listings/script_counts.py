"""Page counts and page names written in scripts and pager text (TRS WCM and the like).

Forms read (field guide §1.3, §3):

- `createPageHTML(count, current, "index", "html")` — 0-based, page 2 is `index_1.html`;
  extra arguments (a style, the record total) may follow;
- `createPageHTML("divId", count, current, "index", "html", records)` — the div-first form,
  1-based (page 2 is `index_2.html`), printing nothing when `records == 0`;
- the arguments may be variables assigned elsewhere (`var countPage = 5`);
- a page that defines the function inline: the first `createPageHTML(` text is the
  definition, whose parameters are names, not values — it is skipped;
- `var countPage = N` / `totalPage` / `pageCount` with `var currentPage = k` and links
  written by `document.write` (the page's own file naming, 0-based when `currentPage` is 0
  on the first page);
- a count only as the bound of a jump box (`ele.value > (N)`), the names as string
  concatenation `'index_' + (ele.value - 1) + '.html'`;
- visible totals: `共N页`, `第1/N页`, `页次：1/N`; record totals `totalRecord = 714.0` with
  `perPage = 27` (floats happen).

A *strong* count (a pager function or a page-count variable) is enough to page a static
file listing by its own file naming; a *weak* one (visible text, records over page size)
only says how far a naming evidenced elsewhere (links, forms) goes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from crawler.listings.series import FileSeries, as_int, file_series_of, split_file

_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)", re.IGNORECASE)
_DEFINITION_BEFORE = re.compile(r"(?:function\s*|=\s*function\s*\w*\s*)$")
_TOKEN = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?)|([A-Za-z_$][\w$.]*))\s*""")
_COUNT_VAR = re.compile(
    r"""\b(?:countPage|totalPage|totalPages|pageCount|page_count|pageTotal|totalpage|"""
    r"""contenpage|nPageCount|maxPage)\b['"]?\s*[:=]\s*['"]?(\d+(?:\.\d+)?)""",
)
_CURRENT_VAR = re.compile(r"\b(?:currentPage|curPage|nCurrIndex)\s*=\s*['\"]?(\d+)")
_JUMP_BOUND = re.compile(r"\.value\s*>\s*\(?\s*(\d+(?:\.\d+)?)\s*\)?")
_CONCAT = re.compile(
    r"""['"](?P<stem>[\w\-]+)_['"]\s*\+\s*\(?\s*(?P<var>[\w$.]+)\s*(?P<minus>-\s*1)?\s*\)?"""
    r"""\s*\+\s*['"]\.(?P<ext>[A-Za-z]{2,5})['"]"""
)
_PAGES_TEXT = (
    re.compile(r"共\s*(\d{1,4})\s*页"),
    re.compile(r"第\s*\d{1,4}\s*/\s*(\d{1,4})\s*页"),
    re.compile(r"页次\s*[:：]?\s*\d{1,4}\s*/\s*(\d{1,4})"),
    re.compile(r"\d{1,4}\s*/\s*(\d{1,4})\s*页"),
)
_RECORDS = re.compile(
    r"""\b(?:totalRecord|totalRecords|recordCount|totalCount|total_count|totalNum)\b['"]?\s*"""
    r"""[:=]\s*['"]?(\d+(?:\.\d+)?)""",
    re.IGNORECASE,
)
_PER_PAGE = re.compile(
    r"""\b(?:perPage|pageSize|page_size|perpage|pagesize)\b['"]?\s*[:=]\s*['"]?(\d+)"""
)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ScriptPager:
    """What the scripts and pager text of a page say."""

    series: FileSeries | None = None
    """Page files named by the script (createPageHTML, a jump box's concatenation)."""
    count: int | None = None
    """A strong page count (pager call, page-count variable, jump-box bound)."""
    text_count: int | None = None
    """A weak page count (visible `共N页`, records over page size)."""
    empty: bool = False
    """The pager says the listing is empty (div-first form with 0 records)."""


def _arguments(raw: str) -> list[str | float] | None:
    """The call's arguments: strings as str, numbers as float, names as '$name'."""
    values: list[str | float] = []
    for part in raw.split(","):
        m = _TOKEN.fullmatch(part)
        if not m:
            return None
        if m[1] is not None or m[2] is not None:
            values.append(m[1] if m[1] is not None else m[2])
        elif m[3] is not None:
            values.append(float(m[3]))
        else:
            values.append("$" + m[4])
    return values


def _value(arg: str | float, text: str) -> int | None:
    if isinstance(arg, float):
        return int(arg)
    if arg.startswith("$"):
        name = re.escape(arg[1:].rsplit(".", 1)[-1])
        m = re.search(rf"\b{name}\s*=\s*['\"]?(\d+(?:\.\d+)?)", text)
        return as_int(m[1]) if m else None
    return as_int(arg)


def _string(arg: str | float, text: str) -> str | None:
    if isinstance(arg, float):
        return None
    if arg.startswith("$"):
        name = re.escape(arg[1:])
        m = re.search(rf"\b{name}\s*=\s*['\"]([\w\-.]+)['\"]", text)
        return m[1] if m else None
    return arg


def pager_call(text: str, base_url: str) -> ScriptPager | None:
    """The first createPageHTML *call* whose arguments resolve (definitions and template
    copies with unresolvable names are skipped)."""
    for m in _CALL.finditer(text):
        if _DEFINITION_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            continue
        args = _arguments(m[1])
        if not args or len(args) < 4:
            continue
        first = args[0]
        div_first = isinstance(first, str) and not first.startswith("$") and as_int(first) is None
        if not div_first and isinstance(first, str) and first.startswith("$") and len(args) >= 5:
            # `createPageHTML(divName, …)` with a variable holding the element id
            div_first = _value(first, text) is None and _string(args[3], text) is None
        if div_first:
            args = args[1:]
        if len(args) < 4:
            continue
        count = _value(args[0], text)
        name, ext = _string(args[2], text), _string(args[3], text)
        if count is None or not name or not ext:
            continue
        records = _value(args[4], text) if div_first and len(args) >= 5 else None
        series = file_series_of(base_url, zero_based=not div_first, stem=name, ext=ext)
        return ScriptPager(series=series, count=max(count, 1), empty=records == 0)
    return None


def _concat_series(script: str, base_url: str) -> FileSeries | None:
    m = _CONCAT.search(script)
    if not m:
        return None
    if m["var"].endswith(".value"):
        zero_based = bool(m["minus"])  # a typed page number is 1-based
    else:
        zero_based = _zero_based_by_current(script, base_url)
    return file_series_of(base_url, zero_based=zero_based, stem=m["stem"], ext=m["ext"])


def _zero_based_by_current(script: str, base_url: str) -> bool:
    """`currentPage` equals the page file's suffix (0 on `index.html`) when 0-based."""
    current = _CURRENT_VAR.search(script)
    if not current:
        return True
    _folder, _stem, suffix, _ext = split_file(base_url.split("?", 1)[0].split("#", 1)[0])
    return int(current[1]) == (suffix or 0)


def visible_count(text: str) -> int | None:
    """A page total the pager shows as text (`共N页`, `第1/N页`)."""
    visible = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    for pattern in _PAGES_TEXT:
        if m := pattern.search(visible):
            return int(m[1])
    return None


def record_count_pages(scripts: str) -> int | None:
    records, per = _RECORDS.search(scripts), _PER_PAGE.search(scripts)
    if not records or not per or int(per[1]) <= 0:
        return None
    total = as_int(records[1])
    return math.ceil(total / int(per[1])) if total is not None else None


def script_pager(text: str, base_url: str) -> ScriptPager:
    """Everything the page's scripts and pager text declare about its pages."""
    scripts = "\n".join(_SCRIPT.findall(text))
    text_count = visible_count(text) or record_count_pages(scripts)
    call = pager_call(text, base_url)
    if call is not None:
        return ScriptPager(call.series, call.count, text_count, call.empty)
    count = None
    if (m := _COUNT_VAR.search(scripts)) or (m := _JUMP_BOUND.search(scripts)):
        count = as_int(m[1])
    series = _concat_series(scripts, base_url)
    if series is None and count is not None and _CURRENT_VAR.search(scripts):
        # inline `countPage`/`currentPage` variables: the page's own file naming
        path = base_url.split("?", 1)[0]
        if split_file(path)[3] in ("html", "htm", "shtml", ""):
            series = file_series_of(base_url, _zero_based_by_current(scripts, base_url))
    return ScriptPager(series, count, text_count)


_RECORDS_TEXT = re.compile(r"共\s*(\d{1,6})\s*条")


def page_size(text: str, pages: int | None, listed: int) -> int | None:
    """The page size, when the pager shows `共R条` and `共P页` and the page lists `listed`
    dated items agreeing with them (a first page is full)."""
    m = _RECORDS_TEXT.search(_TAG.sub(" ", _SCRIPT.sub(" ", text)))
    if not m or not pages or pages < 2 or listed <= 0:
        return None
    if math.ceil(int(m[1]) / listed) == pages:
        return listed
    return None
