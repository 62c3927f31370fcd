"""Text exports of a report: plain text as export tools write it (one table row per line
with tab-separated cells, or one cell per line behind a tab with blank lines between rows,
as in the seed exports), and Markdown (a ``# `` heading with the agency name, GFM pipe
tables with merged cells left empty or repeated, ``<br>`` for line breaks in cells).
"""

from __future__ import annotations

import random

from sampleweb.renderings.model import Kind, Para, Report, Table, grid


def _cell_text(text: str, joiner: str = "") -> str:
    return joiner.join(text.split("\n"))


def to_text(report: Report, rng: random.Random, style: str) -> str:
    """``style``: ``rows`` (a row per line, cells by tab) or ``cells`` (a cell per line)."""
    lines: list[str] = []
    for block in report.blocks:
        if isinstance(block, Para):
            indent = "　　" if block.kind == Kind.PARAGRAPH and rng.random() < 0.5 else ""
            lines.append(indent + block.text)
            if rng.random() < 0.3:
                lines.append("")
            continue
        for row in block.rows:
            if style == "rows":
                lines.append("\t".join(_cell_text(cell.text) for cell in row))
            else:
                for cell in row:
                    lines.append("\t" + _cell_text(cell.text))
                lines.append("")
        lines.append("")
    return "\n".join(lines) + "\n"


def _md_table(table: Table, rng: random.Random) -> list[str]:
    repeat = rng.random() < 0.4
    br = rng.choice(["<br>", " ", ""])
    rows = grid(table)
    seen: set[int] = set()
    out: list[str] = []
    for r, row in enumerate(rows):
        texts = []
        for cell in row:
            if cell is None:
                texts.append("")
                continue
            first = id(cell) not in seen
            seen.add(id(cell))
            text = _cell_text(cell.text, br).replace("|", "\\|") if (first or repeat) else ""
            texts.append(text)
        out.append("| " + " | ".join(texts) + " |")
        if r == 0:
            out.append("|" + "|".join(rng.choice(["---", " --- ", ":---:"]) for _ in row) + "|")
    return out


def to_markdown(report: Report, rng: random.Random) -> str:
    lines: list[str] = []
    first = True
    for block in report.blocks:
        if isinstance(block, Para):
            if block.kind == Kind.TITLE and first:
                mark = rng.choice(["# ", "# ", "#"])  # some converters drop the space
                if report.agency and rng.random() < 0.6 and report.agency in block.text:
                    rest = block.text.replace(report.agency, "", 1)
                    lines += [f"{mark}{report.agency}", "", f"## {rest}", ""]
                else:
                    lines += [f"{mark}{block.text}", ""]
                first = False
            elif block.kind == Kind.HEADING:
                mark = rng.choice(["## ", "### ", "**"])
                lines += [f"**{block.text}**" if mark == "**" else mark + block.text, ""]
            else:
                lines += [block.text, ""]
            continue
        lines += _md_table(block, rng)
        lines.append("")
    return "\n".join(lines)
