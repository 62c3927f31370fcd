"""The report-rendering generator (``sampleweb.renderings``): every recipe renders, and the
ground truth matches what is printed, read back with readers independent of our extractor
(XML of docx/OFD, lxml for HTML, pdftotext/pdfplumber for PDF, antiword for doc/wps,
openpyxl/xlrd for workbooks); scans have no text layer; the truth itself is consistent.

The renderings are built once per session from a fixed seed (about a minute: LibreOffice
conversions and scans), cached under pytest's temporary folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import lxml.html
import pytest
from lxml import etree

import sampleweb.renderings
from extract import keys as K
from extract import read_document
from extract.limits import DEFAULT_LIMITS
from extract.text.pdf import _read_pdf
from sampleweb.renderings import RECIPES, build, load_manifest
from sampleweb.renderings.content import OWN_LABELS, SHARED, freeform_report, synthetic_report
from sampleweb.renderings.html_pages import FAMILIES
from sampleweb.renderings.office import soffice_convert

SEED = 20261207
Record = dict[str, Any]


pytestmark = pytest.mark.timeout(900)  # the first test builds the renderings (LibreOffice, scans)


@pytest.fixture(scope="session")
def rendered() -> tuple[Path, list[Record]]:
    """The fixed-seed renderings, built once and cached in the temporary folder under a
    digest of the generator's source and inputs (a changed generator builds anew)."""
    package = Path(sampleweb.renderings.__file__).parent
    digest = hashlib.sha256()
    inputs = sorted(package.glob("*.py")) + sorted(OWN_LABELS.glob("*.json"))
    inputs += sorted((SHARED / "seeds").rglob("*.*"))
    for source in inputs:
        digest.update(source.read_bytes())
    root = Path(tempfile.gettempdir()) / f"nianbao-renderings-{SEED}-{digest.hexdigest()[:16]}"
    if not (root / "manifest.json").exists():
        work = Path(tempfile.mkdtemp(prefix="nianbao-renderings-build-"))
        build(work, SEED, synthetic=4, freeform=1, per_recipe=1)
        try:
            work.rename(root)
        except OSError:  # built meanwhile by another run: use that one
            shutil.rmtree(work, ignore_errors=True)
    return root, load_manifest(root)


def by_format(records: list[Record], fmt: str) -> list[Record]:
    return [r for r in records if r["format"] == fmt]


def expected_tokens(record: Record) -> Counter[str]:
    """The non-blank printed cell texts of a file, whitespace removed."""
    printed: dict[str, str] = record["printed"]
    return Counter(
        re.sub(r"\s+", "", text)
        for text in printed.values()
        if text.strip() not in ("", "/", "—", "-", "无", "／")
    )


def assert_contains(record: Record, found: Counter[str]) -> None:
    missing = expected_tokens(record) - found
    assert not missing, (
        f"{record['file']}: printed values not in the file: {dict(list(missing.items())[:8])}"
    )


# ---------------------------------------------------------------- coverage


def test_every_recipe_and_family_is_rendered(rendered: tuple[Path, list[Record]]) -> None:
    root, records = rendered
    assert {r["recipe"] for r in records} == {recipe.name for recipe in RECIPES}
    assert {r["family"] for r in by_format(records, "html")} == set(FAMILIES)
    assert {r["format"] for r in records} >= {
        "html",
        "docx",
        "doc",
        "wps",
        "pdf",
        "ofd",
        "txt",
        "md",
        "xlsx",
        "xls",
        "scan",
    }
    for record in records:
        path = root / str(record["file"])
        assert path.stat().st_size > 200, record["file"]
        assert record["layout"] in ("2019", "2021", "none", None)


def test_truth_keys_follow_the_spec(rendered: tuple[Path, list[Record]]) -> None:
    _, records = rendered
    for record in records:
        values: dict[str, object] = record["values"]
        layout = record["layout"]
        if layout is None:  # a page of a split article: a subset of some layout's keys
            assert set(values) <= set(K.keys_for_layout("2019")) | set(K.keys_for_layout("2021"))
            continue
        spec = set(K.keys_for_layout(str(layout)))
        assert set(values) <= spec, record["file"]
        assert set(values) | set(record["derived"]) == spec or str(record["source"]).startswith(
            "seed:"
        ), record["file"]
        if layout == "none":
            assert values == {}


# ---------------------------------------------------------------- the printed values are in the files


def _html_text(record: Record, data: bytes) -> str:
    charset = str(record["details"].get("charset", "utf-8"))
    text = data.decode(charset)
    if record["family"] == "gkmlpt":
        config = re.search(r"window\._CONFIG = (\{.*\});</script>", text, re.S)
        assert config, "gkmlpt page without window._CONFIG"
        assert "正在加载" in text
        return json.loads(config.group(1))["DETAIL"]["content"]
    if record["family"] == "jpaas":
        return json.loads(text)["data"]["html"]
    if record["family"] == "jsonp":
        match = re.fullmatch(r"[\w.]+\((.*)\);", text.strip(), re.S)
        assert match, "not a JSONP callback"
        return json.loads(match.group(1))["data"][0]["content"]
    return text


def test_html_pages_print_every_value(rendered: tuple[Path, list[Record]]) -> None:
    root, records = rendered
    for record in by_format(records, "html"):
        html = _html_text(record, (root / str(record["file"])).read_bytes())
        tree = lxml.html.fromstring(html)
        cells = Counter(
            re.sub(r"\s+", "", node.text_content())
            for node in tree.xpath("//td | //th | //div[@class='cell']")
        )
        assert_contains(record, cells)
        if record["family"] in ("gkmlpt", "jpaas", "jsonp"):
            continue
        assert record["title"] in lxml.html.fromstring(html).text_content().replace("\n", "")


def test_word_pages_are_word_html_in_an_aspnet_form(rendered: tuple[Path, list[Record]]) -> None:
    root, records = rendered
    pages = [r for r in records if r["family"] == "word-aspnet"]
    assert pages
    for record in pages:
        text = _html_text(record, (root / str(record["file"])).read_bytes())
        for marker in (
            '<form name="form1"',
            "__VIEWSTATE",
            "MsoNormal",
            "<o:p>",
            "<![if !supportMisc]>",
        ):
            assert marker in text, (record["file"], marker)
        for selector in ('id="zoom"', "TRS_Editor", "UCAP-CONTENT"):
            assert selector not in text


def test_encodings_are_real(rendered: tuple[Path, list[Record]]) -> None:
    root, records = rendered
    encoded = [r for r in records if r["details"].get("charset") in ("gbk", "gb18030")]
    assert encoded
    for record in encoded:
        data = (root / str(record["file"])).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        data.decode(str(record["details"]["charset"]))


def _docx_cells(data: bytes) -> Counter[str]:
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return Counter(
        re.sub(r"\s+", "", "".join(tc.xpath(".//w:t/text()", namespaces=ns)))
        for tc in root.iter(f"{{{ns['w']}}}tc")
    )


def test_docx_cells_hold_every_value(rendered: tuple[Path, list[Record]]) -> None:
    root, records = rendered
    for record in by_format(records, "docx"):
        data = (root / str(record["file"])).read_bytes()
        assert_contains(record, _docx_cells(data))
        xml = zipfile.ZipFile(root / str(record["file"])).read("word/document.xml").decode()
        if record["family"] == "python-docx/textbox":
            assert "<w:txbxContent>" in xml
        if record["family"] == "python-docx/nested":
            assert re.search(r"<w:tc>(?:(?!</w:tc>).)*<w:tbl>", xml, re.S)
        if record["values"] and "python-docx" in str(record["family"]):
            assert "w:gridSpan" in xml and "w:vMerge" in xml


def _tokens(text: str) -> Counter[str]:
    """Whitespace-separated tokens; money joined to its unit (``10.22 万元``, ``162000 元``
    come out of text tools with a space where the font changes)."""
    text = re.sub(r"(\d)\s+(万元|万|元)", r"\1\2", text)
    return Counter(t for t in re.split(r"[\s|│]+", text) if t)


def test_pdf_text_layers_hold_every_value(rendered: tuple[Path, list[Record]]) -> None:
    root, records = rendered
    for record in by_format(records, "pdf"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(root / str(record["file"])), "-"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        tokens = _tokens(text)
        assert_contains(record, tokens)
        assert record["title"].replace(" ", "")[:8] in text.replace(" ", "").replace("\n", "")


def test_doc_and_wps_are_word97_with_every_value(
    rendered: tuple[Path, list[Record]], tmp_path: Path
) -> None:
    """Read back by LibreOffice (antiword drops rows of tables with merged cells)."""
    root, records = rendered
    chosen = by_format(records, "doc") + by_format(records, "wps")
    copies = []
    for index, record in enumerate(chosen):
        data = (root / str(record["file"])).read_bytes()
        assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1"), record["file"]
        copy = tmp_path / f"in{index}.doc"
        copy.write_bytes(data)
        copies.append(copy)
    texts = soffice_convert(copies, "txt:Text (encoded):UTF8", tmp_path / "out")
    for record, copy in zip(chosen, copies, strict=True):
        assert_contains(record, _tokens(texts[copy].read_text("utf-8")))


def test_text_and_markdown_exports_hold_every_value(rendered: tuple[Path, list[Record]]) -> None:
    root, records = rendered
    for record in by_format(records, "txt") + by_format(records, "md"):
        data = (root / str(record["file"])).read_bytes()
        text = data.decode(str(record["details"].get("charset", "utf-8")))
        cells = Counter(
            re.sub(r"\s+", "", c) for c in re.split(r"[\t|\n]", text.replace("<br>", ""))
        )
        assert_contains(record, cells)
        if record["format"] == "md":
            assert text.startswith("#")


def test_workbooks_hold_every_value(rendered: tuple[Path, list[Record]]) -> None:
    import openpyxl
    import xlrd

    root, records = rendered
    for record in by_format(records, "xlsx"):
        book = openpyxl.load_workbook(root / str(record["file"]))
        cells = Counter(
            str(c.value).replace(" ", "")
            for s in book.worksheets
            for row in s.iter_rows()
            for c in row
            if c.value is not None
        )
        assert_contains(record, cells)
    for record in by_format(records, "xls"):
        xls = xlrd.open_workbook(str(root / str(record["file"])))
        xls_cells: Counter[str] = Counter()
        for sheet in xls.sheets():
            for r in range(sheet.nrows):
                for value in sheet.row_values(r):
                    text = (
                        str(int(value))
                        if isinstance(value, float) and value.is_integer()
                        else str(value)
                    )
                    xls_cells[text.replace(" ", "")] += 1
        assert_contains(record, xls_cells)


# ---------------------------------------------------------------- OFD


def _advance_width(delta: str, size: float, text: str) -> float:
    parts = delta.split()
    total, i = 0.0, 0
    while i < len(parts):
        if parts[i] == "g":
            total += int(parts[i + 1]) * float(parts[i + 2])
            i += 3
        else:
            total += float(parts[i])
            i += 1
    last = text[-1:] or " "
    return total + (size if ord(last) >= 0x2E80 else size / 2)


T = TypeVar("T")


def _given(value: T | None, what: str) -> T:
    """An element, attribute or text the OFD package must have."""
    assert value is not None, what
    return value


def _ofd_tokens(path: Path) -> tuple[Counter[str], int]:
    """Tokens rebuilt from the geometry: text objects on one baseline whose boxes touch."""
    ns = "{http://www.ofdspec.org/2016}"
    tokens: Counter[str] = Counter()
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("OFD.xml"))
        doc_root = _given(_given(root.find(f".//{ns}DocRoot"), "DocRoot").text, "DocRoot text")
        document = etree.fromstring(archive.read(doc_root))
        pages = document.findall(f".//{ns}Pages/{ns}Page")
        base = doc_root.rsplit("/", 1)[0]
        for page in pages:
            content = etree.fromstring(
                archive.read(f"{base}/{_given(page.get('BaseLoc'), 'BaseLoc')}")
            )
            items = []
            for obj in content.iter(f"{ns}TextObject"):
                x, y, w, _h = (float(v) for v in _given(obj.get("Boundary"), "Boundary").split())
                size = float(_given(obj.get("Size"), "Size"))
                assert obj.get("Font") and size > 0
                code = _given(obj.find(f"{ns}TextCode"), "TextCode")
                x += float(_given(code.get("X"), "X"))
                if w > 100:  # a page-wide boundary: the width of the glyphs from DeltaX
                    w = _advance_width(code.get("DeltaX", ""), size, code.text or "")
                items.append((y + float(_given(code.get("Y"), "Y")), x, x + w, code.text or ""))
            items.sort()
            lines: list[list[tuple[float, float, float, str]]] = []
            for item in items:  # one line: baselines within 0.3 mm
                if lines and item[0] - lines[-1][0][0] < 0.3:
                    lines[-1].append(item)
                else:
                    lines.append([item])
            ordered = [
                (index, x1, x2, t)
                for index, line in enumerate(lines)
                for _, x1, x2, t in sorted(line, key=lambda i: i[1])
            ]
            current, end, line_no = "", -1.0, -1
            for number, x1, x2, text in ordered:
                if line_no == number and x1 - end < 0.6:
                    current += text
                else:
                    if current:
                        tokens[current.replace(" ", "")] += 1
                    current = text
                line_no, end = number, x2
            if current:
                tokens[current.replace(" ", "")] += 1
    return tokens, len(pages)


def test_ofd_packages_are_well_formed_and_hold_every_value(
    rendered: tuple[Path, list[Record]],
) -> None:
    root, records = rendered
    ofds = by_format(records, "ofd")
    assert {r["family"] for r in ofds} == {
        "ofd/lines+rules",
        "ofd/glyphs",
        "ofd/runs+rules",
        "ofd/page",
    }
    for record in ofds:
        path = root / str(record["file"])
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                etree.fromstring(archive.read(name))  # every part is well-formed XML
            assert "OFD.xml" in archive.namelist()
            rules = sum(archive.read(n).count(b"<ofd:PathObject") for n in archive.namelist())
        assert (rules > 0) == ("rules" in str(record["family"]))
        tokens, pages = _ofd_tokens(path)
        assert_contains(record, tokens)
        assert str(pages) == record["details"]["pages"]
        # our existing reader opens it to text
        document = read_document(path.read_bytes(), filename=path.name)
        assert document.media_type == "application/ofd"
        assert document.pages == pages
        assert str(record["title"])[:6] in document.text.replace(" ", "")


# ---------------------------------------------------------------- scans


def test_scans_have_no_text_layer_and_the_recorded_dpi(rendered: tuple[Path, list[Record]]) -> None:
    import pdfplumber

    root, records = rendered
    scans = by_format(records, "scan")
    assert {r["family"] for r in scans} == {"scan/150dpi", "scan/200dpi", "scan/300dpi"}
    for record in scans:
        path = root / str(record["file"])
        text = subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert not text.strip(), record["file"]
        dpi = int(record["details"]["dpi"])
        with pdfplumber.open(path) as pdf:
            assert len(pdf.pages) == int(record["details"]["pages"])
            for page in pdf.pages:
                assert not page.chars
                assert len(page.images) == 1
                image = page.images[0]
                assert abs(image["srcsize"][0] / (page.width / 72) - dpi) < 2
        # the text layer alone needs OCR (extract_document then reads the scan by OCR)
        assert _read_pdf(path.read_bytes(), DEFAULT_LIMITS).needs_ocr


# ---------------------------------------------------------------- the truth itself


def _rules_hold(values: Mapping[str, object], layout: str) -> bool:
    def v(key: str) -> int:
        value = values.get(key)
        return value if isinstance(value, int) else 0

    for column in K.T3_COLUMNS:
        if v(f"t3.new.{column}") + v(f"t3.carried_over.{column}") != v(f"t3.total.{column}") + v(
            f"t3.carried_forward.{column}"
        ):
            return False
        outcomes = sum(v(f"t3.{row}.{column}") for row in K.OUTCOME_ROWS)
        if outcomes != v(f"t3.total.{column}"):
            return False
    for row in K.t3_rows(layout):
        if sum(v(f"t3.{row}.{c}") for c in K.APPLICANT_COLUMNS) != v(f"t3.{row}.total"):
            return False
    for group in K.T4_GROUPS:
        if sum(v(f"t4.{group}.{c}") for c in K.T4_COLUMNS[:4]) != v(f"t4.{group}.total"):
            return False
    return True


def test_synthetic_truth_is_consistent_exactly_when_it_says_so() -> None:
    kinds: Counter[object] = Counter()
    for index in range(60):
        report = synthetic_report(99, index)
        assert report.consistent is not None
        assert _rules_hold(report.values, report.layout) == report.consistent, report.rid
        kinds[(report.layout, report.consistent)] += 1
        blanks = [k for k, v in report.values.items() if v is None and k in report.printed]
        kinds["blank"] += bool(blanks)
    assert (
        kinds[("2019", True)]
        and kinds[("2021", True)]
        and kinds[("2019", False)]
        and kinds[("2021", False)]
    )
    assert kinds["blank"] > 10


def test_freeform_reports_have_no_tables() -> None:
    report = freeform_report(3, 0)
    assert report.layout == "none" and not report.tables() and 2008 <= (report.year or 0) <= 2018


def test_build_is_deterministic(tmp_path: Path) -> None:
    recipes = ["html-trs", "html-gkmlpt", "txt-rows", "md-gfm", "ofd-lines", "pdf-canvas", "pdf-fpdf2",
               "pdf-platypus", "docx-merged"]  # fmt: skip
    first = build(
        tmp_path / "a", 5, synthetic=2, freeform=0, per_recipe=2, recipes=recipes, real=False
    )
    second = build(
        tmp_path / "b", 5, synthetic=2, freeform=0, per_recipe=2, recipes=recipes, real=False
    )
    assert first == second
    for record in first:
        name = str(record["file"])
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_command_line_lists_and_builds(tmp_path: Path) -> None:
    listing = subprocess.run([sys.executable, "-m", "sampleweb.renderings", "--out", str(tmp_path), "--list"],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert "html-word-aspnet" in listing and "scan-200" in listing
    run = subprocess.run([sys.executable, "-m", "sampleweb.renderings", "--out", str(tmp_path / "o"), "--seed", "3",
                          "--recipes", "html-jsonp,txt-cells", "--per-recipe", "1"], capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "seed 3" in run.stdout and "wrote 2 files" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "sampleweb.renderings", "--out", str(tmp_path), "--recipes", "nope"],
                         capture_output=True, text=True)  # fmt: skip
    assert (
        bad.returncode == 2 and bad.stderr.strip() == "error: unknown recipe(s): nope (see --list)"
    )


def test_original_real_reports_come_with_their_labels(tmp_path: Path) -> None:
    records = build(
        tmp_path,
        1,
        synthetic=1,
        freeform=0,
        per_recipe=1,
        recipes=["txt-rows"],
        seeds=False,
        originals=True,
    )
    originals = [r for r in records if r["family"] == "original"]
    assert {r["format"] for r in originals} == {"pdf", "html", "docx"}
    for record in originals:
        assert (tmp_path / str(record["file"])).exists()
        assert record["values"] and record["layout"] in ("2019", "2021")
