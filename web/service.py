"""What each page and API resource shows, gathered from the archive's Python API.

Pages (``web.pages``) and the JSON API (``web.api``) call these and differ only in how
they render the result. Every function takes the :class:`~web.room.Room` and validated
parameters; lookups of things that do not exist raise ``KeyError`` with a message.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict

from audit.findings import Finding
from audit.matrix import NO_CODE, Matrix, judge, judge_report
from ops.health import site_health
from ops.runs import site_runs
from ops.site_schedules import default_spec, site_schedules
from query.diff import diff_by_ids, sentences
from query.history import report_history
from query.search import SearchFilters
from storage import reading
from storage.vocab import DocumentStatus
from web.i18n import _
from web.room import Room
from web.tables import tables

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip


def region_name(room: Room, region: str) -> str | None:
    return room.tree().name(region) or PROVINCES.get(region)


# -- search -----------------------------------------------------------------------------
def run_search(
    room: Room, q: str, filters: SearchFilters, *, limit: int, offset: int
) -> dict[str, Any]:
    result = room.search(q, filters, limit=limit, offset=offset)
    return {
        "query": q,
        "total": result.total,
        "capped": result.capped,
        "offset": offset,
        "limit": limit,
        "facets": result.facets,
        "hits": [hit.record() for hit in result.hits],
    }


# -- a report ---------------------------------------------------------------------------
def _main_version(docs: list[dict[str, Any]], extractions: dict[int, dict[str, Any]]) -> Any:
    """The latest version that carries the report (most table values, then most text):
    the audit's rule for the version whose tables are the report's."""
    best = None
    for doc in docs:
        if not doc["versions"]:
            continue
        latest = doc["versions"][-1]
        values = len((extractions.get(latest["version_id"]) or {}).get("values") or {})
        key = (values, latest["chars"], latest["version_id"])
        if best is None or key > best[0]:
            best = (key, doc, latest)
    return (best[1], best[2]) if best else (None, None)


def report_view(room: Room, agency_id: str, year: int) -> dict[str, Any]:
    history = report_history(room.archive, f"{agency_id}:{year}")
    version_ids = [v["version_id"] for d in history["documents"] for v in d["versions"]]
    extractions = reading.latest_extractions(room.archive, version_ids)
    main_doc, main = _main_version(history["documents"], extractions)
    main_ex = extractions.get(main["version_id"]) if main else None
    judgement = judge_report(
        room.archive, agency_id, year, deadlines=room.deadlines, contents=room.contents
    )
    findings = list(judgement.findings)
    audit = room.audits.cached()
    if audit.result is not None:
        findings += [
            f
            for f in audit.result.findings
            if f.finding == "copied" and f.agency_id == agency_id and f.year == year
        ]
    cell = judgement.cell
    late = next((f for f in findings if f.finding == "late"), None)
    documents = history["documents"]
    status = (
        DocumentStatus.VANISHED
        if documents and all(d["status"] == DocumentStatus.VANISHED for d in documents)
        else DocumentStatus.PRESENT
    )
    for doc in documents:
        for v in doc["versions"]:
            v["extraction"] = extractions.get(v["version_id"])
    agency = reading.agency(room.archive, agency_id)
    return {
        **{k: v for k, v in history.items() if k != "documents"},
        "agency": agency.record() if agency else None,
        "status": status,
        "timing": {
            "status": cell.status if cell else None,
            "due": cell.due.isoformat() if cell and cell.due else None,
            "basis": late.extra.get("basis") if late else None,
            "detail": late.detail if late else None,
        },
        "documents": documents,
        "main": {
            "url": main_doc["url"] if main_doc else None,
            "version_id": main["version_id"] if main else None,
            "version": main["version"] if main else None,
            "layout": main_ex["layout"] if main_ex else None,
            "parser_version": main_ex["parser_version"] if main_ex else None,
            "values": main_ex["values"] if main_ex else {},
            "checks": main_ex["checks"] if main_ex else [],
            "sections": main_ex["sections"] if main_ex else [],
            "needs_ocr": main_ex["needs_ocr"] if main_ex else False,
            "error": main_ex["error"] if main_ex else None,
        },
        "tables": tables(main_ex["layout"], main_ex["values"]) if main_ex else [],
        "findings": [f.record() for f in findings],
        "audited_copies": audit.computed_at is not None,
    }


# -- a version, a diff ------------------------------------------------------------------
def version_view(room: Room, version_id: int) -> dict[str, Any]:
    detail = reading.version_detail(room.archive, version_id)
    if detail is None:
        raise KeyError(f"no version with id {version_id}")
    extraction = reading.latest_extractions(room.archive, [version_id]).get(version_id)
    out = detail.record()
    out["extraction"] = extraction
    out["tables"] = tables(extraction["layout"], extraction["values"]) if extraction else []
    return out


@dataclass
class Segment:
    text: str
    changed: bool


@dataclass
class SideRow:
    op: str
    """equal | replace | insert | delete | skip (unchanged sentences left out)"""
    old: list[Segment] = field(default_factory=list)
    new: list[Segment] = field(default_factory=list)
    skipped: int = 0


def _segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Character-level marks inside a changed sentence."""
    a: list[Segment] = []
    b: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if i2 > i1:
            a.append(Segment(old[i1:i2], op != "equal"))
        if j2 > j1:
            b.append(Segment(new[j1:j2], op != "equal"))
    return a, b


def side_by_side(old_text: str, new_text: str, context: int = 2) -> list[SideRow]:
    """The two texts sentence by sentence, changed sentences paired and marked, long
    unchanged stretches folded."""
    a, b = sentences(old_text), sentences(new_text)
    rows: list[SideRow] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            block = a[i1:i2]
            if len(block) > 2 * context + 1:
                head, tail = block[:context], block[-context:]
                rows += [SideRow("equal", [Segment(s, False)], [Segment(s, False)]) for s in head]
                rows.append(SideRow("skip", skipped=len(block) - 2 * context))
                rows += [SideRow("equal", [Segment(s, False)], [Segment(s, False)]) for s in tail]
            else:
                rows += [SideRow("equal", [Segment(s, False)], [Segment(s, False)]) for s in block]
        elif op == "replace":
            olds, news = a[i1:i2], b[j1:j2]
            for k in range(max(len(olds), len(news))):
                o = olds[k] if k < len(olds) else ""
                n = news[k] if k < len(news) else ""
                left, right = _segments(o, n)
                rows.append(SideRow("replace", left, right))
        elif op == "delete":
            rows += [SideRow("delete", [Segment(s, True)], []) for s in a[i1:i2]]
        else:
            rows += [SideRow("insert", [], [Segment(s, True)]) for s in b[j1:j2]]
    return rows


class DiffView(TypedDict):
    """Two versions compared: the diff's record, the versions' records, the texts side by side."""

    diff: dict[str, Any]
    old: dict[str, Any]
    new: dict[str, Any]
    rows: list[SideRow]


def diff_view(room: Room, old_id: int, new_id: int) -> DiffView:
    old = reading.version_detail(room.archive, old_id)
    new = reading.version_detail(room.archive, new_id)
    if old is None or new is None:
        raise KeyError(f"no version with id {old_id if old is None else new_id}")
    diff = diff_by_ids(room.archive, old_id, new_id)
    return {
        "diff": diff.record(),
        "old": old.record(text=False),
        "new": new.record(text=False),
        "rows": side_by_side(old.text, new.text),
    }


# -- agencies, sites, runs --------------------------------------------------------------
def agency_view(room: Room, agency_id: str) -> dict[str, Any]:
    chain = reading.agency_chain(room.archive, agency_id)
    if not chain or chain[0].id != agency_id:
        raise KeyError(f"unknown agency {agency_id!r}")
    agency = chain[0]
    reports = reading.agency_reports(room.archive, agency_id)
    tree = room.tree()
    now = datetime.now(UTC)
    low = min((r["year"] for r in reports), default=now.year - 1)
    years = list(range(min(low, now.year - 8), now.year))
    cells = {
        c.year: c
        for c in judge(
            room.archive,
            tree,
            [agency_id],
            years,
            as_of=now,
            deadlines=room.deadlines,
            crawls=room.crawls(),
        )
    }
    dues = {y: c.due.isoformat() for y, c in cells.items() if c.due}
    by_year = {r["year"]: r for r in reports}
    all_years = sorted(set(years) | set(by_year), reverse=True)
    site_ids = [s for s, _ in reading.sites_of(room.archive, [agency_id])]
    return {
        "agency": agency.record(),
        "parents": [a.record() for a in chain[1:]],
        "code": tree.code.get(agency_id),
        "children": [a.record() for a in reading.children(room.archive, agency_id)],
        "years": [
            {
                "year": y,
                "status": cells[y].status if y in cells else None,
                "due": dues.get(y),
                "report": by_year.get(y),
            }
            for y in all_years
        ],
        "sites": sites_view(room, site_ids) if site_ids else [],
    }


def sites_view(room: Room, site_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Sites with their schedule (and next crawl) and health, worst first."""
    now = datetime.now(UTC)
    summaries = {s["site_id"]: s for s in reading.site_summaries(room.archive, site_ids)}
    schedules = {s.site_id: s for s in site_schedules(room.archive, site_ids)}
    out = []
    for health in site_health(room.archive, now=now, site_ids=site_ids):
        sched = schedules.get(health.site_id)
        nxt = sched.schedule.next_after(now) if sched else None
        out.append(
            {
                **summaries.get(health.site_id, {"site_id": health.site_id}),
                "health": health.as_dict(),
                "schedule": sched.spec if sched else None,
                "schedule_source": sched.source if sched else None,
                "next_crawl": nxt.isoformat().replace("+00:00", "Z") if nxt else None,
            }
        )
    return out


def archivists_view(room: Room, runs_limit: int = 30) -> dict[str, Any]:
    spec, source = default_spec(room.archive)
    return {
        "sites": sites_view(room),
        "runs": site_runs(room.archive, limit=runs_limit),
        "default_schedule": {"spec": spec, "source": source},
        "counts": room.archive.counts(),
    }


# -- coverage and findings --------------------------------------------------------------
def coverage_view(
    room: Room,
    *,
    region: str,
    years: list[int] | None,
    levels: list[str] | None,
    kinds: list[str] | None,
) -> Matrix:
    matrix = copy.copy(room.coverage(region, years, levels, kinds))
    matrix.groups = [copy.copy(g) for g in matrix.groups]
    matrix.region_name = matrix.region_name or PROVINCES.get(region)
    for group in matrix.groups:
        group.label = group.label or PROVINCES.get(group.key)
        if group.key == NO_CODE:
            group.label = _("no division code")
    matrix.breadcrumbs = [(r, n or PROVINCES.get(r)) for r, n in matrix.breadcrumbs]
    return matrix


@dataclass
class FindingsPage:
    state: Any
    total: int
    findings: list[Finding]
    counts: dict[str, int]
    years: list[int]
    names: dict[str, str] = field(default_factory=dict)
    """Agency names of the findings shown."""


def findings_view(
    room: Room,
    *,
    kinds: list[str] | None = None,
    year: int | None = None,
    region: str | None = None,
    agency: str | None = None,
    limit: int = 50,
    offset: int = 0,
    wait: float | None = None,
) -> FindingsPage:
    state = room.audits.get(room.settings.audit_wait if wait is None else wait)
    if state.result is None:
        return FindingsPage(state, 0, [], {}, [])
    tree = room.tree() if region else None
    chosen: list[Finding] = []
    counts: dict[str, int] = {}
    for f in state.result.findings:
        if year is not None and f.year != year:
            continue
        if agency is not None and f.agency_id != agency:
            continue
        if tree is not None and region is not None:
            code = tree.code.get(f.agency_id)
            if code is None or not code.startswith(region):
                continue
        counts[f.finding] = counts.get(f.finding, 0) + 1
        if kinds and f.finding not in kinds:
            continue
        chosen.append(f)
    # newest evidence first: what a watchdog has not seen yet
    chosen.sort(key=lambda f: (_newest(f), f.year, f.agency_id), reverse=True)
    shown = chosen[offset : offset + limit]
    agencies = state.result.data.agencies
    return FindingsPage(
        state,
        len(chosen),
        shown,
        counts,
        sorted({f.year for f in state.result.findings}, reverse=True),
        {f.agency_id: agencies[f.agency_id].name for f in shown if f.agency_id in agencies},
    )


def _newest(finding: Finding) -> str:
    times = [str(e.get("captured_at") or e.get("finished_at") or "") for e in finding.evidence]
    return max(times, default="")


def evidence_links(room: Room, findings: list[Finding]) -> dict[tuple[str, str | None], int]:
    """Capture ids of the evidence cited by the findings (for links to the evidence)."""
    wanted = [
        (str(e["url"]), e.get("sha256")) for f in findings for e in f.evidence if e.get("url")
    ]
    return reading.capture_ids_by_evidence(room.archive, wanted)


def finding_updated(finding: Finding) -> str:
    return _newest(finding)
