"""``nianbao reports``: export reports as they stand now (exports.md)."""

from __future__ import annotations

from datetime import datetime

import click

from nianbao.commands.common import db_option, emit, format_option, handle_errors, open_archive
from query.reports import iter_reports


@click.command(name="reports")
@db_option
@format_option
@click.option("--year", type=int, help="Report year.")
@click.option("--agency", help="Agency id.")
@click.option("--site", help="Site id.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only reports with a version first seen since DATE.",
)
@handle_errors
def command(
    db_url: str | None,
    fmt: str,
    year: int | None,
    agency: str | None,
    site: str | None,
    since: datetime | None,
) -> None:
    """One object per report (an agency's report on one year) with its documents."""
    with open_archive(db_url) as archive:
        emit(iter_reports(archive, year=year, agency=agency, site=site, since=since), fmt)
