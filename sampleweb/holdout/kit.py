"""The pieces every held-out site is made of: requests, answers, truth, minimal documents.

The held-out web is deliberately independent of `sampleweb.variants` (which the crawler is
tuned against): sites here are written by hand from the field guide, one small module per
site, and share only these plain data types and two tiny document makers.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Req:
    """One request as a site sees it (host without port, path without query)."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""


@dataclass
class Resp:
    status: int = 200
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Resp | Callable[[Req], Resp]


@dataclass
class Doc:
    """A report document of the truth: a report page, an attachment, or a bare file."""

    url: str
    year: int
    agency: str  # agency id of the registry entries
    title: str
    kind: str = "page"  # page | file
    aliases: list[str] = field(default_factory=list)  # redirect targets, print views …


@dataclass
class Step:
    """One request of the minimal path. `via` is text an earlier answer must contain for a
    crawler to be able to make this request (a link, an id, an API path)."""

    url: str
    method: str = "GET"
    data: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    via: str | None = None


@dataclass
class Site:
    id: str
    platform: str  # the field-guide platform / dialect
    dialect: str  # one line: what is unusual here
    owner: str  # agency id
    agencies: list[dict[str, Any]]  # registry agency entries (the owner first)
    start_urls: list[str]
    hosts: list[str]
    routes: dict[tuple[str, str], Handler]
    docs: list[Doc] = field(default_factory=list)
    lookalikes: list[str] = field(default_factory=list)  # URLs that are not 年报
    steps: list[Step] = field(default_factory=list)
    robots: dict[str, str] = field(default_factory=dict)  # host -> robots.txt
    forbidden: list[str] = field(default_factory=list)  # report URLs robots.txt forbids
    encoding: str = "utf-8"
    render: str = "auto"

    @property
    def minimum(self) -> int:
        """Requests a perfect crawler needs (robots.txt not counted)."""
        return len(self.steps)


class Urls:
    """Absolute URLs on the loopback web: every host answers on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port

    def __call__(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


def html(
    title: str, body: str, *, encoding: str = "utf-8", head: str = "", column: str = ""
) -> Resp:
    meta = f'<meta name="ColumnName" content="{column}">' if column else ""
    text = (
        f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>{title}</title>'
        f"{meta}{head}</head><body>{body}</body></html>"
    )
    ctype = f"text/html; charset={encoding}"
    return Resp(body=text.encode(encoding, "xmlcharrefreplace"), ctype=ctype)


def as_json(value: Any, ctype: str = "application/json;charset=UTF-8") -> Resp:
    return Resp(body=json.dumps(value, ensure_ascii=False).encode(), ctype=ctype)


SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


def report_text(agency_name: str, year: int) -> list[str]:
    """The body of a report: the six sections every 年报 since 2019 has."""
    lines = [
        f"本报告依据《中华人民共和国政府信息公开条例》编制，由{agency_name}办公室负责。"
        f"报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"
    ]
    for i, head in enumerate(SECTIONS):
        lines += [head, f"{year}年，{agency_name}主动公开政府信息{120 + 7 * i + year % 50}条。"]
    return lines


def report_page(
    title: str,
    agency_name: str,
    year: int,
    *,
    extra: str = "",
    container: str = '<div class="TRS_Editor">{}</div>',
    encoding: str = "utf-8",
    head: str = "",
) -> Resp:
    paragraphs = "".join(f"<p>{p}</p>" for p in report_text(agency_name, year))
    body = f"<h1>{title}</h1><div class='info'>发布机构：{agency_name} 发布日期：{year + 1}-02-20</div>"
    head = f'<meta name="ArticleTitle" content="{title}">{head}'
    return html(title, body + container.format(paragraphs) + extra, encoding=encoding, head=head)


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF whose Chinese text extracts (STSong-Light, UniGB-UCS2-H, no embedding)."""

    def hexs(s: str) -> str:
        return "<" + s.encode("utf-16-be").hex().upper() + ">"

    ops = ["BT", "/F1 12 Tf", "14 TL", "50 800 Td", f"{hexs(title)} Tj"]
    ops += [f"T* {hexs(line[:40])} Tj" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    )
    return out.getvalue()


def docx(title: str, lines: list[str]) -> bytes:
    """The smallest Word document python-docx and Word open: three parts in a zip."""
    paras = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in [title, *lines])
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>{paras}</w:body></w:document>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_resp(
    body: bytes, ctype: str = PDF, filename: str | None = None, *, gbk: bool = False
) -> Resp:
    """A file answer; `gbk` sends the Content-Disposition name as raw GBK bytes, unquoted,
    the way Java back-ends do (the header is latin-1 on the wire)."""
    headers = {}
    if filename:
        name = filename.encode("gbk").decode("latin-1") if gbk else filename
        headers["Content-Disposition"] = f"attachment;filename={name}"
    return Resp(body=body, ctype=ctype, headers=headers)


def agency(
    aid: str, name: str, level: str, kind: str = "government", **more: Any
) -> dict[str, Any]:
    return {"id": aid, "name": name, "level": level, "kind": kind, **more}
