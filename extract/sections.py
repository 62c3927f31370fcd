"""Which of the six sections of an annual report are present, matched by meaning.

Headings drift in practice (``（1）…``, ``2、…``, ``五、政府信息公开工作存在的主要问题及改进
情况``, a missing 六), so a heading is a short line, optionally numbered, whose words say
which section it is; long lines (prose that merely lists the sections) never count.
"""

from __future__ import annotations

import re

_NUMBERING = re.compile(
    r"^[\s\u3000]*(?:[（(]?[一二三四五六七八九十\d]{1,2}[)）]?[、.．:：\s]*)?[\s\u3000]*"
)
_MAX_HEADING = 36
SECTION_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^(?:政府信息公开(?:工作)?)?总体情况|^总体情况|^概述$")),
    (2, re.compile(r"主动公开政府信息(?:的)?情况")),
    (3, re.compile(r"收到和处理政府信息公开申请|依申请公开政府信息情况|收到和处理.*申请情况")),
    (4, re.compile(r"行政复议.{0,4}行政诉讼|复议.{0,6}诉讼情况")),
    (5, re.compile(r"存在的(?:主要)?问题.{0,8}改进|主要问题及改进|存在的(?:主要)?问题")),
    (6, re.compile(r"其他需要报告的事项|其他需要报告|其他事项")),
)


_SECTION_NUMBER = re.compile(
    r"^[\s\u3000]*(?:(?:[一二三四五六七八九十]{1,2}|\d{1,2})[、.．]"
    r"|[（(](?:[一二三四五六七八九十]{1,2}|\d{1,2})[)）])"
)
_FIGURE_CELL = re.compile(r"[\d\s,.，%％\-—–/／无]+")


def _heading_in_cells(line: str) -> str | None:
    """A numbered heading a PDF's rebuilt table split into cells (``（五）政\t府信息公开\t…``,
    ``（五\t）政府\t…``, ``四、政府信息公开行政复议、行政诉讼情况\t\t\t``), its cells joined;
    ``None`` for a row of a table (a figure in a cell, or no section number in front)."""
    cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
    if any(_FIGURE_CELL.fullmatch(cell) for cell in cells):
        return None
    joined = "".join(cells)
    return joined if _SECTION_NUMBER.match(joined) else None


def heading_section(line: str) -> int | None:
    """The section number a heading line announces, or ``None`` for any other line."""
    if "\t" in line:
        joined = _heading_in_cells(line)
        if joined is None:
            return None
        line = joined
    body = _NUMBERING.sub("", line).strip().rstrip("：:。")
    if not body or len(body) > _MAX_HEADING:
        return None
    for number, pattern in SECTION_PATTERNS:
        if pattern.search(body):
            return number
    return None


def find_sections(text: str) -> list[int]:
    """The sections (1..6) whose heading occurs in ``text``, ascending."""
    found = {heading_section(line) for line in text.splitlines()}
    return sorted(n for n in found if n is not None)


def section_text(text: str, number: int) -> str:
    """The text from section ``number``'s heading to the next section heading ('' if absent)."""
    lines = text.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        section = heading_section(line)
        if section is not None:
            if inside and section != number:
                break
            inside = inside or section == number
            continue
        if inside:
            out.append(line)
    return "\n".join(out)
