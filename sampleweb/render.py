"""Render report texts as HTML fragments and as real office files, with the standard library.

A text (see texts.py) is a run of blocks: narrative lines, and tables whose rows are groups
of tab-indented cell lines separated by blank lines.
"""

from __future__ import annotations

import io
import zipfile
from html import escape
from xml.sax.saxutils import escape as xml_escape

Block = str | list[list[str]]  # a paragraph, or a table as rows of cells


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    table: list[list[str]] | None = None
    row: list[str] = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            if table is None:
                table = []
            row.append(line[1:].replace("[bookmark: _GoBack]", "").strip())
            continue
        if table is not None and line.strip() == "":
            if row:
                table.append(row)
                row = []
            continue
        if table is not None:
            if row:
                table.append(row)
                row = []
            out.append(table)
            table = None
        if line.strip():
            out.append(line.strip())
    if table is not None:
        if row:
            table.append(row)
        out.append(table)
    return out


Spanned = list[list[tuple[str, int]]]  # a table as rows of (cell text, columns covered)

# Header rows of the standard tables whose merged cells the text exports print once:
# (the row's labels after the corner cell) -> how many columns each covers.
_HEADER_SPANS: dict[tuple[str, ...], tuple[int, ...]] = {
    ("申请人情况",): (7,),
    ("自然人", "法人或其他组织", "总计"): (1, 5, 1),
    ("行政复议", "行政诉讼"): (5, 10),
    ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"): (
        (1, 1, 1, 1, 1, 5, 5)
    ),
}


def _is_figure(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell[0] == "-") and any(c.isdigit() for c in cell)


def spanned(table: list[list[str]]) -> Spanned:
    """The table with merged cells as a Word or CMS table has them: every row covers the
    full width. A text export prints a horizontally merged cell once, so a short row gets
    its missing columns as spans: a lone cell spans the row, a known header row spans as
    the standard table does, a data row's last label absorbs the label columns, and any
    other row's first cell the missing columns. Vertically merged cells stay blank cells."""
    width = max(len(row) for row in table)
    out: Spanned = []
    for row in table:
        missing = width - len(row)
        spans = [1] * len(row)
        if missing and len(row) == 1:
            spans = [width]
        elif missing:
            labels = tuple(c for c in row if c)
            known = _HEADER_SPANS.get(labels) or _HEADER_SPANS.get(labels[1:])
            lead = len(row) - len(known) if known is not None else 0
            if known is not None and sum(known) + lead <= width and (lead or sum(known) == width):
                spans = [1] * lead + list(known)
                spans[0] += width - sum(spans)
            elif any(_is_figure(c) for c in row):
                last_label = max(
                    (i for i, c in enumerate(row) if c and not _is_figure(c)), default=0
                )
                spans[last_label] += missing
            else:
                spans[0] += missing
        out.append(list(zip(row, spans, strict=True)))
    return out


def html_fragment(text: str) -> str:
    parts: list[str] = []
    for block in blocks(text):
        if isinstance(block, str):
            parts.append(f"<p>{escape(block)}</p>")
            continue
        rows = "".join(
            "<tr>"
            + "".join(
                f'<td colspan="{n}">{escape(c)}</td>' if n > 1 else f"<td>{escape(c)}</td>"
                for c, n in row
            )
            + "</tr>"
            for row in spanned(block)
        )
        parts.append(f'<table border="1" cellspacing="0">{rows}</table>')
    return "\n".join(parts)


def _zip(files: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 7, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w_par(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r></w:p>'


_W_TABLE_PROPS = (
    "<w:tblPr><w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders></w:tblPr>"
)
"""Ruled borders, as every report table has them."""


def _column_widths(width: int) -> list[int]:
    """Twips per grid column: in table 三 (3 label + 7 value columns) the labels get room."""
    if width == 10:
        return [1600] * 3 + [600] * 7
    return [9000 // width] * width


def _w_cell(text: str, span: int) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
    return f"<w:tc>{props}{_w_par(text)}</w:tc>"


def docx_bytes(text: str) -> bytes:
    """A valid .docx (WordprocessingML) with the text's paragraphs and tables."""
    body: list[str] = []
    for block in blocks(text):
        if isinstance(block, str):
            body.append(_w_par(block))
            continue
        rows = "".join(
            "<w:tr>" + "".join(_w_cell(c, n) for c, n in row) + "</w:tr>" for row in spanned(block)
        )
        width = max(len(row) for row in block)
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in _column_widths(width))
        body.append(
            f"<w:tbl>{_W_TABLE_PROPS}<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>{_w_par('')}"
        )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        f"<w:body>{''.join(body)}<w:sectPr/></w:body></w:document>"
    )
    return _zip(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                "</Types>"
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                "</Relationships>"
            ),
            "word/document.xml": document,
        }
    )


def ofd_bytes(text: str) -> bytes:
    """A minimal OFD (GB/T 33190) package: one page of text objects, one per line."""
    ns = "http://www.ofdspec.org/2016"
    lines = [
        line
        for b in blocks(text)
        for line in ([b] if isinstance(b, str) else [" ".join(c for c in r if c) for r in b])
    ]
    objects = "".join(
        f'<ofd:TextObject ID="{i + 10}" Boundary="10 {10 + i * 6} 190 6" Font="2" Size="3.5">'
        f'<ofd:TextCode X="0" Y="4">{xml_escape(line)}</ofd:TextCode></ofd:TextObject>'
        for i, line in enumerate(lines)
    )
    return _zip(
        {
            "OFD.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{ns}" Version="1.0" DocType="OFD">'
                "<ofd:DocBody><ofd:DocInfo><ofd:DocID>sampleweb</ofd:DocID></ofd:DocInfo>"
                "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
            ),
            "Doc_0/Document.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{ns}">'
                "<ofd:CommonData><ofd:MaxUnitID>9999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
                "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
                '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>'
            ),
            "Doc_0/PublicRes.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{ns}" BaseLoc="Res">'
                '<ofd:Fonts><ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
            ),
            "Doc_0/Pages/Page_0/Content.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{ns}"><ofd:Content>'
                f'<ofd:Layer ID="3">{objects}</ofd:Layer></ofd:Content></ofd:Page>'
            ),
        }
    )


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """A valid .xlsx with one sheet; numeric-looking cells are stored as numbers."""

    def cell(ref: str, value: str) -> str:
        if value.lstrip("-").isdigit():
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{xml_escape(value)}</t></is></c>'

    def col(i: int) -> str:
        name = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        return name

    sheet_rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(cell(f"{col(c)}{r + 1}", v) for c, v in enumerate(row) if v != "")
        + "</row>"
        for r, row in enumerate(rows)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _zip(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                "</Types>"
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{rel}">'
                '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ),
            "xl/worksheets/sheet1.xml": (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}">'
                f"<sheetData>{sheet_rows}</sheetData></worksheet>"
            ),
        }
    )


def xlsx_from_text(text: str) -> bytes:
    rows: list[list[str]] = []
    for block in blocks(text):
        if isinstance(block, str):
            rows.append([block])
        else:  # a merged cell's text sits in its first column, as in a real sheet
            rows.extend(
                [cell for c, n in row for cell in [c] + [""] * (n - 1)] for row in spanned(block)
            )
    return xlsx_bytes(rows)


def zip_of(files: dict[str, bytes]) -> bytes:
    """A zip whose member names are UTF-8 (the flag bit is set by zipfile for non-ASCII)."""
    return _zip(dict(files))


def sniff_media_type(data: bytes) -> str:
    """The media type from the content (the sample web's own truth; not the crawler's)."""
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
            return "application/msword"
        return "application/vnd.ms-excel"
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "OFD.xml" in names:
            return "application/ofd"
        return "application/zip"
    head = data[:512].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return "text/html"
    return "application/octet-stream"
