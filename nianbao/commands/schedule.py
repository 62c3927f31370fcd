"""``nianbao schedule``: see and change when each site is crawled."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from nianbao.commands.common import db_option, emit, fail, handle_errors, open_archive
from ops.due import slot_history
from ops.schedule import DEFAULT_SPEC, ScheduleError, local_time
from ops.site_schedules import default_spec, set_default, set_site, site_schedules
from ops.text_table import echo_table, table_format_option

SPEC_HELP = (
    "SPEC is a cron expression in Asia/Shanghai time ('0 3 * * *'), or rules with windows of "
    "the year: '01-01..04-15: 0 3 * * *; 0 3 * * 1' (daily to 15 April, then Mondays). "
    "H spreads sites by their id ('H H(1-5) * * *')."
)


@click.group(name="schedule")
def command() -> None:
    """When sites are crawled: the default and per-site schedules."""


@command.command(name="show")
@click.argument("sites", nargs=-1)
@db_option
@table_format_option
@handle_errors
def show(sites: tuple[str, ...], db_url: str | None, fmt: str) -> None:
    """Each site's schedule, where it comes from and its next crawl (Shanghai time)."""
    now = datetime.now(UTC)
    with open_archive(db_url) as archive:
        spec, source = default_spec(archive)
        rows: list[dict[str, Any]] = []
        for sched in site_schedules(archive, list(sites) or None):
            nxt = sched.schedule.next_after(now)
            rows.append(
                {
                    "site_id": sched.site_id,
                    "source": sched.source,
                    "schedule": sched.spec,
                    "next": local_time(nxt).strftime("%Y-%m-%d %H:%M") if nxt else None,
                }
            )
    if fmt == "table":
        click.echo(f"default ({source}): {spec}")
        echo_table(rows, ["site_id", "source", "next", "schedule"])
    else:
        emit(rows, fmt)


@command.command(name="set", epilog=SPEC_HELP)
@click.argument("site")
@click.argument("spec")
@db_option
@handle_errors
def set_(site: str, spec: str, db_url: str | None) -> None:
    """Give SITE a schedule of its own (it wins over the registry's and the default)."""
    with open_archive(db_url) as archive:
        try:
            set_site(archive, site, spec)
        except ScheduleError as exc:
            raise fail(str(exc)) from exc
        sched = site_schedules(archive, [site])[0]
    click.echo(f"{site}: {sched.spec}")


@command.command(name="clear")
@click.argument("site")
@db_option
@handle_errors
def clear(site: str, db_url: str | None) -> None:
    """Drop SITE's own schedule: it follows the registry's cron or the default again."""
    with open_archive(db_url) as archive:
        set_site(archive, site, None)
        sched = site_schedules(archive, [site])[0]
    click.echo(f"{site}: {sched.spec} ({sched.source})")


@command.command(name="default", epilog=SPEC_HELP)
@click.argument("spec", required=False)
@click.option(
    "--reset", is_flag=True, help=f"Back to the built-in seasonal default ({DEFAULT_SPEC})."
)
@db_option
@handle_errors
def default(spec: str | None, reset: bool, db_url: str | None) -> None:
    """Show, set or --reset the schedule of every site without one of its own."""
    if spec and reset:
        raise fail("give a SPEC or --reset, not both")
    with open_archive(db_url) as archive:
        try:
            if spec or reset:
                set_default(archive, None if reset else spec)
        except ScheduleError as exc:
            raise fail(str(exc)) from exc
        current, source = default_spec(archive)
    click.echo(f"default ({source}): {current}")


@command.command(name="slots")
@click.option("--site", help="Only this site.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@db_option
@table_format_option
@handle_errors
def slots(site: str | None, limit: int, db_url: str | None, fmt: str) -> None:
    """The scheduled crawls claimed so far, newest first (state, attempts, run)."""
    with open_archive(db_url) as archive:
        rows = slot_history(archive, site, limit)
    for row in rows:
        at = row["slot_at"]
        row["slot_at"] = (
            local_time(at).strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else at
        )
    if fmt == "table":
        echo_table(rows, ["slot_at", "site_id", "state", "attempts", "run_id", "detail"])
    else:
        emit(rows, fmt)
