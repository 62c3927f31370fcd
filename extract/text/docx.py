"""Word 2007+ (docx): paragraphs and tables in body order, merged cells expanded."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, open_zip
from extract.sniff import DOCX
from extract.text.grid import SpanCell, build_table, clean_inline
from extract.text.ooxml import core_properties, read_xml_member
from extract.types import Grid, TextDocument

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {W + "delText", W + "instrText", W + "fldData"}
_MAX_SPAN = 1000
"""Columns a gridSpan/gridBefore may cover (grid.build_table bounds spans the same way)."""


def _paragraph_text(paragraph: Element) -> str:
    pieces: list[str] = []
    for node in paragraph.iter():
        tag = node.tag
        if tag == W + "t":
            pieces.append(node.text or "")
        elif tag == W + "tab":
            pieces.append(" ")
        elif tag in (W + "br", W + "cr"):
            pieces.append("\n")
        elif tag == W + "noBreakHyphen":
            pieces.append("-")
        elif tag in _SKIP:
            continue
    return "".join(pieces)


def _val(element: Element | None, default: str | None = None) -> str | None:
    if element is None:
        return default
    return element.get(W + "val", default)


def _cell_text(cell: Element) -> str:
    lines: list[str] = []
    for node in cell.iter(W + "p"):
        text = _paragraph_text(node)
        if text.strip():
            lines.append(text)
    return "\n".join(lines)


@dataclass
class _RawCell:
    col: int
    colspan: int
    text: str
    vmerge: str | None  # None, "restart" or "continue"


def _span(text: str | None, default: int) -> int:
    """A gridSpan/gridBefore count, at most ``_MAX_SPAN`` (however many digits it has)."""
    if not text or not text.isdigit():
        return default
    return _MAX_SPAN if len(text) > 6 else min(int(text), _MAX_SPAN)


def _table_rows(table: Element) -> list[list[SpanCell]]:
    raw_rows: list[list[_RawCell]] = []
    for row in table.findall(W + "tr"):
        col = 0
        cells: list[_RawCell] = []
        before = _span(_val(row.find(f"{W}trPr/{W}gridBefore")), 0)
        if before > 0:
            cells.append(_RawCell(col, before, "", None))
            col += before
        for cell in row.findall(W + "tc") + row.findall(f"{W}sdt/{W}sdtContent/{W}tc"):
            props = cell.find(W + "tcPr")
            span_text = _val(props.find(W + "gridSpan")) if props is not None else None
            colspan = _span(span_text, 1)
            vmerge_el = props.find(W + "vMerge") if props is not None else None
            vmerge = None
            if vmerge_el is not None:
                vmerge = "restart" if _val(vmerge_el) == "restart" else "continue"
            cells.append(_RawCell(col, max(1, colspan), _cell_text(cell), vmerge))
            col += max(1, colspan)
        raw_rows.append(cells)
    # Rows each restart spans: 1 + the run of "continue" cells in its column just below,
    # counted bottom-up in one pass (linear in the cells, whatever the table's height).
    runs_below: list[dict[int, int]] = [{} for _ in raw_rows]
    below: dict[int, int] = {}
    for r in range(len(raw_rows) - 1, -1, -1):
        runs_below[r] = below
        below = {
            cell.col: 1 + below.get(cell.col, 0)
            for cell in raw_rows[r]
            if cell.vmerge == "continue"
        }
    rows: list[list[SpanCell]] = []
    for r, cells in enumerate(raw_rows):
        out: list[SpanCell] = []
        for raw in cells:
            if raw.vmerge == "continue" and r > 0:
                continue
            rowspan = 1
            if raw.vmerge == "restart":
                rowspan += runs_below[r].get(raw.col, 0)
            out.append(SpanCell(raw.text, rowspan=rowspan, colspan=raw.colspan))
        rows.append(out)
    return rows


_MAX_LAYOUT_DEPTH = 16
"""Layout tables (tables in the cells of tables) are walked this deep; a table nested
deeper is read as one table whose cells hold all the text inside them."""


def _walk(container: Element, lines: list[str], tables: list[Grid], depth: int = 0) -> None:
    if depth > 4 * _MAX_LAYOUT_DEPTH:
        # content controls or custom XML nested beyond any real document: its text only
        lines.extend(_cell_text(container).split("\n"))
        return
    for child in container:
        tag = child.tag
        if tag == W + "p":
            for line in _paragraph_text(child).split("\n"):
                cleaned = clean_inline(line)
                if cleaned:
                    lines.append(cleaned)
        elif (
            tag == W + "tbl"
            and depth < _MAX_LAYOUT_DEPTH
            and child.find(f".//{W}tc/{W}tbl") is not None
        ):
            # a layout table (tables inside its cells): its cells are read as blocks
            for row in child.findall(W + "tr"):
                for cell in row.findall(W + "tc") + row.findall(f"{W}sdt/{W}sdtContent/{W}tc"):
                    _walk(cell, lines, tables, depth + 1)
        elif tag == W + "tbl":
            table = build_table(_table_rows(child))
            if table is not None:
                tables.append(table.grid)
                lines.append("")
                lines.extend(table.lines)
                lines.append("")
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                _walk(content, lines, tables, depth + 1)
        elif tag in (W + "customXml", W + "smartTag"):
            _walk(child, lines, tables, depth + 1)


def read_docx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    archive = open_zip(data, limits, "docx")
    with archive:
        if "word/document.xml" not in archive.namelist():
            raise ExtractionError("docx: word/document.xml missing")
        root = read_xml_member(archive, "word/document.xml", limits, "docx")
        meta = core_properties(archive, limits, "docx")
    body = root.find(W + "body")
    if body is None:
        raise ExtractionError("docx: document.xml has no w:body")
    lines: list[str] = []
    tables: list[Grid] = []
    _walk(body, lines, tables)
    text = "\n".join(lines).strip()
    text = "\n".join(_squeeze_blank(text.split("\n")))
    title = next((line for line in lines if line.strip()), None)
    if title is not None and len(title) > 100:
        title = meta.get("dc:title")
    return TextDocument(media_type=DOCX, text=text, tables=tables, title=title, meta=meta)


def _squeeze_blank(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return out
