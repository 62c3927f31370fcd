"""Host mirrors of a site: a second host name (`www.` and bare, an old domain) or a mobile
host (`m.`) that serves the same pages at the same paths.

A crawl that follows the "手机版" or "English" link walks the whole site again under the
other name, every report twice. Evidence rather than names decides: a page of one host
whose path was already fetched on another host of the site, and whose links (as paths,
hosts aside) are the same, makes its host a mirror of the first. From then on the
mirror's links are read as the first host's (those already seen are not asked for again),
so a mirror costs the one page that revealed it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit, urlunsplit

from crawler.anchors import Anchor
from crawler.links import canonical_url, host_port_of

MIN_LINKS = 5
"""A page with fewer links than this says too little to call two hosts one site."""
SAME = 0.9
"""Share of links two pages must have in common (Jaccard, as paths) to be one page."""


@dataclass
class Mirrors:
    """What one site's pages looked like per host, and which hosts mirror which."""

    prints: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    """path → (host, its links as paths) of the first page fetched at that path."""
    aliases: dict[str, str] = field(default_factory=dict)
    """mirror host[:port] → the host it mirrors."""

    def observe(self, url: str, anchors: Iterable[Anchor], on_site: Callable[[str], bool]) -> bool:
        """Note a fetched page; True when it shows its host to be a new mirror
        (``on_site``: whether a URL is on one of the site's hosts)."""
        host = host_port_of(url)
        if host in self.aliases:
            return False
        links = _paths(anchors, on_site)
        if len(links) < MIN_LINKS:
            return False
        path = _path(url)
        seen = self.prints.get(path)
        if seen is None:
            self.prints[path] = (host, links)
            return False
        other, other_links = seen
        if other == host:
            return False
        if len(links & other_links) / len(links | other_links) < SAME:
            return False
        self.aliases[host] = self.aliases.get(other, other)
        return True

    def fold(self, anchors: list[Anchor]) -> list[Anchor]:
        """The anchors with every mirror host replaced by the host it mirrors."""
        if not self.aliases:
            return anchors
        return [self._folded(a) for a in anchors]

    def _folded(self, anchor: Anchor) -> Anchor:
        main = self.aliases.get(host_port_of(anchor.url))
        if main is None:
            return anchor
        parts = urlsplit(anchor.url)
        return replace(anchor, url=urlunsplit(parts._replace(netloc=main)))


def _path(url: str) -> str:
    """The URL without scheme and host, session ids dropped and query sorted."""
    parts = urlsplit(canonical_url(url))
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _paths(anchors: Iterable[Anchor], on_site: Callable[[str], bool]) -> frozenset[str]:
    """The anchors' targets on the site's own hosts, as paths."""
    return frozenset(_path(a.url) for a in anchors if on_site(a.url))
