"""Watchdog findings (``exports.md``): missing, late, changed, vanished, inconsistent,
incomplete, copied — each with evidence an outsider can check (capture URL, time, hash).

A finding is asserted only on evidence. Where the archive cannot tell (a report first
captured after its deadline with no publisher's date and no earlier crawl that missed it;
a due report on sites no successful crawl has visited since the deadline), no finding is
made and the coverage cell says ``undetermined`` or ``unchecked``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from audit.contents import TABLES, Check, ContentRules
from audit.deadlines import Deadlines, china_date, end_of_day_utc
from audit.similarity import (
    find_copies_in_table,
    same_year_or_own_previous_year,
    shingle_table,
)
from extract.checks import CheckStatus, check_status
from query.diff import VersionDiff, text_changes, value_changes
from storage import audit_data as D
from storage.archive import Archive, iso
from storage.audit_data import AuditReads, audit_reads, oldest_report_year

FINDINGS = ("missing", "late", "changed", "vanished", "inconsistent", "incomplete", "copied")
_PREFIX = len("t2.")
"""Table values are keyed "t2.…", "t3.…", "t4.…" (audit.contents.TABLES)."""
EVIDENCE_CRAWLS = 5
"""How many of the crawls that found nothing are cited (the latest ones)."""


@dataclass
class Finding:
    agency_id: str
    year: int
    finding: str
    detail: str
    evidence: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "agency_id": self.agency_id,
            "year": self.year,
            "finding": self.finding,
            "detail": self.detail,
            "evidence": self.evidence,
            **self.extra,
        }


@dataclass
class Cell:
    """One agency × year of the coverage matrix."""

    agency_id: str
    year: int
    status: str
    """on_time | late | missing | not_yet_due | unchecked | undetermined | no_deadline"""
    due: date | None
    report_id: int | None = None


@dataclass
class AuditOptions:
    years: list[int] | None = None
    """None: every year from the oldest report to last year."""
    agency: str | None = None
    findings: set[str] | None = None
    as_of: datetime | None = None
    deadlines: Deadlines | None = None
    contents: ContentRules | None = None
    """What each year's reports must contain (default: config/report_contents.yaml)."""
    copy_threshold: float = 0.9
    boilerplate_share: float = 0.3
    scope: set[str] | None = None
    """Load only these agencies' data (one agency and those above it: the audit of one
    report, e.g. for its page); ``copied``, which compares every report, is then not run."""


@dataclass
class AuditResult:
    findings: list[Finding]
    cells: list[Cell]
    years: list[int]
    data: D.AuditData


def audit_years(archive: Archive, as_of: datetime) -> list[int]:
    """Every year from the oldest report to the year before ``as_of``."""
    oldest = oldest_report_year(archive)
    last = as_of.year - 1
    first = min(oldest, last) if oldest is not None else last
    return list(range(first, last + 1))


class Auditor:
    def __init__(self, archive: Archive, options: AuditOptions) -> None:
        self.archive = archive
        self.opt = options
        self.as_of = (options.as_of or datetime.now(UTC)).astimezone(UTC)
        self.deadlines = options.deadlines or Deadlines.load()
        self.contents = options.contents or ContentRules.load()
        self.years = sorted(options.years) if options.years else audit_years(archive, self.as_of)
        for name in options.findings or ():
            if name not in FINDINGS:
                raise ValueError(f"unknown finding {name!r}: use one of {', '.join(FINDINGS)}")
        self.wanted = set(options.findings or FINDINGS)
        if options.scope is not None:
            self.wanted.discard("copied")
        self._sites: dict[str, list[str]] = {}
        self._codes: dict[str, str | None] = {}

    def use(self, data: D.AuditData) -> None:
        """Judge cells (:meth:`timing`) on data loaded elsewhere (the coverage matrix of
        a region loads only what timing needs), without running the whole audit."""
        self.data = data
        self._crawl_evidence: list[tuple[Finding, list[D.Crawl]]] = []
        self._sites.clear()
        self._codes.clear()

    # -- helpers ----------------------------------------------------------------------
    def covering_sites(self, agency_id: str) -> list[str]:
        """The agency's own sites and those of the agencies above it."""
        if agency_id not in self._sites:
            out: list[str] = []
            seen: set[str] = set()
            current: str | None = agency_id
            while current and current not in seen:
                seen.add(current)
                out.extend(self.data.sites_of.get(current, []))
                parent = self.data.agencies.get(current)
                current = parent.parent_id if parent else None
            self._sites[agency_id] = out
        return self._sites[agency_id]

    def division_code(self, agency_id: str) -> str | None:
        """The agency's division code, or the nearest one above it."""
        if agency_id not in self._codes:
            code = None
            seen: set[str] = set()
            current: str | None = agency_id
            while current and current not in seen and code is None:
                seen.add(current)
                agency = self.data.agencies.get(current)
                code = agency.division_code if agency else None
                current = agency.parent_id if agency else None
            self._codes[agency_id] = code
        return self._codes[agency_id]

    def due(self, agency: D.Agency, year: int) -> date | None:
        return self.deadlines.due(year, agency.level, agency.kind, self.division_code(agency.id))

    def crawls_between(
        self, agency_id: str, start: datetime, end: datetime | None
    ) -> list[D.Crawl]:
        """Successful crawls of the agency's sites that began after ``start`` and ended
        before ``end`` (None: up to the audit's ``as_of``)."""
        out = []
        for site in self.covering_sites(agency_id):
            for crawl in self.data.crawls_of_site.get(site, []):
                if (
                    crawl.started_at >= start
                    and crawl.finished_at <= self.as_of
                    and (end is None or crawl.finished_at < end)
                ):
                    out.append(crawl)
        return sorted(out, key=lambda c: (c.started_at, c.run_id, c.site_id))

    # -- the run ----------------------------------------------------------------------
    def run(self) -> AuditResult:
        # Hundreds of thousands of small objects, none cyclic: the cyclic garbage
        # collector would rescan them again and again for nothing.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run()
        finally:
            if enabled:
                gc.enable()

    def _run(self) -> AuditResult:
        with audit_reads(self.archive) as s:
            self.data = s.load(self.years, self.opt.scope)
            if "changed" in self.wanted:
                self.prepare_diffs(s)
            if "incomplete" in self.wanted:
                self.prepare_free_form(s)
            findings: list[Finding] = []
            cells: list[Cell] = []
            self._crawl_evidence = []
            agencies = [
                a
                for a in self.data.agencies.values()
                if self.opt.agency is None or a.id == self.opt.agency
            ]
            if self.opt.agency is not None and not agencies:
                raise KeyError(f"unknown agency {self.opt.agency!r}")
            for agency in sorted(agencies, key=lambda a: a.id):
                for year in self.years:
                    report = self.data.reports.get((agency.id, year))
                    if report is None and not agency.registered:
                        continue
                    cell, found = self.timing(agency, year, report)
                    cells.append(cell)
                    findings.extend(f for f in found if f.finding in self.wanted)
                    if report is not None:
                        findings.extend(self.report_findings(s, agency, report))
            if "copied" in self.wanted:
                findings.extend(self.copies(s))
            self.cite_crawls(s)
        order = {name: i for i, name in enumerate(FINDINGS)}
        findings.sort(key=lambda f: (f.year, f.agency_id, order[f.finding], f.detail))
        return AuditResult(findings, cells, self.years, self.data)

    def cite_crawls(self, s: AuditReads) -> None:
        pairs = {(c.run_id, c.site_id) for _, crawls in self._crawl_evidence for c in crawls}
        listing = s.listing_captures(pairs)
        for finding, crawls in self._crawl_evidence:
            for crawl in crawls[-EVIDENCE_CRAWLS:]:
                cited = listing.get((crawl.run_id, crawl.site_id))
                entry = {
                    "crawl": crawl.run_id,
                    "site_id": crawl.site_id,
                    "started_at": iso(crawl.started_at),
                    "finished_at": iso(crawl.finished_at),
                }
                if cited:
                    entry.update(cited)
                    entry["note"] = (
                        "listing page fetched by a successful crawl that did not find the report"
                    )
                finding.evidence.append(entry)

    # -- missing and late -------------------------------------------------------------
    def timing(
        self, agency: D.Agency, year: int, report: D.Report | None
    ) -> tuple[Cell, list[Finding]]:
        due = self.due(agency, year)
        if due is None:
            return Cell(agency.id, year, "no_deadline", None, report.id if report else None), []
        deadline = end_of_day_utc(due)
        if report is None:
            if deadline > self.as_of:
                return Cell(agency.id, year, "not_yet_due", due), []
            crawls = self.crawls_between(agency.id, deadline, None)
            if not crawls:
                return Cell(agency.id, year, "unchecked", due), []
            finding = Finding(
                agency.id,
                year,
                "missing",
                f"due {due.isoformat()}; not found by {len(crawls)} successful crawl(s) of "
                f"{', '.join(sorted({c.site_id for c in crawls}))} since the deadline "
                f"(latest {iso(crawls[-1].finished_at)})",
                [],
                {"due": due.isoformat(), "crawls": len(crawls)},
            )
            self._crawl_evidence.append((finding, crawls))
            return Cell(agency.id, year, "missing", due), [finding]
        first = report.first_capture
        first_seen = first.first_seen_at if first else report.first_seen_at
        missed = self.crawls_between(agency.id, deadline, first_seen)
        published = _parse_day(report.published_at)
        cell = Cell(agency.id, year, "on_time", due, report.id)

        def late(detail: str, basis: str) -> Finding:
            # (evidence is assembled only for findings: most reports are on time)
            evidence = [first.evidence(note="first capture of the report")] if first else []
            extra = {
                "due": due.isoformat(),
                "published_at": report.published_at,
                "first_seen_at": iso(first_seen),
                "basis": basis,
            }
            return Finding(agency.id, year, "late", detail, evidence, extra)

        if published is not None and published > due:
            if china_date(first_seen) <= due:
                # The archive holds it from before the deadline: the page's date is wrong.
                return cell, []
            detail = (
                f"published {published.isoformat()}, due {due.isoformat()} (the publisher's date"
            )
            detail += f", {report.published_source})" if report.published_source else ")"
            cell.status = "late"
            return cell, [late(detail, "publisher_date")]
        if missed:
            if published is not None:
                detail = (
                    f"the publisher's date {published.isoformat()} is contradicted by the archive: "
                    f"{len(missed)} successful crawl(s) after the deadline {due.isoformat()} did not find it; "
                    f"first captured {iso(first_seen)}"
                )
            else:
                detail = (
                    f"no publication date given; first captured {iso(first_seen)}, after the deadline "
                    f"{due.isoformat()} and after {len(missed)} successful crawl(s) that did not find it"
                )
            finding = late(detail, "first_capture")
            self._crawl_evidence.append((finding, missed))
            cell.status = "late"
            return cell, [finding]
        if published is None and china_date(first_seen) > due:
            cell.status = "undetermined"
        return cell, []

    # -- findings on one report's content ---------------------------------------------
    def report_findings(
        self, s: AuditReads, agency: D.Agency, report: D.Report
    ) -> Iterator[Finding]:
        if "changed" in self.wanted:
            yield from self.changed(report)
        if "vanished" in self.wanted and report.vanished:
            yield self.vanished(report)
        main = report.main
        if main is None or main.extraction is None:
            return
        if "inconsistent" in self.wanted:
            yield from self.inconsistent(report, main)
        if "incomplete" in self.wanted:
            yield from self.incomplete(report, main)

    def prepare_free_form(self, s: AuditReads) -> None:
        """The texts of the reports whose year's rules are checked on their words (the
        free-form reports of the 2008 条例), read in bulk."""
        ids = [
            d.latest.id
            for (agency_id, year), r in self.data.reports.items()
            if year in self.years
            and (self.opt.agency is None or agency_id == self.opt.agency)
            and (rules := self.contents.for_year(year)) is not None
            and rules.check == Check.CONTENTS
            for d in r.documents
            if d.latest is not None
        ]
        self._free_texts = s.texts(ids) if ids else {}

    def prepare_diffs(self, s: AuditReads) -> None:
        """Texts and table values of the first and latest version of every changed
        document, read in bulk (one query per batch, not per document)."""
        pairs = [
            (d.versions[0].id, d.versions[-1].id)
            for (agency_id, year), r in self.data.reports.items()
            if year in self.years and (self.opt.agency is None or agency_id == self.opt.agency)
            for d in r.documents
            if len(d.versions) > 1
        ]
        ids = [v for pair in pairs for v in pair]
        self._texts = s.texts(ids)
        self._values = s.values(ids)

    def changed(self, report: D.Report) -> Iterator[Finding]:
        for doc in report.documents:
            if len(doc.versions) < 2:
                continue
            first, last = doc.versions[0], doc.versions[-1]
            diff = VersionDiff(
                url=doc.url,
                old={"version": first.seq, "version_id": first.id},
                new={"version": last.seq, "version_id": last.id},
                text=text_changes(self._texts.get(first.id, ""), self._texts.get(last.id, "")),
                values=value_changes(self._values.get(first.id, {}), self._values.get(last.id, {})),
            )
            detail = (
                f"{doc.url}: {len(doc.versions)} versions; version {last.seq} first seen {iso(last.first_seen_at)} "
                f"after version 1 of {iso(first.first_seen_at)}: {diff.summary}"
            )
            evidence = [
                first.evidence(content_sha256=first.content_sha256, note="version 1"),
                last.evidence(content_sha256=last.content_sha256, note=f"version {last.seq}"),
            ]
            yield Finding(
                report.agency_id,
                report.year,
                "changed",
                detail,
                evidence,
                {"url": doc.url, "versions": len(doc.versions), "values": diff.values[:50]},
            )

    def vanished(self, report: D.Report) -> Finding:
        evidence = []
        for doc in report.documents:
            if doc.latest is not None:
                evidence.append(doc.latest.evidence(note="last version kept by the archive"))
            if doc.gone is not None:
                evidence.append(
                    dict(
                        doc.gone,
                        note=f"HTTP {doc.gone['status']}: the publisher no longer serves it",
                    )
                )
        when = max(
            (d.status_changed_at for d in report.documents if d.status_changed_at), default=None
        )
        urls = ", ".join(d.url for d in report.documents)
        return Finding(
            report.agency_id, report.year, "vanished", f"gone since {iso(when)}: {urls}", evidence
        )

    def inconsistent(self, report: D.Report, main: D.Version) -> Iterator[Finding]:
        """Failed rules (asserted on printed totals); a report whose tables print no figure
        at all (every rule ``not_evaluable``) is reported as not judged, not as consistent.
        Rules resting on values read by OCR say so."""
        assert main.extraction is not None
        values = main.extraction["values"]
        checks = [c for c in main.extraction["checks"] if isinstance(c, dict)]
        statuses = [check_status(c) for c in checks]
        failed = [c for c, st in zip(checks, statuses, strict=True) if st == CheckStatus.FAILED]
        blank = sum(st == CheckStatus.NOT_EVALUABLE for st in statuses)
        printed = [c for c in failed if _printed(c, values)]
        unasserted = len(failed) - len(printed)
        failed = printed + self.across_years(report, main)
        table_rules = [
            st for c, st in zip(checks, statuses, strict=True) if c.get("rule") != "text_figures"
        ]
        nothing_printed = bool(table_rules) and all(
            st == CheckStatus.NOT_EVALUABLE for st in table_rules
        )
        if not failed and not nothing_printed:
            return
        parts = []
        for check in failed:
            where = next(
                (f"{k} {check[k]}" for k in ("column", "row", "group", "key") if k in check), ""
            )
            ocr = " [OCR" + (", uncertain" if check.get("uncertain") else "") + "]"
            parts.append(
                f"{check.get('rule')} ({where}): {check.get('left')} ≠ {check.get('right')}"
                + (ocr if check.get("ocr") else "")
            )
        if failed:
            detail = (
                f"{len(failed)} consistency rule(s) fail: "
                + "; ".join(parts[:8])
                + ("; …" if len(parts) > 8 else "")
            )
            if blank:
                detail += f" ({blank} not evaluable: blank cells)"
        else:
            detail = f"not evaluable: the tables print no figure ({blank} rules over blank cells)"
        on_ocr = [c for c in failed if c.get("ocr")]
        if on_ocr:
            detail += f"; {len(on_ocr)} of them rest on values read by OCR"
        note = "the version checked" + (" (tables read by OCR)" if on_ocr else "")
        extra: dict[str, Any] = {
            "verdict": "failed" if failed else "not_evaluable",
            "checks": failed,
            "unasserted": unasserted,
            "not_evaluable": blank,
        }
        if on_ocr:
            extra["ocr"] = True
            extra["uncertain"] = sorted({k for c in on_ocr for k in c.get("uncertain", [])})
        yield Finding(
            report.agency_id,
            report.year,
            "inconsistent",
            detail,
            [main.evidence(content_sha256=main.content_sha256, note=note)],
            extra,
        )

    def across_years(self, report: D.Report, main: D.Version) -> list[dict[str, Any]]:
        """Rule 5: this year's in_force = last year's in_force + issued − repealed."""
        assert main.extraction is not None
        if main.extraction["layout"] != "2021":
            return []
        prev = self.data.reports.get((report.agency_id, report.year - 1))
        prev_main = prev.main if prev else None
        if (
            prev_main is None
            or prev_main.extraction is None
            or prev_main.extraction["layout"] != "2021"
        ):
            return []
        now, before = main.extraction["values"], prev_main.extraction["values"]
        out = []
        for row in ("regulations", "normative"):
            keys = (f"t2.{row}.in_force", f"t2.{row}.issued", f"t2.{row}.repealed")
            if not all(isinstance(now.get(k), int | float) for k in keys) or not isinstance(
                before.get(keys[0]), int | float
            ):
                continue
            left = now[keys[0]]
            right = before[keys[0]] + now[keys[1]] - now[keys[2]]
            if left != right:
                out.append(
                    {
                        "rule": "in_force_across_years",
                        "row": row,
                        "ok": False,
                        "left": left,
                        "right": right,
                    }
                )
        return out

    def incomplete(self, report: D.Report, main: D.Version) -> Iterator[Finding]:
        """What the report lacks by the rules of its own year (config/report_contents.yaml):
        the 2008 条例's six items anywhere in a free-form report on 2008–2018, the unified
        format's sections and tables from the reports on 2019."""
        found: set[int] = set()
        tables: set[str] = set()  # the "tN." prefixes of the values read
        for doc in report.documents:
            ex = doc.latest.extraction if doc.latest else None
            if ex:
                found.update(n for n in ex["sections"] if isinstance(n, int))
                tables.update(k[:_PREFIX] for k in ex["values"])
        assert main.extraction is not None
        rules = self.contents.for_year(report.year)
        if rules is None:
            return
        texts = getattr(self, "_free_texts", {})
        text = "\n".join(
            texts.get(d.latest.id, "") for d in report.documents if d.latest is not None
        )
        if main.extraction["needs_ocr"] and not found and len(text.strip()) < 200:
            return  # a scan without its text: nothing to judge
        shortfall = self.contents.check(
            report.year,
            sections=found,
            tables={t.rstrip(".") for t in tables},
            text=text,
        )
        if not shortfall:
            return
        missing_sections = [i.section for i in shortfall.missing_items if i.section is not None]
        yield Finding(
            report.agency_id,
            report.year,
            "incomplete",
            shortfall.detail(),
            [main.evidence(content_sha256=main.content_sha256, note="the version checked")],
            {
                "rules": shortfall.ruleset.id,
                "rules_source": shortfall.ruleset.source,
                "sections_found": sorted(found),
                "missing_sections": missing_sections,
                "missing_items": [i.id for i in shortfall.missing_items],
                "items_found": shortfall.found_items,
                "missing_tables": [TABLES[t] for t in shortfall.missing_tables],
            },
        )

    # -- copies -----------------------------------------------------------------------
    def copies(self, s: AuditReads) -> list[Finding]:
        mains = [(r, r.main) for r in self.data.reports.values() if r.main is not None]
        mains.sort(key=lambda rv: rv[0].id)
        bodies = s.texts([v.id for _, v in mains if v is not None])
        names = []
        for report, _ in mains:
            agency = self.data.agencies.get(report.agency_id)
            names.append([agency.name, *agency.aliases] if agency else [])
        table = shingle_table([bodies.get(v.id, "") for _, v in mains if v is not None], names)
        agency_codes: dict[str, int] = {}
        agencies = np.array(
            [agency_codes.setdefault(r.agency_id, len(agency_codes)) for r, _ in mains],
            dtype=np.int64,
        )
        years = np.array([r.year for r, _ in mains], dtype=np.int64)
        found = []
        for copy in find_copies_in_table(
            table,
            years,
            threshold=self.opt.copy_threshold,
            boilerplate_share=self.opt.boilerplate_share,
            pair_filter=same_year_or_own_previous_year(agencies, years),
        ):
            ra, rb = mains[copy.a][0], mains[copy.b][0]
            copier, original = (ra, rb) if _later(ra, rb) else (rb, ra)
            if copier.year not in self.years:
                continue
            if self.opt.agency is not None and copier.agency_id != self.opt.agency:
                continue
            cv, ov = copier.main, original.main
            assert cv is not None and ov is not None
            same = copier.agency_id == original.agency_id
            other = (
                f"its own report on {original.year}"
                if same
                else f"{original.agency_id}'s report on {original.year}"
            )
            found.append(
                Finding(
                    copier.agency_id,
                    copier.year,
                    "copied",
                    f"{copy.similarity:.0%} of its distinctive text is shared with {other} "
                    f"({ov.capture['url']}), boilerplate left out",
                    [
                        cv.evidence(content_sha256=cv.content_sha256, note="this report"),
                        ov.evidence(content_sha256=ov.content_sha256, note="the other report"),
                    ],
                    {
                        "similarity": copy.similarity,
                        "other": {
                            "agency_id": original.agency_id,
                            "year": original.year,
                            "url": ov.capture["url"],
                        },
                    },
                )
            )
        return found


def _total_key(check: dict[str, Any]) -> str | None:
    """The printed total a failed check compares against (None: not known)."""
    rule = check.get("rule")
    if rule == "balance":
        return f"t3.new.{check.get('column')}"
    if rule == "outcomes":
        return f"t3.total.{check.get('column')}"
    if rule == "applicants":
        return f"t3.{check.get('row')}.total"
    if rule == "review_suit":
        return f"t4.{check.get('group')}.total"
    if rule == "text_figures":
        return check.get("figure")
    return None


def _printed(check: dict[str, Any], values: dict[str, Any]) -> bool:
    """A failed check is asserted only when the total it compares with was read from the
    report: a blank (or unread) total counts as 0 in the check, but an outsider could not
    see a contradiction in the printed table."""
    key = _total_key(check)
    if key is None:
        return True
    if check.get("rule") == "balance":
        column = check.get("column")
        return values.get(key) is not None and values.get(f"t3.total.{column}") is not None
    return values.get(key) is not None


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _later(a: D.Report, b: D.Report) -> bool:
    """Is ``a`` the later of two reports (the likely copy)?"""
    if a.agency_id == b.agency_id:
        return a.year > b.year

    def key(r: D.Report) -> tuple[str, datetime, int]:
        first = r.first_capture
        return (
            r.published_at or "9999-12-31",
            first.first_seen_at if first else r.first_seen_at,
            r.id,
        )

    return key(a) > key(b)


def run_audit(archive: Archive, options: AuditOptions | None = None) -> AuditResult:
    return Auditor(archive, options or AuditOptions()).run()
