"""Serving the reading room: uvicorn for the app, pywb beside it for replay."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import signal
from collections.abc import Iterator
from dataclasses import replace

import uvicorn

from storage.archive import Archive
from web.app import create_app
from web.replay import ReplayError, ReplayServer, replay_host_for
from web.room import Room
from web.settings import WebSettings, pywb_command

log = logging.getLogger("nianbao.web")


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def local_address(host: str) -> str:
    """Where a process on this machine reaches a server bound to ``host``."""
    try:
        if ipaddress.ip_address(host).is_unspecified:
            return "127.0.0.1"
    except ValueError:
        pass
    return host


@contextlib.contextmanager
def replay_for(
    archive: Archive,
    app_host: str,
    app_port: int,
    *,
    host: str | None,
    port: int,
) -> Iterator[tuple[ReplayServer | None, str | None]]:
    """pywb serving the archive's WARC files (None and the reason when it cannot run)."""
    command = pywb_command()
    if command is None:
        yield None, "pywb is not installed (scripts/bootstrap installs it in .venv-pywb)"
        return
    server = ReplayServer(
        command,
        cdx_url=f"http://{local_address(app_host)}:{app_port}/api/v1/cdx",
        warc_dir=archive.warc_dir,
        host=host or replay_host_for(app_host),
        port=port,
    )
    try:
        server.start()
    except ReplayError as exc:
        yield None, str(exc)
        return
    try:
        yield server, None
    finally:
        server.stop()


def serve(
    settings: WebSettings,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    replay_host: str | None = None,
    replay_port: int = 8081,
    replay: bool = True,
    log_level: str = "info",
    workers: int = 1,
) -> None:
    """Open the archive, start pywb (unless ``replay`` is False) and serve until stopped;
    with ``workers`` > 1, that many uvicorn processes share the port (each with its own
    caches: region tree, audit)."""
    # uvicorn ends by raising the signal that stopped it again: let SIGTERM unwind this
    # function (and stop pywb) as Ctrl-C does.
    signal.signal(signal.SIGTERM, _terminate)
    archive = Archive(settings.db_url, settings.data_dir)
    with contextlib.ExitStack() as stack:
        stack.callback(archive.close)
        problem = None
        if replay and not settings.replay_url:
            server, problem = stack.enter_context(
                replay_for(archive, host, port, host=replay_host, port=replay_port)
            )
            if server is not None:
                settings = replace(settings, replay_url=server.url)
        print(f"nianbao reading room: http://{local_address(host)}:{port}/  ({archive.safe_url})")
        if settings.replay_url:
            print(f"replay (pywb): {settings.replay_url}/")
        elif problem:
            print(f"no replay: {problem}")
        print("admin actions: " + ("on (NIANBAO_ADMIN_TOKEN)" if settings.admin_token else "off"))
        if workers > 1:
            os.environ["NIANBAO_DB"] = archive.url
            os.environ["NIANBAO_DATA_DIR"] = str(archive.data_dir)
            if settings.replay_url:
                os.environ["NIANBAO_REPLAY_URL"] = settings.replay_url
            uvicorn.run(
                "web.asgi:app",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level=log_level,
                access_log=log_level == "debug",
                proxy_headers=False,
            )
            return
        uvicorn.run(
            create_app(Room(archive, settings)),
            host=host,
            port=port,
            log_level=log_level,
            access_log=log_level == "debug",
            proxy_headers=False,
        )


@contextlib.contextmanager
def running(
    archive: Archive,
    settings: WebSettings | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    replay: bool = True,
    replay_host: str | None = None,
) -> Iterator[tuple[str, str | None]]:
    """The reading room served by uvicorn in a thread (and pywb beside it), for tests,
    screenshots and benchmarks: yields (app URL, replay URL or None)."""
    import threading
    import time

    from web.replay import free_port

    settings = settings or WebSettings()
    port = port or free_port(host)
    with contextlib.ExitStack() as stack:
        replay_url = settings.replay_url
        if replay and not replay_url:
            server, problem = stack.enter_context(
                replay_for(archive, host, port, host=replay_host, port=0)
            )
            if server is None:
                raise ReplayError(problem or "no replay server")
            replay_url = server.url
            settings = replace(settings, replay_url=replay_url)
        app = create_app(Room(archive, settings))
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        uv = uvicorn.Server(config)
        thread = threading.Thread(target=uv.run, name="nianbao-web", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not uv.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the reading room did not start on {host}:{port}")
            time.sleep(0.05)
        try:
            yield f"http://{local_address(host)}:{port}", replay_url
        finally:
            uv.should_exit = True
            thread.join(timeout=10)
