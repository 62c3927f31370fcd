"""OFD (GB/T 33190, the Chinese fixed-layout format), read as a PDF's text layer is.

Every page's text objects become characters placed on the page and its path objects ruling
edges; the page then goes through the rules of ``extract.text.pdf`` (lines, paragraphs,
tables from the visible rules, merged cells, tables over page breaks). Positions follow
the standard: a ``TextObject``'s ``Boundary`` places its own coordinate space on the page,
its ``CTM`` maps glyph positions into that space, a ``TextCode`` gives the baseline origin
(``X``, ``Y``) of its first glyph and ``DeltaX``/``DeltaY`` the advances to the next ones
(``g n d`` repeats ``d`` ``n`` times); without ``DeltaX`` a glyph advances by the font size
(half of it for Latin letters and digits). Coordinates are millimetres from the top left;
they are converted to points so the PDF tolerances apply. A page with no text at all is
flagged ``needs_ocr``.
"""

from __future__ import annotations

import contextlib
import math
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, open_zip
from extract.sniff import OFD
from extract.text.grid import clean_inline
from extract.text.ooxml import read_xml_member
from extract.text.pdf_page import Char, Edge, PageObjects
from extract.types import TextDocument

_MM = 72.0 / 25.4
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_A4 = (210.0, 297.0)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _numbers(text: str | None) -> list[float]:
    return [float(v) for v in _NUMBER.findall(text or "")]


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    values = _numbers(text)
    return (values[0], values[1], values[2], values[3]) if len(values) >= 4 else None


def _matrix(text: str | None) -> _Matrix:
    values = _numbers(text)
    if len(values) != 6:
        return _IDENTITY
    return (values[0], values[1], values[2], values[3], values[4], values[5])


def _apply(m: _Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def deltas(text: str | None) -> list[float]:
    """``DeltaX``/``DeltaY``: numbers, with ``g n d`` standing for ``n`` times ``d``."""
    tokens = (text or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                count, value = int(float(tokens[i + 1])), float(tokens[i + 2])
            except ValueError:
                break
            out.extend([value] * max(0, min(count, 100_000)))
            i += 3
            continue
        with contextlib.suppress(ValueError):
            out.append(float(tokens[i]))
        i += 1
    return out


def _advance(char: str, size: float) -> float:
    return size * (0.5 if ord(char) < 0x2E80 else 1.0)


def _text_chars(obj: Any) -> Iterator[Char]:
    """The characters of one ``TextObject`` in page coordinates (points)."""
    boundary = _box(obj.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    ctm = _matrix(obj.get("CTM"))
    size = float(obj.get("Size") or 3.5)
    scale = math.sqrt(abs(ctm[0] * ctm[3] - ctm[1] * ctm[2])) or 1.0
    height = size * scale
    vertical = (obj.get("ReadDirection") or "0") in ("90", "270")
    x = y = 0.0
    for code in obj:
        if _local(code.tag) != "TextCode":
            continue
        text = code.text or ""
        if code.get("X") is not None:
            x = float(_numbers(code.get("X"))[0]) if _numbers(code.get("X")) else x
        if code.get("Y") is not None:
            y = float(_numbers(code.get("Y"))[0]) if _numbers(code.get("Y")) else y
        dx = deltas(code.get("DeltaX"))
        dy = deltas(code.get("DeltaY"))
        for index, char in enumerate(text):
            px, py = _apply(ctm, x, y)
            px += boundary[0]
            py += boundary[1]
            step = dx[index] if index < len(dx) else (0.0 if vertical else _advance(char, size))
            width = (dx[index] if index < len(dx) else _advance(char, size)) * scale
            if not char.isspace():
                yield Char(
                    char,
                    px * _MM,
                    (px + max(width, height * 0.3)) * _MM,
                    (py - height * 0.88) * _MM,
                    (py + height * 0.12) * _MM,
                )
            x += step
            if index < len(dy):
                y += dy[index]
            elif vertical:
                y += size


def _path_segments(data: str) -> Iterator[tuple[tuple[float, float], tuple[float, float]]]:
    """Straight segments of ``AbbreviatedData`` (``M``/``L``/``Z``; curves are skipped)."""
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?", data)
    start: tuple[float, float] | None = None
    current: tuple[float, float] | None = None
    i = 0
    arity = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "C": 6, "A": 7, "Z": 0, "C ": 6}
    while i < len(tokens):
        op = tokens[i]
        i += 1
        count = arity.get(op.upper())
        if count is None:
            continue
        args = [float(v) for v in tokens[i : i + count]] if count else []
        i += count
        if len(args) < count:
            break
        if op in ("M", "S"):
            current = start = (args[0], args[1])
        elif op == "L" and current is not None:
            point = (args[0], args[1])
            yield current, point
            current = point
        elif op == "Z" and current is not None and start is not None:
            if current != start:
                yield current, start
            current = start
        elif count >= 2:
            current = (args[-2], args[-1])


def _edge(p0: tuple[float, float], p1: tuple[float, float]) -> Edge | None:
    (x0, y0), (x1, y1) = p0, p1
    if abs(y0 - y1) < 0.25 and abs(x0 - x1) >= 1.0:
        left, right = sorted((x0, x1))
        y = (y0 + y1) / 2
        return {"x0": left, "x1": right, "top": y, "bottom": y, "width": right - left,
                "height": 0.0, "orientation": "h"}  # fmt: skip
    if abs(x0 - x1) < 0.25 and abs(y0 - y1) >= 1.0:
        top, bottom = sorted((y0, y1))
        x = (x0 + x1) / 2
        return {"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0.0,
                "height": bottom - top, "orientation": "v"}  # fmt: skip
    return None


def _path_edges(obj: Any) -> Iterator[Edge]:
    """The visible straight rules of one ``PathObject`` (stroked, or thin and filled)."""
    stroked = (obj.get("Stroke") or "true").lower() != "false"
    filled = (obj.get("Fill") or "false").lower() == "true"
    boundary = _box(obj.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    if not stroked and not (filled and min(boundary[2], boundary[3]) <= 1.0):
        return
    ctm = _matrix(obj.get("CTM"))
    data = next((c.text for c in obj if _local(c.tag) == "AbbreviatedData"), None)
    if not data:
        return
    for p0, p1 in _path_segments(data):
        a = _apply(ctm, *p0)
        b = _apply(ctm, *p1)
        a = ((a[0] + boundary[0]) * _MM, (a[1] + boundary[1]) * _MM)
        b = ((b[0] + boundary[0]) * _MM, (b[1] + boundary[1]) * _MM)
        edge = _edge(a, b)
        if edge is not None:
            yield edge
    if not stroked and filled:
        # a thin filled box drawn as a rule
        x, y, w, h = boundary
        edge = _edge(((x) * _MM, (y + h / 2) * _MM), ((x + w) * _MM, (y + h / 2) * _MM))
        if w < h:
            edge = _edge(((x + w / 2) * _MM, y * _MM), ((x + w / 2) * _MM, (y + h) * _MM))
        if edge is not None:
            yield edge


def _page_size(content: Any, default: tuple[float, float]) -> tuple[float, float]:
    for name in ("PhysicalBox", "ApplicationBox"):
        found = _children(content, name)
        if found and (box := _box(found[0].text)) is not None and box[2] > 0 and box[3] > 0:
            return box[2], box[3]
    return default


def _page_objects(content: Any, default: tuple[float, float]) -> PageObjects:
    width, height = _page_size(content, default)
    chars: list[Char] = []
    edges: list[Edge] = []
    for node in content.iter():
        name = _local(node.tag) if isinstance(node.tag, str) else ""
        if name == "TextObject":
            chars.extend(_text_chars(node))
        elif name == "PathObject":
            edges.extend(_path_edges(node))
    return PageObjects(width * _MM, height * _MM, chars, edges)


def _page_paths(archive: Any, document: Any, base: str, names: set[str]) -> list[str]:
    paths = []
    for page in _children(document, "Page"):
        location = (page.get("BaseLoc") or "").lstrip("/")
        path = posixpath.normpath(posixpath.join(base, location)) if location else ""
        if path not in names and location in names:
            path = location
        if path in names:
            paths.append(path)
    return paths


def read_ofd(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TextDocument:
    from extract.text.pdf import _assemble, _page_content

    archive = open_zip(data, limits, "ofd")
    with archive:
        names = set(archive.namelist())
        root = read_xml_member(archive, "OFD.xml", limits, "ofd")
        doc_roots = [(node.text or "").strip().lstrip("/") for node in _children(root, "DocRoot")]
        if not doc_roots or doc_roots[0] not in names:
            raise ExtractionError("ofd: OFD.xml names no readable DocRoot")
        doc_path = doc_roots[0]
        document = read_xml_member(archive, doc_path, limits, "ofd")
        base = posixpath.dirname(doc_path)
        default = _page_size(document, _A4)
        page_paths = _page_paths(archive, document, base, names)
        meta: dict[str, str] = {}
        for key in ("Title", "Author", "CreationDate", "ModDate", "Creator"):
            found = _children(root, key)
            if found and (found[0].text or "").strip():
                meta[f"ofd:{key}"] = clean_inline(found[0].text or "")[:500]
        pages = []
        for number, path in enumerate(page_paths[: limits.max_pages]):
            content = read_xml_member(archive, path, limits, "ofd")
            pages.append(_page_content(_page_objects(content, default), number))
    result = _assemble(pages, len(page_paths), meta)
    result.media_type = OFD
    if not result.title or len(result.title) > 100:
        result.title = meta.get("ofd:Title") or result.title
    return result
