"""Report bodies delivered as data: HTML inside scripts, JSON, JSONP and JS strings.

Platforms that render the article in the browser ship its HTML as a string: gkmlpt's
``window._CONFIG = {…, DETAIL: {content: "\\u003Cp\\u003E…"}}``, Hanweb jpaas's JSON
``{"data": {"html": "<div…"}}``, JSONP ``callback({…})``, ``var content = "<table…" +
"…"``, ``document.write('…')`` runs, HTML-escaped copies in hidden ``<textarea>``s and
``<script type="text/template">`` blocks. Nothing here knows a platform: every string
literal of a script or data document is a candidate, decoded with the JS/JSON escapes,
kept when it holds markup; literals joined by ``+`` and consecutive ``document.write``
calls are one fragment.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

_LITERAL = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`""", re.S)
_JOIN = re.compile(r"^\s*\+\s*$")
_WRITE_GAP = re.compile(r"^\s*\)\s*;?\s*(?:document\s*\.\s*write(?:ln)?\s*\(\s*)$")
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_MARKUP = re.compile(
    r"<\s*/?\s*(p|div|table|tr|td|span|br|h\d|section|article|font|strong|b)\b", re.I
)
_ESCAPED_HINT = re.compile(r"\\u003c|\\x3c|&lt;|\\u003C|\\x3C", re.I)
_MIN_CHARS = 60
_MAX_SCRIPT = 8_000_000


@dataclass
class Fragment:
    """An HTML fragment found in data, with where it was found."""

    html: str
    source: str
    """``script``, ``json``, ``textarea``, ``template``."""


def js_unescape(text: str) -> str:
    """Decode JS/JSON string escapes (``\\u003C``, ``\\x3c``, ``\\n``, ``\\/``, …)."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code.startswith("u{"):
            return _chr(int(code[2:-1], 16))
        if code[0] == "u" and len(code) == 5:
            return _chr(int(code[1:], 16))
        if code[0] == "x" and len(code) == 3:
            return chr(int(code[1:], 16))
        if code == "\n":
            return ""  # a line continuation
        return _SIMPLE.get(code, code)

    decoded = _ESCAPE.sub(one, text)
    # Surrogate pairs written as two \\u escapes.
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")


def _chr(code: int) -> str:
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


def _as_markup(text: str, depth: int = 0) -> str | None:
    """``text`` as HTML when it holds markup (after one more unescaping if needed)."""
    if _MARKUP.search(text):
        return text
    if depth < 2 and _ESCAPED_HINT.search(text):
        unescaped = js_unescape(text) if "\\" in text else html_lib.unescape(text)
        if unescaped != text:
            return _as_markup(unescaped, depth + 1)
    if depth < 2 and "&lt;" in text:
        return _as_markup(html_lib.unescape(text), depth + 1)
    return None


def literal_groups(code: str) -> list[str]:
    """The decoded string literals of ``code``, joined where ``+`` or consecutive
    ``document.write(`` calls join them."""
    groups: list[str] = []
    current: list[str] = []
    last_end = -1
    for match in _LITERAL.finditer(code[:_MAX_SCRIPT]):
        raw = next(g for g in match.groups() if g is not None)
        gap = code[last_end : match.start()] if last_end >= 0 else None
        joined = gap is not None and (_JOIN.match(gap) or _WRITE_GAP.match(gap))
        if current and not joined:
            groups.append("".join(current))
            current = []
        current.append(js_unescape(raw) if "\\" in raw else raw)
        last_end = match.end()
    if current:
        groups.append("".join(current))
    return groups


def fragments_in_code(code: str, source: str) -> list[Fragment]:
    """HTML fragments in a script or data document (JSON, JSONP, JS)."""
    found: list[Fragment] = []
    if "<" not in code and not _ESCAPED_HINT.search(code):
        return found
    for group in literal_groups(code):
        if len(group) < _MIN_CHARS:
            continue
        markup = _as_markup(group)
        if markup is not None:
            found.append(Fragment(markup, source))
        elif group.lstrip().startswith(("{", "[")) and depth_ok(group):
            # JSON inside a string (double-encoded): look inside once more.
            found.extend(fragments_in_code(group, source))
    return found


def depth_ok(text: str) -> bool:
    return len(text) < _MAX_SCRIPT and ("<" in text or bool(_ESCAPED_HINT.search(text)))


_DATA_START = re.compile(r"^\s*(?:[\[{]|[\w$.]+\s*\(\s*[\[{]|(?:var|let|const)\s+[\w$]+\s*=)")


def looks_like_data(text: str) -> bool:
    """JSON, JSONP (``callback({…})``) or a JS assignment, rather than prose."""
    return bool(_DATA_START.match(text[:2000]))
