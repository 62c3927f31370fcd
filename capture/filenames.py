"""The file name of a downloaded document: from its Content-Disposition header (sent by
Chinese servers as raw UTF-8 or GBK bytes as often as by the RFCs), else from its URL.
The crawler names the attachments it archives with these; the reading room names the
originals it serves again the same way."""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_to_bytes, urlsplit


def decode_header_value(raw: bytes) -> str:
    """A header value sent as raw bytes: UTF-8 when it is valid UTF-8, else GB18030 (what
    Chinese servers send in Content-Disposition), else Latin-1."""
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


_RFC5987 = re.compile(r"filename\*\s*=\s*([\w!#$&+.^`|~-]+)'[^']*'([^;\s]+)", re.IGNORECASE)
_PLAIN = re.compile(r'filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))', re.IGNORECASE)


def content_disposition_filename(raw: bytes | None) -> str | None:
    """The file name a Content-Disposition header gives: RFC 5987 `filename*` first, then
    `filename` sent as raw UTF-8 or GBK bytes, or percent-encoded."""
    if not raw:
        return None
    latin = raw.decode("latin-1")
    match = _RFC5987.search(latin)
    if match:
        charset, value = match.group(1), match.group(2)
        data = unquote_to_bytes(value)
        try:
            return _clean_name(data.decode(charset))
        except (LookupError, UnicodeDecodeError):
            return _clean_name(decode_header_value(data))
    match = _PLAIN.search(latin)
    if not match:
        return None
    value = match.group(1) if match.group(1) is not None else match.group(2).strip()
    value = value.replace('\\"', '"')
    data = value.encode("latin-1")
    if b"%" in data and re.search(rb"%[0-9A-Fa-f]{2}", data):
        data = unquote_to_bytes(data)
    return _clean_name(decode_header_value(data))


def filename_from_url(url: str) -> str | None:
    """The last path segment of a URL, percent-decoded, when it names a file."""
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return last if "." in last else None


def _clean_name(name: str) -> str | None:
    name = name.strip().strip('"').replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or None
