"""Document → text for every format, and hostile input under limits (issue 4, part 1)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import pytest
from paths import REPO, SEEDS

from extract import PARSER_VERSION, extract_document, read_document
from extract.isolation import run_isolated
from extract.limits import ExtractionError, Limits
from extract.sniff import DOC, DOCX, HTML, OFD, PDF, TEXT, WPS, XLS, XLSX, ZIP, sniff_media_type
from extract.text.html import decode_html
from extract.types import TextDocument

REPORTS = REPO / "sampleweb/assets/reports"
BROKEN = REPO / "tests/fixtures/broken"
MANIFEST = json.loads((REPORTS / "manifest.json").read_text(encoding="utf-8"))

_cache: dict[str, TextDocument] = {}


def read(name: str) -> TextDocument:
    if name not in _cache:
        _cache[name] = read_document((REPORTS / name).read_bytes(), filename=name)
    return _cache[name]


def lines(doc: TextDocument) -> list[str]:
    return doc.text.splitlines()


# ---------------------------------------------------------------- sniffing

EXPECTED_TYPES = {
    "docx": DOCX,
    "doc": DOC,
    "wps": WPS,
    "pdf": PDF,
    "html": HTML,
    "xlsx": XLSX,
    "xls": XLS,
    "zip": ZIP,
}


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_sniff_from_bytes(name: str) -> None:
    data = (REPORTS / name).read_bytes()
    expected = EXPECTED_TYPES[MANIFEST[name]["format"]]
    assert sniff_media_type(data, filename=name) == expected
    if expected not in (WPS, HTML):
        # the extension and declared type are not believed
        assert sniff_media_type(data, declared="text/html", filename="x.txt") == expected


def test_sniff_wps_is_word97_with_wps_name() -> None:
    data = (REPORTS / "seed000.wps").read_bytes()
    assert sniff_media_type(data) == DOC
    assert sniff_media_type(data, filename="年报.WPS") == WPS
    assert read_document(data, filename="年报.wps").media_type == WPS


def test_sniff_text_and_unknown() -> None:
    assert sniff_media_type("政府信息公开".encode()) == TEXT
    assert sniff_media_type(b"<!DOCTYPE html><html></html>") == HTML
    with pytest.raises(ExtractionError, match="unrecognised binary format"):
        read_document(bytes(range(256)) * 4)


# ---------------------------------------------------------------- every format, seed 000

SEED000_FORMATS = [
    "seed000.docx",
    "seed000.doc",
    "seed000.wps",
    "seed000.pdf",
    "seed000.html",
    "seed000-gbk.html",
]
SEED000_ROWS = [
    "规章\t0\t0\t0",
    "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
    "政府集中采购\t24\t10.22万元",
    "一、本年新收到政府信息公开申请数量\t1\t\t\t\t\t\t1",
    "三、本年度办理结果\t（一）予以公开\t1\t\t\t\t\t\t1",
    "\t（七）总计\t1\t\t\t\t\t\t1",
    "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t",
    "0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0",
]


@pytest.mark.parametrize("name", SEED000_FORMATS)
def test_seed000_text_and_table_rows(name: str) -> None:
    doc = read(name)
    text_lines = lines(doc)
    for row in SEED000_ROWS:
        assert row in text_lines, f"{name}: table row {row!r} missing"
    for phrase in (
        "一、总体情况",
        "五、存在的主要问题及改进情况",
        "无需要说明的其他事项",
        "cj_xxgk@ninghai.gov.cn",
    ):
        assert phrase in doc.text
    assert not doc.needs_ocr


@pytest.mark.parametrize("name", [*SEED000_FORMATS, "seed000.xlsx", "seed000.xls"])
def test_seed000_grids_expand_merged_cells(name: str) -> None:
    doc = read(name)
    assert len(doc.tables) == 3
    t2, t3, t4 = doc.tables
    assert len(t3) == 26 and {len(row) for row in t3} == {10}
    assert {len(row) for row in t4} == {15}
    # the merged label cell is repeated in every position it covers
    outcome_rows = [row for row in t3 if row[0] == "三、本年度办理结果"]
    assert len(outcome_rows) == 20
    assert t3[1][4:9] == ["法人或其他组织"] * 5
    procurement = [row for row in t2 if row[0] == "政府集中采购"]
    assert len(procurement) == 1 and procurement[0][-2:] == ["24", "10.22万元"]


def test_grids_agree_across_formats() -> None:
    reference = read("seed000.docx").tables
    for name in ("seed000.doc", "seed000.pdf", "seed000.html", "seed000.xlsx", "seed000.xls"):
        assert read(name).tables[1:] == reference[1:], name


@pytest.mark.parametrize("number", range(5))
def test_every_seed_renders_its_paragraphs_and_tables(number: int) -> None:
    seed = sorted(SEEDS.glob("*.txt"))[number].read_text(encoding="utf-8")
    paragraphs = [
        re.sub(r"\[bookmark: [^\]]*\]", "", line).strip()
        for line in seed.splitlines()
        if line.strip() and "\t" not in line and len(line.strip()) > 30
    ]
    for suffix in ("docx", "doc", "pdf", "html"):
        doc = read(f"seed{number:03d}.{suffix}")
        squashed = re.sub(r"\s+", "", doc.text)
        for paragraph in paragraphs:
            assert re.sub(r"\s+", "", paragraph) in squashed, f"{suffix}: {paragraph[:30]}"
        assert len(doc.tables) >= 3


def test_docx_metadata_and_title() -> None:
    doc = read("seed000.docx")
    assert doc.title == "长街镇2020年度政府信息公开年度报告"
    assert doc.meta["dc:title"] == "长街镇2020年政府信息公开工作年度报告"
    template = read("real-template-2021.docx")
    assert "dcterms:created" in template.meta
    assert (
        "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t\t\t\t\t\t\t"
        in template.text
    )


def test_doc_summary_metadata_decoded() -> None:
    doc = read("seed000.doc")
    assert doc.meta["ole:title"] == "长街镇2020年政府信息公开工作年度报告"


# ---------------------------------------------------------------- PDF


def _seed_paragraph_lines(number: int) -> list[str]:
    seed = sorted(SEEDS.glob("*.txt"))[number].read_text(encoding="utf-8")
    return [
        line.strip() for line in seed.splitlines() if len(line.strip()) > 60 and "\t" not in line
    ]


def test_pdf_joins_cjk_lines_into_paragraphs() -> None:
    doc = read("seed000.pdf")
    text_lines = lines(doc)
    for paragraph in _seed_paragraph_lines(0):
        assert paragraph in text_lines, paragraph[:40]
    # no line ends in the middle of a word: a long paragraph stays on one line
    assert any(len(line) > 300 for line in text_lines)


def test_pdf_tables_across_pages_and_cut_rows() -> None:
    huaian = read("real-huaian-city-2024.pdf")
    assert huaian.pages == 6
    t3 = huaian.tables[1]
    assert len(t3) == 28 and {len(row) for row in t3} == {10}
    assert "\t（四）无法提供\t1.本机关不掌握相关政府信息\t746\t12\t0\t0\t10\t1\t769" in lines(
        huaian
    )
    assert "（七）总计\t2932\t53\t0\t0\t61\t4\t3050" in huaian.text
    hongze = read("real-hongze-district-2023.pdf")
    # a row cut by the page break (no bottom border) is still a table row
    assert "\t\t2.没有现成信息需要另行制作\t3\t0\t0\t0\t0\t0\t3" in lines(hongze)
    assert ["三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确"] in [
        row[:3] for row in hongze.tables[1]
    ]
    # running page numbers are gone
    assert not any(re.fullmatch(r"\s*-\s*\d+\s*-\s*", line) for line in lines(hongze))
    # a cut row of seed 002's first table lands on the next page alone
    assert "政府集中采购\t86\t7433.99万" in lines(read("seed002.pdf"))


def test_pdf_drops_invisible_boxes_behind_text() -> None:
    # WPS draws a white box behind every text line: those are not tables
    doc = read("real-hongze-district-2023.pdf")
    assert all(len(grid[0]) > 1 for grid in doc.tables)
    assert "本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》" in doc.text


def test_scanned_pdf_needs_ocr() -> None:
    extraction = extract_document((BROKEN / "scanned.pdf").read_bytes(), filename="scan.pdf")
    assert extraction.needs_ocr is True
    assert extraction.error is None
    assert extraction.media_type == PDF


# ---------------------------------------------------------------- HTML


def test_html_body_without_page_furniture() -> None:
    doc = read("seed000.html")
    for furniture in (
        "首页",
        "浏览次数",
        "版权所有",
        "分享到",
        "当前位置",
        "信息公开指南",
        "统计代码",
        "打印",
        "网站标识码",
    ):
        assert furniture not in doc.text, furniture
    assert doc.text.startswith("长街镇2020年度政府信息公开年度报告")
    assert doc.title == "长街镇2020年政府信息公开工作年度报告"
    assert doc.meta["PubDate"] == "2021-01-15 09:30"
    assert doc.meta["ContentSource"] == "长街镇"


def test_gbk_page_has_no_mojibake() -> None:
    utf8, gbk = read("seed000.html"), read("seed000-gbk.html")
    assert gbk.text == utf8.text
    assert gbk.meta["charset"] == "gb18030"
    assert "\ufffd" not in gbk.text


def test_charset_from_http_header_and_short_gbk_without_declaration() -> None:
    body = "<p>岚皋县政府信息公开年报</p>".encode("gbk")
    assert read_document(body, media_type="text/html; charset=gbk").text == "岚皋县政府信息公开年报"
    assert read_document(body).text == "岚皋县政府信息公开年报"  # never guessed as Korean
    assert decode_html("长街镇".encode("gb2312"), None)[0] == "长街镇"
    # the header wins over a wrong <meta>
    page = '<meta charset="utf-8"><p>广武镇</p>'.encode("gbk")
    assert read_document(page, media_type="text/html; charset=GBK").text == "广武镇"


def test_real_cms_fragment_tables_with_spans() -> None:
    doc = read("real-shanghai-gov-office-2019.html")
    assert "规章\t13\t13\t524" in lines(doc)
    assert "一、本年新收政府信息公开申请数量\t821\t35\t\t\t2\t1\t859" in lines(doc)
    assert len(doc.tables) == 3 and {len(row) for row in doc.tables[1]} == {10}


def test_html_hanweb_style_page_picks_the_article() -> None:
    page = """<html><head><meta name="ArticleTitle" content="某区2022年政府信息公开工作年度报告">
    <meta name="PubDate" content="2023-01-20"></head><body>
    <div id="header"><a href="/">首页</a><a href="/a">机构概况</a></div>
    <div class="position">您当前的位置：首页 &gt; 年报</div>
    <div class="bt_content"><p>一、总体情况</p><p>本机关全年主动公开信息1200条。</p>
    <table><tr><td rowspan="2">行政许可</td><td>5</td></tr><tr><td>6</td></tr></table></div>
    <div class="bottom">网站地图 | 联系我们 主办单位：某区人民政府</div>
    <script>document.write('浏览次数')</script></body></html>"""
    doc = read_document(page.encode("utf-8"))
    assert doc.text.splitlines() == [
        "一、总体情况",
        "本机关全年主动公开信息1200条。",
        "行政许可\t5",
        "\t6",
    ]
    assert doc.tables == [[["行政许可", "5"], ["行政许可", "6"]]]
    assert doc.title == "某区2022年政府信息公开工作年度报告"


# ---------------------------------------------------------------- archives, OFD


def test_zip_reads_members_with_gbk_names() -> None:
    doc = read("seed000.zip")
    assert doc.parts == ["附件/长街镇2020年报.docx", "附件/长街镇2020年报.pdf"]
    assert doc.text.count("政府集中采购\t24\t10.22万元") == 2
    assert len(doc.tables) == 6


def _ofd(text: str) -> bytes:
    buffer = io.BytesIO()
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "OFD.xml",
            f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<ofd:Document {ns}><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        )
        archive.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'<ofd:Page {ns}><ofd:Content><ofd:Layer>'
            f'<ofd:TextObject Boundary="10 10 100 5" Size="4"><ofd:TextCode X="0" Y="4">{text}</ofd:TextCode></ofd:TextObject>'
            '<ofd:TextObject Boundary="10 20 100 5" Size="4"><ofd:TextCode X="0" Y="4">一、总体情况</ofd:TextCode></ofd:TextObject>'
            '<ofd:TextObject Boundary="10 30 190 5" Size="4"><ofd:TextCode X="8" Y="4" DeltaX="g 40 4">'
            "本年度我县政府信息公开工作在县委县政府的坚强领导下扎实推进取得了较好成效。</ofd:TextCode></ofd:TextObject>"
            "</ofd:Layer></ofd:Content></ofd:Page>",
        )  # fmt: skip
    return buffer.getvalue()


def test_ofd_text() -> None:
    data = _ofd("某县2023年政府信息公开工作年度报告")
    assert sniff_media_type(data) == OFD
    doc = read_document(data)
    assert doc.text.splitlines() == [
        "某县2023年政府信息公开工作年度报告",
        "一、总体情况",
        "本年度我县政府信息公开工作在县委县政府的坚强领导下扎实推进取得了较好成效。",
    ]
    assert doc.pages == 1


# ---------------------------------------------------------------- broken and hostile input

BROKEN_EXPECTED = {
    "empty.pdf": "empty document",
    "corrupt.pdf": "pdf: not a readable PDF",
    "truncated.pdf": "pdf: not a readable PDF",
    "encrypted.pdf": "pdf: encrypted, a password is required",
    "truncated.docx": "not a readable zip container",
    "truncated.doc": "corrupt OLE compound file",
    "ole-no-word.doc": "corrupt OLE compound file",
    "garbage.doc": "unrecognised binary format",
    "entity-bomb.docx": "DTD/entity declarations refused",
    "external-entity.docx": "DTD/entity declarations refused",
    "zip-bomb.zip": "zip bomb",
    "docx-bomb.docx": "zip bomb",
}


@pytest.mark.parametrize("name", sorted(BROKEN_EXPECTED))
def test_broken_fixture_gives_precise_error(name: str) -> None:
    data = (BROKEN / name).read_bytes()
    with pytest.raises(ExtractionError, match=re.escape(BROKEN_EXPECTED[name])):
        read_document(data, filename=name)
    extraction = extract_document(data, filename=name, url=f"http://127.0.0.1/{name}")
    assert extraction.error is not None and BROKEN_EXPECTED[name] in extraction.error
    assert extraction.parser_version == PARSER_VERSION
    assert extraction.text == ""


def test_input_size_limit() -> None:
    data = (REPORTS / "seed000.docx").read_bytes()
    with pytest.raises(ExtractionError, match="document too large"):
        read_document(data, limits=Limits(max_input_bytes=1000))


def test_zip_member_inflating_past_limit_is_stopped() -> None:
    data = (REPORTS / "seed000.zip").read_bytes()
    with pytest.raises(ExtractionError, match="too large when unpacked"):
        read_document(data, limits=Limits(max_member_bytes=10_000))


def test_nested_archives_limited() -> None:
    inner = (REPORTS / "seed000.zip").read_bytes()
    for _ in range(3):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("inner.zip", inner)
        inner = buffer.getvalue()
    with pytest.raises(ExtractionError, match="nested deeper"):
        read_document(inner)


def test_isolated_worker_timeout_then_recovers() -> None:
    started = time.monotonic()
    with pytest.raises(
        ExtractionError, match=r"slow: extraction stopped: wall-time limit of 0.5 s exceeded"
    ):
        run_isolated(time.sleep, 30, limits=Limits(timeout_s=0.5), what="slow")
    assert time.monotonic() - started < 20  # killed, not waited for
    # the next document gets a fresh worker
    doc = read_document((BROKEN / "scanned.pdf").read_bytes())
    assert doc.needs_ocr


def test_isolated_worker_memory_limit() -> None:
    limits = Limits(memory_bytes=768 * 1024 * 1024)
    with pytest.raises(ExtractionError, match=r"hog: extraction stopped: memory limit of 768 MiB"):
        run_isolated(bytearray, 4 * 1024**3, limits=limits, what="hog")


def test_extract_document_never_raises_and_runs_analysis() -> None:
    extraction = extract_document(
        (REPORTS / "seed000.docx").read_bytes(), url="http://127.0.0.1/a/seed000.docx"
    )
    assert extraction.error is None
    assert extraction.parser_version == PARSER_VERSION
    assert extraction.media_type == DOCX
    assert "政府集中采购\t24\t10.22万元" in extraction.text
    garbage = extract_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 100)
    assert garbage.error and garbage.text == ""
