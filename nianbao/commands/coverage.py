"""``nianbao coverage``: the agency × year matrix (on time, late, missing, not yet due)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from audit.coverage import coverage, render_text, write_csv
from audit.coverage_html import render_html
from audit.findings import AuditOptions
from nianbao.commands.audit import as_of_option, deadlines_option, load_deadlines
from nianbao.commands.common import db_option, fail, handle_errors, open_archive


@click.command(name="coverage")
@db_option
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    help="Report year (repeatable; default: every year).",
)
@click.option("--agency", help="Agency id.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the matrix to FILE: .csv, or .html for a colour-coded page.",
)
@as_of_option
@deadlines_option
@handle_errors
def command(
    db_url: str | None,
    years: tuple[int, ...],
    agency: str | None,
    out: Path | None,
    as_of: datetime | None,
    deadlines_path: Path | None,
) -> None:
    """Print each agency's status per year with counts per level and region."""
    if out is not None and out.suffix.lower() not in (".csv", ".html", ".htm"):
        raise fail(f"--out must end in .csv or .html, not {out.name!r}")
    options = AuditOptions(
        years=list(years) or None,
        agency=agency,
        as_of=as_of.replace(tzinfo=UTC) if as_of else None,
        deadlines=load_deadlines(deadlines_path),
    )
    with open_archive(db_url) as archive:
        cov = coverage(archive, options)
    click.echo(render_text(cov))
    if out is not None:
        with out.open("w", encoding="utf-8", newline="") as fh:
            if out.suffix.lower() == ".csv":
                write_csv(cov, fh)
            else:
                fh.write(render_html(cov))
        click.echo(f"wrote {out}", err=True)
