"""Table values, metadata and sections of the labelled seeds and real reports, read through
the front door: ``extract.extract_document`` and ``nianbao extract``.

Renderings the readers must keep the values of: the seeds' own text exports, Markdown
conversions (pipe tables, raw HTML tables for merged cells, ``#``/``**`` marks), and the
plain text layer of the real PDFs (labels broken one character per line, wrapped labels,
values printed above their label, a table over a page break).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import REAL_REPORTS, SAMPLE_REPORTS, SEED_LABELS, SEEDS, TESTS

from extract import extract_document
from extract.keys import keys_for_layout
from extract.metadata import agency_from_title, parse_date
from extract.numbers import cell_value, money_value
from extract.types import Extraction
from nianbao.cli import cli

SEED_FILES = sorted(SEEDS.glob("*.txt"))
OWN_LABELS = TESTS / "labels"


def _label(seed: Path) -> dict:
    return json.loads((SEED_LABELS / f"{seed.stem}.json").read_text("utf-8"))


def _assert_values(got: dict, expected: dict) -> None:
    wrong = {
        key: (value, got.get(key, "<missing>"))
        for key, value in expected.items()
        if got.get(key, "<missing>") != value or type(got.get(key)) is not type(value)
    }
    assert not wrong, f"{len(wrong)} wrong values (expected, got): {wrong}"
    assert set(got) == set(expected)


def _assert_report(extraction: Extraction, label: dict) -> None:
    assert extraction.error is None
    assert extraction.layout == label["layout"]
    _assert_values(extraction.values, label["values"])
    assert extraction.sections == label["sections_present"]
    agency = extraction.agency_name.value if extraction.agency_name else None
    assert agency == label["agency_name"]
    assert (extraction.year.value if extraction.year else None) == label["year"]


# ---------------------------------------------------------------- the seeds' text exports


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem[:3])
def test_seed_text_export_through_extract_document(seed: Path) -> None:
    label = _label(seed)
    extraction = extract_document(seed.read_bytes(), filename=seed.name)
    assert extraction.media_type == "text/plain"
    _assert_report(extraction, label)
    published = extraction.published_at.value if extraction.published_at else None
    assert published == label["published_at"]


def test_seeds_through_nianbao_extract() -> None:
    """The CLI reads every value of the five seeds (it read none before issue 11)."""
    result = CliRunner().invoke(cli, ["extract", *map(str, SEED_FILES)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [Path(r["file"]).name for r in records] == [seed.name for seed in SEED_FILES]
    for seed, record in zip(SEED_FILES, records, strict=True):
        label = _label(seed)
        assert record["layout"] == label["layout"]
        _assert_values(record["values"], label["values"])
        assert record["agency_name"] == label["agency_name"]


def test_every_layout_key_present_even_when_blank() -> None:
    seed = next(p for p in SEED_FILES if p.name.startswith("001"))
    values = extract_document(seed.read_bytes(), filename=seed.name).values
    assert list(values) == keys_for_layout("2019")
    assert values["t4.review.total"] is None and values["t2.regulations.made"] is None


# ---------------------------------------------------------------- Markdown conversions


def _seed_blocks(text: str) -> list[tuple[str, object]]:
    """The seed export as paragraphs and tables (rows of cells), in order: in a block of
    one-cell lines (``\t`` + cell) a blank line ends a row; otherwise a line is a row of
    tab-separated cells."""
    blocks: list[tuple[str, object]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            if lines[i].strip():
                blocks.append(("p", lines[i].strip()))
            i += 1
            continue
        block: list[str] = []
        while i < len(lines) and (lines[i].strip() or "\t" in lines[i]):
            block.append(lines[i])
            i += 1
        rows: list[list[str]] = []
        if all(line.count("\t") == 1 and line.startswith("\t") for line in block if "\t" in line):
            cells: list[str] = []
            for line in block:
                if line.startswith("\t"):
                    cells.append(line[1:])
                elif cells:
                    cells[-1] += line.strip()
            rows.append(cells)
            # further rows of the same table follow after one blank line
            while i + 1 < len(lines) and not lines[i].strip() and lines[i + 1].startswith("\t"):
                i += 1
                cells = []
                while i < len(lines) and (lines[i].startswith("\t") or lines[i].strip()):
                    if lines[i].startswith("\t"):
                        cells.append(lines[i][1:])
                    elif cells:
                        cells[-1] += lines[i].strip()
                    i += 1
                rows.append(cells)
        else:
            rows = [line.split("\t") for line in block if "\t" in line]
        blocks.append(("table", rows))
    return blocks


def _pipe_markdown(seed: Path) -> str:
    """A Markdown conversion as an HTML-to-Markdown converter writes it from a page whose
    tables were ragged: ``#`` title, ``##`` bold section headings, pipe tables whose short
    rows are padded at the end."""
    out: list[str] = []
    first = True
    for kind, block in _seed_blocks(seed.read_text("utf-8")):
        if kind == "p":
            text = str(block).replace("[bookmark: _GoBack]", "")
            if first:
                out.append(f"# {text}")
                first = False
            elif re.match(r"^[一二三四五六]、", text):
                out.append(f"## **{text}**")
            else:
                out.append(text)
            out.append("")
            continue
        rows = [[cell.replace("|", "\\|") for cell in row] for row in block]  # type: ignore[attr-defined]
        width = max(len(row) for row in rows)
        for n, row in enumerate(rows):
            out.append("| " + " | ".join(row + [""] * (width - len(row))) + " |")
            if n == 0:
                out.append("|" + " --- |" * width)
        out.append("")
    return "\n".join(out)


REPORTS = SAMPLE_REPORTS


def _html_table_markdown(seed: Path) -> str:
    """A Markdown conversion of the seed's web page as converters write it for tables with
    merged cells: paragraphs as text (``#`` title), tables kept as raw HTML."""
    import lxml.html

    page = (REPORTS / f"seed{seed.stem[:3]}.html").read_bytes()
    root = lxml.html.document_fromstring(page)
    (body,) = root.xpath("//*[@id='zoom']")
    out: list[str] = []
    for node in body:
        if node.tag == "table":
            out.append(lxml.html.tostring(node, encoding="unicode").strip())
        else:
            text = node.text_content().strip()
            if text:
                out.append(("# " if not out else "") + text)
        out.append("")
    return "\n".join(out)


@pytest.mark.parametrize("html_tables", [False, True], ids=["pipe", "html"])
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem[:3])
def test_markdown_conversion_keeps_values_and_strips_marks(seed: Path, html_tables: bool) -> None:
    label = _label(seed)
    markdown = _html_table_markdown(seed) if html_tables else _pipe_markdown(seed)
    assert markdown.startswith("# ")
    extraction = extract_document(markdown.encode("utf-8"), filename=f"{seed.stem}.md")
    _assert_report(extraction, label)
    assert extraction.title is not None and not extraction.title.value.startswith("#")
    assert "**" not in extraction.text and "<td>" not in extraction.text


def test_markdown_title_names_the_agency_without_marks() -> None:
    page = "# **沭阳县人民政府2020年政府信息公开工作年度报告**\n\n一、总体情况\n\n正文。\n"
    extraction = extract_document(page.encode("utf-8"), filename="report.md")
    assert extraction.agency_name is not None and extraction.agency_name.value == "沭阳县人民政府"
    assert extraction.title is not None
    assert extraction.title.value == "沭阳县人民政府2020年政府信息公开工作年度报告"
    html_title = "<p><b>沭阳县人民政府</b></p>\n\n2020年政府信息公开工作年度报告\n"
    assert extract_document(html_title.encode(), filename="r.md").agency_name.value == (  # type: ignore[union-attr]
        "沭阳县人民政府"
    )


# ---------------------------------------------------------------- real PDFs, text layer only


def _pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.mark.parametrize(
    "name", ["hongze-district-2023", "hongze-district-2024", "huaian-city-2024"]
)
def test_real_pdf_text_layer_export_matches_labels(name: str) -> None:
    """The PDF's text layer saved as text (labels broken one character per line, wrapped
    labels, values printed above their label, a table over a page break) yields every
    labelled value through the front door."""
    label = json.loads((OWN_LABELS / f"{name}.json").read_text("utf-8"))
    text = _pdf_text(REAL_REPORTS / f"{name}.pdf")
    extraction = extract_document(text.encode("utf-8"), filename=f"{name}.txt")
    _assert_report(extraction, label)


@pytest.mark.parametrize("label_path", sorted(OWN_LABELS.glob("*.json")), ids=lambda p: p.stem)
def test_real_reports_match_labels(label_path: Path) -> None:
    """The real PDFs, the real government page and the 2021 template docx."""
    label = json.loads(label_path.read_text("utf-8"))
    data = (REAL_REPORTS / label["source"]).read_bytes()
    _assert_report(extract_document(data, filename=label["source"]), label)


# ---------------------------------------------------------------- table shapes (front door)


def _html(body: str) -> bytes:
    return f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>".encode()


def test_merged_header_columns_pick_each_value_once() -> None:
    """Expanded colspans repeat a value; the header's column positions pick each value once."""
    rows = [
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "13", "13", "13", "524"],
        ["规范性文件", "60", "7", "7", "368"],
    ]
    spans = ["<tr><td colspan='5'>第二十条第（一）项</td></tr>"]
    spans += [
        "<tr><td>信息内容</td><td>本年新制作数量</td><td colspan='2'>本年新公开数量</td>"
        "<td>对外公开总数量</td></tr>",
        "<tr><td>规章</td><td>13</td><td colspan='2'>13</td><td>524</td></tr>",
        "<tr><td>规范性文件</td><td>60</td><td colspan='2'>7</td><td>368</td></tr>",
    ]
    assert len(rows) == len(spans)
    values = extract_document(_html("<table>" + "".join(spans) + "</table>")).values
    assert (values["t2.regulations.made"], values["t2.regulations.published"]) == (13, 13)
    assert values["t2.regulations.total"] == 524
    assert (values["t2.normative.published"], values["t2.normative.total"]) == (7, 368)


def test_layout_decided_from_column_labels_not_year() -> None:
    text = "2019年度报告\n第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 1 0 11\n"
    extraction = extract_document(text.encode(), filename="r.txt")
    assert extraction.layout == "2021"
    assert extraction.values["t2.regulations.in_force"] == 11
    plain = extract_document("2019年度报告\n一、总体情况\n无表格".encode(), filename="r.txt")
    assert plain.layout == "none"


# ---------------------------------------------------------------- units kept for their detail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("-11", -11),
        ("－2", -2),
        ("\u3000\u3000122", 122),
        ("/", None),
        ("—", None),
        ("-", None),
        ("无", None),
        ("", None),
        ("\u00a0", None),
        ("[bookmark: _GoBack] 0", 0),
        ("7730.28", 7730.28),
        ("1,234", 1234),
    ],
)
def test_cell_values(text: str, expected: object) -> None:
    got = cell_value(text)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("text", "raw", "yuan"),
    [
        ("10.22万元", "10.22万元", 102200),
        ("162000 元", "162000 元", 162000),
        ("6181万元", "6181万元", 61810000),
        ("\u30007433.99万", "7433.99万", 74339900),
        ("0", "0", 0),
        ("/", None, None),
    ],
)
def test_money(text: str, raw: str | None, yuan: int | None) -> None:
    assert money_value(text) == (raw, yuan)


def test_metadata_sources() -> None:
    page = (
        "<html><head><meta charset='utf-8'><meta name='PubDate' content='2020-02-03 10:00'>"
        "</head><body><div id='zoom'><p>2019年上海市人民政府办公厅政府信息公开工作年度报告</p>"
        "<p>发布日期：2020-01-31</p><p>正文正文正文正文正文正文正文正文正文正文正文正文正文"
        "正文正文正文。</p></div></body></html>"
    )
    extraction = extract_document(page.encode())
    assert extraction.published_at.__dict__ == {"value": "2020-02-03", "source": "meta:PubDate"}
    assert extraction.agency_name is not None
    assert extraction.agency_name.value == "上海市人民政府办公厅"
    no_meta = page.replace("<meta name='PubDate' content='2020-02-03 10:00'>", "")
    dated = extract_document(no_meta.encode()).published_at
    assert dated is not None and dated.__dict__ == {
        "value": "2020-01-31",
        "source": "text:发布日期",
    }
    signed = extract_document(
        "报告\n正文。\n某某镇人民政府\n二〇二一年一月七日".encode(), filename="s.txt"
    )
    assert signed.published_at is not None
    assert signed.published_at.__dict__ == {"value": "2021-01-07", "source": "signature"}
    assert agency_from_title("关于长街镇2020年度政府信息公开工作年度报告") == "长街镇"
    assert parse_date("2021年13月1日") is None


def test_sections_tolerate_numbering_drift_and_ignore_prose() -> None:
    text = (
        "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开"
        "行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。\n"
        "一、总体情况\n2、 主动公开政府信息情况\n（3）收到和处理政府信息公开申请情况\n"
        "五、政府信息公开工作存在的主要问题及改进情况\n"
    )
    assert extract_document(text.encode(), filename="s.txt").sections == [1, 2, 3, 5]
