"""The pages of the reading room: server-rendered HTML, usable without JavaScript."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from audit.findings import Finding
from query.search import SearchFilters
from storage import reading
from web import i18n, service
from web.actions import ActionError, import_registry, set_schedule
from web.api import original_response, warc_response
from web.app import href
from web.i18n import _
from web.params import (
    TEXT,
    AgencyId,
    AgencyPath,
    FindingKind,
    IdPath,
    Kind,
    Layout,
    Level,
    Region,
    Year,
    YearPath,
)
from web.replay import replay_link
from web.room import Room
from web.security import (
    LANG_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    Admin,
    safe_next,
    same_origin,
)
from web.vocab import label

router = APIRouter(include_in_schema=False)
PAGE = 20


def room_of(request: Request) -> Room:
    room: Room = request.app.state.room
    return room


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    admin = request.app.state.admin
    nonce = admin.session(request)
    lang = i18n.current.get()
    other = "en" if lang == "zh" else "zh"
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    html = request.app.state.env.get_template(name).render(
        request=request,
        lang=lang,
        html_lang=i18n.HTML_LANG[lang],
        switch_href=href(f"/lang/{other}", next=path),
        switch_label="English" if other == "en" else "中文",
        admin_enabled=admin.enabled,
        signed_in=nonce is not None,
        csrf=admin.csrf_token(nonce) if nonce else "",
        replay_url=request.app.state.replay_url,
        href=href,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, message=message)


# -- language ---------------------------------------------------------------------------
@router.get("/lang/{code}")
def switch_language(
    code: str, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, i18n.pick(code), max_age=365 * 86400, httponly=True, samesite="lax"
    )
    return response


# -- home and search --------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    room = room_of(request)
    low, high = reading.report_years(room.archive)
    return render(request, "home.html", counts=room.archive.counts(), years=(low, high))


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=500, pattern=TEXT)] = None,
    year: Year = None,
    agency: AgencyId = None,
    level: Level | None = None,
    kind: Kind | None = None,
    region: Region = None,
    layout: Layout | None = None,
    all_versions: bool = False,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    filters = SearchFilters(
        year=year,
        agency=agency,
        level=level.value if level else None,
        kind=kind.value if kind else None,
        region=region,
        layout=layout.value if layout else None,
        all_versions=all_versions,
    )
    params = {
        "q": q,
        "year": filters.year,
        "agency": filters.agency,
        "level": filters.level,
        "kind": filters.kind,
        "region": filters.region,
        "layout": filters.layout,
        "all_versions": filters.all_versions,
    }
    result = None
    error = None
    if q and q.strip():
        try:
            result = service.run_search(
                room_of(request), q, filters, limit=PAGE, offset=(page - 1) * PAGE
            )
        except ValueError as exc:  # QueryError: say where the query went wrong
            error = str(exc)
    return render(
        request,
        "search.html",
        params=params,
        result=result,
        error=error,
        page=page,
        page_size=PAGE,
        status=400 if error else 200,
    )


# -- reports, versions, diffs -----------------------------------------------------------
@router.get("/reports/{agency_id}/{year}", response_class=HTMLResponse)
def report_page(request: Request, agency_id: AgencyPath, year: YearPath) -> HTMLResponse:
    view = service.report_view(room_of(request), agency_id, year)
    captures = [v["capture"] for d in view["documents"] for v in d["versions"]] + [
        o["capture"] for d in view["documents"] for o in d["observations"] if o["capture"]
    ]
    replay = {}
    if request.app.state.replay_url:
        for cap in captures:
            if cap and cap["url"]:
                replay[cap["capture_id"]] = replay_link(
                    request.app.state.replay_url, cap["url"], _parse(cap["captured_at"])
                )
    links = service.evidence_links(room_of(request), [_as_finding(f) for f in view["findings"]])
    return render(request, "report.html", r=view, replay=replay, evidence=links)


@router.get("/versions/{version_id}", response_class=HTMLResponse)
def version_page(request: Request, version_id: IdPath) -> HTMLResponse:
    view = service.version_view(room_of(request), version_id)
    return render(request, "version.html", v=view)


@router.get("/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**53)],
    to: Annotated[int, Query(ge=1, le=2**53)],
) -> HTMLResponse:
    view = service.diff_view(room_of(request), from_, to)
    return render(request, "diff.html", d=view)


# -- agencies ---------------------------------------------------------------------------
@router.get("/agencies", response_class=HTMLResponse)
def agencies_page(
    request: Request,
    region: Region = None,
    level: Level | None = None,
    kind: Kind | None = None,
    name: Annotated[str | None, Query(max_length=100, pattern=TEXT)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    total, rows = reading.list_agencies(
        room_of(request).archive,
        region=region,
        level=level.value if level else None,
        kind=kind.value if kind else None,
        name=name,
        limit=50,
        offset=(page - 1) * 50,
    )
    params = {
        "region": region,
        "level": level.value if level else None,
        "kind": kind.value if kind else None,
        "name": name,
    }
    return render(
        request, "agencies.html", rows=rows, total=total, page=page, params=params, page_size=50
    )


@router.get("/agencies/{agency_id}", response_class=HTMLResponse)
def agency_page(request: Request, agency_id: AgencyPath) -> HTMLResponse:
    view = service.agency_view(room_of(request), agency_id)
    return render(request, "agency.html", a=view)


# -- coverage ---------------------------------------------------------------------------
@router.get("/coverage", response_class=HTMLResponse)
def coverage_page(
    request: Request,
    region: Annotated[str, Query(pattern=r"^([0-9]{1,12}|none)?$")] = "",
    year: Annotated[list[int] | None, Query()] = None,
    level: Annotated[list[Level] | None, Query()] = None,
    kind: Annotated[list[Kind] | None, Query()] = None,
) -> HTMLResponse:
    for y in year or ():
        if not 1990 <= y <= 2100:
            raise ValueError(_("year must be between 1990 and 2100"))
    matrix = service.coverage_view(
        room_of(request),
        region=region,
        years=year[:30] if year else None,
        levels=[lv.value for lv in level] if level else None,
        kinds=[k.value for k in kind] if kind else None,
    )
    return render(request, "coverage.html", m=matrix)


# -- findings ---------------------------------------------------------------------------
def _as_finding(record: dict[str, Any]) -> Finding:
    return Finding(
        record["agency_id"], record["year"], record["finding"], record["detail"], record["evidence"]
    )


@router.get("/findings", response_class=HTMLResponse)
def findings_page(
    request: Request,
    finding: Annotated[list[FindingKind] | None, Query()] = None,
    year: Year = None,
    region: Region = None,
    agency: AgencyId = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    kinds = [k.value for k in finding] if finding else None
    view = service.findings_view(
        room_of(request),
        kinds=kinds,
        year=year,
        region=region,
        agency=agency,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    links = service.evidence_links(room_of(request), view.findings)
    params = {"finding": kinds, "year": year, "region": region, "agency": agency}
    return render(
        request,
        "findings.html",
        view=view,
        links=links,
        params=params,
        page=page,
        page_size=PAGE,
        status=200 if view.state.result is not None else 503,
    )


@router.get("/findings.atom")
def findings_feed(
    request: Request,
    finding: Annotated[list[FindingKind] | None, Query()] = None,
    year: Year = None,
    region: Region = None,
    agency: AgencyId = None,
) -> Response:
    """The newest findings (by the time of their latest evidence) as an Atom feed."""
    view = service.findings_view(
        room_of(request),
        kinds=[k.value for k in finding] if finding else None,
        year=year,
        region=region,
        agency=agency,
        limit=200,
    )
    if view.state.result is None:
        return Response(
            "the audit of the archive is running; try again shortly",
            status_code=503,
            headers={"Retry-After": "10"},
            media_type="text/plain; charset=utf-8",
        )
    base = str(request.base_url).rstrip("/")
    atom = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", atom)
    feed = ET.Element(f"{{{atom}}}feed")
    ET.SubElement(feed, f"{{{atom}}}title").text = _("nianbao: watchdog findings")
    ET.SubElement(feed, f"{{{atom}}}id").text = (
        base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    )
    ET.SubElement(feed, f"{{{atom}}}link", rel="self", href=str(request.url))
    ET.SubElement(feed, f"{{{atom}}}link", rel="alternate", href=base + "/findings")
    updated = max((service.finding_updated(f) for f in view.findings), default="")
    ET.SubElement(feed, f"{{{atom}}}updated").text = updated or _now()
    for f in view.findings:
        entry = ET.SubElement(feed, f"{{{atom}}}entry")
        key = hashlib.sha256(f"{f.agency_id}|{f.year}|{f.finding}|{f.detail}".encode()).hexdigest()
        ET.SubElement(entry, f"{{{atom}}}id").text = f"urn:nianbao:finding:{key[:32]}"
        ET.SubElement(
            entry, f"{{{atom}}}title"
        ).text = f"{label('finding', f.finding)}: {f.agency_id} {f.year}"
        ET.SubElement(entry, f"{{{atom}}}updated").text = service.finding_updated(f) or _now()
        ET.SubElement(entry, f"{{{atom}}}link", href=f"{base}/reports/{f.agency_id}/{f.year}")
        content = ET.SubElement(entry, f"{{{atom}}}content", type="text")
        lines = [f.detail] + [
            f"{e.get('note') or ''} {e.get('url') or ''} {e.get('captured_at') or ''} sha256:{e.get('sha256') or ''}".strip()
            for e in f.evidence
        ]
        content.text = "\n".join(lines)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- archivists -------------------------------------------------------------------------
@router.get("/archivists", response_class=HTMLResponse)
def archivists_page(request: Request) -> HTMLResponse:
    view = service.archivists_view(room_of(request))
    return render(
        request,
        "archivists.html",
        v=view,
        crawls=request.app.state.crawls.history,
        message=request.query_params.get("done"),
    )


# -- evidence ---------------------------------------------------------------------------
@router.get("/captures/{capture_id}", response_class=HTMLResponse)
def capture_page(request: Request, capture_id: IdPath) -> HTMLResponse:
    detail = reading.capture_detail(room_of(request).archive, capture_id)
    if detail is None:
        raise KeyError(f"no capture {capture_id}")
    replay = None
    if request.app.state.replay_url and detail.captured_at and detail.status < 400:
        replay = replay_link(request.app.state.replay_url, detail.url, _parse(detail.captured_at))
    return render(request, "capture.html", c=detail, replay=replay)


@router.get("/captures/{capture_id}/original")
def capture_original(request: Request, capture_id: IdPath) -> Response:
    return original_response(room_of(request), capture_id)


@router.get("/captures/{capture_id}/warc")
def capture_warc(request: Request, capture_id: IdPath) -> Response:
    return warc_response(room_of(request), capture_id)


# -- admin ------------------------------------------------------------------------------
def _admin_nonce(request: Request, csrf: str | None) -> str:
    admin: Admin = request.app.state.admin
    if not admin.enabled:
        raise ActionError(_("the reading room is read-only (no admin token is set)"))
    if not same_origin(request):
        raise ActionError(_("refused: the form was sent from another site"))
    nonce = admin.session(request)
    if nonce is None:
        raise ActionError(_("sign in first"))
    if not admin.check_csrf(nonce, csrf):
        raise ActionError(_("refused: the form's security token is missing or wrong"))
    return nonce


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request) -> HTMLResponse:
    return render(request, "admin.html", sites=room_of(request).archive.sites())


@router.post("/admin/login")
def admin_login(request: Request, token: Annotated[str, Form(max_length=1000)] = "") -> Response:
    admin = request.app.state.admin
    if not admin.enabled:
        raise ActionError(_("the reading room is read-only (no admin token is set)"))
    if not same_origin(request):
        raise ActionError(_("refused: the form was sent from another site"))
    if not admin.check_token(token):
        return error_page(request, 403, _("wrong admin token"))
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        admin.new_session(),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/admin/logout")
def admin_logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    _admin_nonce(request, csrf)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/admin/registry")
async def admin_registry(
    request: Request,
    file: UploadFile,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _admin_nonce(request, csrf)
    raw = await file.read(20_000_001)
    if len(raw) > 20_000_000:
        raise ActionError(_("the registry file is larger than 20 MB"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ActionError(_("the registry file is not UTF-8 text")) from exc
    summary = import_registry(room_of(request), text, file.filename or "registry.yaml")
    return RedirectResponse(href("/archivists", done=str(summary)), status_code=303)


@router.post("/admin/schedule")
def admin_schedule(
    request: Request,
    site: Annotated[str, Form(pattern=r"^([^\x00-\x1f\x7f/]{1,100}|\*)$")],
    spec: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _admin_nonce(request, csrf)
    result = set_schedule(room_of(request), None if site == "*" else site, spec.strip() or None)
    return RedirectResponse(
        href("/archivists", done=f"{result['site_id'] or '*'}: {result['spec'] or '-'}"),
        status_code=303,
    )


@router.post("/admin/crawl")
def admin_crawl(
    request: Request,
    sites: Annotated[list[str], Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _admin_nonce(request, csrf)
    for site in sites:
        if len(site) > 100 or not site or "\x00" in site:
            raise ActionError(_("not a site id"))
    job = request.app.state.crawls.start(room_of(request), sites)
    return RedirectResponse(
        href("/archivists", done=_("crawl started: ") + ", ".join(job.sites)), status_code=303
    )
