"""``nianbao health``: each site's state, worst first; optionally raise alerts."""

from __future__ import annotations

import click

from nianbao.commands.common import db_option, emit, fail, handle_errors, open_archive
from ops.alerts import AlertConfig, check
from ops.health import UNHEALTHY, site_health
from ops.text_table import echo_table, table_format_option

COLUMNS = [
    "site_id",
    "state",
    "last_success_at",
    "consecutive_failures",
    "last_outcome",
    "problems",
]


@click.command(name="health")
@click.argument("sites", nargs=-1)
@click.option("--unhealthy", is_flag=True, help="Only sites with a problem.")
@click.option(
    "--alert",
    is_flag=True,
    help="Also raise alerts for changes of state (webhook NIANBAO_ALERT_WEBHOOK, Atom feed NIANBAO_ALERT_FEED).",
)
@db_option
@table_format_option
@handle_errors
def command(
    sites: tuple[str, ...], unhealthy: bool, alert: bool, db_url: str | None, fmt: str
) -> None:
    """Sites worst first: blocked, failing, report missing, listing stale for a whole
    reporting season, never crawled, ok — with last success and consecutive failures."""
    try:
        config = AlertConfig.from_env() if alert else None
    except ValueError as exc:
        raise fail(str(exc)) from exc
    with open_archive(db_url) as archive:
        health = site_health(archive, site_ids=list(sites) or None)
        if config is not None:
            result = check(archive, config, health=health)
            click.echo(
                f"alerts: {len(result.raised)} raised, {result.delivered} delivered, {result.failed} not delivered",
                err=True,
            )
    rows = [h.as_dict() for h in health if not unhealthy or h.state in UNHEALTHY]
    if fmt == "table":
        echo_table(rows, COLUMNS)
    else:
        emit(rows, fmt)
