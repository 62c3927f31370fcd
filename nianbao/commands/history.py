"""``nianbao history REPORT``: a report's documents, versions and observations."""

from __future__ import annotations

import click

from nianbao.commands.common import db_option, emit, handle_errors, open_archive
from query.history import render_history, report_history


@click.command(name="history")
@db_option
@click.argument("report")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True
)
@handle_errors
def command(db_url: str | None, report: str, fmt: str) -> None:
    """Everything archived on REPORT (AGENCY:YEAR, e.g. changjie:2020, or a report id):
    each document, its versions and every observation, with times and hashes."""
    with open_archive(db_url) as archive:
        history = report_history(archive, report)
    if fmt == "jsonl":
        emit([history], "jsonl")
    else:
        click.echo(render_history(history))
