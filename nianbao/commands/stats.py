"""``nianbao stats``: the statistical tables of each report, as data (exports.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nianbao.commands.common import db_option, emit, fail, handle_errors, open_archive
from query.formats import write_csv
from query.stats import flat_rows, iter_stats, write_parquet


@click.command(name="stats")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Output file (required for parquet).",
)
@click.option("--year", type=int, help="Report year.")
@click.option("--agency", help="Agency id.")
@click.option("--site", help="Site id.")
@click.option("--layout", type=click.Choice(["2019", "2021", "none"]), help="Table layout.")
@handle_errors
def command(
    db_url: str | None,
    fmt: str,
    out: Path | None,
    year: int | None,
    agency: str | None,
    site: str | None,
    layout: str | None,
) -> None:
    """One object per report (its latest version): layout, table values and checks."""
    with open_archive(db_url) as archive:
        records = list(iter_stats(archive, year=year, agency=agency, site=site, layout=layout))
    if fmt == "parquet":
        if out is None:
            raise fail("--format parquet needs --out FILE")
        n = write_parquet(records, str(out))
        click.echo(f"{n} reports written to {out}", err=True)
        return
    if out is not None:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            if fmt == "csv":
                columns, rows = flat_rows(records)
                write_csv(rows, fh, columns=columns)
            else:
                from query.formats import write_jsonl

                write_jsonl(records, fh)
        return
    if fmt == "csv":
        columns, rows = flat_rows(records)
        write_csv(rows, sys.stdout, columns=columns)
        return
    emit(records, fmt)
