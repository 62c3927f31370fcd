"""``nianbao demo``: the main job on the embedded default — serve the bundled sample
government web on loopback, crawl it into the archive, print what was archived."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.commands.common import db_option, handle_errors, open_archive

REPO = Path(__file__).resolve().parent.parent.parent


@click.command(name="demo")
@db_option
@click.option(
    "--port",
    type=int,
    default=8380,
    show_default=True,
    help="Port of the sample web (127.0.0.11–16).",
)
@click.option(
    "--registry",
    "registry_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Registry to import first (default: the project's config/sites.yaml).",
)
@handle_errors
def command(db_url: str | None, port: int, registry_file: Path | None) -> None:
    """Serve the sample web, import the registry, crawl the sample sites, list the reports."""
    from rich.console import Console
    from rich.table import Table

    import sampleweb
    from crawler.run import crawl
    from query.reports import iter_reports
    from registry.loader import load_registry

    console = Console(stderr=True)
    registry_file = registry_file or REPO / "config" / "sites.yaml"
    registry = load_registry(registry_file)
    with open_archive(db_url) as archive, sampleweb.SampleWeb(state="before", port=port) as web:
        console.print("sample web: " + ", ".join(str(s["base_url"]) for s in web.sites))
        console.print(f"registry {registry_file}: {archive.import_registry(registry)}")
        sample_sites = [s.id for s in archive.sites() if s.id.startswith("sample-")]
        summary = crawl(archive, sample_sites, settings_overrides={"NIANBAO_PROGRESS": True})
        console.print(summary.table())
        table = Table(title=f"archived reports ({archive.safe_url}, WARC in {archive.warc_dir})")
        for column in ("agency", "year", "published", "registered", "documents"):
            table.add_column(column, overflow="fold")
        count = 0
        for report in iter_reports(archive):
            count += 1
            docs = " ".join(short_type(d["media_type"]) for d in report["documents"])
            table.add_row(
                report["agency_name"],
                str(report["year"]),
                report["published_at"] or "",
                "yes" if report["registered"] else "no",
                docs,
            )
        Console().print(table)
        console.print(f"{count} reports archived; `nianbao verify` checks every WARC record.")
        console.print("Open the reading room on this archive (then http://127.0.0.1:8080/):")
        Console().print(serve_command(archive), soft_wrap=True, highlight=False, markup=False)


def serve_command(archive: object) -> str:
    """The one command that serves the reading room on ``archive``."""
    import os
    import shlex

    from storage.db import DEFAULT_DATA_DIR

    data = str(getattr(archive, "data_dir", DEFAULT_DATA_DIR))
    prefix = "" if data == DEFAULT_DATA_DIR else f"NIANBAO_DATA_DIR={shlex.quote(data)} "
    program = ".venv/bin/nianbao" if os.path.exists(".venv/bin/nianbao") else "nianbao"
    return f"{prefix}{program} serve --db {shlex.quote(getattr(archive, 'safe_url', ''))}"


SHORT_TYPES = {
    "text/html": "html",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "zip",
}


def short_type(media_type: str | None) -> str:
    if not media_type:
        return "?"
    return SHORT_TYPES.get(media_type, media_type.rsplit("/", 1)[-1][:12])
