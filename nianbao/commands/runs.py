"""``nianbao runs``: the crawl run history, one line per site per run."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from nianbao.commands.common import db_option, emit, handle_errors, open_archive
from ops.runs import site_runs
from ops.text_table import echo_table, table_format_option
from storage.vocab import RunOutcome

COLUMNS = ["run_id", "site_id", "started_at", "seconds", "outcome", "trigger", "pages", "bytes",
           "reports_found", "new_versions", "errors"]  # fmt: skip


@click.command(name="runs")
@click.option("--site", help="Only this site.")
@click.option("--run", "run_id", type=int, help="Only this run.")
@click.option(
    "--outcome",
    type=click.Choice([o.value for o in RunOutcome]),
    help="Only runs that ended so (crashed: its process died without ending it).",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Started since (UTC).",
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@db_option
@table_format_option
@handle_errors
def command(
    site: str | None,
    run_id: int | None,
    outcome: str | None,
    since: datetime | None,
    limit: int,
    db_url: str | None,
    fmt: str,
) -> None:
    """Crawl runs, newest first: start, end, outcome, pages, bytes, reports found, new
    versions and errors by kind (http_status, timeout, blocked, robots, extraction, …).
    A run whose process died without ending it is shown, and kept, as crashed."""
    with open_archive(db_url) as archive:
        rows = site_runs(
            archive,
            site_id=site,
            run_id=run_id,
            outcome=outcome,
            since=since.replace(tzinfo=UTC) if since else None,
            limit=limit,
        )
    if fmt == "table":
        echo_table(rows, COLUMNS)
    else:
        emit(rows, fmt)
