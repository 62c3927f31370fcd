"""Word 97–2003 binaries (doc, and Kingsoft WPS 文字 files, which are the same format).

The text is read from the ``WordDocument`` stream through the piece table (CLX) of the
table stream ([MS-DOC] §2.4.1); table rows are found from the paragraph properties
(``sprmPFTtp``/``sprmPFInnerTtp`` mark the row-end paragraphs in the PAPX FKPs), so empty
cells are kept in place. Field codes are dropped, field results kept. Older Word (6/95)
files fall back to ``catdoc`` under a timeout.
"""

from __future__ import annotations

import io
import struct
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import AnyStr

import olefile

from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, run_program
from extract.sniff import DOC
from extract.text.grid import SpanCell, build_table, clean_inline
from extract.types import Grid, TextDocument

_TTP_SPRMS = {0x2417}  # sprmPFTtp
_INNER_CELL = 0x244B  # sprmPFInnerTableCell: the paragraph mark ends a nested table's cell
_INNER_TTP = 0x244C  # sprmPFInnerTtp: the paragraph mark ends a nested table's row
_IN_TABLE_SPRMS = {0x2416, 0x6649}  # sprmPFInTable, sprmPItap
_CELL = "\x07"


def _sprm_operand_size(sprm: int, grpprl: bytes, pos: int) -> int:
    spra = sprm >> 13
    if spra in (0, 1):
        return 1
    if spra in (2, 4, 5):
        return 2
    if spra == 3:
        return 4
    if spra == 7:
        return 3
    # variable length
    if sprm in (0xD608, 0xD606):  # sprmTDefTable, sprmTDefTable10: 2-byte size
        size: int = struct.unpack_from("<H", grpprl, pos)[0]
        return 2 + size - 1
    if sprm == 0xC615:  # sprmPChgTabs
        size = grpprl[pos]
        return 1 + (size if size != 255 else 0)
    return 1 + grpprl[pos]


@dataclass
class _RowLayout:
    """Cell boundaries (twips) and TC flags of a table row, from ``sprmTDefTable``."""

    centers: list[int]
    flags: list[int]


def _row_layout(grpprl: bytes, pos: int) -> _RowLayout | None:
    try:
        size = struct.unpack_from("<H", grpprl, pos)[0]
        count = grpprl[pos + 2]
        centers = list(struct.unpack_from(f"<{count + 1}h", grpprl, pos + 3))
        tc_start = pos + 3 + 2 * (count + 1)
        available = max(0, (pos + 1 + size - tc_start) // 20)
        flags = [
            struct.unpack_from("<H", grpprl, tc_start + 20 * i)[0] if i < available else 0
            for i in range(count)
        ]
    except (struct.error, IndexError):
        return None
    return _RowLayout(centers, flags)


def _paragraph_flags(
    grpprl: bytes, data_stream: bytes = b"", layout_out: list[_RowLayout] | None = None
) -> tuple[bool, bool, bool, bool]:
    """(in a table, is a table row end, ends a nested table's cell, ends a nested table's
    row) from a paragraph's sprms (following ``sprmPHugePapx`` into the Data stream when the
    properties did not fit the FKP)."""
    in_table = ttp = inner_cell = inner_ttp = False
    pos = 0
    while pos + 2 <= len(grpprl):
        sprm = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        if pos > len(grpprl):
            break
        if sprm == 0x6646 and pos + 4 <= len(grpprl) and data_stream:
            huge = struct.unpack_from("<I", grpprl, pos)[0]
            if huge + 2 <= len(data_stream):
                size = struct.unpack_from("<H", data_stream, huge)[0]
                more = _paragraph_flags(data_stream[huge + 2 : huge + 2 + size], b"", layout_out)
                in_table, ttp = in_table or more[0], ttp or more[1]
                inner_cell, inner_ttp = inner_cell or more[2], inner_ttp or more[3]
        elif sprm == 0xD608 and layout_out is not None:
            layout = _row_layout(grpprl, pos)
            if layout is not None:
                layout_out.append(layout)
        if sprm != 0x6646 and pos < len(grpprl) and grpprl[pos] >= 1:
            if sprm in _TTP_SPRMS:
                ttp = True
            elif sprm == _INNER_TTP:
                inner_ttp = True
            elif sprm == _INNER_CELL:
                inner_cell = True
            elif sprm in _IN_TABLE_SPRMS:
                in_table = True
        try:
            pos += _sprm_operand_size(sprm, grpprl, pos)
        except (IndexError, struct.error):
            break
    return in_table, ttp, inner_cell, inner_ttp


def _paragraph_ranges(
    word: bytes,
    table: bytes,
    data_stream: bytes,
    fc: int,
    lcb: int,
    inner: dict[str, list[tuple[int, int]]] | None = None,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], dict[int, _RowLayout]]:
    """File-offset ranges of table row-end paragraphs and of in-table paragraphs (and, in
    ``inner``, of the paragraphs that end a nested table's cells and rows)."""
    in_table: list[tuple[int, int]] = []
    layouts: dict[int, _RowLayout] = {}
    if lcb < 12 or fc + lcb > len(table):
        return [], [], layouts
    count = (lcb - 4) // 8
    pns = struct.unpack_from(f"<{count}I", table, fc + 4 * (count + 1))
    ranges: list[tuple[int, int]] = []
    for pn in pns:
        page = (pn & 0x3FFFFF) * 512
        if page + 512 > len(word):
            continue
        fkp = word[page : page + 512]
        crun = fkp[511]
        if crun == 0 or 4 * (crun + 1) + 13 * crun > 511:
            continue
        rgfc = struct.unpack_from(f"<{crun + 1}I", fkp, 0)
        for i in range(crun):
            offset = fkp[4 * (crun + 1) + 13 * i] * 2
            if offset == 0 or offset >= 511:
                continue
            cb = fkp[offset]
            if cb == 0:
                length = 2 * fkp[offset + 1]
                start = offset + 2
            else:
                length = 2 * cb - 1
                start = offset + 1
            papx = fkp[start : start + length]
            found: list[_RowLayout] = []
            cell_flag, ttp, inner_cell, inner_ttp = _paragraph_flags(
                papx[2:], data_stream, found
            )  # skip istd
            if inner is not None and (inner_cell or inner_ttp):
                inner["ttp" if inner_ttp else "cell"].append((rgfc[i], rgfc[i + 1]))
            if ttp:
                ranges.append((rgfc[i], rgfc[i + 1]))
            if (ttp or inner_ttp) and found:
                # a nested table's row end carries its own row's cell boundaries
                layouts[rgfc[i]] = found[-1]
            if cell_flag or ttp:
                in_table.append((rgfc[i], rgfc[i + 1]))
    ranges.sort()
    in_table.sort()
    return ranges, in_table, layouts


def _pieces(table: bytes, fc_clx: int, lcb_clx: int) -> list[tuple[int, int, int, bool]]:
    """(cp_start, cp_end, file_offset, compressed) of every text piece."""
    pos, end = fc_clx, fc_clx + lcb_clx
    if end > len(table):
        raise ExtractionError("doc: piece table outside the table stream")
    while pos < end and table[pos] == 0x01:  # Prc: skip property modifiers
        size = struct.unpack_from("<H", table, pos + 1)[0]
        pos += 3 + size
    if pos >= end or table[pos] != 0x02:
        raise ExtractionError("doc: piece table (Pcdt) not found")
    lcb = struct.unpack_from("<I", table, pos + 1)[0]
    pos += 5
    count = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", table, pos)
    pieces = []
    for i in range(count):
        raw_fc = struct.unpack_from("<I", table, pos + 4 * (count + 1) + 8 * i + 2)[0]
        compressed = bool(raw_fc & 0x40000000)
        offset = (raw_fc & 0x3FFFFFFF) // 2 if compressed else raw_fc & 0x3FFFFFFF
        pieces.append((cps[i], cps[i + 1], offset, compressed))
    return pieces


def _characters(
    word: bytes, pieces: list[tuple[int, int, int, bool]], limit_cp: int
) -> Iterator[tuple[str, int]]:
    for cp_start, cp_end, offset, compressed in pieces:
        if cp_start >= limit_cp:
            break
        stop = min(cp_end, limit_cp)
        length = stop - cp_start
        if compressed:
            chunk = word[offset : offset + length].decode("cp1252", errors="replace")
            for k, char in enumerate(chunk):
                yield char, offset + k
        else:
            chunk = word[offset : offset + 2 * length].decode("utf-16-le", errors="replace")
            for k, char in enumerate(chunk):
                yield char, offset + 2 * k


def _parse_word97(data: bytes) -> TextDocument:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise ExtractionError(f"doc: not a readable OLE file: {exc}") from exc
    with ole:
        if not ole.exists("WordDocument"):
            raise ExtractionError("doc: no WordDocument stream")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x1AA or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise ExtractionError("doc: WordDocument stream has no Word 97 FIB")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise ExtractionError("doc: encrypted, a password is required")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise ExtractionError(f"doc: table stream {table_name} missing")
        table = ole.openstream(table_name).read()
        data_stream = ole.openstream("Data").read() if ole.exists("Data") else b""
        meta = _summary(ole)
    ccp_text = struct.unpack_from("<I", word, 76)[0]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x1A2)
    fc_papx, lcb_papx = struct.unpack_from("<II", word, 0x102)
    pieces = _pieces(table, fc_clx, lcb_clx)
    inner: dict[str, list[tuple[int, int]]] = {"cell": [], "ttp": []}
    row_ends, table_paragraphs, layouts = _paragraph_ranges(
        word, table, data_stream, fc_papx, lcb_papx, inner
    )
    inner_cell_end = _RangeSet(sorted(inner["cell"])).contains
    inner_row_set = _RangeSet(sorted(inner["ttp"]))
    inner_row_end = inner_row_set.contains
    inner_rows: list[tuple[list[str], _RowLayout | None]] = []
    inner_cells: list[str] = []
    row_end_set = _RangeSet(row_ends)
    is_row_end = row_end_set.contains
    in_table = _RangeSet(table_paragraphs).contains

    lines: list[str] = []
    tables: list[Grid] = []
    current = ""
    cells: list[str] = []
    rows: list[tuple[list[str], _RowLayout | None]] = []
    field_depth: list[bool] = []  # per open field: True while in the code part

    def flush_inner() -> None:
        nonlocal inner_rows
        if inner_rows:
            built = build_table(_span_rows(inner_rows))
            if built is not None:
                tables.append(built.grid)
                lines.extend(["", *built.lines, ""])
            inner_rows = []

    def flush_table() -> None:
        nonlocal rows
        flush_inner()
        if rows:
            built = build_table(_span_rows(rows))
            if built is not None:
                tables.append(built.grid)
                lines.extend(["", *built.lines, ""])
            rows = []

    for char, offset in _characters(word, pieces, ccp_text):
        if char == "\x13":
            field_depth.append(True)
            continue
        if char == "\x14":
            if field_depth:
                field_depth[-1] = False
            continue
        if char == "\x15":
            if field_depth:
                field_depth.pop()
            continue
        if any(field_depth):
            continue
        if char == "\r" and inner_row_end(offset):
            # a nested table's row ends: the table inside a (layout) table's cell
            inner_rows.append((inner_cells, layouts.get(inner_row_set.start_of(offset))))
            inner_cells, current = [], ""
            continue
        if char == "\r" and inner_cell_end(offset):
            inner_cells.append(current)
            current = ""
            continue
        if char == _CELL and inner_rows:
            # the outer cell that held a nested table: a layout cell, read as blocks
            flush_inner()
            if current.strip():
                lines.extend(clean_inline(part) for part in current.split("\n"))
            current = ""
            continue
        if char == _CELL:
            if is_row_end(offset):
                rows.append((cells, layouts.get(row_end_set.start_of(offset))))
                cells = []
                current = ""
            else:
                cells.append(current)
                current = ""
            continue
        if char == "\r":
            if in_table(offset):
                current += "\n"
            else:
                flush_table()
                lines.append(clean_inline(current))
                current = ""
            continue
        if char in "\x0b" or char == "\x0c":
            current += "\n"
        elif char == "\x1e":
            current += "-"
        elif char in "\x01\x02\x03\x04\x05\x08\x1f":
            continue
        else:
            current += char
    if cells:
        rows.append((cells, None))
    flush_table()
    if current.strip():
        lines.append(clean_inline(current))
    text = "\n".join(_squeeze(lines)).strip()
    title = next((line for line in lines if line.strip()), None)
    return TextDocument(
        media_type=DOC,
        text=text,
        tables=tables,
        title=title if title and len(title) <= 100 else None,
        meta=meta,
    )


def _span_rows(rows: list[tuple[list[str], _RowLayout | None]]) -> list[list[SpanCell]]:
    """Column spans from the cell boundaries of every row; vertical merges from TC flags."""
    edges = sorted({x for _, layout in rows if layout for x in layout.centers})
    snapped: list[int] = []
    for x in edges:
        if not snapped or x - snapped[-1] > 30:  # 30 twips = 1.5 pt
            snapped.append(x)

    def column(x: int) -> int:
        return min(range(len(snapped)), key=lambda i: abs(snapped[i] - x)) if snapped else 0

    out: list[list[SpanCell]] = []
    open_cells: dict[int, SpanCell] = {}  # start column -> origin of a vertical merge
    for texts, layout in rows:
        usable = layout is not None and len(layout.centers) == len(texts) + 1
        row: list[SpanCell] = []
        for i, text in enumerate(texts):
            if not usable:
                row.append(SpanCell(text))
                continue
            assert layout is not None
            start, end = column(layout.centers[i]), column(layout.centers[i + 1])
            flags = layout.flags[i] if i < len(layout.flags) else 0
            if flags & 0x0020 and not flags & 0x0040 and start in open_cells:
                open_cells[start].rowspan += 1
                continue
            cell = SpanCell(text, colspan=max(1, end - start))
            if flags & 0x0040:
                open_cells[start] = cell
            else:
                open_cells.pop(start, None)
            row.append(cell)
        out.append(row)
    return out


class _RangeSet:
    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = ranges
        self.starts = [start for start, _ in ranges]

    def start_of(self, offset: int) -> int:
        index = bisect_right(self.starts, offset) - 1
        return self.ranges[index][0] if index >= 0 else -1

    def contains(self, offset: int) -> bool:
        index = bisect_right(self.starts, offset) - 1
        return index >= 0 and self.ranges[index][0] <= offset < self.ranges[index][1]


def _squeeze(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return out


def _decode_property(value: bytes, codepage: int | None) -> str:
    value = value.rstrip(b"\x00")
    encodings = {65001: "utf-8", 936: "gb18030", 950: "big5", 1200: "utf-16-le"}
    preferred = encodings.get(codepage or 0)
    for encoding in [preferred, "utf-8", "gb18030"]:
        if encoding is None:
            continue
        try:
            return value.decode(encoding)
        except UnicodeDecodeError:
            continue
    return value.decode("gb18030", errors="replace")


def _summary(ole: olefile.OleFileIO[AnyStr]) -> dict[str, str]:
    try:
        info = ole.get_metadata()
    except Exception:
        return {}
    meta: dict[str, str] = {}
    for key in ("title", "author", "create_time", "last_saved_time", "creating_application"):
        value = getattr(info, key, None)
        if value in (None, b"", ""):
            continue
        if isinstance(value, bytes):
            value = _decode_property(value, getattr(info, "codepage", None))
        meta[f"ole:{key}"] = clean_inline(str(value))[:500]
    return meta


def read_doc(data: bytes, limits: Limits = DEFAULT_LIMITS, media_type: str = DOC) -> TextDocument:
    try:
        document = _parse_word97(data)
    except ExtractionError as exc:
        if "encrypted" in str(exc) or "OLE" in str(exc):
            raise
        document = _read_with_catdoc(data, limits, str(exc))
    except (struct.error, IndexError, ValueError) as exc:
        document = _read_with_catdoc(data, limits, f"doc: malformed structure ({exc})")
    document.media_type = media_type
    return document


def _read_with_catdoc(data: bytes, limits: Limits, reason: str) -> TextDocument:
    result = run_program(
        ["catdoc", "-w", "-d", "utf-8", "-"], limits=limits, what="doc (catdoc)", input_bytes=data
    )
    text = result.stdout.decode("utf-8", errors="replace").strip()
    if result.returncode != 0 or not text:
        detail = result.stderr.decode("utf-8", errors="replace").strip()[:200]
        raise ExtractionError(f"{reason}; catdoc failed too: {detail or 'no text'}")
    lines = [clean_inline(line) for line in text.splitlines()]
    return TextDocument(media_type=DOC, text="\n".join(line for line in lines if line))
