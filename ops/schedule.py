"""Crawl schedules: cron rules in Asia/Shanghai time, with seasonal windows.

A schedule is written as one or more rules separated by ``;``. Each rule is a cron
expression (five fields, croniter syntax, ``H`` spreads sites by their id), optionally
preceded by a window of the calendar year ``MM-DD..MM-DD:`` in which it applies. A
time belongs to the first rule whose window contains its date; a rule without a window
covers the rest of the year. Examples::

    0 3 * * *                                   every day at 03:00
    01-01..04-15: 0 3 * * *; 0 3 * * 1          daily in the reporting season, else Mondays

The built-in default follows the reporting season: daily from 1 January to 15 April,
when reports appear and deadlines fall, weekly for the rest of the year, at a time
spread over the small hours by the site's id (so 10,000 sites do not all start at once).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

TIMEZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_SPEC = "01-01..04-15: H H(1-5) * * *; H H(1-5) * * H"
"""Daily in the reporting season (1 January – 15 April), weekly otherwise."""

_WINDOW = re.compile(r"^\s*(\d{2})-(\d{2})\s*\.\.\s*(\d{2})-(\d{2})\s*:\s*(.+)$")
# Beyond this many jumps between windows without a time of its own, a rule never fires.
_MAX_SKIPS = 50


class ScheduleError(ValueError):
    """A schedule that cannot be parsed; the message says which part and why."""


@dataclass(frozen=True)
class Window:
    """Days of the calendar year from ``start`` to ``end`` inclusive (may wrap the new year)."""

    start: tuple[int, int]
    end: tuple[int, int]

    def contains(self, day: date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end

    def __str__(self) -> str:
        return f"{self.start[0]:02d}-{self.start[1]:02d}..{self.end[0]:02d}-{self.end[1]:02d}"


@dataclass(frozen=True)
class Rule:
    cron: str
    window: Window | None = None

    def __str__(self) -> str:
        return f"{self.window}: {self.cron}" if self.window else self.cron


@dataclass(frozen=True)
class Schedule:
    """Parsed rules of a schedule; ``hash_id`` (the site id) resolves ``H`` fields."""

    rules: tuple[Rule, ...]
    hash_id: str = ""

    @property
    def spec(self) -> str:
        return "; ".join(str(rule) for rule in self.rules)

    def _owner(self, local: datetime) -> int:
        """Index of the rule that owns this local time (first window containing it)."""
        day = local.date()
        for index, rule in enumerate(self.rules):
            if rule.window is None or rule.window.contains(day):
                return index
        return -1

    def _times(self, index: int, start: datetime, backwards: bool) -> Iterator[datetime]:
        """Times of rule ``index`` after (or before) ``start`` that the rule owns. Where
        another window owns the days, the search jumps over them instead of stepping."""
        rule = self.rules[index]
        hash_id = self.hash_id.encode() or None
        cursor = start.astimezone(TIMEZONE)
        for _ in range(_MAX_SKIPS):
            it = _iterator(rule.cron, hash_id, cursor)
            local: datetime = it.get_prev(datetime) if backwards else it.get_next(datetime)
            while self._owner(local) == index:
                yield local.astimezone(UTC)
                local = it.get_prev(datetime) if backwards else it.get_next(datetime)
            cursor = self._jump(index, local, backwards)

    def _jump(self, index: int, local: datetime, backwards: bool) -> datetime:
        """Where to search next from a time rule ``index`` does not own: past the window
        that owns that day, or to the rule's own window."""
        day = local.date()
        rule = self.rules[index]
        if rule.window is not None and not rule.window.contains(day):
            edge = _previous(rule.window.end, day) if backwards else _next(rule.window.start, day)
            target = datetime.combine(edge, datetime.min.time(), TIMEZONE)
            return target + timedelta(days=1) if backwards else target - timedelta(seconds=1)
        owner = self.rules[self._owner(local)].window
        assert owner is not None  # a day no earlier window owns belongs to this rule
        if backwards:
            return datetime.combine(_previous(owner.start, day), datetime.min.time(), TIMEZONE)
        after = _next(owner.end, day) + timedelta(days=1)
        return datetime.combine(after, datetime.min.time(), TIMEZONE) - timedelta(seconds=1)

    def next_after(self, moment: datetime) -> datetime | None:
        """The first slot strictly after ``moment`` (UTC), or None if the rules never fire."""
        found = [next(self._times(i, moment, False), None) for i in range(len(self.rules))]
        times = [t for t in found if t is not None]
        return min(times) if times else None

    def last_at_or_before(self, moment: datetime) -> datetime | None:
        """The latest slot at or before ``moment`` (UTC)."""
        found = [
            next(self._times(i, moment + timedelta(seconds=1), True), None)
            for i in range(len(self.rules))
        ]
        times = [t for t in found if t is not None and t <= moment]
        return max(times) if times else None

    def between(self, after: datetime, until: datetime, limit: int = 1000) -> list[datetime]:
        """Slots in (after, until], oldest first, at most ``limit``."""
        out: list[datetime] = []
        cursor = after
        while len(out) < limit:
            nxt = self.next_after(cursor)
            if nxt is None or nxt > until:
                break
            out.append(nxt)
            cursor = nxt
        return out


def parse_schedule(spec: str, hash_id: str = "") -> Schedule:
    """Parse a schedule text (see the module's doc); raise :class:`ScheduleError`."""
    if not spec or not spec.strip():
        raise ScheduleError("empty schedule")
    rules: list[Rule] = []
    for part in spec.split(";"):
        text = part.strip()
        if not text:
            raise ScheduleError(f"empty rule in schedule {spec!r}")
        window = None
        match = _WINDOW.match(text)
        if match:
            m1, d1, m2, d2, text = match.groups()
            window = Window(_month_day(m1, d1, spec), _month_day(m2, d2, spec))
            text = text.strip()
        elif ":" in text:
            raise ScheduleError(f"bad window in rule {part.strip()!r}: write MM-DD..MM-DD: CRON")
        if len(text.split()) != 5:
            raise ScheduleError(
                f"rule {text!r} is not a five-field cron expression (minute hour day month weekday)"
            )
        if not croniter.is_valid(text, hash_id=b"x"):
            raise ScheduleError(f"rule {text!r} is not a valid cron expression")
        rules.append(Rule(text, window))
    return Schedule(tuple(rules), hash_id)


def _month_day(month: str, day: str, spec: str) -> tuple[int, int]:
    m, d = int(month), int(day)
    try:
        date(2024, m, d)  # a leap year: 02-29 is a valid window edge
    except ValueError as exc:
        raise ScheduleError(f"{month}-{day} is not a day of the year in schedule {spec!r}") from exc
    return m, d


_cache = threading.local()
_CACHE_SIZE = 100_000


def _iterator(cron: str, hash_id: bytes | None, start: datetime) -> croniter:
    """A croniter set to ``start``; parsed expressions are reused (parsing is the
    costly part with thousands of sites), one cache per thread."""
    cache: dict[tuple[str, bytes | None], croniter] | None = getattr(_cache, "iterators", None)
    if cache is None or len(cache) > _CACHE_SIZE:
        cache = _cache.iterators = {}
    it = cache.get((cron, hash_id))
    if it is None:
        it = cache[(cron, hash_id)] = croniter(cron, start, hash_id=hash_id)
    else:
        it.set_current(start, force=True)
    return it


def _on(year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def _next(month_day: tuple[int, int], day: date) -> date:
    """The first date on or after ``day`` falling on ``month_day``."""
    found = _on(day.year, month_day)
    return found if found >= day else _on(day.year + 1, month_day)


def _previous(month_day: tuple[int, int], day: date) -> date:
    """The last date on or before ``day`` falling on ``month_day``."""
    found = _on(day.year, month_day)
    return found if found <= day else _on(day.year - 1, month_day)


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(TIMEZONE)
