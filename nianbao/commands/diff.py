"""``nianbao diff``: what changed between two versions, text and table values."""

from __future__ import annotations

import sys

import click

from nianbao import terminal
from nianbao.commands.common import db_option, emit, fail, handle_errors, open_archive
from query.diff import diff_by_ids, diff_report, render_diff


@click.command(name="diff")
@db_option
@click.argument("target")
@click.argument("new_version", required=False, type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True
)
@handle_errors
def command(db_url: str | None, target: str, new_version: int | None, fmt: str) -> None:
    """Show changes. Either two version ids (``nianbao diff 12 31``: the first is the old
    one) or a report (``nianbao diff changjie:2020``: every version against the one before)."""
    with open_archive(db_url) as archive:
        if new_version is not None:
            if not target.isdigit():
                raise fail(f"with two arguments both must be version ids, not {target!r}")
            diffs = [diff_by_ids(archive, int(target), new_version)]
        else:
            diffs = diff_report(archive, target)
    if fmt == "jsonl":
        emit((d.record() for d in diffs), "jsonl")
        return
    if not diffs:
        click.echo("no document of this report has more than one version")
        return
    paint = terminal.begin if sys.stdout.isatty() else None
    click.echo("\n\n".join(render_diff(d, paint=paint) for d in diffs))
