"""The ASGI application: ``create_app(room)`` builds the pages, the JSON API under
``/api/v1`` (OpenAPI at ``/openapi.json``), the static files and the middleware."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from nianbao import __version__
from query.search import HIGHLIGHT
from query.search_query import QueryError
from storage.archive import Archive
from web import i18n
from web.actions import ActionError, Crawls
from web.evidence import EvidenceError
from web.replay import origin_of
from web.room import Room
from web.security import LANG_COOKIE, Admin, SecurityHeaders, page_csp
from web.settings import WebSettings
from web.tables import COLUMN_LABELS
from web.vocab import label

HERE = Path(__file__).resolve().parent
API = "/api/v1"


def _marks(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, highlighted) pieces; the template escapes each."""
    out: list[tuple[str, bool]] = []
    for part in re.split(f"({re.escape(HIGHLIGHT[0])}.*?{re.escape(HIGHLIGHT[1])})", snippet):
        if not part:
            continue
        if part.startswith(HIGHLIGHT[0]) and part.endswith(HIGHLIGHT[1]):
            out.append((part[1:-1], True))
        else:
            out.append((part, False))
    return out


def _size(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _when(value: str | None) -> str:
    """``2021-02-15T03:00:12Z`` shown as ``2021-02-15 03:00:12 UTC``."""
    if not value:
        return ""
    return value.replace("T", " ").replace("Z", " UTC")


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["label"] = lambda value, vocabulary="status": label(vocabulary, value)
    env.filters["marks"] = _marks
    env.filters["size"] = _size
    env.filters["when"] = _when
    env.filters["short"] = lambda value, n=12: (value or "")[:n]
    env.filters["label_column"] = lambda key: COLUMN_LABELS.get(key, key)
    # compiled now, once per process, not by the first request of each page (a coverage
    # or report page compiles its templates in a tenth of a second)
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    return env


class Languages:
    """Pick the request's language: ``?lang=``, else the ``nb_lang`` cookie, else Chinese."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = None
        query = scope.get("query_string", b"").decode("latin-1")
        match = re.search(r"(?:^|&)lang=(zh|en)(?:&|$)", query)
        if match:
            lang = match.group(1)
        else:
            for name, value in scope.get("headers", []):
                if name == b"cookie":
                    found = re.search(rf"(?:^|;\s*){LANG_COOKIE}=(zh|en)", value.decode("latin-1"))
                    if found:
                        lang = found.group(1)
        token = i18n.current.set(i18n.pick(lang))
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current.reset(token)


class RefuseNul:
    """Refuse a NUL byte anywhere in the path or query (PostgreSQL cannot store one), and
    drop empty parameters (``year=`` from a form's empty field means "any year")."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope.get("path", "")
            or b"%00" in scope.get("query_string", b"")
            or b"\x00" in scope.get("query_string", b"")
        ):
            response = JSONResponse(
                {"error": "NUL characters are not allowed in a URL"}, status_code=400
            )
            await response(scope, receive, send)
            return
        if scope["type"] == "http" and scope.get("query_string"):
            pairs = scope["query_string"].split(b"&")
            kept = [p for p in pairs if p and not p.endswith(b"=")]
            if len(kept) != len(pairs):
                scope = dict(scope, query_string=b"&".join(kept))
        await self.app(scope, receive, send)


def create_app(
    room: Room | None = None,
    *,
    archive: Archive | None = None,
    settings: WebSettings | None = None,
) -> FastAPI:
    """The reading room over ``room`` (else over ``archive``, else the archive the
    settings name)."""
    settings = settings or (room.settings if room else WebSettings.from_env())
    if room is None:
        archive = archive or Archive(settings.db_url, settings.data_dir)
        room = Room(archive, settings)
    warm_room = room

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the caches every coverage page needs (the region tree of every agency, the
        # sites' crawls) are read before the first request, not by it
        await anyio.to_thread.run_sync(warm_room.warm)
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="nianbao reading room API",
        version=__version__,
        description=(
            "The archive of China's government information-disclosure annual reports "
            "(政府信息公开工作年度报告): search, reports and their versions, diffs, "
            "statistics, watchdog findings, coverage, agencies, sites and crawl runs. "
            "Field names follow the archive's exports (exports.md). Read-only; the "
            "`/api/v1/admin` actions need `Authorization: Bearer <NIANBAO_ADMIN_TOKEN>`."
        ),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.room = room
    app.state.env = templates()
    app.state.admin = Admin(settings.admin_token)
    app.state.crawls = Crawls()
    app.state.replay_url = settings.replay_url

    from web import api, pages

    app.include_router(api.router, prefix=API)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith(API) or request.url.path == "/openapi.json"

    def problem(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return pages.error_page(request, status, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(
                str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")
            )
            parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        message = "; ".join(parts) or "invalid request"
        if wants_json(request):
            return JSONResponse({"error": message, "detail": _plain(exc.errors())}, status_code=422)
        return pages.error_page(request, 400, message)

    @app.exception_handler(KeyError)
    async def not_found(request: Request, exc: KeyError) -> Response:
        return problem(request, 404, str(exc.args[0]) if exc.args else "not found")

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return problem(request, 400, str(exc))

    @app.exception_handler(ActionError)
    async def bad_action(request: Request, exc: ActionError) -> Response:
        return problem(request, 400, str(exc))

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> Response:
        return problem(request, 400, str(exc))

    @app.exception_handler(EvidenceError)
    async def unreadable(request: Request, exc: EvidenceError) -> Response:
        return problem(request, 500, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405 and not wants_json(request):
            return PlainTextResponse("method not allowed", status_code=405)
        return problem(request, exc.status_code, str(exc.detail))

    replay_origin = origin_of(settings.replay_url) if settings.replay_url else None
    app.add_middleware(SecurityHeaders, csp=page_csp(replay_origin))
    app.add_middleware(Languages)
    app.add_middleware(RefuseNul)
    return app


def _plain(errors: Any) -> Any:
    """Validation errors as plain JSON (their ``ctx`` may hold exception objects)."""
    out = []
    for err in errors:
        out.append(
            {
                k: (v if k != "ctx" else {a: str(b) for a, b in v.items()})
                for k, v in err.items()
                if k != "url"
            }
        )
    return out


def href(path: str, **params: Any) -> str:
    """A local URL with the non-empty parameters (lists repeated)."""
    pairs: list[tuple[str, Any]] = []
    for key, value in params.items():
        if value is None or value == "" or value is False:
            continue
        if isinstance(value, list | tuple):
            pairs += [(key, v) for v in value]
        else:
            pairs.append((key, "1" if value is True else value))
    return path + ("?" + urlencode(pairs) if pairs else "")
