"""The browser's only way out: a filtering HTTP proxy per site, in the crawl process.

Chromium renders a registered page with the page's scripts, which may try any way out:
scripts and styles of other hosts, iframes, ``fetch``/XHR, redirects, WebSockets, form
posts, prefetch and preconnect, ``sendBeacon``, service workers — towards other hosts or
internal services (``127.0.0.1:6379``). Route interception in Playwright does not see
all of them (service workers, WebSockets), so the network itself is closed instead:

- Chromium is launched with a global proxy that does not exist (``127.0.0.1:1``) and
  ``--proxy-bypass-list=<-loopback>``: a context without a proxy of ours reaches
  nothing, loopback included;
- each site gets its own browser context whose proxy is a :class:`ScopeProxy` on
  loopback (``crawler.middlewares.browser``), with service workers blocked;
- the proxy lets a request out only to a host of the site's registry entry, resolves
  host names itself (``crawler.resolver``: private addresses refused unless the site
  allows them) and connects to the address it checked (pinned). Plain HTTP is forwarded
  one request per connection; HTTPS and WebSockets through ``CONNECT`` tunnels to the
  checked address.

Everything refused is answered ``403`` (a ``CONNECT`` fails) before any byte leaves, and
reported to ``on_refusal`` (the middleware records it as a crawl failure of the site:
``offsite`` or ``private_address``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from crawler.links import is_private_address
from crawler.refusals import Refused
from crawler.resolver import CheckedResolver, is_ip_literal
from storage.vocab import FailureKind

logger = logging.getLogger(__name__)

HEAD_LIMIT = 64 * 1024
CONNECT_TIMEOUT = 10.0
_HOP_BY_HOP = {b"proxy-connection", b"proxy-authorization", b"connection", b"keep-alive"}

Refusal = Callable[[str, str, str], None]
"""on_refusal(url, kind, detail)"""


class ScopeProxy:
    """A forward proxy for one site: ``in_scope(url)`` says which hosts are the site's."""

    def __init__(
        self,
        site_id: str,
        in_scope: Callable[[str], bool],
        resolver: CheckedResolver,
        on_refusal: Refusal,
    ) -> None:
        self.site_id = site_id
        self.in_scope = in_scope
        self.resolver = resolver
        self.on_refusal = on_refusal
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        self.allowed = 0
        self.refused = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=HEAD_LIMIT)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    # -- one client connection ----------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        except Exception:  # a proxy bug must not take the crawl down
            logger.exception("browser proxy of %s", self.site_id)
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            await _answer(writer, 431, "request head too large")
            return
        request_line, _, header_block = head.partition(b"\r\n")
        parts = request_line.split(b" ")
        if len(parts) != 3:
            await _answer(writer, 400, "not an HTTP request")
            return
        method, target, version = (p.decode("latin-1") for p in parts)
        if method == "CONNECT":
            host, port = _split_host_port(target, 443)
            url = f"https://{_join(host, port)}/"
            shown = f"CONNECT {target}"
        else:
            parsed = urlsplit(target)
            if parsed.scheme not in ("http", "ws") or not parsed.hostname:
                await _answer(writer, 400, "absolute http:// URL expected")
                return
            host, port = parsed.hostname, parsed.port or 80
            url = target
            shown = f"{method} {target}"
        address = await self._check(url, host, shown)
        if address is None:
            await _answer(writer, 403, "refused by nianbao: outside the site's scope")
            return
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(address, port), CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError) as exc:
            await _answer(writer, 502, f"cannot connect: {exc}")
            return
        self.allowed += 1
        try:
            if method == "CONNECT":
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                await writer.drain()
            else:
                parsed = urlsplit(target)
                path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
                lines = [f"{method} {path} {version}".encode("latin-1")]
                for line in header_block.split(b"\r\n"):
                    name = line.split(b":", 1)[0].strip().lower()
                    if line and name not in _HOP_BY_HOP:
                        lines.append(line)
                lines.append(b"Connection: close")
                upstream_writer.write(b"\r\n".join(lines) + b"\r\n\r\n")
            await _splice(reader, writer, upstream_reader, upstream_writer)
        finally:
            with contextlib.suppress(Exception):
                upstream_writer.close()

    async def _check(self, url: str, host: str, shown: str) -> str | None:
        """The address to connect to, or None (refused and reported)."""
        host = host.lower().strip("[]")
        if not self.in_scope(url):
            if is_private_address(host):
                self._refuse(
                    url,
                    FailureKind.PRIVATE_ADDRESS,
                    f"{host} is a private or loopback address the registry does not name for site {self.site_id}",
                    shown,
                )
            else:
                self._refuse(
                    url, FailureKind.OFFSITE, f"{host} is not a host of site {self.site_id}", shown
                )
            return None
        if is_ip_literal(host):
            return host  # named by the registry (scope above)
        try:
            return await asyncio.to_thread(self.resolver.checked_address, host)
        except Refused as exc:
            self._refuse(url, exc.kind or FailureKind.PRIVATE_ADDRESS, exc.detail, shown)
        except OSError as exc:
            self._refuse(url, FailureKind.DNS, f"{host} does not resolve: {exc}", shown)
        return None

    def _refuse(self, url: str, kind: FailureKind, detail: str, shown: str) -> None:
        self.refused += 1
        self.on_refusal(url, kind, f"the browser's request {shown} was refused: {detail}")


async def _answer(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    body = text.encode("utf-8")
    reason = {
        400: "Bad Request",
        403: "Forbidden",
        431: "Request Header Fields Too Large",
        502: "Bad Gateway",
    }[status]
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"X-Nianbao-Refused: {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(Exception):
        await writer.drain()


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    try:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            if dst.can_write_eof():
                dst.write_eof()


async def _splice(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
) -> None:
    up = asyncio.ensure_future(_pipe(client_reader, upstream_writer))
    down = asyncio.ensure_future(_pipe(upstream_reader, client_writer))
    try:
        done, _ = await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        if down not in done:  # the client is done sending: let the answer finish
            await asyncio.wait({down}, timeout=CONNECT_TIMEOUT * 3)
    finally:
        for task in (up, down):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _split_host_port(target: str, default: int) -> tuple[str, int]:
    if target.startswith("["):
        host, _, rest = target[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = target.rpartition(":") if ":" in target else (target, "", "")
    try:
        return host, int(port) if port else default
    except ValueError:
        return host, default


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
