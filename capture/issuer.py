"""The issuer a document names for itself: its 落款 signature, the agency on its first
line, or its page's ``<meta name="ContentSource">``.

The archive attributes a report to the agency its title names, else to this issuer, else
to the site's owner (``storage.agencies``). Read from what extraction produced (the text)
and, for HTML, from the page's own ``<meta>``: a value is kept only when it is a name
(``looks_like_agency``: 荥阳市广武镇人民政府, not 本网 or 2021年1月7日).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.names import clean_name
from storage.agencies import looks_like_agency

__all__ = ["Issuer", "document_issuer", "issuer_from_meta", "issuer_from_text"]

_DATE_LINE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?"
    r"|[〇○零O一二][〇○零O一二三四五六七八九]{3}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)$"
)
_SKIP_LINE = re.compile(r"^(?:附件\s*\d*\s*[:：]?|附表\s*\d*\s*[:：]?)$")
_TITLE_LINE = re.compile(r"报告|年报")
_BRACKETS = re.compile(r"^[（(【\[]\s*(.+?)\s*[)）】\]]$")
_META = re.compile(rb"<meta\b[^>]{0,600}>", re.I)
_META_NAME = re.compile(rb"""\bname\s*=\s*["']?contentsource["'\s/>]""", re.I)
_META_CONTENT = re.compile(rb"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]{2,20})""", re.I)
_HEAD_BYTES = 65536


@dataclass(frozen=True)
class Issuer:
    name: str
    source: str
    """``signature``, ``first_line`` or ``meta:ContentSource``."""


def _name(line: str) -> str | None:
    line = line.strip(" \t\u3000\u00a0")
    bracketed = _BRACKETS.match(line)
    if bracketed:
        line = bracketed.group(1)
    name = clean_name(line)
    if name is None or len(name) > 30 or not looks_like_agency(name):
        return None
    return name


def _lines(text: str) -> list[str]:
    return [line.strip(" \t\u3000\u00a0") for line in text.splitlines() if line.strip()]


def issuer_from_text(text: str) -> Issuer | None:
    """The signature (a line that is only an agency's name among the last lines, above
    or without a date), else a line that is only an agency's name at the top (above or
    under the title)."""
    lines = [line for line in _lines(text) if "\t" not in line]
    tail = lines[-5:]
    names = [line for line in tail if not _DATE_LINE.match(re.sub(r"\s+", "", line))]
    for line in reversed(names[-2:]):
        name = _name(line)
        if name is not None:
            return Issuer(name, "signature")
    for line in lines[:4]:
        if _SKIP_LINE.match(line) or _TITLE_LINE.search(line):
            continue  # 附件：, or the title (the name may come under it: （坎布拉镇人民政府）)
        name = _name(line)
        if name is not None:
            return Issuer(name, "first_line")
        break
    return None


def _decode(value: bytes, head: bytes) -> str:
    declared = _CHARSET.search(head)
    encodings = [declared.group(1).decode("ascii")] if declared else []
    for encoding in [*encodings, "utf-8", "gb18030"]:
        try:
            return value.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return value.decode("utf-8", errors="replace")


def issuer_from_meta(body: bytes) -> Issuer | None:
    """``<meta name="ContentSource" content="…">`` of an HTML page (either attribute
    order), when its value is an agency's name."""
    head = body[:_HEAD_BYTES]
    for tag in _META.finditer(head):
        if not _META_NAME.search(tag.group(0)):
            continue
        content = _META_CONTENT.search(tag.group(0))
        if content is None:
            continue
        raw = next(g for g in content.groups() if g is not None)
        name = _name(_decode(raw, head))
        if name is not None:
            return Issuer(name, "meta:ContentSource")
    return None


def document_issuer(body: bytes, media_type: str | None, text: str) -> Issuer | None:
    """The document's issuer: signature, first line, then (HTML) ``ContentSource``."""
    found = issuer_from_text(text) if text else None
    if found is None and (media_type or "").endswith("html"):
        found = issuer_from_meta(body)
    return found
