"""The Redis keys of distributed crawls (one prefix per crawl)."""

from __future__ import annotations

import os
from dataclasses import dataclass

JOBS = "nianbao:jobs"
"""Hash: crawl id → job JSON, for every crawl that workers should join."""

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def host_key(host: str) -> str:
    """Sorted set of the downloads in progress from ``host`` by any worker of any crawl
    (member: a token; score: when the lease lapses if its worker died)."""
    return f"nianbao:host:{host}"


def redis_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("NIANBAO_REDIS_URL") or DEFAULT_REDIS_URL


@dataclass(frozen=True)
class CrawlKeys:
    crawl_id: str

    @property
    def prefix(self) -> str:
        return f"nianbao:crawl:{self.crawl_id}"

    @property
    def queue(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def workers(self) -> str:
        """Set of the workers that joined the crawl."""
        return f"{self.prefix}:workers"

    def processing(self, worker: str) -> str:
        """Hash token → serialised request popped by ``worker`` and not yet handled."""
        return f"{self.prefix}:processing:{worker}"

    def scores(self, worker: str) -> str:
        """Hash token → the request's queue score (its priority), to put it back."""
        return f"{self.prefix}:scores:{worker}"

    def alive(self, worker: str) -> str:
        """Present while ``worker`` beats (expires a few seconds after it dies)."""
        return f"{self.prefix}:alive:{worker}"

    @property
    def seeded(self) -> str:
        return f"{self.prefix}:seeded"

    @property
    def finished(self) -> str:
        return f"{self.prefix}:finished"

    @property
    def figures(self) -> str:
        """Hash worker → JSON of its per-site figures (refreshed while it crawls)."""
        return f"{self.prefix}:figures"

    def reports(self, site_id: str) -> str:
        """Set of the report keys found for a site, by any worker."""
        return f"{self.prefix}:reports:{site_id}"

    @property
    def fetches(self) -> str:
        """Counter of downloads started (for progress)."""
        return f"{self.prefix}:fetches"

    @property
    def requeued(self) -> str:
        """Counter of the in-flight requests of dead workers put back in the queue."""
        return f"{self.prefix}:requeued"

    @property
    def robots(self) -> str:
        """Hash netloc → robots.txt body (prefixed ``B``) or ``E`` (could not fetch)."""
        return f"{self.prefix}:robots"

    def robots_claim(self, netloc: str) -> str:
        return f"{self.prefix}:robots-claim:{netloc}"

    @property
    def pattern(self) -> str:
        return f"{self.prefix}:*"
