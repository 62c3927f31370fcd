"""Decode Chinese government pages without mojibake.

Order of trust: the HTTP Content-Type charset, then a <meta> declaration (both through
w3lib, which maps GB2312/GBK to their superset GB18030), then a byte-order mark, then
strict UTF-8, then strict GB18030. Statistical guessers are not used: they call short GBK
text Korean.
"""

from __future__ import annotations

import codecs

from scrapy.http import HtmlResponse, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

_CHINESE_SUPERSET = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
}


def _normalise(encoding: str | None) -> str | None:
    if not encoding:
        return None
    resolved = resolve_encoding(encoding)
    if not resolved:
        return None
    return _CHINESE_SUPERSET.get(resolved.lower(), resolved)


def detect_encoding(body: bytes, content_type: str | None) -> str:
    """The encoding to decode body with (a Python codec name)."""
    declared = _normalise(http_content_type_encoding(content_type or ""))
    if declared:
        return declared
    declared = _normalise(html_body_declared_encoding(body[:4096]))
    if declared:
        return declared
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        body.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8"


def as_text_response(response: Response) -> TextResponse:
    """The response as a TextResponse whose encoding was chosen by detect_encoding."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    encoding = detect_encoding(response.body, content_type)
    if isinstance(response, TextResponse) and response.encoding == encoding:
        return response
    return HtmlResponse(
        url=response.url,
        status=response.status,
        headers=response.headers,
        body=response.body,
        encoding=encoding,
        request=response.request,
        ip_address=response.ip_address,
        flags=list(response.flags),
    )
