"""Plain text and Markdown exports of reports.

Plain text keeps its line structure: the blank line that ends a table row in the text
exports of ``shared/reports/seeds`` (one ``\\t``-led line per cell) is kept, runs of blank
lines become one, other lines are cleaned of padding.

Markdown (a ``.md`` name, a ``text/markdown`` type, or pipe-table rulers / ATX headings in
the text) is turned into the same plain form: headings and emphasis lose their marks,
pipe tables become grids (``TextDocument.tables``) and tab-separated rows, raw HTML tables
(converters emit them for merged cells) are read as HTML tables, other tags are dropped.
"""

from __future__ import annotations

import re

from extract.sniff import TEXT, base_media_type
from extract.text.grid import clean_inline
from extract.types import Grid, TextDocument

_RULER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?!\w)")
_CODE = re.compile(r"`([^`]*)`")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BR = re.compile(r"<br\s*/?>", re.I)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


def strip_markup(text: str) -> str:
    """Inline text without Markdown marks and HTML tags (``**沐阳县**`` → ``沐阳县``)."""
    text = _BR.sub(" ", text)
    text = _TAG.sub("", text)
    text = _ATX.sub("", text)
    text = re.sub(r"^\s{0,3}>\s?", "", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    for _ in range(3):
        new = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
        if new == text:
            break
        text = new
    text = _ESCAPE.sub(r"\1", text)
    return (
        text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )


def is_markdown(text: str, media_type: str | None, filename: str | None) -> bool:
    if base_media_type(media_type) in ("text/markdown", "text/x-markdown"):
        return True
    if filename and filename.lower().endswith((".md", ".markdown", ".mdown")):
        return True
    lines = text.splitlines()[:4000]
    rulers = sum(1 for line in lines if _RULER.match(line) and "|" in line)
    headings = sum(1 for line in lines if _ATX.match(line))
    return rulers >= 1 or headings >= 2


def _pipe_cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return [clean_inline(strip_markup(cell.replace("\\|", "|"))) for cell in cells]


def _markdown(text: str) -> tuple[list[str], list[Grid]]:
    """Lines of plain text (tables as tab rows between blank lines) and the grids of the
    raw HTML tables. Pipe tables stay text rows: a pipe table cannot say which cells a
    merged cell covered, so its rows are read like the seeds' rows (trailing padding
    cells dropped), not as grids."""
    from extract.text.html import html_fragment_render

    out: list[str] = []
    grids: list[Grid] = []
    placeholders: dict[str, tuple[list[str], list[Grid]]] = {}

    def hold(match: re.Match[str]) -> str:
        key = f"\x00table{len(placeholders)}\x00"
        placeholders[key] = html_fragment_render(match.group(0))
        return "\n" + key + "\n"

    text = _HTML_TABLE.sub(hold, text)
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() in placeholders:
            table_lines, table_grids = placeholders[line.strip()]
            grids.extend(table_grids)
            out.extend(["", *table_lines, ""])
            i += 1
            continue
        if _PIPE_ROW.match(line) or (
            "|" in line and i + 1 < len(lines) and _RULER.match(lines[i + 1])
        ):
            out.append("")
            while i < len(lines) and (
                _PIPE_ROW.match(lines[i]) or ("|" in lines[i] and lines[i].strip())
            ):
                if not _RULER.match(lines[i]):
                    cells = _pipe_cells(lines[i])
                    while cells and not cells[-1]:
                        cells.pop()
                    if any(cells):
                        out.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t")
                i += 1
            out.append("")
            continue
        out.append(clean_inline(strip_markup(line)))
        i += 1
    return out, grids


_T4_CELLS = 15
_T4_GROUP = 5
_LAST = ("总计", "合计")
_ROW_CELLS = 8
"""At most this many figures follow a row label of table 二 or 三 (label cells aside)."""
_GROUP_LABEL = 20
"""At most this long, a line naming a group of table 四 is that group's row label."""


def _cell_lines_to_rows(lines: list[str]) -> list[str]:
    """A table exported a cell a line without tabs (LibreOffice's text export of a
    document) prints a blank cell as an empty line, and rows apart by empty lines too:
    the figures after a standard row label (or a group label of table 四), up to the
    next text, are that row's cells — empty lines among them are blank cells, those at
    the end are the gap to the next row. Such a row with blank cells becomes a tab row,
    so the blanks keep their places."""
    from extract.numbers import is_value
    from extract.table_labels import match_t2_row, match_t3_rows, match_t4_group, squash

    out: list[str] = []
    i = 0
    table_four = False
    """Past table 四's heading or header (行政复议 on a short line)."""
    while i < len(lines):
        line = lines[i]
        label = squash(line)
        table_four = table_four or ("行政复议" in label and len(label) <= 40)
        last = table_four and label in _LAST
        group = table_four and len(label) <= _GROUP_LABEL and match_t4_group(label) is not None
        row_label = bool(match_t3_rows(label) or match_t2_row(label))
        if "\t" not in line and label and not is_value(label) and (row_label or last or group):
            cells: list[str] = []
            j = i + 1
            while j < len(lines) and "\t" not in lines[j] and is_value(lines[j]):
                cells.append(lines[j].strip())
                j += 1
            printed = len(cells)
            while cells and not cells[-1]:
                cells.pop()
            if (last or group) and cells:
                # table 四 prints five cells a group: a blank 总计 at the end is a cell
                whole = -(-len(cells) // _T4_GROUP) * _T4_GROUP
                if whole <= min(printed, _T4_GROUP if group else _T4_CELLS):
                    cells += [""] * (whole - len(cells))
            if last and len(cells) % _T4_GROUP == 0 and "" in cells:
                # table 四's cells under its header's last name (总计): fifteen, or five
                # a group when it is printed in parts
                out += [line, "", "\t".join(cells), ""]
                i = j
                continue
            if group and len(cells) == _T4_GROUP and "" in cells:
                # table 四 one row a group (行政复议, 行政诉讼（复议后起诉）…): five cells
                out += [line + "\t" + "\t".join(cells), ""]
                i = j
                continue
            if row_label and 1 < len(cells) <= _ROW_CELLS and "" in cells:  # 二, 三
                out += [line + "\t" + "\t".join(cells), ""]
                i = j
                continue
        out.append(line)
        i += 1
    return out


def _squeeze_blank(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line.strip() and "\t" not in line:
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def read_plain(
    data: bytes, media_type: str | None = None, filename: str | None = None
) -> TextDocument:
    from extract.text.html import decode_html

    text, encoding = decode_html(data, media_type)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta = {"charset": encoding}
    grids: list[Grid] = []
    if is_markdown(text, media_type, filename):
        lines, grids = _markdown(text)
        meta["markup"] = "markdown"
    else:
        lines = [
            clean_inline(line) if "\t" not in line else line.rstrip(" \r\u3000")
            for line in text.splitlines()
        ]
        lines = _cell_lines_to_rows(lines)
    lines = _squeeze_blank(lines)
    title = next((line for line in lines if line.strip() and "\t" not in line), None)
    return TextDocument(
        media_type=TEXT,
        text="\n".join(lines),
        tables=grids,
        title=title if title and len(title) <= 100 else None,
        meta=meta,
    )


def read_data_or_plain(
    data: bytes, media_type: str | None = None, filename: str | None = None
) -> TextDocument:
    """A JSON/JSONP/JS answer carrying the report as HTML strings is read as that HTML;
    anything else as plain text or Markdown."""
    from extract.text.embedded import looks_like_data
    from extract.text.html import decode_html, read_data_body

    text, _ = decode_html(data, media_type)
    if looks_like_data(text.lstrip("\ufeff")):
        document = read_data_body(text, TEXT)
        if document is not None:
            return document
    return read_plain(data, media_type, filename)
