"""A best-first frontier of navigation links, one per site.

Navigation (links that may lead to a report column, as opposed to listing pages, report
pages and attachments, which the spider requests at once) is not handed to Scrapy's
scheduler as it is found: it waits here, ordered by its evidence, and is released a few
at a time when the site is quiet. A low score orders a link; it never drops it:

- *promising* links (score at or above the threshold, or boosted there by what their
  siblings led to) are released while the site's page budget lasts;
- the others, and the links from a column of reports up to the sections above it, are
  released while the site has yielded no report (a site whose report column hides
  behind generic navigation is explored to its budget, not abandoned), and after that
  within an exploration reserve (a fraction of the pages the site has cost);
- depth bounds the walk (`NIANBAO_MAX_DEPTH`), the per-site page budget bounds the rest.

What a page led to feeds back: when a page turns out to be a listing of reports, the
links beside the one that led there (same parent page, same URL shape and the same name
but for its digits, or both named by a year: the other years of a column; both named
by an agency: the other townships), and the agencies beside an agency's link on the way
(the other townships of a county) are boosted; the other columns of the catalogues on
the way are not.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.discovery.pages import AGENCY_ANCHOR
from crawler.discovery.titles import lookalike_anchor
from crawler.links import dedup_key, novelty_pattern

_DIGITS = re.compile(r"\d+")
_LIFT = 0.3  # boosts at least this (what a link's siblings led to) make a link promising
logger = logging.getLogger(__name__)


def url_shape(url: str) -> str:
    """The URL with its last path segment and digit runs generalised: siblings share it
    (`/xz/dzz/index.html` and `/xz/lhz/index.html`, `/col/col12/` and `/col/col34/`)."""
    parts = urlsplit(url)
    segments = _sibling_segments(parts.path)
    head = "/".join(_DIGITS.sub("#", s) for s in segments[:-1])
    keys = ",".join(sorted(k.split("=", 1)[0] for k in parts.query.split("&") if k))
    return f"{head}/*?{keys}"


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def sibling_name(url: str) -> str:
    """The name a link has among its siblings: its last path segment (the folder of an
    `index.html`), digit runs generalised (`nb_2023n` and `nb_2019n` are one name;
    `zfxxgkzn` and `NDBG` are two)."""
    segments = _sibling_segments(urlsplit(url).path)
    return _DIGITS.sub("#", segments[-1].lower()) if segments else ""


def _sibling_segments(path: str) -> list[str]:
    """The path's segments, an `index.html` of a folder left out (the folder is the
    sibling)."""
    segments = [s for s in path.split("/") if s]
    if segments and "." in segments[-1] and len(segments) > 1:
        segments = segments[:-1]
    return segments


@dataclass(order=True)
class _Entry:
    rank: float
    seq: int
    key: str = field(compare=False)


@dataclass
class Candidate:
    """A navigation link waiting to be followed."""

    url: str
    text: str
    score: float
    """Evidence from the link itself (crawler.discovery.titles.link_score) and its page."""
    depth: int
    parent: str
    """dedup_key of the page that linked it."""
    trail: tuple[str, ...] = ()
    """dedup_keys of the navigation pages from the start URL to the parent."""
    boost: float = 0.0
    up: bool = False
    """A link from a column of reports to a section above it (breadcrumbs, 返回上级): the
    way to the column, not further on; once the site has yielded reports it is
    exploration (within the reserve), unless what its siblings led to boosts it."""
    lent: float = 0.0
    """The part of `score` lent by the page the link is on (a disclosure page's links),
    withdrawn when the link turns out to be site furniture (`SiteFrontier.demote`)."""

    @property
    def priority(self) -> float:
        return self.score + self.boost


@dataclass
class FrontierFigures:
    """What the frontier explored, for the crawl summary and `nianbao health`."""

    queued: int = 0
    released: int = 0
    released_low: int = 0
    left: int = 0
    best_left: list[tuple[float, str, str]] = field(default_factory=list)


class SiteFrontier:
    """Navigation links of one site, best first."""

    def __init__(
        self,
        *,
        threshold: float,
        max_depth: int,
        reserve: float,
        concurrency: int = 1,
    ) -> None:
        self.threshold = threshold
        self.max_depth = max_depth
        self.reserve = reserve
        self.concurrency = max(1, concurrency)
        self._heap: list[_Entry] = []
        self._waiting: dict[str, Candidate] = {}
        self._known: set[str] = set()
        self._seq = itertools.count()
        self._children: dict[str, list[str]] = {}
        self._texts: dict[str, str] = {}
        """Anchor text of every link queued (what a step of a productive trail was)."""
        self._productive: set[str] = set()
        self._templates: set[str] = set()
        """URL patterns of pages that listed reports: other pages of the same template
        (another department's `openInfo.action?depCode=…`) are likely listings too."""
        self.figures = FrontierFigures()

    def __len__(self) -> int:
        return len(self._waiting)

    def seen(self, url: str) -> bool:
        return dedup_key(url) in self._known

    def mark_seen(self, url: str) -> None:
        """A URL requested by other means (start URL, listing page), or one that need not
        be (a page of a listing known unchanged): not navigation."""
        key = dedup_key(url)
        self._known.add(key)
        self._waiting.pop(key, None)

    def push(self, candidate: Candidate) -> bool:
        """Queue a link (once per URL, whatever its scheme or session id); False when
        it is known already or too deep."""
        key = dedup_key(candidate.url)
        if key in self._known or candidate.depth > self.max_depth:
            return False
        self._known.add(key)
        self._waiting[key] = candidate
        self._texts[key] = candidate.text
        self._children.setdefault(candidate.parent, []).append(key)
        if candidate.parent in self._productive:
            candidate.boost = max(candidate.boost, 0.3)
        if novelty_pattern(candidate.url) in self._templates:
            candidate.boost = max(candidate.boost, 0.5)
        heapq.heappush(self._heap, _Entry(-candidate.priority, next(self._seq), key))
        self.figures.queued += 1
        return True

    def productive(self, trail: tuple[str, ...], page_url: str) -> None:
        """The page at ``page_url``, reached through ``trail``, lists reports: boost the
        waiting siblings of its own link (same parent, same URL shape: its other years and
        sub-columns) and, higher up the way, the agencies beside an agency's link (the
        other townships of a county); every other sibling of the way a little."""
        template = novelty_pattern(page_url)
        if template not in self._templates:
            self._templates.add(template)
            for key, waiting in self._waiting.items():
                if waiting.boost < 0.5 and novelty_pattern(waiting.url) == template:
                    waiting.boost = 0.5
                    heapq.heappush(self._heap, _Entry(-waiting.priority, next(self._seq), key))
        steps = [*trail, dedup_key(page_url)]
        last = len(steps) - 2
        for index, (parent, child) in enumerate(itertools.pairwise(steps)):
            self._productive.add(parent)
            here = "http://x/" + child.split("/", 1)[-1]
            shape, name = url_shape(here), sibling_name(here)
            text = self._texts.get(child, "")
            dated, agency = bool(_YEAR.search(text)), bool(AGENCY_ANCHOR.match(text))
            # The listing's own siblings (its other years, its sub-columns) are likely
            # listings too; higher up the way, only the siblings of an agency's link (the
            # other townships of a county) are: the other columns of a catalogue are not.
            by_agency = index < last and agency
            for key in self._children.get(parent, []):
                candidate = self._waiting.get(key)
                if candidate is None:
                    continue
                if index == last:
                    # another year of the listing (the same name but for its digits, or
                    # both named by a year: `2023年`), or another agency's column (both
                    # named by an agency: the other townships), of the same URL shape
                    other = "http://x/" + key.split("/", 1)[-1]
                    alike = url_shape(other) == shape and (
                        sibling_name(other) == name
                        or (dated and bool(_YEAR.search(candidate.text)))
                        or (agency and bool(AGENCY_ANCHOR.match(candidate.text)))
                    )
                else:
                    alike = by_agency and bool(AGENCY_ANCHOR.match(candidate.text))
                # a look-alike column (住房公积金年度报告, 指南) is not lifted by its siblings
                boost = 0.5 if alike else (0.0 if lookalike_anchor(candidate.text) else 0.1)
                if boost > candidate.boost:
                    candidate.boost = boost
                    heapq.heappush(self._heap, _Entry(-candidate.priority, next(self._seq), key))

    def demote(self, url: str) -> None:
        """The link is on every page of the site (top navigation, footer): what its first
        page lent it is withdrawn; its own evidence orders it."""
        candidate = self._waiting.get(dedup_key(url))
        if candidate is None or not candidate.lent:
            return
        candidate.score -= candidate.lent
        candidate.lent = 0.0
        heapq.heappush(self._heap, _Entry(-candidate.priority, next(self._seq), dedup_key(url)))

    def forget_entries(self, patterns: set[str]) -> int:
        """Links of these URL templates turned out to be entries of a list of reports
        (documents, not navigation): they leave the frontier. How many left."""
        gone = [k for k, c in self._waiting.items() if novelty_pattern(c.url) in patterns]
        for key in gone:
            del self._waiting[key]
        return len(gone)

    def release(
        self, *, busy: int, pages_used: int, budget: int, found_reports: bool
    ) -> list[Candidate]:
        """The links to follow now: up to the concurrency less what the site has in
        flight, best first, within budget and the exploration policy."""
        out: list[Candidate] = []
        room = self.concurrency - busy
        while room > 0 and self._heap:
            if budget > 0 and pages_used + len(out) >= budget:
                break
            entry = self._heap[0]
            candidate = self._waiting.get(entry.key)
            if candidate is None or -entry.rank != candidate.priority:
                heapq.heappop(self._heap)  # stale: taken, or re-queued with a boost
                continue
            # a sibling's small boost orders the links; it does not make one promising
            lift = candidate.boost if candidate.boost >= _LIFT else 0.0
            low = candidate.score + lift < self.threshold
            exploring = low or (candidate.up and candidate.boost < _LIFT)
            if exploring and found_reports:
                allowance = self.reserve * (pages_used + len(out))
                if self.figures.released_low >= allowance:
                    break
            heapq.heappop(self._heap)
            del self._waiting[entry.key]
            logger.debug(
                "released %s (priority %.3f, lent %.2f, boost %.2f%s)",
                candidate.url,
                candidate.priority,
                candidate.lent,
                candidate.boost,
                ", low" if low else "",
            )
            out.append(candidate)
            room -= 1
            self.figures.released += 1
            if exploring:
                self.figures.released_low += 1
        return out

    def summary(self, top: int = 5) -> FrontierFigures:
        figures = self.figures
        figures.left = len(self._waiting)
        best = sorted(self._waiting.values(), key=lambda c: -c.priority)[:top]
        figures.best_left = [(round(c.priority, 3), c.text[:40], c.url) for c in best]
        return figures
