"""The JSON API (``/api/v1``): the archive's resources with paging and filters.

Field names are those of the command line's exports (``exports.md``). Lists answer
``{"total"|"more", "offset", "limit", "items"}``; statistics and findings also come as CSV
and Parquet (``format=csv|parquet``) with the columns of ``nianbao stats`` / ``nianbao
audit --format csv``."""

from __future__ import annotations

import io
import os
import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from ops.health import site_health
from ops.runs import site_runs
from query.formats import flatten, write_csv
from query.reports import iter_reports
from query.search import SearchFilters
from query.stats import flat_rows, iter_stats, write_parquet
from storage import reading
from web import evidence, service
from web.actions import import_registry, set_schedule
from web.params import (
    IDENT,
    TEXT,
    AgencyId,
    AgencyPath,
    FindingKind,
    Format,
    IdPath,
    Kind,
    Layout,
    Level,
    Limit,
    Offset,
    Region,
    SiteId,
    Year,
    YearPath,
)
from web.room import Room
from web.security import DOWNLOAD_CSP

router = APIRouter()


def room_of(request: Request) -> Room:
    room: Room = request.app.state.room
    return room


def page(
    items: list[Any], offset: int, limit: int, *, total: int | None = None, more: bool | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"offset": offset, "limit": limit, "items": items}
    if total is not None:
        out["total"] = total
    if more is not None:
        out["more"] = more
    return out


# -- search, reports, versions, diff ----------------------------------------------------
@router.get("/search", summary="Full-text search of report versions")
def api_search(
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            pattern=TEXT,
            description='Terms, "phrases", AND/OR/NOT, -term.',
        ),
    ],
    year: Year = None,
    agency: AgencyId = None,
    level: Level | None = None,
    kind: Kind | None = None,
    region: Region = None,
    layout: Layout | None = None,
    all_versions: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Hits ranked by BM25 with highlighted snippets (terms between « and »), the
    number of hits, and counts of hits by year and agency level."""
    filters = SearchFilters(
        year=year,
        agency=agency,
        level=level.value if level else None,
        kind=kind.value if kind else None,
        region=region,
        layout=layout.value if layout else None,
        all_versions=all_versions,
    )
    return service.run_search(room_of(request), q, filters, limit=limit, offset=offset)


@router.get("/reports", summary="Reports and their documents, as they stand now")
def api_reports(
    request: Request,
    year: Year = None,
    agency: AgencyId = None,
    site: SiteId = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """One object per report with the fields of `nianbao reports` (exports.md), in
    year and agency order."""
    items = list(
        iter_reports(
            room_of(request).archive,
            year=year,
            agency=agency,
            site=site,
            limit=limit + 1,
            offset=offset,
        )
    )
    return page(items[:limit], offset, limit, more=len(items) > limit)


@router.get(
    "/reports/{agency_id}/{year}",
    summary="One report: timing, documents, versions, tables, checks, findings",
)
def api_report(request: Request, agency_id: AgencyPath, year: YearPath) -> dict[str, Any]:
    view = service.report_view(room_of(request), agency_id, year)
    view["tables"] = [
        {
            "key": t.key,
            "blocks": [
                {
                    "columns": b.columns,
                    "rows": [{"key": k, "cells": cells} for k, _, cells in b.rows],
                }
                for b in t.blocks
            ],
        }
        for t in view["tables"]
    ]
    return view


@router.get("/versions/{version_id}", summary="One version: its text, extraction and capture")
def api_version(request: Request, version_id: IdPath) -> dict[str, Any]:
    view = service.version_view(room_of(request), version_id)
    view.pop("tables", None)
    return view


@router.get("/diff", summary="What changed between two versions")
def api_diff(
    request: Request,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**53, description="Older version id.")],
    to: Annotated[int, Query(ge=1, le=2**53, description="Newer version id.")],
) -> dict[str, Any]:
    """Changed passages of text and changed table values (as `nianbao diff`)."""
    view = service.diff_view(room_of(request), from_, to)
    return view["diff"]


# -- stats and findings -----------------------------------------------------------------
def _table_response(records: list[dict[str, Any]], fmt: Format, name: str, kind: str) -> Response:
    if fmt == Format.csv:
        out = io.StringIO()
        if kind == "stats":
            columns, rows = flat_rows(records)
            write_csv(rows, out, columns=columns)
        else:
            write_csv(records, out)
        return Response(
            out.getvalue().encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    fd, path = tempfile.mkstemp(suffix=".parquet")
    os.close(fd)
    try:
        if kind == "stats":
            write_parquet(records, path)
        else:
            _findings_parquet(records, path)
        with open(path, "rb") as fh:
            data = fh.read()
    finally:
        os.unlink(path)
    return Response(
        data,
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'},
    )


def _findings_parquet(records: list[dict[str, Any]], path: str) -> None:
    """The columns of the CSV export (dotted names), year an integer, the rest text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [flatten(r) for r in records]
    columns: list[str] = ["agency_id", "year", "finding", "detail"]
    for row in rows:
        columns += [k for k in row if k not in columns]
    arrays = []
    for col in columns:
        values = [row.get(col) for row in rows]
        if col == "year":
            arrays.append(pa.array(values, type=pa.int32()))
        else:
            arrays.append(
                pa.array([None if v is None else str(v) for v in values], type=pa.string())
            )
    pq.write_table(pa.Table.from_arrays(arrays, names=columns), path)


@router.get("/stats", summary="The statistical tables of each report (latest version)")
def api_stats(
    request: Request,
    year: Year = None,
    agency: AgencyId = None,
    site: SiteId = None,
    layout: Layout | None = None,
    format: Format = Format.json,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    offset: Offset = 0,
) -> Any:
    """As `nianbao stats`: JSON objects, or CSV / Parquet (one row per report, one
    column per key) of the same selection."""
    records = list(
        iter_stats(
            room_of(request).archive,
            year=year,
            agency=agency,
            site=site,
            layout=layout.value if layout else None,
        )
    )
    chosen = records[offset : offset + limit]
    if format != Format.json:
        return _table_response(chosen, format, "nianbao-stats", "stats")
    return page(chosen, offset, limit, total=len(records))


@router.get("/findings", summary="Watchdog findings with their evidence")
def api_findings(
    request: Request,
    finding: Annotated[
        list[FindingKind] | None, Query(description="Only these kinds (repeatable).")
    ] = None,
    year: Year = None,
    region: Region = None,
    agency: AgencyId = None,
    format: Format = Format.json,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100,
    offset: Offset = 0,
) -> Any:
    """The findings of the latest audit of the whole archive (as `nianbao audit`),
    newest evidence first. While an audit runs longer than the server waits, answers
    503 with Retry-After."""
    view = service.findings_view(
        room_of(request),
        kinds=[k.value for k in finding] if finding else None,
        year=year,
        region=region,
        agency=agency,
        limit=limit,
        offset=offset,
    )
    if view.state.result is None:
        message = view.state.error or "the audit of the archive is running; try again shortly"
        return JSONResponse({"error": message}, status_code=503, headers={"Retry-After": "10"})
    records = [f.record() for f in view.findings]
    if format != Format.json:
        return _table_response(records, format, "nianbao-findings", "findings")
    out = page(records, offset, limit, total=view.total)
    out["counts"] = view.counts
    out["audited_at"] = (
        view.state.computed_at.isoformat(timespec="seconds").replace("+00:00", "Z")
        if view.state.computed_at
        else None
    )
    out["current"] = view.state.fresh
    return out


# -- coverage, agencies, sites, runs ----------------------------------------------------
@router.get("/coverage", summary="The agency × year coverage matrix of a region")
def api_coverage(
    request: Request,
    region: Annotated[
        str,
        Query(
            pattern=r"^([0-9]{1,12}|none)?$",
            description="Division code prefix ('' the country, 'none' agencies without a code).",
        ),
    ] = "",
    year: Annotated[
        list[int] | None, Query(description="Years (repeatable; default: the last 8).")
    ] = None,
    level: Annotated[
        list[Level] | None, Query(description="Agency levels (default: by view).")
    ] = None,
    kind: Annotated[
        list[Kind] | None, Query(description="Agency kinds (default: by view).")
    ] = None,
) -> dict[str, Any]:
    """Cells judged as `nianbao coverage` judges them: on_time, late, missing,
    not_yet_due, unchecked, undetermined, no_deadline."""
    for y in year or ():
        if not 1990 <= y <= 2100:
            raise ValueError(f"year must be between 1990 and 2100, not {y}")
    if year and len(year) > 30:
        raise ValueError("at most 30 years at once")
    matrix = service.coverage_view(
        room_of(request),
        region=region or "",
        years=year,
        levels=[lv.value for lv in level] if level else None,
        kinds=[k.value for k in kind] if kind else None,
    )
    return matrix.record()


@router.get("/agencies", summary="Agencies of the registry (and those found unregistered)")
def api_agencies(
    request: Request,
    region: Region = None,
    level: Level | None = None,
    kind: Kind | None = None,
    registered: bool | None = None,
    name: Annotated[
        str | None, Query(max_length=100, pattern=TEXT, description="Part of the name.")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    total, rows = reading.list_agencies(
        room_of(request).archive,
        region=region,
        level=level.value if level else None,
        kind=kind.value if kind else None,
        registered=registered,
        name=name,
        limit=limit,
        offset=offset,
    )
    return page([r.record() for r in rows], offset, limit, total=total)


@router.get(
    "/agencies/{agency_id}", summary="One agency: all years, its sites, schedule and health"
)
def api_agency(request: Request, agency_id: AgencyPath) -> dict[str, Any]:
    return service.agency_view(room_of(request), agency_id)


@router.get("/sites", summary="Sites with their schedule and health, worst first")
def api_sites(request: Request) -> dict[str, Any]:
    items = service.sites_view(room_of(request))
    return page(items, 0, len(items), total=len(items))


@router.get("/sites/{site_id}", summary="One site")
def api_site(request: Request, site_id: Annotated[str, PathParam(pattern=IDENT)]) -> dict[str, Any]:
    known = {s.id for s in room_of(request).archive.sites()}
    if site_id not in known:
        raise KeyError(f"unknown site {site_id!r}")
    return service.sites_view(room_of(request), [site_id])[0]


@router.get("/runs", summary="Crawl runs per site, newest first")
def api_runs(
    request: Request,
    site: SiteId = None,
    outcome: Annotated[
        str | None, Query(pattern=r"^(success|partial|failed|blocked|running)$")
    ] = None,
    run: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    items = site_runs(
        room_of(request).archive, site_id=site, outcome=outcome, run_id=run, limit=limit
    )
    return page(items, 0, limit)


@router.get("/health", summary="Each site's health, worst first")
def api_health(request: Request) -> dict[str, Any]:
    items = [h.as_dict() for h in site_health(room_of(request).archive)]
    return page(items, 0, len(items), total=len(items))


# -- evidence ---------------------------------------------------------------------------
@router.get("/captures/{capture_id}", summary="One capture: URL, time, hashes, WARC location")
def api_capture(request: Request, capture_id: IdPath) -> dict[str, Any]:
    detail = reading.capture_detail(room_of(request).archive, capture_id)
    if detail is None:
        raise KeyError(f"no capture {capture_id}")
    return detail.record()


def original_response(room: Room, capture_id: int) -> Response:
    detail, orig = evidence.original(room, capture_id)
    return Response(
        orig.body,
        media_type=orig.media_type,
        headers={
            "Content-Disposition": evidence.content_disposition(orig.filename),
            "Content-Security-Policy": DOWNLOAD_CSP,
            "X-Nianbao-Capture": str(detail.capture_id),
            "X-Nianbao-Payload-Of": str(orig.payload_of),
            "X-Nianbao-Sha256": detail.payload_sha256,
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )


def warc_response(room: Room, capture_id: int) -> Response:
    detail, data = evidence.warc_record(room, capture_id)
    return Response(
        data,
        media_type="application/warc",
        headers={
            "Content-Encoding": "identity",
            "Content-Disposition": evidence.content_disposition(
                f"nianbao-capture-{detail.capture_id}.warc.gz"
            ),
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )


@router.get("/captures/{capture_id}/original", summary="The captured bytes, as served")
def api_original(request: Request, capture_id: IdPath) -> Response:
    return original_response(room_of(request), capture_id)


@router.get("/captures/{capture_id}/warc", summary="The capture's WARC record (.warc.gz)")
def api_warc(request: Request, capture_id: IdPath) -> Response:
    return warc_response(room_of(request), capture_id)


@router.get("/cdx", summary="CDXJ index lines of a URL (the replay server's index)")
def api_cdx(
    request: Request,
    url: Annotated[str, Query(min_length=1, max_length=4000, pattern=TEXT)],
    closest: Annotated[str | None, Query(pattern=r"^[0-9]{4,14}$")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    matchType: Annotated[str, Query(pattern=r"^(exact|prefix|host|domain)$")] = "exact",
    sort: Annotated[str | None, Query(pattern=r"^(closest|reverse)?$")] = None,
) -> PlainTextResponse:
    """Exact-URL lookups only (other match types answer nothing)."""
    lines = (
        evidence.cdx_lines(room_of(request), url, closest=closest, limit=limit)
        if matchType == "exact"
        else []
    )
    return PlainTextResponse("\n".join(lines) + ("\n" if lines else ""), media_type="text/x-cdxj")


# -- admin ------------------------------------------------------------------------------
def require_admin(request: Request) -> None:
    admin = request.app.state.admin
    if not admin.enabled:
        raise PermissionError("the reading room is read-only (no NIANBAO_ADMIN_TOKEN is set)")
    if not admin.bearer(request):
        raise PermissionError("this action needs Authorization: Bearer <NIANBAO_ADMIN_TOKEN>")


class ScheduleIn(BaseModel):
    spec: str | None = Field(None, max_length=1000, description="Cron rules; null clears it.")


class CrawlIn(BaseModel):
    sites: list[Annotated[str, Field(pattern=IDENT)]] = Field(min_length=1, max_length=10_000)


def _forbidden(exc: PermissionError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=403 if "Bearer" not in str(exc) else 401)


@router.post("/admin/registry", summary="Import a registry (YAML, or CSV of agencies)")
def api_import(
    request: Request,
    body: Annotated[str, Body(media_type="text/plain", max_length=20_000_000)],
    filename: Annotated[str, Query(max_length=200, pattern=TEXT)] = "registry.yaml",
) -> Any:
    try:
        require_admin(request)
    except PermissionError as exc:
        return _forbidden(exc)
    summary = import_registry(room_of(request), body, filename)
    return {"added": summary.added, "updated": summary.updated, "unchanged": summary.unchanged}


@router.put(
    "/admin/schedules/{site_id}", summary="Set or clear a site's schedule ('*' the default)"
)
def api_schedule(
    request: Request,
    site_id: Annotated[str, PathParam(pattern=IDENT)],
    body: ScheduleIn,
) -> Any:
    try:
        require_admin(request)
    except PermissionError as exc:
        return _forbidden(exc)
    return set_schedule(room_of(request), None if site_id == "*" else site_id, body.spec)


@router.post("/admin/crawls", summary="Crawl sites now", status_code=202)
def api_crawl(request: Request, body: CrawlIn) -> Any:
    try:
        require_admin(request)
    except PermissionError as exc:
        return _forbidden(exc)
    job = request.app.state.crawls.start(room_of(request), body.sites)
    return job.record()


@router.get("/admin/crawls", summary="Crawls started from the reading room")
def api_crawls(request: Request) -> Any:
    try:
        require_admin(request)
    except PermissionError as exc:
        return _forbidden(exc)
    return {"items": [job.record() for job in request.app.state.crawls.history]}
