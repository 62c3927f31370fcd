"""``nianbao verify``: fixity — every record of every WARC file, and the index against them."""

from __future__ import annotations

import click

from capture.fixity import verify_archive
from capture.repair import repair_tails
from nianbao.commands.common import db_option, fail, handle_errors, open_archive


@click.command(name="verify")
@db_option
@click.option(
    "--repair",
    is_flag=True,
    help="First move aside the incomplete last record that a killed crawl left in its WARC "
    "file (kept under warc/repair/; crawls do this themselves before they write).",
)
@click.option("--quiet", is_flag=True, help="Print problems and the summary only, not notes.")
@handle_errors
def command(db_url: str | None, repair: bool, quiet: bool) -> None:
    """Read every WARC file whole: each gzip member's CRC, each record's block and
    payload SHA-256 digests (requests and warcinfo too), and each capture of the index
    against the record it points at. Exit 1 naming every problem. Notes (not failures):
    records written but never indexed, files no capture points into, a killed writer's
    incomplete last record."""
    with open_archive(db_url) as archive:
        if repair:
            for done in repair_tails(archive.warc_dir, archive.indexed_end):
                click.echo(f"repaired {done}")
        report = verify_archive(archive)
    for problem in report.problems:
        click.echo(str(problem))
    if not quiet:
        for note in report.notes:
            click.echo(str(note))
    summary = (
        f"{report.records} records in {report.files} WARC files read, "
        f"{report.indexed} captures checked against the index"
        + (f", {report.unindexed} records not indexed" if report.unindexed else "")
    )
    if report.problems:
        raise fail(f"{len(report.problems)} problems; {summary}")
    click.echo(f"verified: {summary}")
