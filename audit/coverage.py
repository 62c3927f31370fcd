"""Coverage: the agency × year matrix of report timeliness, with counts per level and region."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from audit.findings import AuditOptions, Auditor
from storage.archive import Archive

STATUSES = ("on_time", "late", "missing", "not_yet_due", "unchecked", "undetermined", "no_deadline")
LABELS = {
    "on_time": "on time",
    "late": "late",
    "missing": "missing",
    "not_yet_due": "not yet due",
    "unchecked": "unchecked (no successful crawl since the deadline)",
    "undetermined": "found, timing undetermined",
    "no_deadline": "no deadline rule",
}


@dataclass
class Row:
    agency_id: str
    agency_name: str
    level: str
    kind: str
    region: str
    """The province: the first two digits of the (nearest) division code, or ``unknown``."""
    registered: bool
    cells: dict[int, str] = field(default_factory=dict)
    due: dict[int, str | None] = field(default_factory=dict)


@dataclass
class Coverage:
    years: list[int]
    rows: list[Row]

    def counts(self, by: str) -> dict[str, dict[str, int]]:
        """{level or region: {status: count}} over every cell."""
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for row in self.rows:
            for status in row.cells.values():
                out[getattr(row, by)][status] += 1
        return {key: dict(out[key]) for key in sorted(out)}

    def totals(self) -> dict[str, int]:
        return dict(Counter(s for row in self.rows for s in row.cells.values()))


def coverage(archive: Archive, options: AuditOptions) -> Coverage:
    options.findings = {"missing", "late"}
    auditor = Auditor(archive, options)
    result = auditor.run()
    rows: dict[str, Row] = {}
    for cell in result.cells:
        row = rows.get(cell.agency_id)
        if row is None:
            agency = result.data.agencies[cell.agency_id]
            code = auditor.division_code(agency.id)
            row = rows[cell.agency_id] = Row(
                agency.id,
                agency.name,
                agency.level,
                agency.kind,
                code[:2] if code else "unknown",
                agency.registered,
            )
        row.cells[cell.year] = cell.status
        row.due[cell.year] = cell.due.isoformat() if cell.due else None
    ordered = sorted(rows.values(), key=lambda r: (r.region, r.level, r.agency_id))
    return Coverage(result.years, ordered)


def write_csv(cov: Coverage, out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["agency_id", "agency_name", "level", "kind", "region", "registered", *map(str, cov.years)]
    )
    for row in cov.rows:
        writer.writerow(
            [
                row.agency_id,
                row.agency_name,
                row.level,
                row.kind,
                row.region,
                str(row.registered).lower(),
            ]
            + [row.cells.get(y, "") for y in cov.years]
        )


def render_text(cov: Coverage) -> str:
    short = {
        "on_time": "ok",
        "late": "LATE",
        "missing": "MISS",
        "not_yet_due": "-",
        "unchecked": "?",
        "undetermined": "found",
        "no_deadline": "n/a",
    }
    width = max((len(r.agency_id) for r in cov.rows), default=6)
    lines = [f"{'agency':<{width}}  level     " + "  ".join(f"{y:>6}" for y in cov.years)]
    for row in cov.rows:
        cells = "  ".join(f"{short.get(row.cells.get(y, ''), ''):>6}" for y in cov.years)
        lines.append(f"{row.agency_id:<{width}}  {row.level:<8}  {cells}")
    lines.append("")
    lines.append("totals: " + _counts(cov.totals()))
    for title, by in (("by level", "level"), ("by region", "region")):
        lines.append(f"{title}:")
        lines += [f"  {key}: {_counts(c)}" for key, c in cov.counts(by).items()]
    lines.append("legend: " + "; ".join(f"{short[s]} = {LABELS[s]}" for s in STATUSES))
    return "\n".join(lines)


def _counts(counts: dict[str, Any]) -> str:
    return ", ".join(f"{s} {counts[s]}" for s in STATUSES if counts.get(s))
