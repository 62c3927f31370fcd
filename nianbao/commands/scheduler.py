"""``nianbao scheduler``: keep running, starting due crawls as their time comes."""

from __future__ import annotations

import logging
import signal
from types import FrameType

import click

from nianbao.commands.common import db_option, fail, handle_errors, open_archive
from nianbao.commands.run_due import distributed_option, max_sites_option


@click.command(name="scheduler")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds between passes.",
)
@distributed_option
@max_sites_option
@db_option
@handle_errors
def command(interval: float, distributed: bool, max_sites: int, db_url: str | None) -> None:
    """Every INTERVAL seconds, start the crawls that are due. Safe to restart at any time
    and to run on several machines at once: each scheduled crawl runs exactly once, and no
    site is crawled twice at the same time. SIGTERM stops it after the current pass."""
    from ops.scheduling_setup import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with open_archive(db_url) as archive:
        try:
            scheduler = build_scheduler(archive, distributed=distributed, max_sites=max_sites)
        except ValueError as exc:
            raise fail(str(exc)) from exc

        def stop(signum: int, _frame: FrameType | None) -> None:
            click.echo(f"nianbao scheduler: signal {signum}, stopping after this pass", err=True)
            scheduler.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        click.echo(f"nianbao scheduler: {scheduler.holder}, a pass every {interval:g}s", err=True)
        scheduler.serve(interval)
