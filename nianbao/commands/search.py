"""``nianbao search QUERY``: full-text search over every report version."""

from __future__ import annotations

import sys

import click

from nianbao import terminal
from nianbao.commands.common import db_option, emit, fail, handle_errors, open_archive
from query.search import DEFAULT_CANDIDATES, HIGHLIGHT, LAYOUTS, SearchFilters, search
from query.search_query import QueryError
from registry.model import KINDS, LEVELS
from storage.search_index import rebuild


def _highlight(snippet: str, colour: bool) -> str:
    if not colour:
        return snippet
    return snippet.replace(HIGHLIGHT[0], terminal.begin("1;33")).replace(
        HIGHLIGHT[1], terminal.end()
    )


_WORD = "\x00"
"""Marks a query word starting with a single ``-`` so that click does not read it as
short options (``-hello`` would otherwise ask for help)."""


class _SearchCommand(click.Command):
    """Query words may start with ``-`` (a negated term): such a word is kept as a word
    unless it is exactly one of the command's options or an option's value. The words
    given after ``--`` are query words whatever they look like."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        literal = args[args.index("--") + 1 :] if "--" in args else []
        head = args[: len(args) - len(literal) - (1 if "--" in args else 0)]
        options = {name for p in self.get_params(ctx) for name in getattr(p, "opts", [])}
        takes_value = {
            name
            for p in self.get_params(ctx)
            if isinstance(p, click.Option) and not p.is_flag
            for name in p.opts
        }
        marked: list[str] = []
        for i, arg in enumerate(head):
            after_option = i > 0 and head[i - 1] in takes_value
            if (
                arg.startswith("-")
                and not arg.startswith("--")
                and len(arg) > 1
                and arg not in options
                and not after_option
            ):
                arg = _WORD + arg
            marked.append(arg)
        ctx.meta["nianbao.literal"] = literal
        return super().parse_args(ctx, marked + (["--", *literal] if "--" in args else []))


def _query_of(words: tuple[str, ...]) -> str | None:
    """QUERY's words as one query. Options click does not know are left among the words
    (so that ``-诉讼`` is a negated term, not an error); a word before ``--`` that looks
    like a long option is refused, naming the fix, rather than searched for."""
    literal = click.get_current_context().meta.get("nianbao.literal", [])
    for word in words[: len(words) - len(literal)]:
        if word.startswith("--") and len(word) > 2:
            raise fail(
                f"no such option: {word.split('=')[0]} (to search for a word starting with --, "
                f"put -- first: nianbao search -- {word!r})"
            )
    return " ".join(word.removeprefix(_WORD) for word in words) or None


@click.command(name="search", cls=_SearchCommand, context_settings={"ignore_unknown_options": True})
@db_option
@click.argument("words", nargs=-1, metavar="QUERY")
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
    words: tuple[str, ...],
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

    Examples: 复议   "行政复议" OR 诉讼   报告 NOT 更正   复议 -诉讼   --year 2020 --region 3302
    依申请. The words of QUERY are joined by spaces; a word starting with - negates it
    (复议 -诉讼); put -- before a query that starts with -- ."""
    query = _query_of(words)
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
