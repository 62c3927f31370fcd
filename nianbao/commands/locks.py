"""``nianbao locks``: the crawl locks of sites — who holds them, and releasing one by hand."""

from __future__ import annotations

import click

from nianbao.commands.common import db_option, emit, fail, handle_errors, open_archive
from ops.locks import LockBusy, list_locks, release_by_hand, site_lock_name
from ops.text_table import echo_table, table_format_option

COLUMNS = ["name", "state", "holder", "acquired_at", "expires_at"]


@click.group(name="locks")
def command() -> None:
    """The crawl locks of sites (one crawl of a site at a time, across processes and
    machines). A lock whose holder process has died on this machine is taken over by the
    next crawl at once; one of another machine lapses when its lease expires (5 minutes)."""


@command.command(name="list")
@db_option
@table_format_option
@handle_errors
def list_(db_url: str | None, fmt: str) -> None:
    """Every lock: its holder (host:pid:start:tag) and state — held, dead holder (the
    process is gone), expired."""
    with open_archive(db_url) as archive:
        rows = [lock.record() for lock in list_locks(archive)]
    if fmt == "table":
        echo_table(rows, COLUMNS)
    else:
        emit(rows, fmt)


@command.command(name="release")
@click.argument("name")
@click.option(
    "--force",
    is_flag=True,
    help="Release it even if its holder looks alive (two crawls of the site may then overlap).",
)
@db_option
@handle_errors
def release(name: str, force: bool, db_url: str | None) -> None:
    """Release the lock NAME (a site id, or site:ID as listed) whoever holds it. A lock
    whose holder is alive, or not yet expired on another machine, needs --force."""
    lock_name = name if ":" in name else site_lock_name(name)
    with open_archive(db_url) as archive:
        try:
            info = release_by_hand(archive, lock_name, force=force)
        except LockBusy as exc:
            raise fail(f"{exc}; it looks alive: add --force to release it anyway") from exc
    click.echo(f"released {info.name} (held by {info.holder}, {info.state})")
