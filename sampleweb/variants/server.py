"""sampleweb's SiteServer with what real servers of the variant web also do.

- lookups ignore the order and percent-encoding of query parameters (servers parse them);
- static servers (nginx in front of TRS or JCMS files) ignore query strings altogether;
- not-found answers in the site's dialect (404, or a "soft 404" with status 200);
- misbehaviour for flaky sites: 5xx answers, stalls and connection resets on some first
  attempts (deterministic per URL for a seed);
- 安全狗-style blank 200 pages when a client sends more than `burst_limit` requests a second;
- only the validators the site sends (ETag and/or Last-Modified).
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from sampleweb.model import Request, Resource, SiteContent
from sampleweb.server import NOT_FOUND_HTML, SiteServer, strip_session_id

SAFEDOG_BLANK = b"<html><head></head><body></body></html>"


def normal_key(path: str, query: str) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return path + ("?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")


@dataclass
class Misbehaviour:
    """Which first attempts fail, and how (a fixed share of URLs, chosen by hash)."""

    seed: str
    fail_5xx: float = 0.12
    stall: float = 0.05
    reset: float = 0.06
    twice: float = 0.03  # share of URLs whose second attempt fails too (5xx)

    def draw(self, target: str) -> float:
        digest = hashlib.sha1(f"{self.seed}|{target}".encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32

    def decide(self, target: str, attempt: int) -> str | None:
        h = self.draw(target)
        if attempt == 1:
            if h < self.fail_5xx:
                return "5xx"
            if h < self.fail_5xx + self.stall:
                return "stall"
            if h < self.fail_5xx + self.stall + self.reset:
                return "reset"
            return None
        if attempt == 2 and h < self.twice:
            return "5xx"
        return None


class VariantServer(SiteServer):
    def __init__(
        self,
        host: str,
        port: int,
        server_name: str,
        stall_seconds: float,
        *,
        static: bool = False,
        soft_404: bool = False,
        misbehaviour: Misbehaviour | None = None,
        burst_limit: int | None = None,
    ) -> None:
        self.static = static
        self.soft_404 = soft_404
        self.misbehaviour = misbehaviour
        self.burst_limit = burst_limit
        self._attempts: dict[str, int] = {}
        self._recent: deque[float] = deque()
        self._guard = threading.Lock()
        self._index: tuple[int, dict[str, Resource], dict[str, Resource]] | None = None
        self.extra_headers: dict[str, str] = {}
        # (method, path?query, status, body length) of every answer; status 0: reset
        self.answers: list[tuple[str, str, int, int]] = []
        super().__init__(host, port, server_name, stall_seconds)

    def configure(
        self,
        *,
        server_name: str,
        static: bool,
        soft_404: bool,
        misbehaviour: Misbehaviour | None,
        burst_limit: int | None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.server_name = server_name
        self.static = static
        self.soft_404 = soft_404
        self.misbehaviour = misbehaviour
        self.burst_limit = burst_limit
        self.extra_headers = dict(extra_headers or {})

    def set_content(self, content: SiteContent) -> None:
        super().set_content(content)
        with self._guard:
            self._attempts.clear()
            self._index = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True
        )
        self._thread.start()

    # ------------------------------------------------------------------ lookup

    def _indexes(self, content: SiteContent) -> tuple[dict[str, Resource], dict[str, Resource]]:
        with self._guard:
            if self._index is None or self._index[0] != id(content):
                normal: dict[str, Resource] = {}
                bare: dict[str, Resource] = {}
                for key, res in content.pages.items():
                    path, _, query = key.partition("?")
                    normal.setdefault(normal_key(path, query), res)
                    if not query:
                        bare[path] = res
                self._index = (id(content), normal, bare)
            return self._index[1], self._index[2]

    def resolve(self, request: Request, raw_target: str) -> Resource:
        found = super().resolve(request, raw_target)
        if found.status != 404 or found.body != NOT_FOUND_HTML:
            return found
        with self._lock:
            content = self._content
        assert content is not None
        normal, bare = self._indexes(content)
        split = urlsplit(raw_target)
        path = strip_session_id(split.path)
        page = normal.get(normal_key(path, split.query))
        if page is None and self.static and split.query:
            page = bare.get(path) or (bare.get(path + "index.html") if path.endswith("/") else None)
        if page is not None:
            return page
        if self.soft_404:
            body = (
                '<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在</title></head>'
                "<body><div class='error'><p>对不起，您访问的页面不存在或已删除！</p>"
                "<a href='/'>返回首页</a></div></body></html>"
            ).encode()
            return Resource(body, "text/html; charset=utf-8", status=200, conditional=False)
        return found

    # ------------------------------------------------------------------ behaviour

    def attempt(self, target: str) -> int:
        with self._guard:
            n = self._attempts.get(target, 0) + 1
            self._attempts[target] = n
            return n

    def burst(self) -> bool:
        if self.burst_limit is None:
            return False
        now = time.monotonic()
        with self._guard:
            self._recent.append(now)
            while self._recent and self._recent[0] < now - 1.0:
                self._recent.popleft()
            return len(self._recent) > self.burst_limit

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler_class()
        server = self

        class Handler(base):  # type: ignore[misc,valid-type]  # a base made at run time (the site's handler class)
            def _serve(self, send_body: bool) -> None:
                target = f"{self.command} {self.path}"
                if server.misbehaviour is not None:
                    decision = server.misbehaviour.decide(target, server.attempt(target))
                    if decision == "reset":
                        length = int(self.headers.get("Content-Length") or 0)
                        if length:
                            self.rfile.read(length)
                        server.requests.append((self.command, self.path))
                        server.answers.append((self.command, self.path, 0, 0))
                        self.close_connection = True
                        self.connection.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        return
                    if decision == "5xx":
                        length = int(self.headers.get("Content-Length") or 0)
                        if length:
                            self.rfile.read(length)
                        server.requests.append((self.command, self.path))
                        code = 502 if int(server.misbehaviour.draw(target) * 1000) % 2 else 503
                        body = f"<html><body><h1>{code} Bad Gateway</h1></body></html>".encode()
                        self._send(code, "text/html", body, {}, send_body)
                        return
                    if decision == "stall":
                        time.sleep(server.stall_seconds)
                if server.burst():
                    length = int(self.headers.get("Content-Length") or 0)
                    if length:
                        self.rfile.read(length)
                    server.requests.append((self.command, self.path))
                    headers = {
                        "X-Safedog": "waf2.0",
                        "Set-Cookie": "safedog-flow-item=; path=/",
                    }
                    self._send(200, "text/html", SAFEDOG_BLANK, headers, send_body)
                    return
                super()._serve(send_body)

            def _send(
                self,
                status: int,
                content_type: str | None,
                payload: bytes,
                headers: dict[str, str],
                send_body: bool,
            ) -> None:
                server.answers.append((self.command, self.path, status, len(payload)))
                headers = {**server.extra_headers, **headers}
                which = headers.pop("X-Validators", None)
                if which == "etag":
                    headers.pop("Last-Modified", None)
                elif which == "last-modified":
                    headers.pop("ETag", None)
                super()._send(status, content_type, payload, headers, send_body)

        return Handler
