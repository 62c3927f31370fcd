"""Registry entries as plain dataclasses (the storage layer maps them to rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("national", "province", "city", "county", "township")
KINDS = ("government", "department")
RENDER_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    division_code: str | None = None
    parent_id: str | None = None
    registered: bool = True


@dataclass(frozen=True)
class Site:
    id: str
    agency_id: str
    start_urls: list[str]
    hosts: list[str] = field(default_factory=list)
    render: str = "auto"
    schedule: str | None = None
    obey_robots: bool = True
    allow_private: bool = False
    """The registry names these hosts although they resolve to private or loopback
    addresses (the bundled sample web, an intranet mirror)."""


@dataclass
class Registry:
    agencies: list[Agency] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    source: str = "<memory>"
