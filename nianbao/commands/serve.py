"""``nianbao serve``: the reading room — web pages and JSON API over the archive."""

from __future__ import annotations

import click

from nianbao.commands.common import db_option, fail, handle_errors


@click.command(name="serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option(
    "--replay-host",
    default=None,
    help="Address of the replay server (pywb); default 127.0.0.2 when --host is "
    "127.0.0.1 (another host, so no cookie is shared), else --host.",
)
@click.option(
    "--replay-port",
    type=click.IntRange(0, 65535),
    default=8081,
    show_default=True,
    help="Port of the replay server (0: any free port).",
)
@click.option(
    "--replay-url",
    metavar="URL",
    envvar="NIANBAO_REPLAY_URL",
    default=None,
    help="Use a replay server already running at URL (e.g. behind a proxy) instead of "
    "starting pywb; default NIANBAO_REPLAY_URL.",
)
@click.option("--no-replay", is_flag=True, help="Do not start the replay server.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="uvicorn worker processes (one per core serves the most pages).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
@handle_errors
def command(
    db_url: str | None,
    host: str,
    port: int,
    replay_host: str | None,
    replay_port: int,
    replay_url: str | None,
    no_replay: bool,
    workers: int,
    log_level: str,
) -> None:
    """Serve the reading room: search, reports, diffs, coverage, findings and the
    archivists' view, with the JSON API under /api/v1 (OpenAPI at /openapi.json).
    Read-only unless NIANBAO_ADMIN_TOKEN is set. Archived pages are replayed by pywb on
    another origin, sandboxed."""
    from web.server import serve
    from web.settings import WebSettings

    if replay_url and not replay_url.startswith(("http://", "https://")):
        raise fail(f"--replay-url must be an http(s) URL, not {replay_url!r}")
    try:
        settings = WebSettings.from_env(db_url=db_url, replay_url=replay_url)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    serve(
        settings,
        host=host,
        port=port,
        replay_host=replay_host,
        replay_port=replay_port,
        replay=not no_replay,
        log_level=log_level,
        workers=workers,
    )
