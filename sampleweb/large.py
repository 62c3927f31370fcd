"""A large local site for throughput benchmarks: a listing hierarchy of 10,000+ pages.

`/` links to columns `/col/C/index.html`; each column pages through `/col/C/list_N.html`
(20 articles each, a 下一页 link); articles `/art/C/ID.html`. Every 25th article is a
report (title `XX镇2020年政府信息公开工作年度报告`), the rest news and look-alikes. Pages
are generated on request, so the site starts instantly whatever its size.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from types import TracebackType
from typing import Self

from sampleweb.model import Request, Resource, SiteContent, SiteTruth
from sampleweb.render import html_fragment
from sampleweb.server import SiteServer
from sampleweb.sites.base import at, html_document, html_resource
from sampleweb.texts import synth_report

PER_LIST = 20
REPORT_EVERY = 25
PER_COLUMN = 1000  # pages (list pages + articles) per column, roughly

_A = "青白东西南北金银石云龙凤桃李柳松梅兰竹溪"
_B = "山河湖岭坪田桥塘湾源"
_NEWS = (
    "召开政务公开工作会议",
    "开展安全生产检查",
    "2021年部门预算",
    "政府信息公开指南",
    "部署防汛工作",
)


@dataclass(frozen=True)
class Layout:
    columns: int
    lists_per_column: int
    articles_per_column: int

    @property
    def total_pages(self) -> int:
        return 1 + self.columns * (1 + self.lists_per_column + self.articles_per_column)


def layout_for(pages: int) -> Layout:
    if pages < 50:
        raise ValueError(f"pages must be at least 50, got {pages}")
    columns = max(1, round(pages / PER_COLUMN))
    per_column = -(-(pages - 1) // columns) - 1  # minus each column's index page
    lists = -(-per_column // (PER_LIST + 1))
    return Layout(columns, lists, per_column - lists)


def township(column: int, article: int) -> str:
    k = column * 10_000 + article
    return f"{_A[k % len(_A)]}{_B[(k // len(_A)) % len(_B)]}{k}镇"


class LargeSite:
    """One big site on its own loopback address (default 127.0.0.30)."""

    def __init__(self, pages: int = 10_000, port: int = 0, host: str = "127.0.0.30") -> None:
        self.layout = layout_for(pages)
        self._server = SiteServer(host, port, "nginx", stall_seconds=0)
        self.base_url = f"http://{host}:{self._server.port}"
        self._server.set_content(SiteContent(pages={}, dynamic=[self._handle], truth=SiteTruth()))
        self._started = False

    @property
    def start_url(self) -> str:
        return self.base_url + "/"

    @property
    def total_pages(self) -> int:
        return self.layout.total_pages

    def is_report(self, article: int) -> bool:
        return article % REPORT_EVERY == REPORT_EVERY - 1

    @property
    def report_urls(self) -> list[str]:
        return [
            f"{self.base_url}/art/{c}/{a}.html"
            for c in range(self.layout.columns)
            for a in range(self.layout.articles_per_column)
            if self.is_report(a)
        ]

    @property
    def min_fetches(self) -> list[str]:
        """robots.txt, the home page, every listing page, every report page."""
        listing = [self.base_url + "/robots.txt", self.start_url]
        for c in range(self.layout.columns):
            listing.append(f"{self.base_url}/col/{c}/index.html")
            listing += [
                f"{self.base_url}/col/{c}/list_{n}.html"
                for n in range(1, self.layout.lists_per_column + 1)
            ]
        return ["GET " + u for u in listing + self.report_urls]

    def registry_yaml(self) -> str:
        return (
            "agencies:\n  - id: dayang\n    name: 大样县人民政府\n    aliases: [大样县]\n"
            "    level: county\n    kind: government\nsites:\n  - id: dayang-gov\n    agency: dayang\n"
            f"    start_urls:\n      - {json.dumps(self.start_url)}\n    render: never\n"
        )

    # ------------------------------------------------------------------ serving

    def start(self) -> Self:
        if not self._started:
            self._server.start()
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._server.stop()
            self._started = False
        else:
            self._server.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def requests(self) -> list[tuple[str, str]]:
        return list(self._server.requests)

    def _title(self, column: int, article: int) -> str:
        if self.is_report(article):
            return f"{township(column, article)}2020年政府信息公开工作年度报告"
        return f"大样县{_NEWS[article % len(_NEWS)]}（{column}-{article}）"

    def _handle(self, request: Request) -> Resource | None:
        path = request.path
        lay = self.layout
        if path == "/robots.txt":
            return Resource(b"User-agent: *\nAllow: /\n", "text/plain")
        if path in ("/", "/index.html"):
            links = "".join(
                f'<li><a href="/col/{c}/index.html">栏目{c}</a></li>' for c in range(lay.columns)
            )
            return html_resource(html_document("大样县人民政府", f"<ul>{links}</ul>"))
        match = re.fullmatch(r"/col/(\d+)/(index|list_(\d+))\.html", path)
        if match:
            column = int(match.group(1))
            if column >= lay.columns:
                return None
            if match.group(2) == "index":
                body = f'<h2>栏目{column}</h2><a href="list_1.html">政府信息公开年报</a>'
                return html_resource(html_document(f"栏目{column}", body))
            page = int(match.group(3))
            if not 1 <= page <= lay.lists_per_column:
                return None
            first = (page - 1) * PER_LIST
            arts = range(first, min(first + PER_LIST, lay.articles_per_column))
            lis = "".join(
                f'<li><a href="/art/{column}/{a}.html">{escape(self._title(column, a))}</a></li>'
                for a in arts
            )
            nxt = (
                f'<a href="list_{page + 1}.html">下一页</a>' if page < lay.lists_per_column else ""
            )
            return html_resource(html_document(f"栏目{column}", f"<ul>{lis}</ul>{nxt}"))
        match = re.fullmatch(r"/art/(\d+)/(\d+)\.html", path)
        if match:
            column, article = int(match.group(1)), int(match.group(2))
            if column >= lay.columns or article >= lay.articles_per_column:
                return None
            title = self._title(column, article)
            if self.is_report(article):
                body = html_fragment(synth_report(township(column, article), 2020, article).text)
            else:
                body = f"<p>{escape(title)}。</p>"
            return html_resource(
                html_document(title, f"<h1>{escape(title)}</h1>{body}"), modified=at("2021-02-01")
            )
        return None
