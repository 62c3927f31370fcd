"""The table parser, metadata and sections against the labelled seeds and real reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.keys import keys_for_layout
from extract.metadata import agency_from_title, parse_date, published_date
from extract.numbers import cell_value, money_value
from extract.report import analyse
from extract.sections import find_sections
from extract.table_rows import Row, text_rows
from extract.tables import parse_tables
from extract.types import Extraction, TextDocument

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reports"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
OWN_LABELS = Path(__file__).resolve().parent / "labels"


def _label(seed: Path) -> dict:
    return json.loads((SHARED / "seeds" / "labels" / f"{seed.stem}.json").read_text("utf-8"))


def _analyse(doc: TextDocument) -> Extraction:
    extraction = Extraction(parser_version="test", media_type=doc.media_type)
    analyse(doc, extraction)
    return extraction


def _assert_values(got: dict, expected: dict) -> None:
    wrong = {
        key: (value, got.get(key, "<missing>"))
        for key, value in expected.items()
        if got.get(key, "<missing>") != value or type(got.get(key)) is not type(value)
    }
    assert not wrong, f"{len(wrong)} wrong values (expected, got): {wrong}"
    assert set(got) == set(expected)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_values_metadata_and_sections(seed: Path) -> None:
    label = _label(seed)
    extraction = _analyse(TextDocument("text/plain", seed.read_text("utf-8")))
    assert extraction.layout == label["layout"]
    _assert_values(extraction.values, label["values"])
    assert extraction.sections == label["sections_present"]
    assert (
        extraction.agency_name is not None and extraction.agency_name.value == label["agency_name"]
    )
    assert extraction.year is not None and extraction.year.value == label["year"]
    published = extraction.published_at.value if extraction.published_at else None
    assert published == label["published_at"]


def test_every_layout_key_present_even_when_blank() -> None:
    seed = next(p for p in SEEDS if p.name.startswith("001"))
    values = _analyse(TextDocument("text/plain", seed.read_text("utf-8"))).values
    assert list(values) == keys_for_layout("2019")
    assert values["t4.review.total"] is None and values["t2.regulations.made"] is None


def _pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.mark.parametrize(
    "name", ["hongze-district-2023", "hongze-district-2024", "huaian-city-2024"]
)
def test_real_pdf_text_layer_matches_labels(name: str) -> None:
    """The PDF text layer alone (labels broken one character per line, wrapped labels, values
    printed above their label, a table over a page break) yields every labelled value."""
    label = json.loads((OWN_LABELS / f"{name}.json").read_text("utf-8"))
    text = _pdf_text(SHARED / "real" / f"{name}.pdf")
    extraction = _analyse(TextDocument("application/pdf", text))
    assert extraction.layout == "2021"
    _assert_values(extraction.values, label["values"])
    assert extraction.agency_name is not None
    assert extraction.agency_name.value == label["agency_name"]
    assert extraction.sections == label["sections_present"]


def test_grid_rows_use_header_columns_for_merged_cells() -> None:
    """Expanded colspans repeat a value; the header's column positions pick each value once."""
    grid = [
        ["第二十条第（一）项"] * 5,
        ["信息内容", "本年新制作数量", "本年新公开数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "13", "13", "13", "524"],
        ["规范性文件", "60", "7", "7", "368"],
    ]
    doc = TextDocument("text/html", "", tables=[grid])
    values = _analyse(doc).values
    assert (values["t2.regulations.made"], values["t2.regulations.published"]) == (13, 13)
    assert values["t2.regulations.total"] == 524
    assert (values["t2.normative.published"], values["t2.normative.total"]) == (7, 368)


def test_layout_decided_from_column_labels_not_year() -> None:
    rows = [
        Row(["第二十条第（一）项"], False),
        Row(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], False),
        Row(["规章", "1", "0", "11"], False),
    ]
    parsed = parse_tables(rows)
    assert parsed.layout == "2021"
    assert parsed.values["t2.regulations.in_force"] == 11
    assert parse_tables(text_rows("2019年度报告\n一、总体情况\n无表格")).layout == "none"


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
    doc = TextDocument(
        "text/html",
        "2019年上海市人民政府办公厅政府信息公开工作年度报告\n发布日期：2020-01-31\n正文",
        meta={"PubDate": "2020-02-03 10:00"},
    )
    assert published_date(doc).__dict__ == {"value": "2020-02-03", "source": "meta:PubDate"}
    doc.meta = {}
    assert published_date(doc).__dict__ == {"value": "2020-01-31", "source": "text:发布日期"}
    signed = TextDocument("text/plain", "报告\n正文。\n某某镇人民政府\n二〇二一年一月七日")
    assert published_date(signed).__dict__ == {"value": "2021-01-07", "source": "signature"}
    assert agency_from_title("2019年上海市人民政府办公厅政府信息公开工作年度报告") == (
        "上海市人民政府办公厅"
    )
    assert agency_from_title("关于长街镇2020年度政府信息公开工作年度报告") == "长街镇"
    assert parse_date("2021年13月1日") is None


def test_sections_tolerate_numbering_drift_and_ignore_prose() -> None:
    text = (
        "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开"
        "行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。\n"
        "一、总体情况\n2、 主动公开政府信息情况\n（3）收到和处理政府信息公开申请情况\n"
        "五、政府信息公开工作存在的主要问题及改进情况\n"
    )
    assert find_sections(text) == [1, 2, 3, 5]
