"""The held-out web: every site on one loopback server that answers by host name.

Clients reach the host names either through the crawler's test resolver
(`NIANBAO_TEST_DNS`: every name → 127.0.0.1, see `dns()`) or by using the server as an
HTTP proxy (absolute-form request lines, as `wget -e http_proxy=…` and urllib's
ProxyHandler send them). Every request is logged per site for the benchmark.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from sampleweb.holdout.kit import Req, Resp, Site, Urls
from sampleweb.holdout.sites import BUILDERS

NOT_FOUND = Resp(404, "<html><body><h1>404</h1>页面不存在</body></html>".encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    web: HoldoutWeb


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.path
        if target.startswith("http://"):
            parts = urlsplit(target)
            host, target = (
                parts.hostname or "",
                parts.path + ("?" + parts.query if parts.query else ""),
            )
        else:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        web = self.server.web
        site, resp = web.answer(self.command, host, target, dict(self.headers.items()), body)
        url = web.urls(host, target)
        web.log(site, self.command, url, resp.status, len(resp.body))
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.ctype)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)


def _route(site: Site, req: Req) -> Resp:
    handler = site.routes.get((req.host, req.path))
    if handler is None:
        return NOT_FOUND
    return handler if isinstance(handler, Resp) else handler(req)


class HoldoutWeb:
    """`with HoldoutWeb() as web:` serves all held-out sites on 127.0.0.1:<port>."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.web = self
        self.port: int = self._server.server_address[1]
        self.urls = Urls(self.port)
        self.sites: list[Site] = [build(self.urls) for build in BUILDERS]
        self._by_host = {h: s for s in self.sites for h in s.hosts}
        self._lock = threading.Lock()
        self._log: list[tuple[str, str, str, int, int]] = []
        self._thread: threading.Thread | None = None

    # -- serving
    def __enter__(self) -> HoldoutWeb:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(
        self, method: str, host: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, Resp]:
        site = self._by_host.get(host)
        if site is None:
            return "", NOT_FOUND
        path, _, query = target.partition("?")
        path = path.split(";jsessionid=", 1)[0]
        if path == "/robots.txt":
            text = site.robots.get(host, "User-agent: *\nDisallow:\n")
            return site.id, Resp(body=text.encode(), ctype="text/plain")
        lower = {k.lower(): v for k, v in headers.items()}
        form: dict[str, str] = {}
        if method == "POST" and "json" not in lower.get("content-type", ""):
            form = dict(parse_qsl(body.decode(site.encoding, "replace"), keep_blank_values=True))
        req = Req(
            method, host, path, dict(parse_qsl(query, keep_blank_values=True)), form, lower, body
        )
        return site.id, _route(site, req)

    # -- request log
    def log(self, site: str, method: str, url: str, status: int, size: int) -> None:
        with self._lock:
            self._log.append((site, method, url, status, size))

    def requests(self) -> list[tuple[str, str, str, int, int]]:
        """(site, method, url, status, bytes) of every request since the last clear."""
        with self._lock:
            return list(self._log)

    def clear(self) -> None:
        with self._lock:
            self._log.clear()

    # -- registry and resolver
    def dns(self) -> dict[str, str]:
        """The `NIANBAO_TEST_DNS` table: every host of the web → the server's address."""
        return {h: "127.0.0.1" for h in self._by_host}

    def registry(self) -> dict[str, Any]:
        agencies: dict[str, dict[str, Any]] = {}
        for site in self.sites:
            for a in site.agencies:
                agencies.setdefault(a["id"], a)
        sites = [
            {
                "id": s.id,
                "agency": s.owner,
                "start_urls": s.start_urls,
                "hosts": s.hosts,
                "render": s.render,
                "allow_private": True,
            }
            for s in self.sites
        ]
        return {"agencies": list(agencies.values()), "sites": sites}

    def registry_yaml(self) -> str:
        return yaml.safe_dump(self.registry(), allow_unicode=True, sort_keys=False)

    def truth(self) -> list[dict[str, Any]]:
        """The ground truth of every site as plain data (URLs carry this server's port)."""
        return [
            {
                "site": s.id,
                "platform": s.platform,
                "dialect": s.dialect,
                "start_urls": s.start_urls,
                "minimum_requests": s.minimum,
                "documents": [asdict(d) for d in s.docs],
                "lookalikes": s.lookalikes,
                "robots_forbidden": s.forbidden,
                "minimal_path": [asdict(step) for step in s.steps],
            }
            for s in self.sites
        ]

    def site(self, site_id: str) -> Site:
        return next(s for s in self.sites if s.id == site_id)


def serve_forever(say: Callable[[str], None] = print, truth_file: Path | None = None) -> None:
    """`python -m sampleweb.holdout serve [--truth FILE]`: serve until interrupted."""
    with HoldoutWeb() as web:
        if truth_file is not None:
            truth_file.write_text(json.dumps(web.truth(), ensure_ascii=False, indent=1))
            say(f"# truth written to {truth_file}")
        say(
            f"# held-out web on 127.0.0.1:{web.port} (HTTP proxy, or resolve every host below to it)"
        )
        for s in web.sites:
            say(
                f"# {s.id:24} {s.platform:14} {len(s.docs):2d} docs, min {s.minimum:3d} requests: {s.start_urls[0]}"
            )
        say(f"# crawler setting NIANBAO_TEST_DNS={web.dns()}")
        say(web.registry_yaml())
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
