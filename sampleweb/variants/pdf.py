"""Real PDF files of report texts, written with the standard library.

The text is set in the Adobe-GB1 font STSong-Light (one of the fonts every PDF reader
provides for Chinese without embedding) through the predefined CMap UniGB-UCS2-H, so the
file carries no font program and text extraction maps every glyph back to Unicode.
Paragraphs are wrapped to the page; tables are ruled grids whose cells wrap their text,
as a report printed from Word looks.
"""

from __future__ import annotations

import zlib

from sampleweb.render import blocks, spanned

PAGE_W, PAGE_H = 595.0, 842.0
MARGIN = 56.0
SIZE = 10.5
LEADING = 15.0
CELL_SIZE = 8.0
CELL_LEADING = 10.5
PAD = 2.5


def _width(ch: str, size: float) -> float:
    return size * (0.5 if ord(ch) < 0x80 else 1.0)


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    line, used = "", 0.0
    for ch in text:
        w = _width(ch, size)
        if used + w > width and line:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    if line or not lines:
        lines.append(line)
    return lines


def _hex(text: str) -> str:
    return "".join(f"{ord(c):04X}" if ord(c) <= 0xFFFF else "FF1F" for c in text)


class _Pages:
    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]
        self.y = PAGE_H - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.pages.append([])
            self.y = PAGE_H - MARGIN

    def text(self, x: float, y: float, s: str, size: float) -> None:
        if s:
            self.pages[-1].append(f"BT /F1 {size:g} Tf {x:.2f} {y:.2f} Td <{_hex(s)}> Tj ET")

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        self.pages[-1].append(f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re S")


def _layout(text: str) -> list[list[str]]:
    out = _Pages()
    body_w = PAGE_W - 2 * MARGIN
    for block in blocks(text):
        if isinstance(block, str):
            for line in _wrap(block, body_w, SIZE):
                out.need(LEADING)
                out.y -= LEADING
                out.text(MARGIN, out.y + 3, line, SIZE)
            continue
        table = spanned(block)
        n_cols = max(sum(n for _c, n in row) for row in table)
        col_w = body_w / n_cols
        out.y -= 4
        for row in table:
            cells = []
            for cell, span in row:
                w = col_w * span
                cells.append((w, _wrap(cell, w - 2 * PAD, CELL_SIZE)))
            height = max(len(lines) for _w, lines in cells) * CELL_LEADING + 2 * PAD
            out.need(height)
            top = out.y
            x = MARGIN
            for w, lines in cells:
                out.rect(x, top - height, w, height)
                for k, line in enumerate(lines):
                    out.text(x + PAD, top - PAD - (k + 1) * CELL_LEADING + 2.5, line, CELL_SIZE)
                x += w
            out.y = top - height
        out.y -= 6
    return out.pages


def pdf_bytes(text: str, *, title: str = "") -> bytes:
    """A PDF of the text (paragraphs and ruled tables), deterministic for the same input."""
    pages = _layout(text)
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below
    pages_obj = add(b"")
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        + b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        + b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        + b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        + b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        + b"/CapHeight 880 /StemV 93 >> /DW 1000 /W [1 95 500] >> ] >>"
    )
    kids: list[int] = []
    for ops in pages:
        stream = zlib.compress(("0.5 w\n" + "\n".join(ops)).encode("ascii"), 9)
        content = add(
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
            + stream
            + b"\nendstream"
        )
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}] "
                f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>".encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    objects[pages_obj - 1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    ).encode()
    info = add(b"<< /Producer (sampleweb.variants) /Title <FEFF" + _hex(title).encode() + b"> >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
