"""HTML: decode correctly, find the article body on CMS pages, keep tables as grids.

Decoding order: BOM, the HTTP header charset (``media_type="text/html; charset=gbk"``),
``<meta charset>``/``http-equiv``, then strict UTF-8, then GB18030 (a superset of GBK and
GB2312), then Big5; a statistical guesser is never allowed to pick an unrelated script.
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from extract.limits import ExtractionError
from extract.sniff import HTML
from extract.text.grid import SpanCell, build_table, clean_inline
from extract.types import Grid, TextDocument

_BLOCK_TAGS = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
    "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "center", "form", "hr", "header",
    "footer", "main", "aside", "nav", "address", "figcaption", "caption",
}  # fmt: skip
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "button",
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
    if bom_encoding:
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


def _collect_meta(root: etree._Element) -> tuple[dict[str, str], str | None]:
    meta: dict[str, str] = {}
    for node in root.iter("meta"):
        name = (node.get("name") or node.get("property") or "").strip()
        content = (node.get("content") or "").strip()
        if name and content and name.lower() in _META_NAMES and name not in meta:
            meta[name] = clean_inline(content)[:1000]
    title_node = root.find(".//title")
    page_title = clean_inline(title_node.text_content()) if title_node is not None else None
    return meta, page_title or None


def _is_furniture(node: etree._Element) -> bool:
    label = f"{node.get('id', '')} {node.get('class', '')}"
    return bool(label.strip()) and bool(_FURNITURE.search(label))


def _strip_furniture(root: etree._Element) -> None:
    for node in list(root.iter(*_DROP_TAGS)):
        if node.getparent() is not None:
            node.drop_tree()
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        if node.getparent() is not None:
            node.getparent().remove(node)
    for node in list(root.iter("div", "ul", "ol", "span", "section", "td", "table", "p", "dl")):
        if node.getparent() is None or not _is_furniture(node):
            continue
        # Never drop a node that holds most of the page's text (misnamed body containers).
        if len(node.text_content()) < 2000:
            node.drop_tree()


def _find_body(root: etree._Element) -> etree._Element:
    for selector in _BODY_SELECTORS:
        found = [node for node in root.xpath(selector) if len(node.text_content().strip()) > 50]
        if found:
            return max(found, key=lambda node: len(node.text_content()))
    scores: dict[etree._Element, float] = {}
    for node in root.iter("p", "td", "div", "span", "font", "li"):
        own = (node.text or "") + "".join((child.tail or "") for child in node)
        length = len(own.strip())
        if length < 10:
            continue
        parent = node.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + length
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0.0) + length / 2
    body = root.find(".//body")
    if not scores:
        return body if body is not None else root
    best = max(scores, key=lambda node: scores[node])
    # Climb while the parent adds little link-free text (keeps tables beside paragraphs).
    while best.getparent() is not None and best.getparent().tag not in ("body", "html"):
        parent = best.getparent()
        if scores.get(parent, 0.0) < scores[best] * 0.9 and parent.find(".//table") is None:
            break
        if scores.get(parent, 0.0) < scores[best] * 0.5:
            break
        best = parent
    return best


def _span(value: str | None) -> int:
    if not value:
        return 1
    match = re.match(r"\s*(\d+)", value)
    return max(1, min(int(match.group(1)), 1000)) if match else 1


def _table_rows(table: etree._Element) -> list[list[SpanCell]]:
    rows: list[list[SpanCell]] = []
    for row in table.iter("tr"):
        # skip rows of nested tables: their nearest table ancestor is another table
        if next(row.iterancestors("table"), None) is not table:
            continue
        cells = [
            SpanCell(_cell_text(cell), _span(cell.get("rowspan")), _span(cell.get("colspan")))
            for cell in row
            if cell.tag in ("td", "th")
        ]
        rows.append(cells)
    return rows


def _cell_text(cell: etree._Element) -> str:
    lines: list[str] = []
    _render(cell, lines, [], in_cell=True)
    return "\n".join(line for line in lines if line.strip())


def _render(
    node: etree._Element, lines: list[str], tables: list[Grid], in_cell: bool = False
) -> None:
    """Append the text of ``node`` to ``lines`` (the last line is the open one)."""
    if not lines:
        lines.append("")
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag == "table" and not in_cell:
        table = build_table(_table_rows(node))
        if table is not None:
            tables.append(table.grid)
            lines.extend(["", *(_TABLE_ROW + line for line in table.lines), ""])
        lines.append(node.tail or "")
        return
    if tag in _BLOCK_TAGS or tag in ("td", "th", "table"):
        lines.append("")
    lines[-1] += node.text or ""
    for child in node:
        if isinstance(child.tag, str):
            _render(child, lines, tables, in_cell)
        else:
            lines[-1] += child.tail or ""
    if tag in _BLOCK_TAGS or tag in ("td", "th", "table"):
        lines.append("")
    lines[-1] += node.tail or ""


def read_html(data: bytes, media_type: str | None = None) -> TextDocument:
    text, encoding = decode_html(data, media_type)
    if not text.strip():
        raise ExtractionError("html: empty page")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"html: unparseable page: {exc}") from exc
    meta, page_title = _collect_meta(root)
    meta["charset"] = encoding
    _strip_furniture(root)
    body = _find_body(root)
    raw_lines: list[str] = []
    tables: list[Grid] = []
    _render(body, raw_lines, tables)
    lines: list[str] = []
    for raw in raw_lines:
        if raw.startswith(_TABLE_ROW):
            lines.append(raw[len(_TABLE_ROW) :])
            continue
        line = clean_inline(raw.replace("\n", " ").replace("\r", " "))
        if line and not _COUNTERS.match(line):
            lines.append(line)
    body_text = "\n".join(lines).strip()
    title = meta.get("ArticleTitle") or meta.get("articletitle") or page_title
    if not title:
        first = next((line for line in lines if line.strip()), None)
        title = first if first and len(first) <= 100 else None
    return TextDocument(media_type=HTML, text=body_text, tables=tables, title=title, meta=meta)
