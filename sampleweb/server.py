"""The HTTP side: one ThreadingHTTPServer per site, serving a swappable SiteContent."""

from __future__ import annotations

import hashlib
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from sampleweb.model import FURNITURE_MARK, Request, Resource, SiteContent

NOT_FOUND_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
    "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>"
).encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def strip_session_id(path: str) -> str:
    """Java servers ignore `;jsessionid=...` path parameters."""
    head, sep, _tail = path.partition(";jsessionid=")
    return head if sep else path


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    """Clients that give up (timeouts) are normal here: no tracebacks for them."""

    daemon_threads = True

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class SiteServer:
    """Serves one site on its own loopback address; content can be swapped live."""

    def __init__(self, host: str, port: int, server_name: str, stall_seconds: float) -> None:
        self.server_name = server_name
        self.stall_seconds = stall_seconds
        self._content: SiteContent | None = None
        self._lock = threading.Lock()
        self._views = 0
        self._seen: set[tuple[str, str]] = set()  # (behaviour, url) already misbehaved once
        self.requests: list[tuple[str, str]] = []  # (method, path?query) as received
        self.httpd = QuietThreadingHTTPServer((host, port), self._handler_class())
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def set_content(self, content: SiteContent) -> None:
        with self._lock:
            self._content = content
            self._seen.clear()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ------------------------------------------------------------------ dispatch

    def resolve(self, request: Request, raw_target: str) -> Resource:
        with self._lock:
            content = self._content
        if content is None:
            raise RuntimeError("site has no content: call set_content first")
        for handler in content.dynamic:
            found = handler(request)
            if found is not None:
                return found
        split = urlsplit(raw_target)
        path = strip_session_id(split.path)
        key = path + ("?" + split.query if split.query else "")
        page = content.pages.get(key)
        if page is None and key.endswith("/"):
            page = content.pages.get(key + "index.html")
        if page is None:
            return Resource(
                NOT_FOUND_HTML, "text/html; charset=utf-8", status=404, conditional=False
            )
        return page

    def first_time(self, behaviour: str, url: str) -> bool:
        with self._lock:
            if (behaviour, url) in self._seen:
                return False
            self._seen.add((behaviour, url))
            return True

    def furniture(self) -> bytes:
        with self._lock:
            self._views += 1
            views = self._views
        clock = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return (
            f'<div class="furniture">浏览次数：<span id="views">{views}</span> '
            f'当前时间：<span id="clock">{clock}</span></div>'
        ).encode("ascii", "xmlcharrefreplace")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = site.server_name
            sys_version = ""

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:
                self._serve(send_body=True)

            def do_HEAD(self) -> None:
                self._serve(send_body=False)

            def do_POST(self) -> None:
                self._serve(send_body=True)

            def _serve(self, send_body: bool) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=strip_session_id(split.path),
                    query=dict(parse_qsl(split.query, keep_blank_values=True)),
                    body=body,
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                site.requests.append((self.command, self.path))
                resource = site.resolve(request, self.path)
                url = f"{self.command} {self.path}"
                if resource.behaviour == "503-once" and site.first_time("503", url):
                    self._send(
                        503,
                        "text/html; charset=utf-8",
                        b"<h1>503 Service Unavailable</h1>",
                        {},
                        send_body,
                    )
                    return
                if resource.behaviour == "stall-once" and site.first_time("stall", url):
                    time.sleep(site.stall_seconds)
                headers = dict(resource.headers)
                if resource.conditional and resource.status == 200:
                    etag = etag_of(resource.body)
                    last_modified = resource.last_modified.replace(microsecond=0)
                    headers["ETag"] = etag
                    headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)
                    if self._not_modified(etag, last_modified):
                        self._send(304, None, b"", headers, send_body)
                        return
                payload = resource.body
                if resource.furniture:
                    payload = payload.replace(FURNITURE_MARK, site.furniture())
                self._send(resource.status, resource.content_type, payload, headers, send_body)

            def _not_modified(self, etag: str, last_modified: datetime) -> bool:
                if_none_match = self.headers.get("If-None-Match")
                if if_none_match is not None:
                    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
                    return etag in tags or "*" in tags
                since = self.headers.get("If-Modified-Since")
                if since:
                    try:
                        when = parsedate_to_datetime(since)
                    except (TypeError, ValueError):
                        return False
                    if when.tzinfo is None:
                        when = when.replace(tzinfo=UTC)
                    return last_modified <= when
                return False

            def _send(
                self,
                status: int,
                content_type: str | None,
                payload: bytes,
                headers: dict[str, str],
                send_body: bool,
            ) -> None:
                # headers may carry raw GBK bytes (Content-Disposition): send them as latin-1
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if send_body and status != 304:
                    self.wfile.write(payload)

        return Handler
