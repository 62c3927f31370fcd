"""A scan is read whenever its pages hold legible text, and a scan whose pages hold none
says so (issue 11).

Seed 802097, syn802097-2 scanned at 150 dpi (``benchmarks/extract_generalisation.py
--seed 802097 --formats scan``): its page of tables 二 and 三 is legible — headings and
row labels read with confidence, most figures read right — but its cells, read one by one
at that resolution, are mostly in doubt, and the characters' mean confidence (0.26) was
taken for the mark of noise: the whole reading was dropped, the report came back empty.
An image that holds no text at all must still be told apart — not read as a report with
blank tables, but as a scan OCR could not read."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageFilter
from scans import benchmark_scan

from extract import extract_document
from extract.limits import DEFAULT_LIMITS
from extract.text import ocr
from extract.types import Extraction
from sampleweb.renderings.model import Report

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesseract chi_sim not installed")


def _read(data: bytes) -> Extraction:
    # time enough for a machine busy with other work (this is not a test of speed)
    limits = replace(DEFAULT_LIMITS, timeout_s=600.0, cpu_s=600.0)
    return extract_document(data, filename="scan.pdf", limits=limits)


@pytest.fixture(scope="module")
def poor_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Extraction]:
    """Seed 802097, syn802097-2 at 150 dpi, its pages of tables 二, 三 and 四."""
    report, data = benchmark_scan(
        802097, "syn802097-2", [1, 2], tmp_path_factory.mktemp("poor"), dpi=150
    )
    return report, _read(data)


def test_a_legible_page_of_cells_in_doubt_is_read(poor_scan: tuple[Report, Extraction]) -> None:
    report, extraction = poor_scan
    assert extraction.error is None and not extraction.needs_ocr
    assert extraction.ocr is not None and "error" not in extraction.ocr
    assert extraction.body_source == "ocr" and extraction.layout == report.layout
    printed = {k: report.values[k] for k in report.scored_keys() if k.startswith("t3.")}
    right = {k for k, v in printed.items() if extraction.values.get(k) == v}
    assert len(right) >= 0.5 * len(printed), sorted(set(printed) - right)
    flagged = {k for k, v in extraction.ocr["values"].items() if v["uncertain"]}
    wrong = set(printed) - right
    assert wrong <= flagged, sorted(wrong - flagged)


def _image_pdf(image: Image.Image, dpi: int = 150) -> bytes:
    out = io.BytesIO()
    image.save(out, "PDF", resolution=dpi)
    return out.getvalue()


def test_a_scan_without_text_says_ocr_read_nothing() -> None:
    """A blurred photograph-like texture: the engine finds a few letters in it, no text."""
    rng = np.random.default_rng(1)
    texture = Image.fromarray((rng.random((80, 64)) * 255).astype(np.uint8))
    page = texture.resize((1275, 1650), Image.Resampling.BICUBIC).filter(
        ImageFilter.GaussianBlur(3)
    )
    extraction = _read(_image_pdf(page))
    assert extraction.error is None and extraction.needs_ocr
    assert extraction.ocr is not None and "no text recognised" in extraction.ocr["error"]
    assert extraction.ocr["illegible_pages"] == [1]
    assert not any(v is not None for v in extraction.values.values())


@pytest.fixture(scope="module")
def shifted_row(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Extraction]:
    """Seed 802097, syn802097-2 at 150 dpi, the page where table 三 begins: in the row
    （1）属于国家秘密 (／ 0 ／ ／ ／ 0 ／) the ``／`` under 自然人 is read ``.人``."""
    report, data = benchmark_scan(
        802097, "syn802097-2", [1], tmp_path_factory.mktemp("shifted"), dpi=150
    )
    return report, _read(data)


def test_text_misread_in_a_figure_column_keeps_the_row_in_its_columns(
    shifted_row: tuple[Report, Extraction],
) -> None:
    """The misread cell was taken for the end of the row's label: every figure after it
    moved one column left (其他's 0 became 法律服务机构's, with its confidence, unflagged)."""
    report, extraction = shifted_row
    row = [k for k in report.scored_keys() if k.startswith("t3.denied.state_secret.")]
    assert len(row) == 7
    assert {k: extraction.values.get(k) for k in row} == {k: report.values[k] for k in row}
    assert extraction.ocr is not None
    assert extraction.ocr["values"]["t3.denied.state_secret.natural"]["uncertain"]
