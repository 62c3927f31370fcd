"""The browser and the downloader obey the same scope, checked before anything leaves.

A page of a registered site, rendered in Chromium, tries every way out to an
unregistered loopback server: that server receives nothing, and each refusal is
recorded. A registered host name that resolves to a private address receives nothing
either — not even ``robots.txt`` — unless the registry allows it (``allow_private``)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.run import crawl
from registry.model import Agency, Registry, Site
from storage.archive import Archive

REPORT = "测试县2023年政府信息公开工作年度报告"
FAST = {
    "DOWNLOAD_TIMEOUT": 5,
    "NIANBAO_RETRY_BACKOFF": 0.01,
    "RETRY_TIMES": 0,
    "NIANBAO_PROGRESS": False,
    "AUTOTHROTTLE_ENABLED": False,
}


class Trap:
    """An unregistered server: counts every connection and every byte it is sent."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://{host}:{self.port}"
        self.connections: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            self.connections.append(data)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            conn.close()

    def close(self) -> None:
        self.sock.close()


class SiteServer:
    """The registered site: paths answer from a dict; `hits` counts requests per path."""

    def __init__(self, host: str, routes: dict[str, tuple[int, str, bytes]]) -> None:
        self.routes = routes
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                status, content_type, body = site.routes.get(
                    self.path, (404, "text/plain", b"not found")
                )
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", body.decode())
                    body = b""
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def html(body: str, title: str = "栏目", head: str = "") -> tuple[int, str, bytes]:
    page = f'<html><head><meta charset="utf-8"><title>{title}</title>{head}</head><body>{body}</body></html>'
    return 200, "text/html; charset=utf-8", page.encode("utf-8")


def archive_with(
    tmp_path: Path, start_url: str, hosts: list[str], *, render: str, allow_private: bool
) -> Archive:
    archive = Archive(f"sqlite:///{tmp_path}/a.sqlite3", data_dir=tmp_path / "data")
    agency = Agency(id="ceshi", name="测试县人民政府", level="county", kind="government")
    site = Site(
        id="ceshi-gov",
        agency_id="ceshi",
        start_urls=[start_url],
        hosts=hosts,
        render=render,
        allow_private=allow_private,
    )
    archive.import_registry(Registry(agencies=[agency], sites=[site]))
    return archive


@pytest.fixture
def trap() -> Iterator[Trap]:
    t = Trap("127.0.0.3")
    yield t
    t.close()


def every_way_out(trap: str, ws: str, named: str) -> tuple[str, str]:
    """(head, body) of a page that tries every way out to ``trap``."""
    head = f"""
<link rel="stylesheet" href="{trap}/style.css">
<link rel="prefetch" href="{trap}/prefetch">
<link rel="preconnect" href="{trap}">
<link rel="dns-prefetch" href="{trap}">
<script src="{trap}/script.js"></script>"""
    body = f"""
<iframe src="{trap}/iframe.html"></iframe>
<iframe name="sink"></iframe>
<form id="f" method="post" action="{trap}/post" target="sink"><input name="a" value="1"></form>
<img src="{trap}/img.png">
<audio src="{trap}/audio.mp3" autoplay></audio>
<script>
fetch("{trap}/fetch", {{method: "POST", body: "x", mode: "no-cors"}}).catch(() => {{}});
fetch("{named}/named-fetch", {{mode: "no-cors"}}).catch(() => {{}});
var x = new XMLHttpRequest(); x.open("GET", "{trap}/xhr"); x.send();
try {{ new WebSocket("{ws}/ws"); }} catch (e) {{}}
try {{ new EventSource("{trap}/events"); }} catch (e) {{}}
navigator.sendBeacon("{trap}/beacon", "b");
document.getElementById("f").submit();
if (navigator.serviceWorker) navigator.serviceWorker.register("/sw.js").catch(() => {{}});
</script>"""
    return head, body


@pytest.mark.browser
def test_a_rendered_page_cannot_reach_an_unregistered_server(tmp_path: Path, trap: Trap) -> None:
    named = f"http://intranet.test:{trap.port}"  # registered name, private address
    head, attacks = every_way_out(trap.base, f"ws://127.0.0.3:{trap.port}", named)
    routes: dict[str, tuple[int, str, bytes]] = {
        "/robots.txt": (200, "text/plain", b"User-agent: *\n"),
        "/sw.js": (
            200,
            "application/javascript",
            f'self.addEventListener("install", () => fetch("{trap.base}/sw-fetch"));'.encode(),
        ),
        "/moved.html": (302, "text/html", f"{trap.base}/moved.html".encode()),
        "/jsmove.html": html(
            f'<script>location.replace("{trap.base}/jsmove.html")</script>', title=REPORT
        ),
        "/report.html": html(f"<h1>{REPORT}</h1><p>一、总体情况</p>{attacks}", REPORT, head),
    }
    site = SiteServer("127.0.0.1", routes)
    base = f"http://127.0.0.1:{site.port}"
    routes["/col/index.html"] = html(
        "<ul>"
        f'<li><a href="/report.html">{REPORT}</a><span>2024-01-20</span></li>'
        '<li><a href="/moved.html">测试县2022年政府信息公开工作年度报告</a><span>2023-01-20</span></li>'
        '<li><a href="/jsmove.html">测试县2021年政府信息公开工作年度报告</a><span>2022-01-20</span></li>'
        f"</ul>{attacks}",
        "政府信息公开年报",
        head,
    )
    try:
        archive = archive_with(
            tmp_path,
            base + "/col/index.html",
            [f"127.0.0.1:{site.port}", f"intranet.test:{trap.port}"],
            render="always",
            allow_private=False,
        )
        summary = crawl(
            archive,
            settings_overrides={**FAST, "NIANBAO_TEST_DNS": {"intranet.test": "127.0.0.3"}},
        )
        assert site.hits.get("/report.html"), "the report page was not rendered"
        assert summary.stats.get("playwright/page_count", 0) >= 2
        # the unregistered server received nothing at all
        assert trap.connections == [], trap.connections
        failures = archive.failures(site_id="ceshi-gov")
        refused = {(f["kind"], f["url"]) for f in failures}
        print(sorted(refused))
        # 127.0.0.3 is a loopback address the registry does not name
        for path in ("style.css", "script.js", "iframe.html", "fetch", "xhr", "beacon", "post"):
            assert ("private_address", f"{trap.base}/{path}") in refused, (path, sorted(refused))
        # the WebSocket goes through a CONNECT tunnel: refused as such
        assert ("private_address", f"https://127.0.0.3:{trap.port}/") in refused, sorted(refused)
        # the registered name resolves to a private address: refused before connecting
        assert ("private_address", f"{named}/named-fetch") in refused, sorted(refused)
        # the redirect the browser followed, and the one a script made: nothing archived
        assert any(kind == "offsite" and "/moved.html" in url for kind, url in refused), sorted(
            refused
        )
        assert any(kind == "offsite" and "/jsmove.html" in url for kind, url in refused), sorted(
            refused
        )
        archived = {d.url for d in archive.known_documents("ceshi-gov")}
        assert all("127.0.0.3" not in url for url in archived), archived
        assert base + "/report.html" in archived
        assert summary.sites["ceshi-gov"].errors.get("private_address", 0) >= 9
        archive.close()
    finally:
        site.close()


def test_a_registered_name_on_a_private_address_receives_nothing(tmp_path: Path) -> None:
    """The downloader: checked when the name is resolved, before robots.txt."""
    routes = {
        "/robots.txt": (200, "text/plain", b"User-agent: *\n"),
        "/col/index.html": html(f'<a href="/report.html">{REPORT}</a>', "政府信息公开年报"),
        "/report.html": html(f"<h1>{REPORT}</h1><p>一、总体情况</p>", REPORT),
    }
    site = SiteServer("127.0.0.1", routes)
    start = f"http://intranet.test:{site.port}/col/index.html"
    dns = {"NIANBAO_TEST_DNS": {"intranet.test": "127.0.0.1"}, "NIANBAO_RENDER_ENABLED": False}
    try:
        archive = archive_with(
            tmp_path, start, [f"intranet.test:{site.port}"], render="never", allow_private=False
        )
        summary = crawl(archive, settings_overrides={**FAST, **dns})
        assert site.hits == {}, site.hits  # not even robots.txt
        kinds = {f["kind"] for f in archive.failures(site_id="ceshi-gov")}
        assert "private_address" in kinds, [
            f["detail"] for f in archive.failures(site_id="ceshi-gov")
        ]
        [failure] = [f for f in archive.failures(site_id="ceshi-gov") if f["url"] == start]
        assert "resolved to the private address 127.0.0.1" in str(failure["detail"])
        assert summary.sites["ceshi-gov"].reports_found == 0
        archive.close()

        # allowed by the registry: crawled, through the name's one checked address
        allowed = archive_with(
            tmp_path / "allowed",
            start,
            [f"intranet.test:{site.port}"],
            render="never",
            allow_private=True,
        )
        summary = crawl(allowed, settings_overrides={**FAST, **dns})
        assert site.hits.get("/report.html") == 1
        assert summary.sites["ceshi-gov"].reports_found == 1
        allowed.close()
    finally:
        site.close()


def test_the_checked_address_is_the_one_used() -> None:
    """Pinning: a name is resolved once and the checked answer is what the connection
    uses; an answer that changes afterwards (DNS rebinding) is never looked at, and a
    private one is refused where the site does not allow it."""
    from crawler.refusals import Refused
    from crawler.resolver import AddressPolicy, CheckedResolver

    policy = AddressPolicy()
    policy.configure([(["rebind.test:80"], True), (["public.test"], False)])
    resolver = CheckedResolver(
        {"rebind.test": ["127.0.0.5", "127.0.0.6"], "public.test": ["127.0.0.7"]}, policy
    )
    assert resolver.checked_address("rebind.test") == "127.0.0.5"
    assert resolver.checked_address("rebind.test") == "127.0.0.5"  # pinned, not asked again
    assert resolver.lookups["rebind.test"] == 1
    with pytest.raises(Refused) as refused:
        resolver.checked_address("public.test")
    assert refused.value.kind == "private_address"


@pytest.mark.browser
def test_more_rendered_sites_than_browser_contexts(tmp_path: Path) -> None:
    """Each site renders in its own context (its own proxy); a site's context is closed
    when it has no page being rendered, so three sites get through with two contexts
    (PLAYWRIGHT_MAX_CONTEXTS)."""
    servers = []
    sites = []
    for n in range(3):
        routes = {
            "/robots.txt": (200, "text/plain", b"User-agent: *\n"),
            "/col/index.html": html(f'<a href="/report.html">{REPORT}</a>', "政府信息公开年报"),
            "/report.html": html(f"<h1>{REPORT}</h1><p>一、总体情况</p>", REPORT),
        }
        server = SiteServer("127.0.0.1", routes)
        servers.append(server)
        sites.append(
            Site(
                id=f"s{n}-gov",
                agency_id="ceshi",
                start_urls=[f"http://127.0.0.1:{server.port}/col/index.html"],
                hosts=[f"127.0.0.1:{server.port}"],
                render="always",
            )
        )
    try:
        archive = Archive(f"sqlite:///{tmp_path}/a.sqlite3", data_dir=tmp_path / "data")
        agency = Agency(id="ceshi", name="测试县人民政府", level="county", kind="government")
        archive.import_registry(Registry(agencies=[agency], sites=sites))
        summary = crawl(archive, settings_overrides={**FAST, "PLAYWRIGHT_MAX_CONTEXTS": 2})
        for n in range(3):
            assert summary.sites[f"s{n}-gov"].reports_found == 1, summary.sites
        assert summary.stats.get("playwright/context_count", 0) >= 3
        assert summary.stats.get("playwright/context_count/max_concurrent", 0) <= 2
        archive.close()
    finally:
        for server in servers:
            server.close()
