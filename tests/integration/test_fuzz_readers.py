"""Fuzzing the readers through ``extract_document`` (hypothesis): structured mutations of
real documents of every format (a member of a zip container, or the raw bytes) must never
let an exception escape, and the worker's limits must hold.

In CI the ``ci`` profile runs a fixed, derandomised set of examples per format (well under
a minute in all). A longer campaign:
``pytest tests/integration/test_fuzz_readers.py --hypothesis-profile=campaign -p no:cacheprovider``
(random examples; a failure is printed with the bytes to keep). Inputs found to crash a
reader are kept in ``tests/fixtures/broken`` (see ``test_fuzz_regressions``).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import REPO
from test_hostile_documents import make_hostile

from extract import extract_document
from extract.isolation import default_pool
from extract.limits import Limits

REPORTS = REPO / "sampleweb/assets/reports"
BROKEN = REPO / "tests/fixtures/broken"
LIMITS = Limits(timeout_s=20.0, cpu_s=20.0)

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "campaign",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci")

SEEDS: dict[str, bytes] = {
    "docx": (REPORTS / "seed000.docx").read_bytes(),
    "xlsx": (REPORTS / "seed000.xlsx").read_bytes(),
    "ofd": make_hostile.sample_ofd(),
    "zip": (REPORTS / "seed000.zip").read_bytes(),
    "doc": (REPORTS / "seed000.doc").read_bytes(),
    "xls": (REPORTS / "seed000.xls").read_bytes(),
    "pdf": (REPORTS / "seed000.pdf").read_bytes(),
    "html": (REPORTS / "seed000.html").read_bytes(),
}
ZIPPED = ("docx", "xlsx", "ofd", "zip")

TOKENS = [
    b"0",
    b"-1",
    b"4294967295",
    b"99999999999999999999",
    b"1e308",
    b"NaN",
    b"\x00",
    b"\xff\xfe",
    b"&amp;",
    b"&#0;",
    b"]]>",
    b"<!DOCTYPE x>",
    b"<w:tbl><w:tr><w:tc>",
    b'<w:gridSpan w:val="1000"/>',
    b'<w:vMerge w:val="restart"/>',
    b'<mergeCell ref="A1:XFD1048576"/>',
    b'<c r="XFD1048576"><v>1</v></c>',
    b'<td rowspan="1000" colspan="1000">',
    b"obj",
    b"endobj",
    b" 0 R",
    b"/Kids [",
    b"stream\n",
    b"trailer",
    b"%%EOF",
]


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after 1–6 edits: byte flips, insertions (random or of tokens that mean
    something to a parser), deletions, repeated slices and huge numbers."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "token", "delete", "repeat", "number"]))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if op == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "token":
            out[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del out[at : at + draw(st.integers(1, 256))]
        elif op == "repeat":
            length = draw(st.integers(1, 64))
            out[at:at] = bytes(out[at : at + length]) * draw(st.integers(2, 200))
        elif op == "number":
            match = re.compile(rb"\d+").search(bytes(out), at)
            if match:
                out[match.start() : match.end()] = draw(st.sampled_from(TOKENS[:5]))
    return bytes(out)


@st.composite
def mutated_document(draw: st.DrawFn, kind: str) -> bytes:
    seed = SEEDS[kind]
    if kind not in ZIPPED or draw(st.integers(0, 9)) == 0:
        return draw(mutated_bytes(seed))
    # a zip container: mutate one member, so that the reader behind the zip sees it
    with zipfile.ZipFile(io.BytesIO(seed)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(mutated_bytes(members[name]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def check(data: bytes, kind: str) -> None:
    """What every input must give: an Extraction, a one-line error or none, bounded text,
    and a worker that stayed within its limits."""
    pool = default_pool()
    pool.last_usage = None
    extraction = extract_document(data, filename=f"fuzzed.{kind}", limits=LIMITS)
    assert extraction.parser_version
    assert extraction.error is None or (
        extraction.error and "\n" not in extraction.error and len(extraction.error) < 2000
    ), extraction.error
    assert len(extraction.text) <= LIMITS.max_text_chars
    usage = pool.last_usage
    if usage is not None:
        assert usage.wall_s < LIMITS.timeout_s + 5
        if usage.peak_rss is not None:
            assert usage.peak_rss < LIMITS.memory_bytes


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_fuzzed_documents_never_escape(kind: str) -> None:
    @given(mutated_document(kind))
    def fuzz(data: bytes) -> None:
        check(data, kind)

    fuzz()


def test_seeds_are_read() -> None:
    for kind, data in SEEDS.items():
        extraction = extract_document(data, filename=f"seed.{kind}")
        assert extraction.error is None and extraction.text, kind


KNOWN_READER_BUGS = {
    "fuzz-html-control-char.html": "extract/text/html.py: lxml's drop_tree refuses a tail "
    "with a control character (ValueError)",
}
"""Fuzz findings in readers of other branches, still open: for them only the general
property is checked (a one-line error, limits held)."""


@pytest.mark.parametrize("path", sorted(BROKEN.glob("fuzz-*")), ids=lambda p: p.name)
def test_fuzz_regressions(path: Path) -> None:
    """Inputs a fuzzing campaign found to break a reader: each now gives a precise error
    (or its text), not "reader failed"."""
    data = path.read_bytes()
    check(data, path.suffix.lstrip("."))
    if path.name in KNOWN_READER_BUGS:
        return
    extraction = extract_document(data, filename=path.name)
    assert "reader failed" not in (extraction.error or ""), extraction.error
    assert "analysis failed" not in (extraction.error or ""), extraction.error
