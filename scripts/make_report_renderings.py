"""Render the seed report text exports into the formats agencies publish.

Reads ``shared/reports/seeds/*.txt`` (paragraph lines; table cells one per line behind a
tab, rows separated by blank lines) and writes into ``sampleweb/assets/reports/``:

- ``seedNNN.docx`` (real Word tables with merged cells), ``seedNNN.pdf`` and
  ``seedNNN.doc`` (both converted by LibreOffice from the docx), ``seedNNN.html`` (the report
  inside a CMS page with navigation, breadcrumbs, a view counter and a footer);
- for seed 000 also ``seed000.wps`` (a Word 97 binary under the WPS name),
  ``seed000-gbk.html`` (GBK-encoded page), ``seed000.xlsx``/``seed000.xls`` (its tables),
  ``seed000.zip`` (docx + pdf);
- copies of the real PDFs, HTML and template docx in ``shared/reports/real``;
- ``manifest.json``: file → source, label file, format.

Usage: ``python scripts/make_report_renderings.py [--seeds DIR] [--real DIR] [--out DIR]``
(needs ``soffice`` for doc/pdf/xls).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from sampleweb.renderings.seedtext import Block, Cell, parse_seed, table_width

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- docx


def write_docx(blocks: list[Block], path: Path, title: str, author: str) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    document.core_properties.title = title
    document.core_properties.author = author
    first = True
    for block in blocks:
        if isinstance(block, str):
            paragraph = document.add_paragraph(block)
            if first:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                first = False
            continue
        width = table_width(block)
        table = document.add_table(rows=len(block), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(block):
            for cell in row:
                target = table.cell(r, cell.col)
                if cell.span > 1:
                    target = target.merge(table.cell(r, cell.col + cell.span - 1))
                if cell.vmerge != "continue":
                    target.text = cell.text
        # vertical merges: merge each restart cell down over its continuations
        for r, row in enumerate(block):
            for cell in row:
                if cell.vmerge != "restart":
                    continue
                end = r
                while end + 1 < len(block) and any(
                    c.col == cell.col and c.vmerge == "continue" for c in block[end + 1]
                ):
                    end += 1
                top = table.cell(r, cell.col)
                bottom = table.cell(end, cell.col + cell.span - 1)
                top.merge(bottom).text = cell.text
        document.add_paragraph("")
    document.save(str(path))


# ---------------------------------------------------------------- html


def table_html(rows: list[list[Cell]]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="2" style="border-collapse:collapse">']
    for r, row in enumerate(rows):
        out.append("<tr>")
        for cell in row:
            if cell.vmerge == "continue":
                continue
            rowspan = 1
            if cell.vmerge == "restart":
                for below in rows[r + 1 :]:
                    if any(c.col == cell.col and c.vmerge == "continue" for c in below):
                        rowspan += 1
                    else:
                        break
            attrs = ""
            if cell.span > 1:
                attrs += f' colspan="{cell.span}"'
            if rowspan > 1:
                attrs += f' rowspan="{rowspan}"'
            text = html.escape(cell.text) if cell.text else "&nbsp;"
            out.append(f'<td{attrs}><p align="center">{text}</p></td>')
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def page_html(blocks: list[Block], title: str, agency: str, pubdate: str, charset: str) -> str:
    body: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            body.append(f"<p>{html.escape(block)}</p>")
        else:
            body.append(table_html(block))
    content = "\n".join(body)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(title)}_{html.escape(agency)}</title>
<meta name="SiteName" content="{html.escape(agency)}门户网站">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="PubDate" content="{pubdate}">
<meta name="ContentSource" content="{html.escape(agency)}">
<script type="text/javascript">var _hmt = _hmt || []; document.write("统计代码");</script>
<style>body{{font-family:SimSun}} .nav li{{display:inline}}</style>
</head>
<body>
<div class="header"><div class="top-bar">无障碍浏览 | 长者模式 | 登录 | 注册</div>
<div class="logo">{html.escape(agency)}人民政府门户网站</div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li>
<li><a href="/zjxx/">走进{html.escape(agency)}</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<div class="main">
<div class="sidebar"><h3>信息公开目录</h3><ul><li><a href="/zwgk/zn/">信息公开指南</a></li>
<li><a href="/zwgk/zd/">信息公开制度</a></li><li><a href="/zwgk/ndbg/">信息公开年报</a></li></ul></div>
<div class="article">
<h1 class="title">{html.escape(title)}</h1>
<div class="info">发布时间：{pubdate[:10]} 来源：{html.escape(agency)} 浏览次数：<span id="hits">1234</span>
字号：[大 中 小] 【打印】【关闭】</div>
<div id="zoom" class="TRS_Editor">
{content}
</div>
<div class="share">分享到：微信 微博 QQ空间</div>
</div></div>
<div class="footer"><p>主办单位：{html.escape(agency)}人民政府办公室 网站标识码：1234567890</p>
<p>版权所有 Copyright 2021 ICP备12345678号 政府网站找错</p></div>
</body>
</html>
"""


# ---------------------------------------------------------------- xlsx


def write_xlsx(blocks: list[Block], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, block in enumerate(b for b in blocks if not isinstance(b, str)):
        sheet = book.create_sheet(f"表{number + 1}")
        for r, row in enumerate(block, start=1):
            for cell in row:
                if cell.vmerge == "continue":
                    continue
                value: str | int | float = cell.text
                if re.fullmatch(r"-?\d+", cell.text):
                    value = int(cell.text)
                sheet.cell(row=r, column=cell.col + 1, value=None if value == "" else value)
        for r, row in enumerate(block, start=1):
            for cell in row:
                if cell.vmerge == "continue":
                    continue
                end = r
                if cell.vmerge == "restart":
                    while end < len(block) and any(
                        c.col == cell.col and c.vmerge == "continue" for c in block[end]
                    ):
                        end += 1
                if cell.span > 1 or end > r:
                    sheet.merge_cells(
                        start_row=r,
                        start_column=cell.col + 1,
                        end_row=end,
                        end_column=cell.col + cell.span,
                    )
    book.save(str(path))


# ---------------------------------------------------------------- soffice


def soffice_convert(files: list[Path], target: str, outdir: Path) -> None:
    """Convert with LibreOffice using a private profile (shared profiles silently fail)."""
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    for file in files:
        produced = outdir / (file.stem + "." + target.split(":")[0])
        if not produced.exists():
            raise RuntimeError(f"soffice produced no {produced}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared/reports/seeds")
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared/reports/real")
    parser.add_argument("--out", type=Path, default=ROOT / "sampleweb/assets/reports")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, str | None]] = {}
    docx_files: list[Path] = []
    for number, seed in enumerate(sorted(args.seeds.glob("*.txt"))):
        stem = f"seed{number:03d}"
        label_path = args.seeds / "labels" / (seed.stem + ".json")
        label = json.loads(label_path.read_text(encoding="utf-8")) if label_path.exists() else {}
        agency = label.get("agency_name") or "某县"
        year = label.get("year") or 2020
        pubdate = label.get("published_at") or f"{year + 1}-01-15"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        blocks = parse_seed(seed.read_text(encoding="utf-8"))
        source = {
            "source": f"seeds/{seed.name}",
            "label": f"seeds/labels/{label_path.name}" if label_path.exists() else None,
        }
        docx = out / f"{stem}.docx"
        write_docx(blocks, docx, title, agency)
        docx_files.append(docx)
        manifest[docx.name] = {**source, "format": "docx"}
        page = page_html(blocks, title, agency, f"{pubdate} 09:30", "utf-8")
        (out / f"{stem}.html").write_text(page, encoding="utf-8")
        manifest[f"{stem}.html"] = {**source, "format": "html", "charset": "utf-8"}
        if number == 0:
            gbk = page_html(blocks, title, agency, f"{pubdate} 09:30", "gbk")
            (out / f"{stem}-gbk.html").write_bytes(gbk.encode("gbk"))
            manifest[f"{stem}-gbk.html"] = {**source, "format": "html", "charset": "gbk"}
            write_xlsx(blocks, out / f"{stem}.xlsx")
            manifest[f"{stem}.xlsx"] = {**source, "format": "xlsx"}
    soffice_convert(docx_files, "pdf", out)
    soffice_convert(docx_files, "doc", out)
    soffice_convert([out / "seed000.xlsx"], "xls", out)
    for docx in docx_files:
        base = manifest[docx.name]
        manifest[docx.stem + ".pdf"] = {**base, "format": "pdf", "made_from": docx.name}
        manifest[docx.stem + ".doc"] = {**base, "format": "doc", "made_from": docx.name}
    shutil.copyfile(out / "seed000.doc", out / "seed000.wps")
    manifest["seed000.wps"] = {
        **manifest["seed000.docx"],
        "format": "wps",
        "made_from": "seed000.doc",
    }
    manifest["seed000.xls"] = {
        **manifest["seed000.xlsx"],
        "format": "xls",
        "made_from": "seed000.xlsx",
    }
    with zipfile.ZipFile(out / "seed000.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("seed000.docx", "seed000.pdf"):
            zinfo = zipfile.ZipInfo("附件/" + name.replace("seed000", "长街镇2020年报"))
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(zinfo, (out / name).read_bytes())
    manifest["seed000.zip"] = {
        **manifest["seed000.docx"],
        "format": "zip",
        "made_from": "seed000.docx+seed000.pdf",
    }
    for real in sorted(args.real.iterdir()):
        shutil.copyfile(real, out / f"real-{real.name}")
        manifest[f"real-{real.name}"] = {
            "source": f"real/{real.name}",
            "label": None,
            "format": real.suffix.lstrip("."),
        }
    (out / "manifest.json").write_text(
        json.dumps(dict(sorted(manifest.items())), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    total = sum(path.stat().st_size for path in out.iterdir())
    print(f"wrote {len(manifest)} files to {out} ({total / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
