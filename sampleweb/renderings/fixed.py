"""Fixed-layout renderings: PDFs drawn by reportlab (canvas, or platypus tables that split
across pages with repeated headers) and fpdf2, OFD packages (GB/T 33190) written as Chinese
government exporters write them, and scanned reports (page images with noise, wrapped in an
image-only PDF: no text layer).
"""

from __future__ import annotations

import datetime
import io
import random
import time
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from sampleweb.renderings.layout import PT, FixedPage, Options, advance, compose
from sampleweb.renderings.model import Kind, Para, Report, Table, grid

if TYPE_CHECKING:
    from PIL.Image import Image
    from reportlab.platypus import Flowable
    from reportlab.platypus.tables import _TableCommand

TTF = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
"""A TrueType-outline CJK font (fonts-wqy-zenhei): reportlab and fpdf2 embed it."""
SCAN_FONTS = [
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    TTF,
]


def _require(path: Path) -> Path:
    if not path.exists():
        raise RuntimeError(
            f"font {path} missing: run scripts/bootstrap (fonts-wqy-zenhei, fonts-noto-cjk)"
        )
    return path


# ---------------------------------------------------------------- PDF: reportlab canvas, fpdf2


def _reportlab_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(_require(TTF)), subfontIndex=0))
    return "WQY"


def pdf_canvas(pages: list[FixedPage], path: Path, report: Report, *, glyphs: bool = False) -> None:
    """Each line of text drawn where the layout put it (ruled or not); with ``glyphs`` each
    character is placed on its own, as print drivers and some converters write PDFs."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = _reportlab_font()
    size = (pages[0].width * mm, pages[0].height * mm)
    pdf = canvas.Canvas(str(path), pagesize=size, invariant=1)  # no time stamp: deterministic
    pdf.setTitle(report.title)
    pdf.setAuthor(report.agency or "")
    for page in pages:
        pdf.setPageSize((page.width * mm, page.height * mm))
        pdf.setLineWidth(0.5)
        for rule in page.rules:
            pdf.line(
                rule.x1 * mm,
                (page.height - rule.y1) * mm,
                rule.x2 * mm,
                (page.height - rule.y2) * mm,
            )
        for text in page.texts:
            pdf.setFont(font, text.size / PT)
            if not glyphs:
                pdf.drawString(text.x * mm, (page.height - text.y) * mm, text.text)
                continue
            x = text.x
            for char in text.text:
                pdf.drawString(x * mm, (page.height - text.y) * mm, char)
                x += advance(char, text.size)
        pdf.showPage()
    pdf.save()


def pdf_fpdf(pages: list[FixedPage], path: Path, report: Report) -> None:
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "BDF NOT subset" noise

    pdf = FPDF(unit="mm", format=(pages[0].width, pages[0].height))
    pdf.set_auto_page_break(False)
    date = report.published_at or "2021-01-20"
    pdf.set_creation_date(
        datetime.datetime(int(date[:4]), int(date[5:7]), int(date[8:10]), tzinfo=datetime.UTC)
    )
    pdf.add_font("wqy", fname=str(_require(TTF)))
    pdf.set_title(report.title)
    pdf.set_creator("fpdf2")
    for page in pages:
        pdf.add_page(format=(page.width, page.height))
        pdf.set_line_width(0.2)
        for rule in page.rules:
            pdf.line(rule.x1, rule.y1, rule.x2, rule.y2)
        for text in page.texts:
            pdf.set_font("wqy", size=text.size / PT)
            pdf.text(text.x, text.y, text.text)
    pdf.output(str(path))


def pdf_platypus(
    report: Report, path: Path, rng: random.Random, *, landscape: bool, ruled: bool
) -> float:
    """reportlab platypus: flowing paragraphs, tables split across pages by row with their
    header rows repeated (``repeatRows``). A table whose merged cells keep it from splitting
    and that does not fit a page is set in a smaller font; returns the cell font size."""
    from reportlab.platypus.doctemplate import LayoutError

    for size in (8.0, 6.5, 5.0):
        try:
            _platypus(report, path, landscape=landscape, ruled=ruled, cell_pt=size)
            return size
        except LayoutError:
            continue
    _platypus(report, path, landscape=False, ruled=ruled, cell_pt=4.5)
    return 4.5


def _platypus(report: Report, path: Path, *, landscape: bool, ruled: bool, cell_pt: float) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as turned
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable

    font = _reportlab_font()
    size = turned(A4) if landscape else A4
    body = ParagraphStyle(
        "body", fontName=font, fontSize=12, leading=20, firstLineIndent=24, wordWrap="CJK"
    )
    title = ParagraphStyle(
        "title", parent=body, fontSize=18, leading=28, alignment=1, firstLineIndent=0
    )
    heading = ParagraphStyle("heading", parent=body, firstLineIndent=0)
    cell_style = ParagraphStyle(
        "cell", fontName=font, fontSize=cell_pt, leading=cell_pt * 1.2, alignment=1, wordWrap="CJK"
    )
    story: list[Flowable] = []
    width = size[0] - 40 * mm - 14
    for block in report.blocks:
        if isinstance(block, Para):
            style = {Kind.TITLE: title, Kind.HEADING: heading}.get(block.kind, body)
            story.append(Paragraph(escape(block.text), style))
            continue
        rows = grid(block)
        seen: set[int] = set()
        data: list[list[Paragraph | str]] = []
        for row in rows:
            line: list[Paragraph | str] = []
            for cell in row:
                if cell is None or id(cell) in seen:
                    line.append("")
                    continue
                seen.add(id(cell))
                line.append(
                    Paragraph(escape(cell.text).replace("\n", "<br/>"), cell_style)
                    if cell.text
                    else ""
                )
            data.append(line)
        commands: list[_TableCommand] = [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONTNAME", (0, 0), (-1, -1), font),
        ]
        if ruled:
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        else:
            commands += [
                ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 1, colors.black),
            ]
        seen.clear()
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or id(cell) in seen:
                    continue
                seen.add(id(cell))
                if cell.colspan > 1 or cell.rowspan > 1:
                    commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
        ncols = len(rows[0])
        weights = [
            3.0
            if any(
                cell and not cell.key and len(cell.text) > 6 and cell.colspan == 1
                for cell in (row[c] for row in rows)
            )
            else 1.0
            for c in range(ncols)
        ]
        col_widths = [width * w / sum(weights) for w in weights]
        story.append(
            RLTable(
                data,
                colWidths=col_widths,
                repeatRows=block.header_rows,
                style=commands,
                splitByRow=1,
            )
        )
        story.append(Spacer(1, 6))
    document = SimpleDocTemplate(str(path), pagesize=size, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
                                 title=report.title, author=report.agency or "", invariant=1)  # fmt: skip
    document.build(story)


# ---------------------------------------------------------------- OFD

_NS = "http://www.ofdspec.org/2016"


def _delta_x(text: str, size: float) -> str:
    advances = [advance(ch, size) for ch in text[:-1]]
    if not advances:
        return ""
    parts: list[str] = []
    i = 0
    while i < len(advances):
        j = i
        while j < len(advances) and advances[j] == advances[i]:
            j += 1
        run = j - i
        parts.append(f"g {run} {advances[i]:.3f}" if run > 1 else f"{advances[i]:.3f}")
        i = j
    return " ".join(parts)


def _runs(text: str, mode: str) -> list[tuple[int, str]]:
    """(offset, piece) of a line as the exporter emits its text objects."""
    if mode == "lines":
        return [(0, text)]
    if mode == "glyphs":
        return [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    pieces: list[tuple[int, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or text[i].isdigit() != text[i - 1].isdigit():
            pieces.append((start, text[start:i]))
            start = i
    return pieces


def write_ofd(
    pages: list[FixedPage],
    path: Path,
    report: Report,
    rng: random.Random,
    *,
    mode: str,
    rules: bool,
) -> None:
    """An OFD package: ``OFD.xml`` → ``Doc_0/Document.xml`` → ``Pages/Page_N/Content.xml`` with
    ``TextObject``s positioned in millimetres (``mode``: one per line, per glyph, or per run of
    digits/non-digits) and, with ``rules``, ``PathObject``s for the table rules."""
    creator = rng.choice(
        [("Suwell OFD Writer", "2.0"), ("福昕OFD版式办公套件", "10.0"), ("数科OFD", "3.0.21.0311")]
    )
    next_id = [10]

    def new_id() -> int:
        next_id[0] += 1
        return next_id[0]

    contents: list[str] = []
    for page in pages:
        objects: list[str] = []
        for text in page.texts:
            for offset, piece in _runs(text.text, "lines" if mode == "page" else mode):
                x = text.x + sum(advance(ch, text.size) for ch in text.text[:offset])
                width = sum(advance(ch, text.size) for ch in piece)
                top = text.y - text.size * 0.88
                delta = _delta_x(piece, text.size)
                delta_attr = f' DeltaX="{delta}"' if delta else ""
                if mode == "page":  # objects spanning the page, glyphs placed absolutely
                    objects.append(
                        f'<ofd:TextObject ID="{new_id()}" Boundary="0 0 {page.width:.0f} {page.height:.0f}" '
                        f'Font="3" Size="{text.size:.3f}" CTM="1 0 0 1 0 0"><ofd:FillColor Value="0 0 0"/>'
                        f'<ofd:TextCode X="{x:.3f}" Y="{text.y:.3f}"{delta_attr}>{escape(piece)}</ofd:TextCode></ofd:TextObject>'
                    )
                    continue
                objects.append(
                    f'<ofd:TextObject ID="{new_id()}" Boundary="{x:.3f} {top:.3f} {width + 0.5:.3f} {text.size * 1.2:.3f}" '
                    f'Font="3" Size="{text.size:.3f}"><ofd:FillColor Value="0 0 0"/>'
                    f'<ofd:TextCode X="0" Y="{text.size * 0.88:.3f}"{delta_attr}>{escape(piece)}</ofd:TextCode></ofd:TextObject>'
                )
        if rules:
            for rule in page.rules:
                x, y = min(rule.x1, rule.x2), min(rule.y1, rule.y2)
                w, h = abs(rule.x2 - rule.x1), abs(rule.y2 - rule.y1)
                objects.append(
                    f'<ofd:PathObject ID="{new_id()}" Boundary="{x:.3f} {y:.3f} {max(w, 0.353):.3f} {max(h, 0.353):.3f}" LineWidth="0.353">'
                    f'<ofd:StrokeColor Value="0 0 0"/><ofd:AbbreviatedData>M {0:.3f} {0:.3f} L {w:.3f} {h:.3f}</ofd:AbbreviatedData></ofd:PathObject>'
                )
        if rng.random() < 0.5:
            rng.shuffle(objects)  # exporters write objects in drawing order, not reading order
        contents.append(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{_NS}"><ofd:Area><ofd:PhysicalBox>0 0 {page.width:.0f} {page.height:.0f}</ofd:PhysicalBox></ofd:Area>'
            f'<ofd:Content><ofd:Layer ID="{new_id()}" Type="Body">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
        )
    page_list = "".join(
        f'<ofd:Page ID="{new_id()}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
        for i in range(len(pages))
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{_NS}"><ofd:CommonData><ofd:MaxUnitID>{next_id[0] + 1}</ofd:MaxUnitID>'
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {pages[0].width:.0f} {pages[0].height:.0f}</ofd:PhysicalBox></ofd:PageArea>"
        f"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"
    )
    public = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{_NS}" BaseLoc="Res"><ofd:Fonts>'
        '<ofd:Font ID="3" FontName="宋体" FamilyName="宋体" Charset="unicode"/></ofd:Fonts></ofd:Res>'
    )
    date = report.published_at or "2021-01-20"
    ofd = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{_NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>{uuid.UUID(int=rng.getrandbits(128)).hex}</ofd:DocID><ofd:Title>{escape(report.title)}</ofd:Title>"
        f"<ofd:Author>{escape(report.agency or '')}</ofd:Author><ofd:CreationDate>{date}</ofd:CreationDate>"
        f"<ofd:Creator>{creator[0]}</ofd:Creator><ofd:CreatorVersion>{creator[1]}</ofd:CreatorVersion></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    stamp = (int(date[:4]), int(date[5:7]), int(date[8:10]), 9, 30, 0)
    parts = [("OFD.xml", ofd), ("Doc_0/Document.xml", document), ("Doc_0/PublicRes.xml", public)]
    parts += [(f"Doc_0/Pages/Page_{n}/Content.xml", content) for n, content in enumerate(contents)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), part, zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------- scans


def page_image(
    page: FixedPage, dpi: int, rng: random.Random, font_path: Path
) -> tuple[Image, float]:
    """A page as a scanner sees it: drawn at ``dpi``, then slightly rotated, blurred,
    speckled; greyscale."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    scale = dpi / 25.4
    image = Image.new("L", (round(page.width * scale), round(page.height * scale)), 255)
    draw = ImageDraw.Draw(image)
    line = max(1, round(dpi / 110))
    for rule in page.rules:
        draw.line(
            [(rule.x1 * scale, rule.y1 * scale), (rule.x2 * scale, rule.y2 * scale)],
            fill=20,
            width=line,
        )
    fonts: dict[int, ImageFont.FreeTypeFont] = {}
    for text in page.texts:
        px = max(6, round(text.size * scale))
        if px not in fonts:
            fonts[px] = ImageFont.truetype(str(font_path), px)
        draw.text(
            (text.x * scale, text.y * scale),
            text.text,
            font=fonts[px],
            fill=rng.randint(0, 40),
            anchor="ls",
        )
    angle = rng.uniform(-0.8, 0.8)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.2, 0.7) * dpi / 200))
    pixels = np.asarray(image, dtype=np.int16)
    noise_rng = np.random.default_rng(rng.getrandbits(32))
    pixels = pixels + noise_rng.normal(0, rng.uniform(3, 9), pixels.shape).astype(np.int16)
    speckles = noise_rng.random(pixels.shape) < rng.uniform(0.0002, 0.001)
    pixels[speckles] = noise_rng.integers(0, 120, int(speckles.sum()))
    background = int(rng.uniform(225, 250))
    pixels = np.where(pixels > 235, np.minimum(pixels, background + 10), pixels)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L"), angle


def write_scan(pages: list[FixedPage], path: Path, rng: random.Random, dpi: int) -> dict[str, str]:
    """An image-only PDF of the pages (JPEG images, no text layer), via img2pdf."""
    import img2pdf

    font = _require(rng.choice(SCAN_FONTS))
    quality = rng.randint(35, 80)
    images: list[bytes] = []
    angles = []
    for page in pages:
        image, angle = page_image(page, dpi, rng, font)
        angles.append(f"{angle:.2f}")
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality, dpi=(dpi, dpi))
        images.append(buffer.getvalue())
    wrapper = "img2pdf" if rng.random() < 0.7 else "Pillow"
    if wrapper == "img2pdf":
        path.write_bytes(img2pdf.convert(images, nodate=True))
    else:
        from PIL import Image

        frames = [Image.open(io.BytesIO(data)) for data in images]
        when = time.gmtime(1611135000)  # a fixed date: deterministic output
        frames[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=frames[1:],
                       creationDate=when, modDate=when)  # fmt: skip
    details = {"dpi": str(dpi), "jpeg_quality": str(quality), "rotation": ",".join(angles)}
    return details | {"font": font.name, "wrapper": wrapper}


def fixed_pages(
    report: Report,
    rng: random.Random,
    *,
    ruled: bool = True,
    blocks: list[Para | Table] | None = None,
) -> tuple[list[FixedPage], Options]:
    options = Options(
        landscape=rng.random() < 0.2,
        body_pt=rng.choice([10.5, 12.0, 14.0]),
        table_pt=rng.choice([8.0, 9.0, 10.5]),
        ruled=ruled,
        repeat_header=rng.random() < 0.7,
    )
    return compose(report, options, blocks), options
