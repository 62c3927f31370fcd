"""Names and titles taken from crawled text, made safe before they enter the archive.

Listing anchors, page ``<title>``s, ``<meta>`` values and document headings are written by
whoever controls a site. Before such text becomes a report title or the name of an agency
(an unregistered agency is created from a title), it is cleaned: markup and character
references are removed (``海湾区<script>alert(1)</script>`` → ``海湾区``), control, format
(zero-width, bidi) and private-use characters dropped, white space collapsed, and overlong
values cut (titles) or refused (agency names: no real name is that long).
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["MAX_NAME", "MAX_TITLE", "clean_name", "clean_text"]

MAX_TITLE = 300
"""Characters kept of a title (the longest real report titles are under 100)."""
MAX_NAME = 60
"""Longest plausible agency name (国家税务总局深圳市南山区税务局 is 15 characters)."""

# whole elements whose content is code, not text
_CODE_ELEMENT = re.compile(
    r"<\s*(script|style|template|noscript|iframe|object|svg|math)\b[^>]*>.*?(?:<\s*/\s*\1\s*>|$)",
    re.I | re.S,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)", re.S)
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*(?:>|$)")
_ANGLE = re.compile(r"[<>]")
# terminal escape sequences, whole (their payload is no text either): CSI, OSC, DCS/PM/APC
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]"
)
_SPACE = re.compile(r"\s+")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")
_NAME_EDGES = " \t:：;；,，、.。·•|｜_-—–~'\"“”‘’()（）[]【】〔〕《》<>"
_DROPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def _strip_markup(text: str) -> str:
    # Character references may hide markup (&lt;script&gt;), sometimes twice (&amp;lt;):
    # decode and strip until nothing changes.
    for _ in range(4):
        before = text
        text = _COMMENT.sub(" ", text)
        text = _CODE_ELEMENT.sub(" ", text)
        text = _TAG.sub(" ", text)
        text = html.unescape(text)
        if text == before:
            break
    return _ANGLE.sub(" ", text)


def _printable(text: str) -> str:
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            # tabs and line breaks separate words; zero-width and bidi marks vanish
            out.append(" " if char in "\t\n\r\x0b\x0c\x85\u2028\u2029" else "")
        else:
            out.append(char)
    return "".join(out)


def clean_text(text: str | None, *, max_length: int = MAX_TITLE) -> str | None:
    """Crawled text (a title) without markup, entities, control or invisible characters,
    with white space collapsed (and dropped next to CJK), at most ``max_length``
    characters (cut with …). None when nothing is left."""
    if text is None:
        return None
    # whatever markup surrounds a title, 64 times its length is more than enough of it
    text = _printable(_ESCAPES.sub("", _strip_markup(str(text)[: 64 * max_length])))
    text = _SPACE.sub(" ", text).strip()
    text = _CJK_SPACE.sub("", text)
    if not text:
        return None
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def clean_name(name: str | None) -> str | None:
    """An agency name taken from crawled text, cleaned like :func:`clean_text`, trimmed of
    punctuation and brackets at its ends; None when nothing name-like is left or when it
    is longer than any agency name (``MAX_NAME``)."""
    text = clean_text(name, max_length=10 * MAX_NAME)
    if text is None:
        return None
    text = text.strip(_NAME_EDGES)
    if not text or len(text) > MAX_NAME:
        return None
    if not any(unicodedata.category(c).startswith("L") for c in text):
        return None
    return text
