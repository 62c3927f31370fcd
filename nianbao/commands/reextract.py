"""``nianbao reextract``: re-run extraction over archived captures, without crawling."""

from __future__ import annotations

import click

from nianbao.commands.common import db_option, handle_errors, open_archive


@click.command(name="reextract")
@db_option
@click.option("--limit", type=int, default=None, help="At most this many versions.")
@handle_errors
def command(db_url: str | None, limit: int | None) -> None:
    """Extract every archived version that the current parser version has not read yet,
    from its WARC record; each result records the parser version that produced it."""
    from extract import document
    from query.reextract import reextract

    with open_archive(db_url) as archive:
        done, errors = reextract(archive, limit=limit)
    click.echo(
        f"parser {document.PARSER_VERSION}: {done} versions re-extracted, {errors} with extraction errors"
    )
