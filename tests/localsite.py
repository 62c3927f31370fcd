"""Small local sites for crawl tests (http.server on 127.0.0.1, port 0): a site answers
from a dict of paths, an answer may depend on how often its path was asked for; and the
archive, registry entry and failure listing the crawl tests share. The `make_site`
fixture (tests/integration/conftest.py) starts them and stops them after the test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from registry.model import Agency, Registry, Site
from storage.archive import Archive
from storage.types import FailureRecord

FAST = {
    "DOWNLOAD_TIMEOUT": 2,
    "NIANBAO_RETRY_BACKOFF": 0.01,
    "NIANBAO_PROGRESS": False,
    "AUTOTHROTTLE_ENABLED": False,
    "NIANBAO_RENDER_ENABLED": False,
}
BROWSER = {**FAST, "NIANBAO_RENDER_ENABLED": True}
REPORT = "测试县2023年政府信息公开工作年度报告"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )


Route = Answer | Callable[[int], Answer]


class LocalSite:
    """A site whose paths answer from a dict; `hits` counts requests per path."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: dict[str, int] = {}
        self.cookies: dict[str, list[str]] | None = None
        """When set: the Cookie header of each request, by path."""
        self.requests: list[tuple[str, dict[str, str]]] = []
        """Each request's path and headers (names in lower case), in order."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if site.cookies is not None:
                    site.cookies.setdefault(self.path, []).append(self.headers.get("Cookie", ""))
                route = site.routes.get(self.path)
                if route is None:
                    answer = Answer(404, b"not found")
                elif callable(route):
                    answer = route(site.hits[self.path])
                else:
                    answer = route
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def do_POST(self) -> None:  # answered by path as GET is (the form is read, unused)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def html(
    body: str, *, title: str = "栏目", charset: str | None = "utf-8", encoding: str = "utf-8"
) -> Answer:
    meta = f'<meta charset="{charset}">' if charset else ""
    page = f"<html><head>{meta}<title>{title}</title></head><body>{body}</body></html>"
    return Answer(200, page.encode(encoding), {"Content-Type": "text/html"})


def listing(*links: tuple[str, str]) -> Answer:
    items = "".join(
        f'<li><a href="{href}">{text}</a><span>2024-01-20</span></li>' for href, text in links
    )
    return html(f"<ul>{items}</ul>", title="政府信息公开年报")


def report_page(title: str = REPORT, extra: str = "") -> Answer:
    return html(f"<h1>{title}</h1><p>一、总体情况</p>{extra}", title=title)


def archive_for(tmp_path: Path, site: LocalSite, **options: object) -> Archive:
    archive = Archive(f"sqlite:///{tmp_path}/a.sqlite3", data_dir=tmp_path / "data")
    agency = Agency(
        id="ceshi", name="测试县人民政府", level="county", kind="government", aliases=["测试县"]
    )
    entry = Site(
        id="ceshi-gov",
        agency_id="ceshi",
        start_urls=[site.base + "/col/index.html"],
        hosts=["127.0.0.1"],
        render=str(options.pop("render", "never")),
        obey_robots=bool(options.pop("obey_robots", True)),
    )
    archive.import_registry(Registry(agencies=[agency], sites=[entry]))
    return archive


def failures(archive: Archive) -> dict[str, list[FailureRecord]]:
    out: dict[str, list[FailureRecord]] = {}
    for failure in archive.failures(site_id="ceshi-gov"):
        out.setdefault(failure["kind"], []).append(failure)
    return out
