"""The reading room's state: the open archive and what it keeps between requests.

- the region tree of the coverage matrix (every agency with its effective division code),
  read again when the agencies change;
- the whole-archive audit behind the findings pages and the feed, computed in a thread
  and kept until the archive changes (new captures, crawls, extractions, registry) or an
  hour passes (deadlines fall with time); pages wait for it a bounded time;
- the results of the latest searches (hits, facets, snippets), kept while
  ``storage.reading.search_version`` is unchanged: a query asked again, or its next
  page, costs a few index lookups.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from audit.contents import ContentRules
from audit.deadlines import Deadlines
from audit.findings import AuditOptions, AuditResult, run_audit
from audit.matrix import Matrix, RegionTree, all_crawls, coverage_matrix
from query.search import SearchFilters, SearchResult, search
from storage import reading
from storage.archive import Archive
from storage.audit_data import Crawl
from web.settings import WebSettings

log = logging.getLogger("nianbao.web")

AUDIT_MAX_AGE = 3600.0
MATRIX_MAX_AGE = 600.0
MATRIX_CACHE = 200
MATRIX_WAIT = 60.0
"""Seconds a page waits for the same view being computed by another request."""
SEARCH_CACHE = 500
"""Search results kept (the least recently asked for go first)."""


@dataclass
class AuditState:
    result: AuditResult | None
    fresh: bool
    running: bool
    computed_at: datetime | None
    seconds: float | None
    error: str | None


class AuditCache:
    def __init__(
        self, archive: Archive, deadlines: Deadlines, contents: ContentRules | None = None
    ) -> None:
        self.archive = archive
        self.deadlines = deadlines
        self.contents = contents
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._result: AuditResult | None = None
        self._version: tuple[Any, ...] | None = None
        self._computed_at: datetime | None = None
        self._computed_mono = 0.0
        self._seconds: float | None = None
        self._running = False
        self._error: str | None = None

    def cached(self) -> AuditState:
        """What is there now, without checking or starting anything."""
        with self._lock:
            return AuditState(
                self._result, False, self._running, self._computed_at, self._seconds, self._error
            )

    def get(self, wait: float) -> AuditState:
        """The audit of the archive as it is now: computed (or being computed) in a
        thread; waits up to ``wait`` seconds, then gives the last complete one."""
        version = reading.data_version(self.archive)
        with self._lock:
            fresh = (
                self._result is not None
                and self._version == version
                and time.monotonic() - self._computed_mono < AUDIT_MAX_AGE
            )
            if not fresh and not self._running:
                self._running = True
                threading.Thread(
                    target=self._compute, args=(version,), name="nianbao-audit", daemon=True
                ).start()
            if not fresh:
                deadline = time.monotonic() + wait
                while self._running and time.monotonic() < deadline:
                    self._done.wait(timeout=max(0.0, deadline - time.monotonic()))
                fresh = self._result is not None and self._version == version
            return AuditState(
                self._result,
                fresh,
                self._running,
                self._computed_at,
                self._seconds,
                self._error,
            )

    def _compute(self, version: tuple[Any, ...]) -> None:
        started = time.monotonic()
        try:
            result = run_audit(
                self.archive, AuditOptions(deadlines=self.deadlines, contents=self.contents)
            )
            error = None
        except Exception as exc:  # the page says what went wrong; the thread ends cleanly
            result, error = None, f"{type(exc).__name__}: {exc}"
        with self._lock:
            if result is not None:
                self._result, self._version = result, version
                self._computed_at = datetime.now(UTC)
                self._computed_mono = time.monotonic()
                self._seconds = round(time.monotonic() - started, 2)
            self._error = error
            self._running = False
            self._done.notify_all()


class Room:
    """One archive opened for the web, with its caches."""

    def __init__(self, archive: Archive, settings: WebSettings) -> None:
        self.archive = archive
        self.settings = settings
        self.deadlines = Deadlines.load()
        self.contents = ContentRules.load()
        self.audits = AuditCache(archive, self.deadlines, self.contents)
        self._tree: RegionTree | None = None
        self._tree_lock = threading.Lock()
        self._crawls: (
            tuple[tuple[Any, ...], dict[str, list[Crawl]], dict[tuple[str, ...], Any]] | None
        ) = None
        """(version, every successful crawl by site, the merged crawls of each set of
        covering sites as ``judge`` made them)."""
        self._matrices: dict[tuple[Any, ...], tuple[float, Matrix]] = {}
        self._computing: dict[tuple[Any, ...], threading.Event] = {}
        self._searches: OrderedDict[tuple[Any, ...], SearchResult] = OrderedDict()
        self._searches_version: tuple[Any, ...] | None = None
        self._search_lock = threading.Lock()

    def warm(self) -> None:
        """Read what the coverage pages need (the region tree, every site's crawls) ahead
        of the first request; a failure leaves it to the first page to read and report."""
        started = time.monotonic()
        try:
            self.tree()
            self.crawls()
        except Exception as exc:  # the database may be down at start; pages say so later
            log.warning("reading room: caches not warmed: %s: %s", type(exc).__name__, exc)
            return
        log.info("reading room: caches warmed in %.1f s", time.monotonic() - started)

    def tree(self) -> RegionTree:
        version = reading.agencies_version(self.archive)
        with self._tree_lock:
            if self._tree is None or self._tree.version != version:
                self._tree = RegionTree.load(self.archive)
            return self._tree

    def crawls(self) -> dict[str, list[Crawl]]:
        """Every successful crawl by site, read again when a crawl is added or ends."""
        return self._crawls_and_merged()[0]

    def _crawls_and_merged(
        self,
    ) -> tuple[dict[str, list[Crawl]], dict[tuple[str, ...], Any]]:
        version = reading.crawls_version(self.archive)
        with self._tree_lock:
            if self._crawls is None or self._crawls[0] != version:
                self._crawls = (version, all_crawls(self.archive), {})
            return self._crawls[1], self._crawls[2]

    def coverage(
        self,
        region: str,
        years: list[int] | None,
        levels: list[str] | None,
        kinds: list[str] | None,
    ) -> Matrix:
        """The coverage matrix, kept while the archive is unchanged (at most
        ``MATRIX_MAX_AGE`` seconds: deadlines pass with time)."""
        key = (
            region,
            tuple(years or ()),
            tuple(levels or ()),
            tuple(kinds or ()),
            reading.data_version(self.archive),
        )
        while True:
            with self._tree_lock:
                hit = self._matrices.get(key)
                if hit is not None and time.monotonic() - hit[0] < MATRIX_MAX_AGE:
                    return hit[1]
                # one request computes a view; those asking for it meanwhile wait for it
                running = self._computing.get(key)
                if running is None:
                    running = self._computing[key] = threading.Event()
                    break
            running.wait(timeout=MATRIX_WAIT)
            with self._tree_lock:
                if self._computing.get(key) is running:  # still at it: compute too
                    break
        try:
            crawls, merged = self._crawls_and_merged()
            matrix = coverage_matrix(
                self.archive,
                self.tree(),
                region=region,
                years=years,
                levels=levels,
                kinds=kinds,
                deadlines=self.deadlines,
                crawls=crawls,
                merged=merged,
            )
            with self._tree_lock:
                if len(self._matrices) > MATRIX_CACHE:
                    self._matrices.clear()
                self._matrices[key] = (time.monotonic(), matrix)
            return matrix
        finally:
            with self._tree_lock:
                if self._computing.get(key) is running:
                    del self._computing[key]
            running.set()

    def search(
        self, query: str, filters: SearchFilters, *, limit: int, offset: int
    ) -> SearchResult:
        """``query.search.search``, its result kept while the archive holds the same
        versions, extractions, observations and agencies (``reading.search_version``).
        Raises ``QueryError`` as the search does (errors are not kept)."""
        version = reading.search_version(self.archive)
        key = (query, filters, limit, offset)
        with self._search_lock:
            if self._searches_version != version:
                self._searches.clear()
                self._searches_version = version
            hit = self._searches.get(key)
            if hit is not None:
                self._searches.move_to_end(key)
                return hit
        result = search(self.archive, query, filters, limit=limit, offset=offset)
        with self._search_lock:
            if self._searches_version == version:
                self._searches[key] = result
                while len(self._searches) > SEARCH_CACHE:
                    self._searches.popitem(last=False)
        return result

    def close(self) -> None:
        self.archive.close()
