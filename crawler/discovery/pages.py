"""What a fetched page is, read from the page alone: a report's own title, an article or a
list, a file served as a page, a list filled by script; what the page says it is (its
context) and which of its anchors are furniture or name agencies."""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.anchors import Anchor, page_title, title_candidates
from crawler.attachments import sniff_file_type
from crawler.discovery.titles import classify_title
from crawler.links import is_attachment_link

ARTICLE_TITLE_LENGTH = 16
"""Anchor texts longer than this on a listing are entries, not column navigation."""
SHELL_MARKERS = (
    'id="app"',
    "id='app'",
    "v-for",
    "ng-repeat",
    "x-template",
    "innerHTML",
    "template",
    ".ajax",
    "fetch(",
    "axios",
    "XMLHttpRequest",
)


NOISE_ANCHOR = re.compile(
    r"日历|打印|分享|登录|注册|无障碍|English|繁體|关闭窗口|返回顶部|收藏|设为首页|微博|微信"
)
# a name of an agency (its catalogue leads to its reports), not a section of the site
# named like one (新闻中心, 下载中心, 互动交流中心 …)
AGENCY_ANCHOR = re.compile(
    r"^(?!(?:新闻|资讯|下载|帮助|互动|交流|互动交流|办事|数据|媒体|视频|图片|用户|个人|会员|搜索|网站|信息发布)中心$)"
    r"[\u4e00-\u9fff（）()]{2,24}(?:人民政府|政府|办事处|街道|镇|乡|局|委员会|委|办公室|办|中心|署|厅)$"
)
_BREADCRUMB = re.compile(r"(?:当前位置|您的位置|所在位置)\s*[:：]?(.{0,120})")


def report_title(selector: Selector) -> tuple[str, Any]:
    """The page's own title that reads as a report's, and its reading ('', None if none)."""
    for text in title_candidates(selector):
        match = classify_title(text)
        if match is not None:
            return text, match
    return "", None


_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)


def reads_as_article(page: TextResponse, anchors: list[Anchor], shell: Any) -> bool:
    """A page with a text of its own or files attached, and no list filled by script
    (``shell``: the page's `crawler.shells.detect_shell` reading)."""
    if shell is not None:
        return False
    if any(is_attachment_link(a.url, a.text) for a in anchors):
        return True
    visible = "".join(_TAGS.sub(" ", page.text[:400_000]).split())
    return len(visible) >= 400


def page_context(selector: Selector, text: str) -> str:
    """What a page says it is: its title, column meta and breadcrumb."""
    parts = [page_title(selector), " ".join(selector.xpath("//title//text()").getall())]
    parts += selector.xpath(
        "//meta[translate(@name,'COLUMNAME','columname')='columnname']/@content"
    ).getall()
    crumb = _BREADCRUMB.search(" ".join(selector.xpath("//body//text()").getall())[:20000])
    if crumb:
        parts.append(crumb.group(1))
    return " ".join(p for p in parts if p)


_FILE_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def is_file(response: Response) -> bool:
    """A document rather than a page: a binary answer of a file type, or any answer that
    starts like one (a small PDF is ASCII enough to be taken for text)."""
    if response.body[:8].startswith(_FILE_MAGIC):
        return True
    return not isinstance(response, TextResponse) and bool(
        sniff_file_type(response.body, response.url)
    )


def looks_script_filled(text: str) -> bool:
    """A page whose scripts look like they fill its content (worth the browser)."""
    lowered = text.lower()
    return "<script" in lowered and any(marker.lower() in lowered for marker in SHELL_MARKERS)
