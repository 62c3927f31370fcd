"""Normalisation: what decides whether a document has a new version.

The normalised text drops what changes while the report does not: white space, page
furniture such as visit counters (浏览次数：123), clocks and "today is" banners. The HTML
reader of ``extract.text`` has already removed navigation around the article.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

FURNITURE = [
    # visit counters: 浏览次数：123 / 访问量: 45 / 点击数 6 / 阅读：7次
    re.compile(
        r"(浏览次数|浏览量|访问次数|访问量|点击数|点击量|点击率|阅读数|阅读量|阅读次数|阅读)\s*[:：]?\s*\d+\s*次?"
    ),
    # "today is" banners and clocks
    re.compile(
        r"今天是\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(星期|周)?[一二三四五六日天]?"
    ),
    re.compile(r"(当前时间|现在时间|北京时间)\s*[:：]?\s*[\d\-/年月日\s:]+"),
    re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b"),
    re.compile(r"(字号|字体)\s*[:：]?\s*[大中小\s|]+"),
    re.compile(r"【?\s*(打印本页|关闭窗口|打印|关闭|收藏|分享到)\s*】?"),
]
SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The text as it is compared between captures."""
    text = unicodedata.normalize("NFKC", text)
    for pattern in FURNITURE:
        text = pattern.sub("", text)
    return SPACE.sub("", text)


def content_sha256(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def payload_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def url_sha256(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()
