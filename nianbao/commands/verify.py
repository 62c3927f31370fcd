"""``nianbao verify``: fixity — re-read every indexed WARC record and check its digest."""

from __future__ import annotations

import click

from capture.fixity import verify
from nianbao.commands.common import db_option, fail, handle_errors, open_archive


@click.command(name="verify")
@db_option
@handle_errors
def command(db_url: str | None) -> None:
    """Check every capture's WARC record; exit 1 naming each mismatch or missing file."""
    with open_archive(db_url) as archive:
        checked, problems = verify(archive.warc_dir, archive.indexed_records())
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise fail(f"{len(problems)} of {checked} records failed verification")
    click.echo(f"{checked} records verified")
