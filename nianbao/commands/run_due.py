"""``nianbao run-due``: start the crawls that are due, then exit (for cron or a systemd timer)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from nianbao.commands.common import db_option, fail, handle_errors, open_archive
from ops.due import DuePlanner
from ops.schedule import local_time
from ops.site_schedules import site_schedules

distributed_option = click.option(
    "--distributed",
    is_flag=True,
    help="Put the crawl's requests in the shared Redis queue for `nianbao worker` processes (NIANBAO_REDIS_URL).",
)
max_sites_option = click.option(
    "--max-sites",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="At most this many sites in one crawl run; the rest wait for the next pass.",
)


@click.command(name="run-due")
@click.option("--dry-run", is_flag=True, help="Only list the due crawls.")
@distributed_option
@max_sites_option
@db_option
@handle_errors
def command(dry_run: bool, distributed: bool, max_sites: int, db_url: str | None) -> None:
    """Start one crawl run of every site whose scheduled time has come, once per slot
    (two run-due or schedulers at once never start the same slot twice), and exit."""
    from ops.scheduling_setup import build_scheduler

    with open_archive(db_url) as archive:
        if dry_run:
            for due in DuePlanner().due(archive, site_schedules(archive), datetime.now(UTC)):
                extra = f" (covers {due.missed} missed)" if due.missed else ""
                extra += " (resumes an interrupted crawl)" if due.resume_id else ""
                click.echo(f"{due.site_id}\t{local_time(due.slot_at):%Y-%m-%d %H:%M}{extra}")
            return
        try:
            scheduler = build_scheduler(archive, distributed=distributed, max_sites=max_sites)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        result = scheduler.tick()
    for site in result.busy:
        click.echo(
            f"{site}: due, but another crawl of it is running; it waits for the next pass", err=True
        )
    if not result.claimed:
        click.echo("nothing due")
        return
    click.echo(f"crawled {len(result.claimed)} due site(s) in run {result.run_id}")
    if result.error:
        raise fail(f"the scheduled crawl failed: {result.error}")
