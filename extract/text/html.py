"""HTML: decode correctly, find the article body on CMS pages, keep tables as grids.

Decoding order: BOM, the HTTP header charset (``media_type="text/html; charset=gbk"``),
``<meta charset>``/``http-equiv``, then strict UTF-8, then GB18030 (a superset of GBK and
GB2312), then Big5; a statistical guesser is never allowed to pick an unrelated script.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from extract.limits import ExtractionError
from extract.sniff import HTML
from extract.text.embedded import Fragment, fragments_in_code, js_unescape, looks_like_data
from extract.text.grid import SpanCell, build_table, clean_inline
from extract.types import Grid, TextDocument

_BLOCK_TAGS = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
    "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "center", "form", "hr", "header",
    "footer", "main", "aside", "nav", "address", "figcaption", "caption",
}  # fmt: skip
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "nav", "header", "footer", "button",
    "select", "input", "textarea", "object", "embed", "svg", "canvas", "template", "aside",
)  # fmt: skip
_FURNITURE = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|header|head-top|top-bar|topbar|footer|foot|bottom|breadcrumb|"
    r"crumbs?|location|position|weizhi|dqwz|sidebar|side|share|bdshare|print|toolbar|copyright|"
    r"banner|search|login|links?|friend-?links?|qrcode|ewm|pager|relate|xgxx|fenxiang)($|[\s_-])",
    re.I,
)
# Body containers of common Chinese government CMSs (Hanweb JCMS, TRS WCM, Founder, Ucap…).
_BODY_SELECTORS = (
    "//*[@id='zoom']",
    "//*[@id='UCAP-CONTENT']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' trs_editor_view ')]",
    "//*[@id='ivs_content']",
    "//*[@id='Zoom']",
    "//*[@id='content']",
    "//*[@class='bt_content' or @class='article-content' or @class='article_content']",
    "//*[@class='wzxq' or @class='main-txt' or @class='pages_content' or @class='content']",
    "//article",
)
_COUNTERS = re.compile(
    r"^(【?(浏览|访问|阅读|点击)(次数|量)?[:：]?\s*\d*.*|.*(【打印】|【关闭】|打印本页|关闭窗口|"
    r"字号[:：]?\s*[大中小]|分享到[:：]?).*|.*(责任编辑|扫一扫在手机打开当前页).*)$"
)
_TABLE_ROW = "\x00row:"
_META_NAMES = {
    "pubdate", "articletitle", "contentsource", "columnname", "columntype", "sitename",
    "sitedomain", "siteidcode", "keywords", "description", "author", "firstpublishedtime",
    "lastmodifiedtime", "publishdate", "catalogname", "contentid", "url", "subject",
}  # fmt: skip


def decode_html(data: bytes, media_type: str | None) -> tuple[str, str]:
    """Return ``(text, encoding)``."""
    bom_encoding, bom = read_bom(data)
    if bom_encoding and bom:
        return data[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding
    candidates: list[str] = []
    header = http_content_type_encoding(media_type) if media_type else None
    if header:
        candidates.append(header)
    declared = html_body_declared_encoding(data[:16384])
    if declared:
        candidates.append(declared)
    for name in candidates:
        encoding = _normalise_encoding(name)
        if encoding is None:
            continue
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            # A declared GBK page with a few stray bytes: keep the declaration, mark errors.
            if encoding == "gb18030" or not _decodes_strictly(data, "utf-8"):
                return data.decode(encoding, errors="replace"), encoding
    for encoding in ("utf-8", "gb18030", "big5"):
        if _decodes_strictly(data, encoding):
            return data.decode(encoding), encoding
    return data.decode("gb18030", errors="replace"), "gb18030"


def _decodes_strictly(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _normalise_encoding(name: str) -> str | None:
    try:
        codec = codecs.lookup(name.strip().strip("\"'"))
    except LookupError:
        return None
    if codec.name in {"gbk", "gb2312", "hz", "gb18030", "euc_cn"}:
        return "gb18030"
    if codec.name in {"ascii", "latin-1", "iso8859-1", "cp1252"}:
        return "cp1252"
    return codec.name


def _collect_meta(root: HtmlElement) -> tuple[dict[str, str], str | None]:
    meta: dict[str, str] = {}
    for node in root.iter("meta"):
        name = (node.get("name") or node.get("property") or "").strip()
        content = (node.get("content") or "").strip()
        if name and content and name.lower() in _META_NAMES and name not in meta:
            meta[name] = clean_inline(content)[:1000]
    title_node = root.find(".//title")
    page_title = clean_inline(title_node.text_content()) if title_node is not None else None
    return meta, page_title or None


def _is_furniture(node: HtmlElement) -> bool:
    label = f"{node.get('id', '')} {node.get('class', '')}"
    return bool(label.strip()) and bool(_FURNITURE.search(label))


# ---------------------------------------------------------------- tables: data, layout, grids


def _own_rows(table: HtmlElement) -> list[HtmlElement]:
    return [row for row in table.iter("tr") if next(row.iterancestors("table"), None) is table]


def _is_layout_table(table: HtmlElement) -> bool:
    """A table used for page layout, not data: it holds other tables, or a cell holds a
    long run of prose (a report table's cells are short)."""
    for inner in table.iter("table"):
        if inner is not table and len(_own_rows(inner)) >= 1:
            return True
    for cell in table.iter("td", "th"):
        if next(cell.iterancestors("table"), None) is not table:
            continue
        if len(cell.text_content().strip()) > 300:
            return True
    return False


def _label_text(node: HtmlElement) -> str:
    return re.sub(r"\s+", "", node.text_content())


def is_report_table(node: HtmlElement) -> bool:
    """A data table printing the labels of the statistical tables (``report-tables.md``)."""
    from extract.table_labels import looks_like_report_table

    return looks_like_report_table(_label_text(node))


_GRID_ROLE_ROW = {"row"}
_GRID_ROLE_CELL = {"cell", "gridcell", "columnheader", "rowheader"}
_ROW_CLASS = re.compile(r"(^|[\s_-])(tr|row|table-?row|rows?)($|[\s_-]|\d)", re.I)
_CELL_CLASS = re.compile(
    r"(^|[\s_-])(td|th|cell|col|table-?cell|grid-?item|item)($|[\s_-]|\d)", re.I
)
_SPAN_STYLE = re.compile(r"(?:grid-column|grid-column-end)\s*:\s*(?:[^;]*?)span\s+(\d+)", re.I)
_ROWSPAN_STYLE = re.compile(r"grid-row(?:-end)?\s*:\s*(?:[^;]*?)span\s+(\d+)", re.I)
_CONTAINERS = ("div", "section", "ul", "ol", "dl")


def _div_span(node: HtmlElement, attr: str, style: re.Pattern[str]) -> int:
    for name in (attr, f"data-{attr}", f"aria-{attr}"):
        if node.get(name):
            return _span(node.get(name))
    match = style.search(node.get("style") or "")
    return _span(match.group(1)) if match else 1


def _is_leafish(node: HtmlElement) -> bool:
    """A cell of a div grid: short text, no block structure of its own."""
    if len(node.text_content().strip()) > 200:
        return False
    return not any(
        isinstance(child.tag, str)
        and child.tag in ("div", "table", "ul", "ol", "section")
        and len(child) > 0
        for child in node
    )


def _div_grid_rows(node: HtmlElement) -> list[HtmlElement] | None:
    """The row elements of a table built from divs (ARIA roles, ``tr``/``row`` and
    ``td``/``cell`` class names, or rows of equal short cells), else ``None``."""
    rows = [child for child in node if isinstance(child.tag, str)]
    if len(rows) < 3:
        return None
    by_role = sum(1 for row in rows if (row.get("role") or "").lower() in _GRID_ROLE_ROW)
    by_class = sum(1 for row in rows if _ROW_CLASS.search(row.get("class") or ""))
    cells_per_row = []
    for row in rows:
        cells = [c for c in row if isinstance(c.tag, str)]
        if not cells or not all(_is_leafish(c) for c in cells):
            return None
        cells_per_row.append(len(cells))
    if sum(1 for n in cells_per_row if n >= 2) < len(rows) / 2:
        return None
    if by_role >= len(rows) * 0.8 or by_class >= len(rows) * 0.8:
        return rows
    # Structural: many rows of several short cells, with cell-like names or equal widths.
    named = sum(
        1
        for row in rows
        for c in row
        if isinstance(c.tag, str)
        and (
            (c.get("role") or "").lower() in _GRID_ROLE_CELL
            or _CELL_CLASS.search(c.get("class") or "")
        )
    )
    if named >= sum(cells_per_row) * 0.8:
        return rows
    return None


_GRID_TEMPLATE = re.compile(r"grid-template-columns\s*:\s*([^;]+)", re.I)
_GRID_LINE = re.compile(r"grid-(row|column)(-start|-end)?\s*:\s*([^;]+)", re.I)


def _track_count(template: str) -> int:
    repeat = re.match(r"\s*repeat\(\s*(\d+)\s*,", template)
    if repeat:
        return int(repeat.group(1))
    return len([t for t in re.split(r"\s+(?![^(]*\))", template.strip()) if t])


def _grid_placement(style: str) -> dict[str, tuple[int | None, int]]:
    """``grid-row``/``grid-column`` of a CSS grid item: axis → (start line or None, span)."""
    placement: dict[str, tuple[int | None, int]] = {}
    parts: dict[str, dict[str, str]] = {}
    for axis, edge, value in _GRID_LINE.findall(style):
        parts.setdefault(axis.lower(), {})[(edge or "").lower()] = value.strip()
    for axis, values in parts.items():
        start: int | None = None
        span = 1
        texts = [values.get("", ""), values.get("-start", ""), values.get("-end", "")]
        shorthand = values.get("", "")
        if shorthand:
            pieces = [p.strip() for p in shorthand.split("/")]
            texts = [pieces[0], pieces[0], pieces[1] if len(pieces) > 1 else ""]
        first, end = texts[1], texts[2]
        if re.fullmatch(r"\d+", first):
            start = int(first)
        elif first.startswith("span"):
            span = _span(first[4:])
        if end.startswith("span"):
            span = _span(end[4:])
        elif re.fullmatch(r"\d+", end) and start is not None:
            span = max(1, int(end) - start)
        placement[axis] = (start, min(span, 1000))
    return placement


def _convert_css_grid(node: HtmlElement) -> bool:
    """A ``display:grid`` container of cells placed by ``grid-row``/``grid-column`` (or
    flowing into ``grid-template-columns`` tracks) rewritten as a ``<table>``."""
    style = node.get("style") or ""
    template = _GRID_TEMPLATE.search(style)
    items = [child for child in node if isinstance(child.tag, str)]
    if len(items) < 6 or not all(_is_leafish(item) for item in items):
        return False
    placed = [_grid_placement(item.get("style") or "") for item in items]
    explicit = sum(1 for p in placed if "row" in p and "column" in p and p["column"][0])
    width = _track_count(template.group(1)) if template else 0
    if explicit < len(items) * 0.8 and width < 2:
        return False
    taken: dict[tuple[int, int], HtmlElement | None] = {}
    starts: dict[tuple[int, int], tuple[HtmlElement, int, int]] = {}
    cursor_row, cursor_col = 1, 1
    for item, place in zip(items, placed, strict=True):
        row, rowspan = place.get("row", (None, 1))
        col, colspan = place.get("column", (None, 1))
        if row is None or col is None:
            # auto placement: the next free slot, row by row
            columns = max(width, 1)
            while True:
                if cursor_col + colspan - 1 > columns:
                    cursor_row, cursor_col = cursor_row + 1, 1
                if all((cursor_row, cursor_col + dc) not in taken for dc in range(colspan)):
                    break
                cursor_col += 1
            row, col = cursor_row, cursor_col
            cursor_col += colspan
        for dr in range(rowspan):
            for dc in range(colspan):
                taken[(row + dr, col + dc)] = item
        starts[(row, col)] = (item, rowspan, colspan)
    if not taken:
        return False
    rows = max(r for r, _ in taken)
    cols = max(c for _, c in taken)
    node.tag = "table"
    for item in items:
        node.remove(item)
    for r in range(1, rows + 1):
        tr = etree.SubElement(node, "tr")
        for c in range(1, cols + 1):
            if (r, c) in starts:
                item, rowspan, colspan = starts[(r, c)]
                item.tag = "td"
                item.tail = None
                if rowspan > 1:
                    item.set("rowspan", str(rowspan))
                if colspan > 1:
                    item.set("colspan", str(colspan))
                tr.append(item)
            elif (r, c) not in taken:
                etree.SubElement(tr, "td")
    return True


def _looks_like_report(node: HtmlElement) -> bool:
    from extract.table_labels import looks_like_report_table

    return looks_like_report_table(_label_text(node))


def _convert_div_grids(root: HtmlElement) -> None:
    """Rewrite tables made of divs (``display:table``/``grid`` layouts) into ``<table>``s."""
    for node in list(root.iter(*_CONTAINERS)):
        if node.getparent() is None or node.tag == "table":
            continue
        grid = "grid" in (node.get("style") or "")
        if grid and _looks_like_report(node) and _convert_css_grid(node):
            continue
        rows = _div_grid_rows(node)
        if rows is None:
            continue
        text = _label_text(node)
        from extract.table_labels import looks_like_report_table

        role = (node.get("role") or "").lower()
        if role not in ("table", "grid") and not looks_like_report_table(text):
            continue  # a list of links or cards, not a table of figures
        node.tag = "table"
        for row in rows:
            row.tag = "tr"
            for cell in row:
                if not isinstance(cell.tag, str):
                    continue
                colspan = _div_span(cell, "colspan", _SPAN_STYLE)
                rowspan = _div_span(cell, "rowspan", _ROWSPAN_STYLE)
                cell.tag = "td"
                if colspan > 1:
                    cell.set("colspan", str(colspan))
                if rowspan > 1:
                    cell.set("rowspan", str(rowspan))


def _dangling_rowspan(table: HtmlElement) -> bool:
    """Whether a cell's ``rowspan`` reaches past the table's last row: the table was cut
    (an editor's page break, one table per block) and continues in the next one."""
    rows = _own_rows(table)
    for index, row in enumerate(rows):
        for cell in row:
            if cell.tag in ("td", "th") and index + _span(cell.get("rowspan")) > len(rows):
                return True
    return False


def _next_table(table: HtmlElement) -> HtmlElement | None:
    """The table right after ``table`` (only blanks or empty paragraphs between)."""
    if (table.tail or "").strip():
        return None
    node = table.getnext()
    while node is not None:
        if node.tag == "table":
            return node
        if not isinstance(node.tag, str):
            node = node.getnext()
            continue
        if node.tag not in ("p", "br", "div", "span") or node.text_content().strip():
            return None
        if node.find(".//table") is not None or (node.tail or "").strip():
            return None
        node = node.getnext()
    return None


def _join_split_tables(root: HtmlElement) -> None:
    """Join a table cut in pieces whose merged cells run across the cut."""
    for table in list(root.iter("table")):
        if table.getparent() is None or _is_layout_table(table):
            continue
        while _dangling_rowspan(table):
            following = _next_table(table)
            if following is None or _is_layout_table(following):
                break
            tbody = table.find("tbody")
            target = tbody if tbody is not None else table
            for row in _own_rows(following):
                target.append(row)
            following.drop_tree()


# ---------------------------------------------------------------- furniture, body


def _strip_furniture(root: HtmlElement, keep: set[HtmlElement]) -> None:
    """Drop scripts, styles, controls and page furniture (navigation, footers, sidebars…),
    never an element that holds a report table (``keep`` and their ancestors)."""
    protected: set[HtmlElement] = set()
    for node in keep:
        protected.add(node)
        protected.update(node.iterancestors())
    for node in list(root.iter(*_DROP_TAGS)):
        if node.getparent() is not None and node not in protected:
            node.drop_tree()
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    for node in list(root.iter("div", "ul", "ol", "span", "section", "td", "table", "p", "dl")):
        if node.getparent() is None or node in protected or not _is_furniture(node):
            continue
        # Never drop a node that holds most of the page's text (misnamed body containers).
        if len(node.text_content()) < 2000:
            node.drop_tree()


_PROSE_MARKS = re.compile(r"[，。；：、“”（）]")


def _own_text(node: HtmlElement) -> str:
    return (node.text or "") + "".join((child.tail or "") for child in node)


def _link_chars(node: HtmlElement) -> int:
    return sum(len(a.text_content().strip()) for a in node.iter("a"))


_PAGE_TAGS: tuple[object, ...] = ("body", "html")
"""Where the body's climb stops (typed for any tag: lxml's may be a QName or bytes)."""


def _density_body(root: HtmlElement) -> HtmlElement:
    """The element holding the page's main text, by text density: runs of prose (text
    with Chinese punctuation, outside links) score their parent and grandparent; the best
    scorer climbs while its parent adds content (tables beside paragraphs included)."""
    scores: dict[HtmlElement, float] = {}
    for node in root.iter(
        "p",
        "td",
        "th",
        "div",
        "span",
        "font",
        "li",
        "section",
        "article",
        "center",
        "form",
        "body",
        "h1",
        "h2",
        "h3",
        "pre",
    ):
        own = _own_text(node).strip()
        length = len(own)
        if length < 10:
            continue
        if node.tag == "a" or next(node.iterancestors("a"), None) is not None:
            continue
        weight = 1.0 if _PROSE_MARKS.search(own) else 0.4
        parent = node.getparent()
        if parent is None:
            continue
        value = length * weight
        scores[parent] = scores.get(parent, 0.0) + value
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + value / 2
    for table in root.iter("table"):
        if is_report_table(table):
            for ancestor in table.iterancestors():
                scores[ancestor] = scores.get(ancestor, 0.0) + 500.0
                break
    body = root.find(".//body")
    if not scores:
        return body if body is not None else root
    for node in list(scores):
        total = len(node.text_content().strip()) or 1
        if _link_chars(node) / total > 0.5:
            scores[node] *= 0.2  # navigation: mostly links
    best = max(scores, key=lambda node: scores[node])
    while (parent := best.getparent()) is not None and parent.tag not in _PAGE_TAGS:
        if scores.get(parent, 0.0) < scores[best] * 0.9 and parent.find(".//table") is None:
            break
        if scores.get(parent, 0.0) < scores[best] * 0.5:
            break
        best = parent
    return best


def _find_body(root: HtmlElement) -> HtmlElement:
    """A known CMS body container (fast path), else the densest text region."""
    for selector in _BODY_SELECTORS:
        found: list[HtmlElement] = [
            node for node in root.xpath(selector) if len(node.text_content().strip()) > 50
        ]
        if found:
            return max(found, key=lambda node: len(node.text_content()))
    return _density_body(root)


def _span(value: str | None) -> int:
    if not value:
        return 1
    match = re.match(r"\s*(\d+)", value)
    return max(1, min(int(match.group(1)), 1000)) if match else 1


def _table_rows(table: HtmlElement) -> list[list[SpanCell]]:
    rows: list[list[SpanCell]] = []
    for row in _own_rows(table):
        cells = [
            SpanCell(_cell_text(cell), _span(cell.get("rowspan")), _span(cell.get("colspan")))
            for cell in row
            if cell.tag in ("td", "th")
        ]
        rows.append(cells)
    return rows


def _cell_text(cell: HtmlElement) -> str:
    lines: list[str] = []
    _render(cell, lines, [], in_cell=True)
    return "\n".join(line for line in lines if line.strip())


def _render(
    node: HtmlElement,
    lines: list[str],
    tables: list[Grid],
    in_cell: bool = False,
    skip: set[HtmlElement] | None = None,
) -> None:
    """Append the text of ``node`` to ``lines`` (the last line is the open one); data
    tables become grids, layout tables are read as blocks."""
    if not lines:
        lines.append("")
    tag = node.tag if isinstance(node.tag, str) else ""
    if skip and node in skip:
        lines.append(node.tail or "")
        return
    if tag == "table" and not in_cell and not _is_layout_table(node):
        table = build_table(_table_rows(node))
        if table is not None:
            tables.append(table.grid)
            lines.extend(["", *(_TABLE_ROW + line for line in table.lines), ""])
        lines.append(node.tail or "")
        return
    block = tag in _BLOCK_TAGS or tag in ("td", "th", "table", "tbody", "thead", "tfoot")
    if block:
        lines.append("")
    lines[-1] += node.text or ""
    for child in node:
        if isinstance(child.tag, str):
            _render(child, lines, tables, in_cell, skip)
        else:
            lines[-1] += child.tail or ""
    if block:
        lines.append("")
    lines[-1] += node.tail or ""


def _clean_lines(raw_lines: list[str]) -> list[str]:
    lines: list[str] = []
    for raw in raw_lines:
        if raw.startswith(_TABLE_ROW):
            lines.append(raw[len(_TABLE_ROW) :])
            continue
        line = clean_inline(raw.replace("\n", " ").replace("\r", " "))
        if line and not _COUNTERS.match(line):
            lines.append(line)
    return lines


# ---------------------------------------------------------------- one candidate body


@dataclass
class _Content:
    lines: list[str]
    tables: list[Grid]
    source: str
    report_tables: int
    prose: int

    def score(self) -> tuple[int, int]:
        return (self.report_tables, self.prose)


def _prose_chars(lines: list[str]) -> int:
    return sum(len(line) for line in lines if "\t" not in line)


def _content(root: HtmlElement, source: str) -> _Content:
    """The report content of one HTML tree: the body, and every report table wherever
    it stands (table-first recovery)."""
    _convert_div_grids(root)
    _join_split_tables(root)
    report_tables = [
        table
        for table in root.iter("table")
        if not _is_layout_table(table) and is_report_table(table)
    ]
    # A report table nested in another data table counts once (the outer one).
    report_tables = [
        t for t in report_tables if not any(a in report_tables for a in t.iterancestors("table"))
    ]
    _strip_furniture(root, set(report_tables))
    body = _find_body(root)
    order = {node: index for index, node in enumerate(root.iter())}
    inside = {t for t in report_tables if t is body or body in set(t.iterancestors())}
    outside = [t for t in report_tables if t not in inside]
    raw_lines: list[str] = []
    tables: list[Grid] = []
    before = [t for t in outside if order.get(t, 0) < order.get(body, 0)]
    after = [t for t in outside if t not in before]
    for table in before:
        _render(table, raw_lines, tables)
    _render(body, raw_lines, tables)
    for table in after:
        _render(table, raw_lines, tables)
    lines = _clean_lines(raw_lines)
    return _Content(lines, tables, source, len(report_tables), _prose_chars(lines))


def _trafilatura_lines(text: str) -> list[str]:
    """trafilatura's main text of the page (one signal among others, used when the
    structure finds almost no prose and no table)."""
    try:
        import trafilatura

        extracted = trafilatura.extract(
            text, include_tables=True, include_comments=False, favor_recall=True, deduplicate=False
        )
    except Exception:
        return []
    return [clean_inline(line) for line in (extracted or "").splitlines() if line.strip()]


def _parse(text: str) -> HtmlElement:
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"html: unparseable page: {exc}") from exc


def _fragment_root(fragment: str) -> HtmlElement | None:
    try:
        return lxml.html.document_fromstring(f"<html><body><div>{fragment}</div></body></html>")
    except (etree.ParserError, ValueError):
        return None


def _embedded(root: HtmlElement) -> list[Fragment]:
    """HTML fragments carried as data in the page: scripts, templates, hidden textareas."""
    found: list[Fragment] = []
    for node in root.iter("script", "textarea", "template"):
        if node.tag == "script":
            code = node.text or ""
            kind = (node.get("type") or "").lower()
            if "template" in kind or "html" in kind:
                if _prose_of(code) > 0:
                    found.append(Fragment(code, "template"))
                continue
            found.extend(fragments_in_code(code, "script"))
        elif node.tag == "textarea":
            value = node.text or ""
            if "<" in value:
                found.append(Fragment(value, "textarea"))
    return found


def _prose_of(fragment: str) -> int:
    return len(re.sub(r"<[^>]*>|\s+", "", fragment))


def _embedded_content(fragments: list[Fragment]) -> _Content | None:
    """One body from the fragments that carry text (not link lists), in page order."""
    parts: list[_Content] = []
    for fragment in fragments:
        root = _fragment_root(fragment.html)
        if root is None:
            continue
        content = _content(root, fragment.source)
        total = sum(len(line) for line in content.lines) or 1
        links = _link_chars(root) / total
        if content.report_tables == 0 and (content.prose < 30 or links > 0.5):
            continue
        parts.append(content)
    if not parts:
        return None
    return _Content(
        [line for part in parts for line in part.lines],
        [grid for part in parts for grid in part.tables],
        parts[0].source,
        sum(part.report_tables for part in parts),
        sum(part.prose for part in parts),
    )


def _better(candidate: _Content, best: _Content) -> bool:
    if candidate.report_tables != best.report_tables:
        return candidate.report_tables > best.report_tables
    return candidate.prose > max(200, 1.5 * best.prose)


# ---------------------------------------------------------------- the readers


def _document(
    content: _Content, meta: dict[str, str], page_title: str | None, media_type: str
) -> TextDocument:
    body_text = "\n".join(content.lines).strip()
    meta["body_source"] = content.source
    title = meta.get("ArticleTitle") or meta.get("articletitle") or page_title
    if not title:
        first = next((line for line in content.lines if line.strip()), None)
        title = first if first and len(first) <= 100 else None
    return TextDocument(
        media_type=media_type, text=body_text, tables=content.tables, title=title, meta=meta
    )


def read_html(data: bytes, media_type: str | None = None) -> TextDocument:
    """The report in an HTML page: the body found by structure (fast-path selectors of
    known CMSs, else text density), every report table wherever it stands, or the body
    the page carries as data (scripts, JSON) when that holds more of the report."""
    text, encoding = decode_html(data, media_type)
    if not text.strip():
        raise ExtractionError("html: empty page")
    if looks_like_data(text.lstrip("\ufeff")):
        # JSON/JSONP/JS whose strings hold markup (sniffed as HTML for that markup)
        document = read_data_body(text, HTML)
        if document is not None:
            document.meta["charset"] = encoding
            return document
    root = _parse(text)
    meta, page_title = _collect_meta(root)
    meta["charset"] = encoding
    fragments = _embedded(root)
    best = _content(root, "page")
    embedded = _embedded_content(fragments)
    if embedded is not None and _better(embedded, best):
        best = embedded
    if best.report_tables == 0 and best.prose < 200:
        lines = _trafilatura_lines(text)
        if _prose_chars(lines) > max(200, 1.5 * best.prose):
            best = _Content(lines, [], "trafilatura", 0, _prose_chars(lines))
    return _document(best, meta, page_title, HTML)


def read_data_body(text: str, media_type: str) -> TextDocument | None:
    """A JSON/JSONP/JS document whose strings carry the report as HTML (an API response
    such as jpaas ``data.html`` or gkmlpt ``/api/…``), or ``None`` when none does."""
    content = _embedded_content(fragments_in_code(text, "json"))
    if content is None:
        return None
    meta: dict[str, str] = {}
    title = None
    match = re.search(r'"(?:title|Title|ArticleTitle|name)"\s*:\s*"((?:[^"\\]|\\.){4,200})"', text)
    if match:
        title = clean_inline(js_unescape(match.group(1)))
    return _document(content, meta, title, media_type)


def html_fragment_render(fragment: str) -> tuple[list[str], list[Grid]]:
    """The text lines (tables as tab rows) and grids of an HTML fragment, e.g. the raw
    tables of a Markdown export."""
    root = _fragment_root(fragment)
    if root is None:
        return [], []
    raw_lines: list[str] = []
    tables: list[Grid] = []
    _render(root, raw_lines, tables)
    return _clean_lines(raw_lines), tables
