"""``nianbao stats``: the table values of each report's latest version (exports.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from storage.archive import Archive
from storage.exports import latest_version_extractions


def iter_stats(
    archive: Archive,
    *,
    year: int | None = None,
    agency: str | None = None,
    site: str | None = None,
    layout: str | None = None,
) -> Iterator[dict[str, Any]]:
    """One object per report: of its documents' latest versions, the extraction (newest
    parser version) with the most table values — the report page when it carries the
    tables, else the attachment that does."""
    best: dict[int, tuple[tuple[int, int], str, int, Any]] = {}
    order: list[int] = []
    for report_id, agency_id, report_year, ex in latest_version_extractions(
        archive, year=year, agency=agency, site=site
    ):
        filled = sum(v is not None for v in (ex.values or {}).values())
        score = (filled, _parser_rank(ex.parser_version))
        if report_id not in best:
            order.append(report_id)
            best[report_id] = (score, agency_id, report_year, ex)
        elif score > best[report_id][0]:
            best[report_id] = (score, agency_id, report_year, ex)
    for report_id in order:
        _, agency_id, report_year, ex = best[report_id]
        record = {
            "agency_id": agency_id,
            "year": report_year,
            "layout": ex.layout or "none",
            "parser_version": ex.parser_version,
            "sections": list(ex.sections or []),
            "values": dict(ex.values or {}),
            "checks": list(ex.checks or []),
        }
        if layout is None or record["layout"] == layout:
            yield record


def _parser_rank(version: str) -> int:
    parts = [int(p) if p.isdigit() else 0 for p in version.split(".")[:3]]
    parts += [0] * (3 - len(parts))
    return parts[0] * 1_000_000 + parts[1] * 1_000 + parts[2]


def stats_columns(records: list[dict[str, Any]]) -> list[str]:
    """Columns of the flat table: identity first, then every key of the layouts present
    in data-dictionary order."""
    from extract.keys import keys_for_layout

    layouts = []
    for r in records:
        if r["layout"] not in layouts:
            layouts.append(r["layout"])
    keys: list[str] = []
    for lay in sorted(layouts):
        for key in keys_for_layout(lay) if lay != "none" else []:
            if key not in keys:
                keys.append(key)
    for r in records:
        for key in r["values"]:
            if key not in keys:
                keys.append(key)
    return [
        "agency_id",
        "year",
        "layout",
        "parser_version",
        "sections",
        *keys,
        "checks_failed",
        "checks_not_evaluable",
    ]


def check_names(checks: list[dict[str, Any]], status: str) -> str:
    """``rule:subject`` of the checks with ``status``, ``;``-separated (a flat column)."""
    from extract.checks import check_status

    return ";".join(
        f"{c.get('rule')}:{c.get('column') or c.get('row') or c.get('group') or c.get('figure') or ''}"
        for c in checks
        if isinstance(c, dict) and check_status(c) == status
    )


def flat_rows(records: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    columns = stats_columns(records)
    rows = []
    for r in records:
        row: dict[str, Any] = {
            "agency_id": r["agency_id"],
            "year": r["year"],
            "layout": r["layout"],
            "parser_version": r["parser_version"],
            "sections": ",".join(str(x) for x in r["sections"]),
            "checks_failed": check_names(r["checks"], "failed"),
            "checks_not_evaluable": check_names(r["checks"], "not_evaluable"),
        }
        row.update(r["values"])
        rows.append(row)
    return columns, rows


def write_parquet(records: list[dict[str, Any]], path: str) -> int:
    """One row per report, one column per key. Integer counts are int64; money as
    float64 (``*_yuan``, ``amount_wan``); raw texts as strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns, rows = flat_rows(records)
    arrays = []
    fields = []
    for col in columns:
        values = [row.get(col) for row in rows]
        kinds = {type(v) for v in values if v is not None}
        if col == "year":
            typ = pa.int32()
        elif kinds <= {int, bool} and kinds:
            typ = pa.int64()
        elif (kinds <= {int, float} and kinds) or (
            not kinds and (col.endswith("_yuan") or col.endswith("amount_wan"))
        ):
            typ = pa.float64()
        elif not kinds and col.startswith("t"):
            typ = pa.int64()
        else:
            typ = pa.string()
            values = [None if v is None else str(v) for v in values]
        fields.append(pa.field(col, typ))
        arrays.append(pa.array(values, type=typ))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, path)
    return len(rows)
