"""Building archives for tests through the real API (registry → recorder → SQL + WARC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from paths import SEEDS

from capture.recorder import CaptureRecorder
from capture.types import FetchedResponse, Role
from registry.loader import parse_yaml

REGISTRY = """
agencies:
  - id: ninghai
    name: 宁海县人民政府
    aliases: [宁海县]
    division_code: "330226"
    level: county
    kind: government
  - id: changjie
    name: 长街镇人民政府
    aliases: [长街镇]
    level: township
    kind: government
    parent: ninghai
sites:
  - id: ninghai-gov
    agency: ninghai
    start_urls: [http://www.ninghai.gov.cn/col/col1229051395/index.html]
"""

T0 = datetime(2021, 2, 15, 3, 0, 12, tzinfo=UTC)


def seed_text(n: int = 0) -> str:
    return sorted(SEEDS.glob(f"{n:03d}_*.txt"))[0].read_text(encoding="utf-8")


def report_page(
    body: str,
    *,
    visits: int = 1,
    clock: str = "10:00:00",
    title: str = "长街镇2020年度政府信息公开年度报告",
) -> bytes:
    """A CMS article page around ``body``, with furniture that changes on every visit."""
    paragraphs = "".join(f"<p>{line}</p>" for line in body.splitlines() if line.strip())
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta name="PubDate" content="2021-01-07 09:30"></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/col/col1/index.html">信息公开年报</a></div>
<div class="clock">当前时间：{clock}</div>
<div class="article"><h1>{title}</h1><div class="info">发布时间：2021-01-07 浏览次数：{visits}</div>
<div id="zoom">{paragraphs}</div></div>
<div class="footer">主办：宁海县人民政府办公室 网站标识码3302260001</div></body></html>"""
    return html.encode("utf-8")


def fetched(
    url: str,
    body: bytes,
    *,
    role: Role = Role.REPORT,
    status: int = 200,
    at: datetime = T0,
    content_type: str = "text/html; charset=utf-8",
    run_id: int | None = None,
    **kw: Any,
) -> FetchedResponse:
    headers = [("Content-Type", content_type), ("Server", "nginx")]
    return FetchedResponse(
        url=url,
        status=status,
        body=body,
        fetched_at=at,
        site_id="ninghai-gov",
        role=role,
        run_id=run_id,
        response_headers=headers,
        request_headers=[("User-Agent", "nianbao-test")],
        **kw,
    )


def setup_archive(archive) -> CaptureRecorder:
    archive.import_registry(parse_yaml(REGISTRY))
    return CaptureRecorder.open(archive)


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)
