"""Coverage as one self-contained HTML page: a colour-coded agency × year table."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from audit.coverage import LABELS, STATUSES, Coverage

COLOURS = {
    "on_time": "#2e7d32",
    "late": "#f9a825",
    "missing": "#c62828",
    "not_yet_due": "#9e9e9e",
    "unchecked": "#5c6bc0",
    "undetermined": "#8d6e63",
    "no_deadline": "#e0e0e0",
}
TEXT_ON = {"on_time": "#fff", "missing": "#fff", "unchecked": "#fff", "undetermined": "#fff"}


def render_html(cov: Coverage, *, title: str = "nianbao coverage") -> str:
    def cell(status: str, due: str | None) -> str:
        if not status:
            return "<td></td>"
        tip = LABELS[status] + (f"; due {due}" if due else "")
        return f'<td class="{status}" title="{escape(tip)}">{escape(status.replace("_", " "))}</td>'

    head = "".join(f"<th>{y}</th>" for y in cov.years)
    body = "\n".join(
        f"<tr><td>{escape(r.agency_id)}</td><td>{escape(r.agency_name)}</td><td>{escape(r.level)}</td>"
        f"<td>{escape(r.kind)}</td><td>{escape(r.region)}</td>"
        + "".join(cell(r.cells.get(y, ""), r.due.get(y)) for y in cov.years)
        + "</tr>"
        for r in cov.rows
    )

    def counts_table(by: str) -> str:
        data = cov.counts(by)
        rows = "\n".join(
            f"<tr><td>{escape(key)}</td>"
            + "".join(f"<td>{c.get(s, 0)}</td>" for s in STATUSES)
            + "</tr>"
            for key, c in data.items()
        )
        heads = "".join(f'<th class="{s}">{escape(s.replace("_", " "))}</th>' for s in STATUSES)
        return f"<table><tr><th>{by}</th>{heads}</tr>\n{rows}</table>"

    styles = "\n".join(
        f".{s} {{ background: {COLOURS[s]}; color: {TEXT_ON.get(s, '#000')}; }}" for s in STATUSES
    )
    legend = "".join(f'<span class="{s} key">{escape(LABELS[s])}</span> ' for s in STATUSES)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 2px 6px; font-size: 13px; }}
th {{ background: #f5f5f5; position: sticky; top: 0; }}
.key {{ padding: 2px 6px; margin-right: 4px; }}
{styles}
</style></head><body>
<h1>{escape(title)}</h1>
<p>Years {escape(", ".join(map(str, cov.years)))}; {len(cov.rows)} agencies; generated {made}.</p>
<p>{legend}</p>
<h2>Counts by level</h2>
{counts_table("level")}
<h2>Counts by region (province code)</h2>
{counts_table("region")}
<h2>Agency × year</h2>
<table><tr><th>agency</th><th>name</th><th>level</th><th>kind</th><th>region</th>{head}</tr>
{body}
</table></body></html>
"""
