"""``nianbao search QUERY``: full-text search over every report version."""

from __future__ import annotations

import sys

import click

from nianbao.commands.common import db_option, emit, fail, handle_errors, open_archive
from query.search import DEFAULT_CANDIDATES, HIGHLIGHT, LAYOUTS, SearchFilters, search
from query.search_index import rebuild
from query.search_query import QueryError
from registry.model import KINDS, LEVELS


def _highlight(snippet: str, colour: bool) -> str:
    if not colour:
        return snippet
    return snippet.replace(HIGHLIGHT[0], "\x1b[1;33m").replace(HIGHLIGHT[1], "\x1b[0m")


@click.command(name="search")
@db_option
@click.argument("query", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl", "csv"]),
    default="text",
    show_default=True,
)
@click.option("--year", type=int, help="Report year.")
@click.option("--agency", help="Agency id.")
@click.option("--level", type=click.Choice(LEVELS), help="Agency level.")
@click.option("--kind", type=click.Choice(KINDS), help="Agency kind.")
@click.option(
    "--region", metavar="CODE", help="Division code prefix, e.g. 33 (浙江) or 3302 (宁波)."
)
@click.option(
    "--layout", type=click.Choice(LAYOUTS), help="Table layout of the version's extraction."
)
@click.option(
    "--all-versions", is_flag=True, help="Search every version, not only each document's latest."
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option(
    "--candidates",
    type=click.IntRange(1),
    default=DEFAULT_CANDIDATES,
    show_default=True,
    help="At most this many of the newest index matches are checked and ranked.",
)
@click.option(
    "--rebuild-index",
    is_flag=True,
    help="Index every version again (then search, if QUERY is given).",
)
@handle_errors
def command(
    db_url: str | None,
    query: str | None,
    fmt: str,
    year: int | None,
    agency: str | None,
    level: str | None,
    kind: str | None,
    region: str | None,
    layout: str | None,
    all_versions: bool,
    limit: int,
    offset: int,
    candidates: int,
    rebuild_index: bool,
) -> None:
    """Search report texts: Chinese terms of any length, "phrases", AND/OR/NOT, -term.

    Examples: 复议   "行政复议" OR 诉讼   报告 NOT 更正   --year 2020 --region 3302 依申请"""
    if not query and not rebuild_index:
        raise fail("give a QUERY (or --rebuild-index)")
    filters = SearchFilters(
        year=year,
        agency=agency,
        level=level,
        kind=kind,
        region=region,
        layout=layout,
        all_versions=all_versions,
    )
    with open_archive(db_url) as archive:
        if rebuild_index:
            count = rebuild(archive)
            click.echo(f"indexed {count} versions", err=True)
        if not query:
            return
        try:
            result = search(
                archive, query, filters, limit=limit, offset=offset, candidates=candidates
            )
        except QueryError as exc:
            raise fail(str(exc)) from exc
    if fmt != "text":
        emit((hit.record() for hit in result.hits), fmt)
        return
    colour = sys.stdout.isatty()
    more = " (ranking covered the newest candidates only; narrow the query or raise --candidates)"
    click.echo(f"{result.total} hits for {query}{more if result.capped else ''}")
    for n, hit in enumerate(result.hits, start=offset + 1):
        m = hit.meta
        click.echo(f"{n}. {m['agency_name']} ({m['agency_id']}) {m['year']}  score {hit.score:.3f}")
        click.echo(f"   {_highlight(hit.snippet, colour)}")
        click.echo(
            f"   {m['url']}  captured {m['captured_at']}  version {m['version']}  sha256 {m['sha256'][:16]}…"
        )
