"""Per-site state of a crawl: scope, what the archive already knows, budget, blocking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.links import canonical_url, host_of, host_port_of


@dataclass
class SiteState:
    site: Any
    """registry.model.Site"""
    hosts: frozenset[str] = frozenset()
    """host and host:port entries the crawl may visit."""
    known: dict[str, Any] = field(default_factory=dict)
    """canonical URL → storage KnownDocument already archived for the site."""
    blocked: bool = False
    pages_scheduled: int = 0
    budget_exhausted: bool = False
    reports: set[str] = field(default_factory=set)
    """Keys of the reports found (report page URL, or attachment URL for bare files)."""

    @classmethod
    def of(cls, site: Any, known_documents: list[Any]) -> SiteState:
        hosts = {h.lower() for h in (site.hosts or [])}
        if not hosts:
            hosts = {host_port_of(u) for u in site.start_urls}
        known = {canonical_url(doc.url): doc for doc in known_documents}
        return cls(site=site, hosts=frozenset(hosts), known=known)

    def in_scope(self, url: str) -> bool:
        return host_port_of(url) in self.hosts or host_of(url) in self.hosts

    @property
    def id(self) -> str:
        return str(self.site.id)
