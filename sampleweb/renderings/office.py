"""Word and spreadsheet renderings: python-docx with merged cells (``gridSpan``/``vMerge``),
report tables nested in layout tables, text boxes; openpyxl workbooks with merged ranges;
and LibreOffice conversions (html → docx/odt/doc, odt → docx, docx → doc/pdf/txt, xlsx → xls),
each ``soffice`` with its own profile (two sharing one silently produce nothing).
"""

from __future__ import annotations

import datetime
import random
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from sampleweb.renderings.model import Kind, Para, Report, Table, grid, placements

if TYPE_CHECKING:
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

FONTS = ["宋体", "仿宋_GB2312", "Noto Serif CJK SC", "微软雅黑", "方正仿宋_GBK"]


def _paragraph_text(paragraph: Paragraph, text: str, split: bool = False) -> None:
    """Write ``text`` into a python-docx paragraph, ``\\n`` as line breaks; with ``split``
    a number is written as two runs, as Word leaves them after edits (rsid/proofing runs)."""
    lines = text.split("\n")
    if split and len(lines) == 1 and len(text) > 1:
        paragraph.add_run(text[: len(text) // 2])
        paragraph.add_run(text[len(text) // 2 :])
        return
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run = paragraph.add_run(line)


def _fill_table(
    table_obj: DocxTable,
    table: Table,
    total_mm: float = 150.0,
    font_pt: float = 10.5,
    split_runs: bool = False,
) -> None:
    """Fill a python-docx table from ``table``: merges, text, and column widths from the
    text the columns hold (values on one line, labels sharing the rest), as a person
    laying out the official form would."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from sampleweb.renderings.layout import PT, fit_widths, text_width

    rows = grid(table)
    size = font_pt * PT
    desired = [8.0] * len(rows[0])
    for row in rows:
        for c, cell in enumerate(row):
            if cell is not None and cell.colspan == 1:
                longest = max(
                    (text_width(line, size) for line in cell.text.split("\n")), default=0.0
                )
                desired[c] = max(desired[c], min(longest + 4, 50.0))
    widths = fit_widths(rows, desired, total_mm, size, 1.9)
    table_obj.autofit = False
    for c, width in enumerate(widths):
        for cell_obj in table_obj.columns[c].cells:
            cell_obj.width = Mm(width)

    for r, c, cell in placements(table):
        target = table_obj.cell(r, c)
        if cell.colspan > 1 or cell.rowspan > 1:
            target = target.merge(table_obj.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        for extra in target.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
        paragraph = target.paragraphs[0]
        for run in list(paragraph.runs):
            run._element.getparent().remove(run._element)
        if cell.text:
            _paragraph_text(paragraph, cell.text, split=bool(cell.key) and split_runs)
            for run in paragraph.runs:
                run.font.size = Pt(font_pt)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _text_box_xml(texts: list[str], font: str) -> str:
    from xml.sax.saxutils import escape

    paras = "".join(
        f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia="{font}"/><w:sz w:val="32"/></w:rPr><w:t>{escape(t)}</w:t></w:r></w:p>'
        for t in texts
    )
    return (
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
        '<w:r><w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        '<v:shape id="TextBox1" o:spid="_x0000_s1026" type="#_x0000_t202" style="position:absolute;margin-left:0;margin-top:0;'
        'width:415pt;height:90pt;z-index:1;mso-position-horizontal:center" stroked="f">'
        f"<v:textbox><w:txbxContent>{paras}</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )


def fix_zip_times(path: Path, date: str | None) -> None:
    """Rewrite a zip package with every member dated ``date`` (deterministic output)."""
    date = date or "2021-01-20"
    stamp = (int(date[:4]), int(date[5:7]), int(date[8:10]), 9, 30, 0)
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)


def write_docx(report: Report, path: Path, rng: random.Random, variant: str) -> None:
    """``variant``: ``merged`` (tables with gridSpan/vMerge), ``nested`` (each report table
    inside a one-cell layout table), ``textbox`` (title and signature in text boxes)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    font = rng.choice(FONTS)
    normal = document.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(rng.choice([10.5, 12, 14, 16]))
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    document.core_properties.title = (
        report.title if rng.random() < 0.7 else "政府信息公开工作年度报告"
    )
    document.core_properties.author = rng.choice(
        ["Administrator", "微软用户", "user", report.agency or ""]
    )
    if rng.random() < 0.2:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    blocks = list(report.blocks)
    section = document.sections[0]
    page_width, left, right = section.page_width, section.left_margin, section.right_margin
    if page_width is None or left is None or right is None:
        raise ValueError("python-docx's default template has a page width and margins")
    usable = (page_width - left - right) / Mm(1)
    table_pt = rng.choice([9.0, 10.5])
    split_runs = rng.random() < 0.3
    if variant == "textbox":
        head = [b.text for b in blocks[:1] if isinstance(b, Para)]
        document.element.body.insert(0, parse_xml(_text_box_xml(head, font)))
        blocks = blocks[1:]
        for _ in range(4):
            document.add_paragraph("")
    for block in blocks:
        if isinstance(block, Para):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            if block.kind == Kind.TITLE:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.bold = True
                run.font.size = Pt(18)
            elif block.kind == Kind.HEADING:
                run.bold = rng.random() < 0.7
            else:
                paragraph.paragraph_format.first_line_indent = Pt(24)
            continue
        width = block.width
        if variant == "nested":
            outer = document.add_table(rows=1, cols=1)
            holder = outer.cell(0, 0)
            inner = holder.add_table(rows=len(block.rows), cols=width)
            inner.style = "Table Grid"
            _fill_table(inner, block, usable - 6, table_pt, split_runs)
        else:
            table_obj = document.add_table(rows=len(block.rows), cols=width)
            table_obj.style = "Table Grid"
            _fill_table(table_obj, block, usable, table_pt, split_runs)
        document.add_paragraph("")
    document.save(str(path))
    fix_zip_times(path, report.published_at)


def write_xlsx(report: Report, path: Path, rng: random.Random) -> None:
    """The tables in a workbook (one sheet per table, or all on one sheet), merged ranges
    for merged cells, numbers as numbers, the title in the first row."""
    import openpyxl
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.worksheet import Worksheet

    book = openpyxl.Workbook()
    one_sheet = rng.random() < 0.5
    sheet = book.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook's active sheet is a worksheet")
    sheet.title = "年报" if one_sheet else "表1"
    row0 = 1
    sheet.cell(row=1, column=1, value=report.title)
    row0 = 3
    for number, table in enumerate(report.tables()):
        if not one_sheet and number:
            sheet = book.create_sheet(f"表{number + 1}")
            row0 = 1
        for r, c, cell in placements(table):
            value: str | int | float | None = cell.text or None
            text = cell.text.replace(",", "")
            if cell.key and text.lstrip("+-").isdigit() and not text.startswith("+"):
                value = int(text)
            elif (
                cell.key
                and text.replace(".", "", 1).isdigit()
                and rng.random() < 0.5
                and not cell.key.endswith("_raw")
            ):
                value = float(text)
            target = sheet.cell(row=row0 + r, column=c + 1, value=value)
            target.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            if cell.colspan > 1 or cell.rowspan > 1:
                sheet.merge_cells(
                    start_row=row0 + r,
                    start_column=c + 1,
                    end_row=row0 + r + cell.rowspan - 1,
                    end_column=c + cell.colspan,
                )
        row0 += len(table.rows) + 2
    date = report.published_at or "2021-01-20"
    stamp = datetime.datetime(int(date[:4]), int(date[5:7]), int(date[8:10]), 9, 30)
    book.properties.created = book.properties.modified = stamp
    book.save(str(path))
    fix_zip_times(path, report.published_at)


def write_html_for_office(report: Report, path: Path, rng: random.Random) -> None:
    """A bare HTML document of the report (what an editor exports): LibreOffice's input."""
    from sampleweb.renderings.html_pages import body_html

    path.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{report.title}</title></head><body>{body_html(report.blocks, rng)}</body></html>',
        encoding="utf-8",
    )


# ---------------------------------------------------------------- LibreOffice


def soffice_convert(
    files: list[Path], target: str, outdir: Path, *, infilter: str | None = None
) -> dict[Path, Path]:
    """Convert ``files`` with one ``soffice`` call and a private profile; return input → output.
    Raise ``RuntimeError`` naming the files LibreOffice did not produce."""
    if not files:
        return {}
    outdir.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: run scripts/bootstrap")
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as profile:
        command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
        if infilter:
            command.append(f"--infilter={infilter}")
        command += ["--convert-to", target, "--outdir", str(outdir), *map(str, files)]
        subprocess.run(command, check=True, capture_output=True, timeout=300 + 30 * len(files))
    extension = target.split(":")[0]
    produced: dict[Path, Path] = {}
    missing = []
    for file in files:
        out = outdir / f"{file.stem}.{extension}"
        if out.exists() and out.stat().st_size:
            produced[file] = out
        else:
            missing.append(file.name)
    if missing:
        raise RuntimeError(
            f"soffice --convert-to {target} produced nothing for {', '.join(missing[:5])}"
        )
    return produced
