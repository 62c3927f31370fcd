"""SampleWeb: the sites of the sample government web, each on its own loopback address."""

from __future__ import annotations

import json
from types import TracebackType
from typing import TypedDict

from sampleweb.model import SiteContent, Truth
from sampleweb.server import SiteServer
from sampleweb.sites.base import SiteBuilder, check_state
from sampleweb.sites.hanweb import HanwebCountySite
from sampleweb.sites.hostile import HostileSite
from sampleweb.sites.jsonapi import JsonApiSite
from sampleweb.sites.querylist import QueryListSite
from sampleweb.sites.static import StaticCitySite
from sampleweb.sites.trs import TrsGbkSite
from sampleweb.sites.waf import WafSite

SITE_CLASSES: tuple[type[SiteBuilder], ...] = (
    HanwebCountySite,
    TrsGbkSite,
    JsonApiSite,
    QueryListSite,
    WafSite,
    StaticCitySite,
)
FIRST_HOST = 11  # sites live on 127.0.0.11, 127.0.0.12, …


def _host(host_prefix: str, index: int) -> str:
    return f"{host_prefix}{FIRST_HOST + index}"


def site_builders(port: int, host_prefix: str = "127.0.0.") -> list[SiteBuilder]:
    """The site builders for base URLs http://<prefix><11+i>:<port> (nothing is started)."""
    return [cls(f"http://{_host(host_prefix, i)}:{port}") for i, cls in enumerate(SITE_CLASSES)]


def registry_yaml_for(builders: list[SiteBuilder]) -> str:
    """The registry (../shared/spec/registry.md) of the sample sites, as YAML text."""

    def q(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = [
        "# registry of the bundled sample web (sampleweb); some agencies are left out on",
        "# purpose: their reports must be archived as unregistered agencies",
        "agencies:",
    ]
    for builder in builders:
        for a in builder.registry().agencies:
            lines.append(f"  - id: {q(a.id)}")
            lines.append(f"    name: {q(a.name)}")
            if a.aliases:
                lines.append(f"    aliases: [{', '.join(q(x) for x in a.aliases)}]")
            if a.division_code:
                lines.append(f"    division_code: {q(a.division_code)}")
            lines.append(f"    level: {a.level}")
            lines.append(f"    kind: {a.kind}")
            if a.parent:
                lines.append(f"    parent: {q(a.parent)}")
    lines.append("")
    lines.append("sites:")
    for builder in builders:
        for s in builder.registry().sites:
            lines.append(f"  - id: {q(s.id)}")
            lines.append(f"    agency: {q(s.agency)}")
            lines.append("    start_urls:")
            lines += [f"      - {q(u)}" for u in s.start_urls]
            lines.append(f"    render: {s.render}")
    return "\n".join(lines) + "\n"


def registry_yaml(port: int = 8380, host_prefix: str = "127.0.0.") -> str:
    """The registry of the sample web served on a fixed port (for config files)."""
    return registry_yaml_for(site_builders(port, host_prefix))


def truth_for(builders: list[SiteBuilder], state: str) -> Truth:
    check_state(state)
    contents = [b.build(state) for b in builders]
    return _truth(builders, contents, state)


def _truth(builders: list[SiteBuilder], contents: list[SiteContent], state: str) -> Truth:
    return Truth(
        state=state,
        reports=[r for c in contents for r in c.truth.reports],
        decoys=[u for c in contents for u in c.truth.decoys],
        min_fetches=[u for c in contents for u in c.truth.min_fetches],
        traps=[u for c in contents for u in c.truth.traps],
        broken_links=[u for c in contents for u in c.truth.broken_links],
        changes=[ch for b in builders for ch in b.changes()],
    )


class SiteDescriptor(TypedDict):
    """What `SampleWeb.sites` tells of one site."""

    id: str
    title: str
    platform: str
    """the builder's class name (`WafSite`, `TrsGbkSite`, …)"""
    base_url: str
    start_urls: list[str]
    render: str
    port: int


class SampleWeb:
    """The sample government web. Use as a context manager, or start()/stop().

    `stall_seconds`: how long the one stalling page keeps its first request waiting
    (set the crawler's download timeout below it to see a timeout and a retry).
    `hostile`: also serve the hostile site (``sampleweb.sites.hostile``: markup in
    titles, a page script probing cookies and origins), after the others.
    """

    def __init__(
        self,
        state: str = "before",
        port: int = 0,
        host_prefix: str = "127.0.0.",
        *,
        stall_seconds: float = 3.0,
        hostile: bool = False,
    ) -> None:
        self.state = check_state(state)
        self._servers: list[SiteServer] = []
        self._builders: list[SiteBuilder] = []
        self._contents: dict[str, list[SiteContent]] = {}
        classes = SITE_CLASSES + ((HostileSite,) if hostile else ())
        for i, cls in enumerate(classes):
            host = _host(host_prefix, i)
            server = SiteServer(host, port, cls.server_name, stall_seconds)
            self._servers.append(server)
            self._builders.append(cls(f"http://{host}:{server.port}"))
        self._started = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SampleWeb:
        if self._started:
            return self
        for server, content in zip(self._servers, self._built(self.state), strict=True):
            server.set_content(content)
            server.start()
        self._started = True
        return self

    def stop(self) -> None:
        if not self._started:
            for server in self._servers:
                server.httpd.server_close()
            return
        for server in self._servers:
            server.stop()
        self._started = False

    def __enter__(self) -> SampleWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ content

    def _built(self, state: str) -> list[SiteContent]:
        if state not in self._contents:
            self._contents[state] = [b.build(state) for b in self._builders]
        return self._contents[state]

    def set_state(self, state: str) -> None:
        """Switch every site to `state` ("before" | "after") on the running servers."""
        self.state = check_state(state)
        for server, content in zip(self._servers, self._built(state), strict=True):
            server.set_content(content)

    @property
    def sites(self) -> list[SiteDescriptor]:
        """One descriptor per site: id, owner, platform, base URL, start URLs, render."""
        out: list[SiteDescriptor] = []
        for builder, server in zip(self._builders, self._servers, strict=True):
            entry = builder.registry().sites[0]
            out.append(
                {
                    "id": builder.id,
                    "title": builder.title,
                    "platform": type(builder).__name__,
                    "base_url": builder.base_url,
                    "start_urls": list(entry.start_urls),
                    "render": entry.render,
                    "port": server.port,
                }
            )
        return out

    def truth(self, state: str | None = None) -> Truth:
        state = check_state(state or self.state)
        return _truth(self._builders, self._built(state), state)

    def registry_yaml(self) -> str:
        return registry_yaml_for(self._builders)

    def requests(self) -> list[tuple[str, str, str]]:
        """Every request received so far: (site id, method, path?query)."""
        return [
            (b.id, method, target)
            for b, s in zip(self._builders, self._servers, strict=True)
            for method, target in list(s.requests)
        ]

    def clear_requests(self) -> None:
        for server in self._servers:
            server.requests.clear()
