"""Scanned reports (no text layer) read by OCR through the front door: values marked
OCR-derived with a confidence, every misread value flagged uncertain, tables rebuilt from
the recognised layout, checks and findings saying they rest on OCR values (issue 11)."""

from __future__ import annotations

import json

import numpy as np
import pypdfium2 as pdfium
import pytest
from paths import SAMPLE_REPORTS, SEED_LABELS
from scans import scan_pdf

from extract import extract_document
from extract.text import ocr

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesseract chi_sim not installed")
REPORTS = SAMPLE_REPORTS


def _table_pages(pdf: bytes) -> bytes:
    """The pages of ``pdf`` from the first table to the last (a shorter scan to read)."""
    source = pdfium.PdfDocument(pdf)
    keep = [
        i
        for i in range(len(source))
        if any(w in source[i].get_textpage().get_text_bounded() for w in ("第二十条", "行政复议"))
    ]
    out = pdfium.PdfDocument.new()
    out.import_pages(source, list(range(keep[0], keep[-1] + 1)))
    import io

    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def scanned() -> tuple[dict, object]:
    label = json.loads(next(SEED_LABELS.glob("003_*.json")).read_text("utf-8"))
    pdf = _table_pages((REPORTS / "seed003.pdf").read_bytes())
    return label, extract_document(scan_pdf(pdf, dpi=200, seed=3), filename="scan.pdf")


def test_scan_at_200_dpi_reads_the_tables(scanned) -> None:
    label, extraction = scanned
    assert extraction.error is None and not extraction.needs_ocr
    assert extraction.body_source == "ocr" and extraction.layout == label["layout"]
    printed = {k: v for k, v in label["values"].items() if v is not None}
    right = [k for k, v in printed.items() if extraction.values.get(k) == v]
    assert len(right) / len(printed) >= 0.98, set(printed) - set(right)


def test_every_misread_value_is_flagged(scanned) -> None:
    label, extraction = scanned
    values = extraction.ocr["values"]
    wrong = {k for k, v in label["values"].items() if extraction.values.get(k) != v}
    flagged = {k for k, v in values.items() if v["uncertain"]}
    assert wrong <= flagged and set(extraction.uncertain) == flagged
    for key, value in extraction.values.items():
        if value is not None:  # every printed value read is marked with its confidence
            assert key in values and (
                values[key]["confidence"] is None or 0 <= values[key]["confidence"] <= 1
            )
    assert extraction.ocr["engine"].startswith("tesseract") and extraction.ocr["pages"] >= 1


def test_checks_say_they_rest_on_ocr_values(scanned) -> None:
    _, extraction = scanned
    evaluated = [c for c in extraction.checks if c["status"] != "not_evaluable"]
    assert evaluated and all(c.get("ocr") is True for c in evaluated)


@pytest.fixture(scope="module")
def scanned_150() -> tuple[dict, object]:
    label = json.loads(next(SEED_LABELS.glob("003_*.json")).read_text("utf-8"))
    pdf = _table_pages((REPORTS / "seed003.pdf").read_bytes())
    return label, extract_document(scan_pdf(pdf, dpi=150, seed=5), filename="scan.pdf")


def test_scan_at_150_dpi_reads_most_values(scanned_150) -> None:
    """A coarser scan (figures ~12 px high): most values still right, and the floor
    fails if the cell reading breaks (speckles left in the crops dropped most figures)."""
    label, extraction = scanned_150
    printed = {k: v for k, v in label["values"].items() if v is not None}
    right = [k for k, v in printed.items() if extraction.values.get(k) == v]
    assert len(right) / len(printed) >= 0.9, set(printed) - set(right)


# ---------------------------------------------------------------- the parts, on images


def test_despeckle_drops_specks_and_keeps_strokes() -> None:
    dark = np.zeros((60, 60), dtype=bool)
    dark[10:40, 20:23] = True  # a stroke 3 px wide
    dark[44:47, 20:23] = True  # a decimal point beside it
    dark[5, 50] = dark[50, 5] = True  # single-pixel specks
    dark[30, 50:52] = True  # a speck smeared over two pixels
    kept = ocr.despeckle(dark, 300)
    assert kept[10:40, 20:23].all() and kept[44:47, 20:23].all()
    assert not kept[5, 50] and not kept[50, 5] and not kept[30, 50:52].any()


def test_a_lone_dash_is_known_by_its_shape() -> None:
    dash = np.zeros((3, 30), dtype=np.uint8)
    zero = np.full((28, 19), 255, dtype=np.uint8)
    zero[:, :3] = zero[:, -3:] = zero[:3] = zero[-3:] = 0
    assert ocr._is_dash(dash) and not ocr._is_dash(zero)


@pytest.mark.parametrize(
    ("general", "figures", "text", "flagged"),
    [
        (("17", 0.95), ("17", 0.93), "17", False),  # both readings agree
        (("417", 0.9), ("17", 0.9), "17", True),  # they disagree: figures win, flagged
        (("", 0.0), ("0", 0.9), "0", True),  # the general reading lost the figure
        (("—", 0.4), ("-", 0.92), "—", False),  # a dash read as 一, and as - alone
        (("—", 0.9), ("1", 0.9), "1", True),  # a dash, or a 1?
        (("12", 0.9), ("", 0.0), "12", True),  # only one reading
        (("", 0.0), ("", 0.0), "", False),  # nothing (a blank cell: no ink read)
    ],
)
def test_two_readings_of_a_cell_are_reconciled(general, figures, text, flagged) -> None:
    from extract.report import UNCERTAIN_BELOW

    got, confidence = ocr.reconcile(general, figures)
    assert got == text
    if text:
        assert (confidence < UNCERTAIN_BELOW) is flagged


# ---------------------------------------------------------------- flags on OCR values


def test_failed_rules_and_rows_not_read_make_values_uncertain() -> None:
    from extract.keys import keys_for_layout
    from extract.report import ocr_confidences
    from extract.tables import TableParse

    keys = keys_for_layout("2021")
    values: dict[str, int | float | str | None] = {k: 0 for k in keys}
    values["t3.new.natural"], values["t3.new.total"] = 7, 5  # rule 3 fails on this row
    for k in keys:
        if k.startswith("t2.normative."):
            values[k] = None  # a row not read
    rows = {k.rsplit(".", 1)[0] for k in keys if not k.startswith(("t4.", "t2.normative."))}
    tables = TableParse("2021", values, rows | {"t4"}, {k: 0.95 for k in values})
    flags = ocr_confidences(tables)
    assert flags["t3.new.natural"]["uncertain"] and flags["t3.new.total"]["uncertain"]
    assert flags["t3.new.natural"]["why"].startswith("rule:")
    assert flags["t2.normative.issued"] == {
        "confidence": None,
        "uncertain": True,
        "why": "row not read",
    }
    assert not flags["t3.granted.commercial"]["uncertain"]  # a term of rules that hold
    del tables.confidence["t3.granted.natural"]
    tables.values["t3.granted.natural"] = None  # a row read short of a cell
    assert ocr_confidences(tables)["t3.granted.natural"]["why"] == "cell not read"
    assert not flags["t4.review.total"]["uncertain"]


def test_a_lone_slash_is_known_by_its_shape() -> None:
    slash = np.full((28, 30), 255, dtype=np.uint8)
    for y in range(28):
        x = round((1 - (y + 0.5) / 28) * 30)
        slash[y, max(0, x - 2) : x + 1] = 0
    seven = slash.copy()
    seven[:3, :] = 0  # a bar on top: a 7, not a slash
    assert ocr._is_slash(slash) and not ocr._is_slash(seven)
    assert not ocr._is_slash(np.zeros((28, 4), dtype=np.uint8))  # a 1


def test_a_cell_read_as_neither_figure_nor_blank_mark_is_uncertain() -> None:
    from extract.table_rows import Row
    from extract.tables import parse_tables
    from extract.types import ScoredText

    def row(*cells: str) -> Row:
        return Row([ScoredText(c, 0.95) for c in cells], positional=True)

    rows = [
        row("第二十条第（一）项", "", "", ""),
        row("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        row("规章", "3", "5元", ""),  # money where a count stands
        row("规范性文件", "1", "0", "2"),
    ]
    tables = parse_tables(rows)
    assert tables.values["t2.regulations.issued"] == 3
    assert tables.values["t2.regulations.repealed"] is None
    assert tables.confidence["t2.regulations.repealed"] == 0.0  # read, but not a figure
    assert tables.confidence["t2.regulations.in_force"] == 0.95  # blank: nothing read


def test_labels_garbled_by_ocr_are_matched_to_the_closest_standard_label() -> None:
    from extract.table_labels import T2_ROW_NAMES, T3_ROW_NAMES, closest_row
    from extract.table_rows import Row
    from extract.tables import decide_layout

    assert closest_row("其他对外答理服务事项", T2_ROW_NAMES) == "other_services"
    assert closest_row("5.必于三类内部事务侣息", T3_ROW_NAMES) == "denied.internal"
    assert closest_row("信息内容", T2_ROW_NAMES) is None  # a header, not a row
    assert closest_row("第二十条第(五)项", T3_ROW_NAMES) is None
    # column labels garbled: no whole marker, but pieces of the 2019 ones
    rows = [Row(["信息内容", "上年项目数量", "本年增/减", "处理决定"], positional=True)]
    assert decide_layout(rows) == "none"
    assert decide_layout(rows, fuzzy=True) == "2019"
