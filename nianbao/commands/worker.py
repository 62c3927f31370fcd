"""``nianbao worker``: take part in distributed crawls from the shared Redis queue."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from types import FrameType

import click

from nianbao.commands.common import db_option, fail, handle_errors


@click.command(name="worker")
@db_option
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    envvar="NIANBAO_REDIS_URL",
    default=None,
    help="The shared Redis (default NIANBAO_REDIS_URL, else redis://127.0.0.1:6379/0).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NIANBAO_DATA_DIR",
    default=None,
    help="Where this worker writes its WARC files (default NIANBAO_DATA_DIR, else ./data).",
)
@click.option("--once", is_flag=True, help="Join one crawl, then exit.")
@click.option("--crawl", "crawl_id", metavar="ID", help="Join only this crawl.")
@handle_errors
def command(
    db_url: str | None,
    redis_url: str | None,
    data_dir: Path | None,
    once: bool,
    crawl_id: str | None,
) -> None:
    """Join the distributed crawls started by `nianbao crawl --distributed` or the
    scheduler, on any machine: fetch from the shared queue, archive into the shared
    database (use PostgreSQL) and this worker's own WARC files. SIGTERM stops it after
    the current crawl's in-flight requests; a killed worker's requests go to the others."""
    from redis.exceptions import RedisError

    from crawler.distributed.keys import redis_url as resolve
    from ops.distributed.crawl import connect
    from ops.distributed.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        connect(redis_url)
        worker = Worker(db_url, str(data_dir) if data_dir else None, redis_url)
    except (ValueError, RuntimeError, RedisError) as exc:
        raise fail(str(exc)) from exc

    def stop(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"nianbao worker: signal {signum}, leaving after the current crawl", err=True)
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"nianbao worker: waiting for crawls on {resolve(redis_url)}", err=True)
    code = worker.serve(once=once, crawl_id=crawl_id)
    if code:
        raise fail(f"the crawl process exited with status {code}")
