"""Security of the reading room: response headers, the admin session, CSRF tokens.

- Every response carries ``X-Content-Type-Options: nosniff``; pages a Content-Security-
  Policy that allows only the app's own scripts and styles (no inline script), frames
  only from the replay server, and no framing of the app itself.
- Read-only by default. With ``NIANBAO_ADMIN_TOKEN`` set, ``/admin`` signs in whoever
  presents the token (an HttpOnly, SameSite=Strict session cookie, HMAC-signed with a key
  derived from the token); the API takes the token as ``Authorization: Bearer``.
- Every form that changes something carries a CSRF token bound to the session, and
  cross-origin POSTs are refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

SESSION_COOKIE = "nb_admin"
LANG_COOKIE = "nb_lang"
SESSION_SECONDS = 8 * 3600

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def page_csp(replay_origin: str | None) -> str:
    frames = replay_origin or "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"frame-src {frames}; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


DOWNLOAD_CSP = "sandbox; default-src 'none'"
"""For archived bytes served by the app: nothing in them may run, even if opened inline."""


class SecurityHeaders:
    """ASGI middleware adding the security headers (a route's own CSP wins)."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.csp = csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.csp))
                if b"x-frame-options" not in names:
                    headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class Admin:
    """The admin token, the session cookies it signs and the CSRF tokens of forms."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self._key = (
            hashlib.sha256(b"nianbao-web-admin\0" + token.encode()).digest() if token else b""
        )

    @property
    def enabled(self) -> bool:
        return self.token is not None

    def check_token(self, presented: str | None) -> bool:
        if not self.token or not presented:
            return False
        return hmac.compare_digest(presented.encode(), self.token.encode())

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def new_session(self) -> str:
        value = f"{int(time.time()) + SESSION_SECONDS}.{secrets.token_hex(16)}"
        return f"{value}.{self._sign(value)}"

    def session(self, request: Request) -> str | None:
        """The session's nonce when the request carries a valid admin session."""
        if not self.enabled:
            return None
        raw = request.cookies.get(SESSION_COOKIE) or ""
        parts = raw.split(".")
        if len(parts) != 3 or not parts[0].isdigit():
            return None
        value = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(parts[2], self._sign(value)) or int(parts[0]) < time.time():
            return None
        return parts[1]

    def bearer(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        return scheme.lower() == "bearer" and self.check_token(token.strip())

    def csrf_token(self, nonce: str) -> str:
        return self._sign("csrf:" + nonce)

    def check_csrf(self, nonce: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(str(presented), self.csrf_token(nonce))


def same_origin(request: Request) -> bool:
    """A POST from the app's own pages: its Origin (or Referer) is the app's, or absent
    (non-browser clients send neither)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own or origin.startswith(own + "/")


def safe_next(target: str | None) -> str:
    """A local path to go back to (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
