"""The coverage matrix of one region, fast enough for a web page, and one report's audit.

``nianbao coverage`` audits the whole archive at once. The reading room instead shows one
region at a time (a division-code prefix: 33 浙江, 3302 宁波, 330226 宁海) and drills down
from province to city to county. Its cells are judged by the audit's own rule
(:meth:`audit.findings.Auditor.timing`) on just what that rule needs — the region's
agencies, their reports with the time each was first archived, and the successful crawls
of the sites covering them — read in a few grouped queries, so a page costs the region's
cells, not the archive's.

Above the county, the matrix counts governments (人民政府) at national, province, city and
county level by default: 3,000 counties × 8 years in well under a second. In a county it
shows every agency (departments, townships). Any view can widen or narrow its scope by
level and kind.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from audit.contents import ContentRules
from audit.coverage import STATUSES
from audit.deadlines import Deadlines, china_date, end_of_day_utc
from audit.findings import FINDINGS, AuditOptions, Auditor, Cell, Finding, run_audit
from registry.model import KINDS, LEVELS
from storage import audit_data as D
from storage import reading
from storage.archive import Archive
from storage.vocab import DocumentStatus

NO_CODE = "none"
"""The region of agencies with no division code of their own nor above them."""
STEPS = (0, 2, 4, 6)
"""Prefix lengths of the drill-down: the country, provinces, cities, counties."""
ABOVE_COUNTY_LEVELS = ("national", "province", "city", "county")
DEFAULT_YEARS = 8


@functools.lru_cache(maxsize=65536)
def _significant(code: str | None) -> str | None:
    return significant(code)


def significant(code: str | None) -> str | None:
    """The meaningful prefix of a division code: 330000 → 33, 330200 → 3302,
    330226 → 330226, 330226100000 → 330226100 (trailing zero groups dropped)."""
    if not code:
        return None
    code = code.strip()
    if not code.isdigit():
        return None
    if len(code) > 6:
        head, tail = code[:6], code[6:].rstrip("0")
        if tail:
            # township (3 digits), village (3 more)
            return head + code[6 : 6 + (3 if len(tail) <= 3 else 6)]
        code = head
    for length in (2, 4):
        if code[length:].strip("0") == "":
            return code[:length]
    return code


class RegionTree:
    """Every agency with its effective division code (its own, else the nearest above
    it): which region it belongs to. Built from one read of the agencies table; callers
    keep it while :func:`storage.reading.agencies_version` is unchanged."""

    def __init__(self, agencies: list[reading.AgencyRecord], version: tuple[object, ...] = ()):
        self.version = version
        self.records = {a.id: a for a in agencies}
        self.agencies = {
            a.id: D.Agency(
                a.id,
                a.name,
                a.aliases,
                a.level,
                a.kind,
                a.parent_id,
                a.division_code,
                a.registered,
            )
            for a in agencies
        }
        self._raw: dict[str, str | None] = {}
        self._scopes: dict[tuple[str, str], list[str]] | None = None
        own = {a.id: _significant(a.division_code) for a in agencies}
        self.code: dict[str, str | None] = {}
        for ident in self.agencies:
            if ident not in self.code:
                self._effective_chain(ident, own)
        self._names: dict[str, str] = {}
        rank = {level: i for i, level in enumerate(LEVELS)}
        for a in sorted(agencies, key=lambda a: (a.kind != "government", rank.get(a.level, 9))):
            code = own[a.id]
            if code and code not in self._names and a.registered:
                self._names[code] = a.name

    @classmethod
    def load(cls, archive: Archive) -> RegionTree:
        version = reading.agencies_version(archive)
        return cls(reading.all_agencies(archive), version)

    def _effective_chain(self, ident: str, own: dict[str, str | None]) -> None:
        """The effective code of ``ident`` and of every agency on the way up to the one
        whose code it is (each agency's chain is walked once, not once per agency below
        it): the same as :meth:`_effective` for each."""
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = ident
        found: str | None = None
        while current is not None:
            if current in self.code:
                found = self.code[current]
                break
            if current in seen or current not in self.records:
                break  # a loop, or a parent the registry does not hold: no code
            seen.add(current)
            path.append(current)
            code = own[current]
            if code:
                found = code
                break
            current = self.records[current].parent_id
        for step in path:
            self.code[step] = found if own[step] is None else own[step]

    def _effective(self, ident: str) -> str | None:
        seen: set[str] = set()
        current: str | None = ident
        while current and current not in seen:
            seen.add(current)
            record = self.records.get(current)
            if record is None:
                return None
            code = significant(record.division_code)
            if code:
                return code
            current = record.parent_id
        return None

    def raw_code(self, ident: str) -> str | None:
        """The agency's division code as registered, or the nearest one above it (what
        the deadline rules match, as :meth:`Auditor.division_code` gives it)."""
        if ident not in self._raw:
            code = None
            seen: set[str] = set()
            current: str | None = ident
            while current and current not in seen and code is None:
                seen.add(current)
                record = self.records.get(current)
                code = record.division_code if record else None
                current = record.parent_id if record else None
            self._raw[ident] = code
        return self._raw[ident]

    def name(self, region: str) -> str | None:
        """The name of the region's own government (or first registered agency)."""
        return self._names.get(region)

    def ancestors(self, ident: str) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        current = self.records[ident].parent_id if ident in self.records else None
        while current and current not in seen and current in self.records:
            seen.add(current)
            out.append(current)
            current = self.records[current].parent_id
        return out

    def chosen(self, region: str, levels: list[str], kinds: list[str]) -> list[str]:
        """The agencies of ``region`` at these levels and of these kinds (as
        :meth:`in_region` filtered, without going through every agency: the country's
        governments are a few thousand of hundreds of thousands of agencies)."""
        if self._scopes is None:
            scopes: dict[tuple[str, str], list[str]] = {}
            for ident, agency in self.agencies.items():
                scopes.setdefault((agency.level, agency.kind), []).append(ident)
            self._scopes = scopes
        out: list[str] = []
        for level in dict.fromkeys(levels):
            for kind in dict.fromkeys(kinds):
                for ident in self._scopes.get((level, kind), ()):
                    code = self.code[ident]
                    if region == NO_CODE:
                        if code is None:
                            out.append(ident)
                    elif not region or (code is not None and code.startswith(region)):
                        out.append(ident)
        return out

    def in_region(self, region: str) -> list[str]:
        if region == NO_CODE:
            return [i for i, code in self.code.items() if code is None]
        if not region:
            return list(self.code)
        return [i for i, code in self.code.items() if code is not None and code.startswith(region)]

    def breadcrumbs(self, region: str) -> list[tuple[str, str | None]]:
        """(prefix, name) from the country down to the region."""
        if region == NO_CODE:
            return [(NO_CODE, None)]
        return [(region[:n], self.name(region[:n])) for n in STEPS[1:] if n <= len(region)] + (
            [(region, self.name(region))] if len(region) not in STEPS else []
        )


@dataclass
class MatrixRow:
    key: str
    """A region prefix (group rows) or an agency id."""
    label: str | None
    drill: str | None = None
    """The region to drill into from this row."""
    agency_id: str | None = None
    level: str | None = None
    kind: str | None = None
    registered: bool = True
    cells: dict[int, str] = field(default_factory=dict)
    """Agency rows: the status of each year."""
    due: dict[int, str | None] = field(default_factory=dict)
    counts: dict[int, Counter[str]] = field(default_factory=dict)
    """Group rows: how many cells of each status each year."""
    agencies: int = 0

    def record(self) -> dict[str, object]:
        out: dict[str, object] = {"key": self.key, "label": self.label, "drill": self.drill}
        if self.agency_id is not None:
            out.update(
                {
                    "agency_id": self.agency_id,
                    "level": self.level,
                    "kind": self.kind,
                    "registered": self.registered,
                    "cells": {str(y): s for y, s in self.cells.items()},
                    "due": {str(y): d for y, d in self.due.items()},
                }
            )
        else:
            out.update(
                {
                    "agencies": self.agencies,
                    "counts": {str(y): dict(c) for y, c in self.counts.items()},
                }
            )
        return out


@dataclass
class Matrix:
    region: str
    region_name: str | None
    breadcrumbs: list[tuple[str, str | None]]
    years: list[int]
    levels: list[str]
    kinds: list[str]
    own: list[MatrixRow]
    """The region's own agencies (their code is the region's)."""
    groups: list[MatrixRow]
    """The regions one step down, aggregated."""
    agencies: list[MatrixRow]
    """Agencies below the region listed one by one (in a county, and deeper)."""
    by_level: dict[str, dict[str, int]]
    totals: dict[str, int]
    cells: int
    as_of: datetime

    def record(self) -> dict[str, object]:
        return {
            "region": self.region,
            "region_name": self.region_name,
            "breadcrumbs": [{"region": r, "name": n} for r, n in self.breadcrumbs],
            "years": self.years,
            "levels": self.levels,
            "kinds": self.kinds,
            "as_of": self.as_of.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "cells": self.cells,
            "totals": self.totals,
            "by_level": self.by_level,
            "own": [r.record() for r in self.own],
            "groups": [r.record() for r in self.groups],
            "agencies": [r.record() for r in self.agencies],
        }


def default_years(archive: Archive, as_of: datetime, count: int = DEFAULT_YEARS) -> list[int]:
    """The last ``count`` report years due by ``as_of`` (from the oldest archived)."""
    last = as_of.year - 1
    oldest, _ = reading.report_years(archive)
    first = max(last - count + 1, min(oldest, last) if oldest is not None else last)
    return list(range(first, last + 1))


def _next_step(region: str) -> int | None:
    for length in STEPS:
        if length > len(region):
            return length
    return None


def judge(
    archive: Archive,
    tree: RegionTree,
    agency_ids: list[str],
    years: list[int],
    *,
    as_of: datetime,
    deadlines: Deadlines,
    crawls: dict[str, list[D.Crawl]] | None = None,
    merged: dict[tuple[str, ...], tuple[list[datetime], list[datetime]]] | None = None,
) -> list[Cell]:
    """The coverage cell of each agency × year, by :meth:`Auditor.timing`'s rule, on the
    agencies' reports, sites and crawls only. ``merged``: the merged crawls of each set
    of covering sites, kept by the caller with ``crawls`` (filled here as needed).

    The rule is applied with the crawls of each agency's covering sites merged, sorted by
    start, with the earliest finish of every suffix: "a successful crawl began after the
    deadline and ended before the first capture" is then one bisection, so 27,000 cells
    take a fraction of a second. ``judge_by_auditor`` runs the audit's own method on the
    same data; tests and the benchmark check that the two agree cell for cell."""
    sites_of, known = _sites_and_crawls(archive, tree, agency_ids, crawls)
    reports = {
        (r.agency_id, r.year): r
        for r in reading.report_timings(archive, sorted(set(agency_ids)), years)
    }
    as_of = as_of.astimezone(UTC)
    if merged is None or crawls is None:
        merged = {}
    ends: dict[date, datetime] = {}
    cells: list[Cell] = []
    for ident in sorted(set(agency_ids)):
        agency = tree.agencies[ident]
        chain = [ident, *tree.ancestors(ident)]
        covering = tuple(site for a in chain for site in sites_of.get(a, []))
        if covering not in merged:
            runs = sorted(
                (c.started_at, c.finished_at) for site in covering for c in known.get(site, [])
            )
            starts = [r[0] for r in runs]
            suffix_min: list[datetime] = [r[1] for r in runs]
            for i in range(len(suffix_min) - 2, -1, -1):
                suffix_min[i] = min(suffix_min[i], suffix_min[i + 1])
            merged[covering] = (starts, suffix_min)
        starts, suffix_min = merged[covering]
        code = tree.raw_code(ident)
        for year in years:
            report = reports.get((ident, year))
            if report is None and not agency.registered:
                continue
            due = deadlines.due(year, agency.level, agency.kind, code)
            if due is None:
                cells.append(Cell(ident, year, "no_deadline", None, report.id if report else None))
                continue
            deadline = ends.get(due)
            if deadline is None:
                deadline = ends[due] = end_of_day_utc(due)
            k = bisect_left(starts, deadline)
            earliest = suffix_min[k] if k < len(starts) else None
            if report is None:
                if deadline > as_of:
                    status = "not_yet_due"
                elif earliest is not None and earliest <= as_of:
                    status = "missing"
                else:
                    status = "unchecked"
                cells.append(Cell(ident, year, status, due))
                continue
            first_seen = report.first_version_at or report.first_seen_at
            missed = earliest is not None and earliest <= as_of and earliest < first_seen
            published = _day(report.published_at)
            if published is not None and published > due:
                status = "on_time" if china_date(first_seen) <= due else "late"
            elif missed:
                status = "late"
            elif published is None and china_date(first_seen) > due:
                status = "undetermined"
            else:
                status = "on_time"
            cells.append(Cell(ident, year, status, due, report.id))
    return cells


def judge_by_auditor(
    archive: Archive,
    tree: RegionTree,
    agency_ids: list[str],
    years: list[int],
    *,
    as_of: datetime,
    deadlines: Deadlines,
) -> list[Cell]:
    """The same cells by :meth:`Auditor.timing` itself (slower; the reference)."""
    data = _timing_data(archive, tree, agency_ids, years)
    auditor = Auditor(
        archive,
        AuditOptions(years=years, as_of=as_of, deadlines=deadlines, findings={"missing", "late"}),
    )
    auditor.use(data)
    cells: list[Cell] = []
    for ident in sorted(set(agency_ids)):
        agency = tree.agencies[ident]
        for year in years:
            report = data.reports.get((ident, year))
            if report is None and not agency.registered:
                continue
            cell, _ = auditor.timing(agency, year, report)
            cells.append(cell)
    return cells


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def all_crawls(archive: Archive) -> dict[str, list[D.Crawl]]:
    """Every successful crawl by site (callers keep it while
    :func:`storage.reading.crawls_version` is unchanged)."""
    out: dict[str, list[D.Crawl]] = {}
    for run_id, site_id, started, finished in reading.successful_crawls(archive):
        out.setdefault(site_id, []).append(D.Crawl(run_id, site_id, started, finished))
    return out


def _timing_data(
    archive: Archive,
    tree: RegionTree,
    agency_ids: list[str],
    years: list[int],
    known: dict[str, list[D.Crawl]] | None = None,
) -> D.AuditData:
    """What :meth:`Auditor.timing` needs, as the audit's objects: the agencies' reports
    with their first capture, the sites covering them and those sites' crawls."""
    sites_of, crawls = _sites_and_crawls(archive, tree, agency_ids, known)
    reports: dict[tuple[str, int], D.Report] = {}
    for r in reading.report_timings(archive, sorted(set(agency_ids)), years):
        report = D.Report(
            r.id,
            r.agency_id,
            r.year,
            r.title,
            r.published_at,
            r.published_source,
            r.first_seen_at,
            r.site_id,
        )
        if r.first_version_at is not None:
            first = D.Version(
                r.first_version_id or 0,
                1,
                r.first_version_at,
                "",
                0,
                {"url": "", "captured_at": r.first_version_at, "sha256": ""},
            )
            report.documents.append(
                D.Document(
                    0, "", "report", DocumentStatus.PRESENT, None, r.first_version_at, [first]
                )
            )
        reports[(r.agency_id, r.year)] = report
    return D.AuditData(tree.agencies, sites_of, crawls, reports)


def _sites_and_crawls(
    archive: Archive,
    tree: RegionTree,
    agency_ids: list[str],
    known: dict[str, list[D.Crawl]] | None,
) -> tuple[dict[str, list[str]], dict[str, list[D.Crawl]]]:
    """The sites covering the agencies (theirs and those above them), by owner, and
    those sites' successful crawls (from ``known`` when given)."""
    scope = set(agency_ids)
    covering = set(scope)
    for ident in agency_ids:
        covering.update(tree.ancestors(ident))
    sites_of: dict[str, list[str]] = {}
    for site_id, owner in reading.sites_of(archive, sorted(covering)):
        sites_of.setdefault(owner, []).append(site_id)
    site_ids = [s for sites in sites_of.values() for s in sites]
    crawls: dict[str, list[D.Crawl]] = {}
    if known is not None:
        crawls = {site: known[site] for site in site_ids if site in known}
    else:
        for run_id, site_id, started, finished in reading.successful_crawls(archive, site_ids):
            crawls.setdefault(site_id, []).append(D.Crawl(run_id, site_id, started, finished))
    return sites_of, crawls


def coverage_matrix(
    archive: Archive,
    tree: RegionTree,
    *,
    region: str = "",
    years: list[int] | None = None,
    levels: list[str] | None = None,
    kinds: list[str] | None = None,
    as_of: datetime | None = None,
    deadlines: Deadlines | None = None,
    crawls: dict[str, list[D.Crawl]] | None = None,
    merged: dict[tuple[str, ...], tuple[list[datetime], list[datetime]]] | None = None,
) -> Matrix:
    """The matrix of ``region`` (a division-code prefix, "" for the country, ``none`` for
    agencies without a code), grouped one drill-down step below it."""
    if region != NO_CODE and not (region == "" or (region.isdigit() and len(region) <= 12)):
        raise ValueError(f"region must be a division code prefix of 1–12 digits, not {region!r}")
    for level in levels or ():
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    for kind in kinds or ():
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    as_of = (as_of or datetime.now(UTC)).astimezone(UTC)
    deadlines = deadlines or Deadlines.load()
    years = sorted(set(years)) if years else default_years(archive, as_of)
    step = None if region == NO_CODE else _next_step(region)
    detailed = region == NO_CODE or step is None or step > 6
    if levels is None:
        levels = list(LEVELS) if detailed else list(ABOVE_COUNTY_LEVELS)
    if kinds is None:
        kinds = list(KINDS) if detailed else ["government"]
    chosen = tree.chosen(region, levels, kinds)
    cells = judge(
        archive,
        tree,
        chosen,
        years,
        as_of=as_of,
        deadlines=deadlines,
        crawls=crawls,
        merged=merged,
    )
    by_agency: dict[str, list[Cell]] = {}
    for cell in cells:
        by_agency.setdefault(cell.agency_id, []).append(cell)
    own: list[MatrixRow] = []
    listed: list[MatrixRow] = []
    groups: dict[str, MatrixRow] = {}
    by_level: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    rank = {level: i for i, level in enumerate(LEVELS)}
    for ident, agency_cells in by_agency.items():
        agency = tree.agencies[ident]
        code = tree.code[ident]
        level_counts = by_level.get(agency.level)
        if level_counts is None:
            level_counts = by_level[agency.level] = Counter()
        for cell in agency_cells:
            level_counts[cell.status] += 1
            totals[cell.status] += 1
        if code is None and not detailed:
            key = NO_CODE
        elif detailed or code == region or step is None or code is None or len(code) < step:
            row = MatrixRow(
                ident,
                agency.name,
                agency_id=ident,
                level=agency.level,
                kind=agency.kind,
                registered=agency.registered,
                cells={c.year: c.status for c in agency_cells},
                due={c.year: c.due.isoformat() if c.due else None for c in agency_cells},
            )
            (own if code == region and not detailed else listed).append(row)
            continue
        else:
            key = code[:step]
        group = groups.get(key)
        if group is None:
            group = groups[key] = MatrixRow(key, tree.name(key), drill=key)
        group.agencies += 1
        for cell in agency_cells:
            year_counts = group.counts.get(cell.year)
            if year_counts is None:
                year_counts = group.counts[cell.year] = Counter()
            year_counts[cell.status] += 1

    def agency_order(row: MatrixRow) -> tuple[object, ...]:
        return (
            row.kind != "government",
            rank.get(row.level or "", 9),
            tree.code[row.key] or "",
            row.key,
        )

    own.sort(key=agency_order)
    listed.sort(key=agency_order)
    return Matrix(
        region=region,
        region_name=tree.name(region) if region else None,
        breadcrumbs=tree.breadcrumbs(region) if region else [],
        years=years,
        levels=levels,
        kinds=kinds,
        own=own,
        groups=[groups[k] for k in sorted(groups)],
        agencies=listed,
        by_level={
            level: {s: by_level[level][s] for s in STATUSES if by_level[level][s]}
            for level in sorted(by_level, key=lambda lv: rank.get(lv, 9))
        },
        totals={s: totals[s] for s in STATUSES if totals[s]},
        cells=len(cells),
        as_of=as_of,
    )


@dataclass
class ReportJudgement:
    cell: Cell | None
    findings: list[Finding]


def judge_report(
    archive: Archive,
    agency_id: str,
    year: int,
    *,
    as_of: datetime | None = None,
    deadlines: Deadlines | None = None,
    contents: ContentRules | None = None,
) -> ReportJudgement:
    """One report's coverage cell (due date, on time / late / missing …) and findings,
    by the audit on that agency's data alone (``copied``, which compares every report
    in the archive, comes from a whole audit). ``deadlines`` and ``contents``: the rules
    as loaded once by the caller (else read from their files, which costs more than the
    audit of one report)."""
    chain = [a.id for a in reading.agency_chain(archive, agency_id)]
    if not chain:
        raise KeyError(f"unknown agency {agency_id!r}")
    result = run_audit(
        archive,
        AuditOptions(
            years=[year],
            agency=agency_id,
            findings=set(FINDINGS) - {"copied"},
            as_of=as_of,
            deadlines=deadlines,
            contents=contents,
            scope=set(chain),
        ),
    )
    cell = next((c for c in result.cells if c.agency_id == agency_id and c.year == year), None)
    return ReportJudgement(cell, [f for f in result.findings if f.agency_id == agency_id])
