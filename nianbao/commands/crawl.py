"""``nianbao crawl``: crawl registered sites into the archive."""

from __future__ import annotations

import fnmatch

import click

from nianbao.commands.common import db_option, fail, handle_errors, open_archive
from storage.vocab import RunOutcome


def select_sites(available: list[str], patterns: tuple[str, ...], crawl_all: bool) -> list[str]:
    """Site ids named by ``--site`` (shell patterns such as ``sample-*`` allowed)."""
    if crawl_all:
        return available
    if not patterns:
        raise fail("name sites with --site ID (repeatable, patterns allowed) or use --all")
    chosen: list[str] = []
    for pattern in patterns:
        matched = [s for s in available if fnmatch.fnmatchcase(s, pattern)]
        if not matched:
            raise fail(f"no registered site matches {pattern!r}")
        chosen.extend(s for s in matched if s not in chosen)
    return chosen


@click.command(name="crawl")
@db_option
@click.option(
    "--site", "sites", multiple=True, metavar="ID", help="Site id or pattern (repeatable)."
)
@click.option("--all", "crawl_all", is_flag=True, help="Every registered site.")
@click.option(
    "--distributed", is_flag=True, help="Queue the crawl in Redis for `nianbao worker` processes."
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    default=None,
    help="Redis for --distributed (default NIANBAO_REDIS_URL, else redis://127.0.0.1:6379/0).",
)
@click.option(
    "--workers",
    type=int,
    default=0,
    show_default=True,
    help="With --distributed: also start N local workers.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a crawler setting (repeatable).",
)
@handle_errors
def command(
    db_url: str | None,
    sites: tuple[str, ...],
    crawl_all: bool,
    distributed: bool,
    redis_url: str | None,
    workers: int,
    overrides: tuple[str, ...],
) -> None:
    """Crawl sites from the registry with a live progress display and a per-site summary;
    the run's statistics are stored (see `nianbao runs`). A site being crawled by another
    process (a scheduler, another machine) is not crawled twice at once."""
    from rich.console import Console

    from ops.locks import LockBusy, site_locks

    settings = parse_overrides(overrides)
    with open_archive(db_url) as archive:
        site_ids = select_sites([s.id for s in archive.sites()], sites, crawl_all)
        try:
            with site_locks(archive, site_ids):
                if distributed:
                    from ops.distributed.crawl import run_distributed

                    summary = run_distributed(
                        archive,
                        site_ids,
                        redis=redis_url,
                        settings_overrides=settings,
                        local_workers=workers,
                    )
                else:
                    from crawler.run import crawl

                    summary = crawl(archive, site_ids, settings_overrides=settings)
        except LockBusy as exc:
            raise fail(f"not crawling: {exc}") from exc
    Console(stderr=True).print(summary.table())
    if summary.outcome == RunOutcome.FAILED:
        raise fail(f"crawl run {summary.run_id} failed")


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, object]:
    import json

    out: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.startswith(
            (
                "NIANBAO_",
                "DOWNLOAD_",
                "CONCURRENT_",
                "AUTOTHROTTLE_",
                "ROBOTSTXT_",
                "RETRY_",
                "DEPTH_",
                "LOG_",
            )
        ):
            raise fail(f"--set takes NAME=VALUE with a crawler setting name, got {pair!r}")
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out
