"""``nianbao datasette-metadata``: describe the SQLite archive's tables for Datasette."""

from __future__ import annotations

import json
from pathlib import Path

import click

from nianbao.commands.common import db_option, fail, handle_errors


@click.command(name="datasette-metadata")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the metadata to FILE (default: standard output).",
)
@handle_errors
def command(db_url: str | None, out: Path | None) -> None:
    """Write Datasette metadata (a title and description of every table and column) for
    the SQLite archive: `datasette ARCHIVE.sqlite3 --metadata FILE` then opens it with
    the descriptions, for ad-hoc SQL."""
    from storage.datasette import database_name, metadata
    from storage.db import data_dir, database_url

    url = database_url(db_url, data=data_dir())
    if not url.startswith("sqlite:///"):
        raise fail("Datasette opens SQLite archives only (give --db sqlite:///PATH)")
    path = url[len("sqlite:///") :]
    text = json.dumps(metadata(database_name(path)), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}: datasette {path} --metadata {out}", err=True)
