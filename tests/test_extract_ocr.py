"""Scanned reports (no text layer) read by OCR through the front door: values marked
OCR-derived with a confidence, every misread value flagged uncertain, tables rebuilt from
the recognised layout, checks and findings saying they rest on OCR values (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from paths import SEED_LABELS
from scans import scan_pdf

from extract import extract_document
from extract.text import ocr

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesseract chi_sim not installed")
REPORTS = Path(__file__).resolve().parents[1] / "sampleweb" / "assets" / "reports"


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
