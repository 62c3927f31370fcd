"""``nianbao sites``: import and list the registry of agencies and sites."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.commands.common import db_option, handle_errors, open_archive
from registry.loader import load_registry


@click.group(name="sites")
def command() -> None:
    """The registry: agencies that owe reports and the sites to crawl."""


@command.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@handle_errors
def import_(file: Path, db_url: str | None) -> None:
    """Load FILE (registry YAML, or CSV of agencies); importing twice changes nothing."""
    registry = load_registry(file)
    with open_archive(db_url) as archive:
        summary = archive.import_registry(registry)
    click.echo(
        f"{file}: {len(registry.agencies)} agencies, {len(registry.sites)} sites — {summary}"
    )


@command.command(name="list")
@db_option
@click.option("--agencies", "show_agencies", is_flag=True, help="List agencies instead of sites.")
@handle_errors
def list_(db_url: str | None, show_agencies: bool) -> None:
    """List the registered sites (or agencies)."""
    with open_archive(db_url) as archive:
        if show_agencies:
            for a in archive.agencies():
                mark = "" if a.registered else "  (unregistered)"
                click.echo(f"{a.id}\t{a.name}\t{a.level}\t{a.kind}\t{a.parent_id or ''}{mark}")
            return
        for site in archive.sites():
            click.echo(
                f"{site.id}\t{site.agency_id}\trender={site.render}\t{' '.join(site.start_urls)}"
            )
