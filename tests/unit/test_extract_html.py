"""Report pages in templates nobody tuned a selector for, and bodies delivered as data
(issue 11): every labelled value read, no distractor number leaking into values."""

from __future__ import annotations

import json

import pytest
from html_variants import VARIANTS, seed_body
from paths import SEED_LABELS

from extract import extract_document


def _label(number: int) -> dict:
    return json.loads(next(SEED_LABELS.glob(f"{number:03d}_*.json")).read_text("utf-8"))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("number", range(5))
def test_template_variant_reads_every_value(number: int, variant: str) -> None:
    title, blocks = seed_body(number)
    data = VARIANTS[variant](title, blocks)
    extraction = extract_document(data, url=f"http://127.0.0.1/{variant}/{number}")
    label = _label(number)
    assert extraction.error is None
    assert extraction.layout == label["layout"]
    wrong = {
        key: (value, extraction.values.get(key))
        for key, value in label["values"].items()
        if extraction.values.get(key) != value
    }
    assert not wrong, f"{len(wrong)} wrong: {wrong}"
    assert set(extraction.values) == set(label["values"])
    assert extraction.sections == label["sections_present"]
    for distractor in ("987654", "45678", "3302260001", "正在加载"):
        assert distractor not in extraction.text


def test_body_sources_are_named() -> None:
    title, blocks = seed_body(0)
    sources = {
        variant: extract_document(VARIANTS[variant](title, blocks)).body_source
        for variant in ("aspnet-form-word", "gkmlpt-detail", "jpaas-json", "document-write")
    }
    assert sources == {
        "aspnet-form-word": "page",
        "gkmlpt-detail": "script",
        "jpaas-json": "json",
        "document-write": "script",
    }


def test_rendered_dom_is_read_when_the_page_is_a_shell() -> None:
    """The crawler's browser fallback hands the rendered DOM; extraction keeps the reading
    that holds the report."""
    title, blocks = seed_body(1)
    shell = b"<html><body><div id='app'>\xe6\xad\xa3\xe5\x9c\xa8\xe5\x8a\xa0\xe8\xbd\xbd</div></body></html>"
    dom = f"<html><body><div id='app'><h1>{title}</h1>{''.join(blocks)}</div></body></html>"
    alone = extract_document(shell)
    assert alone.layout == "none" and alone.body_source == "page"
    both = extract_document(shell, rendered_html=dom.encode("utf-8"))
    assert both.body_source == "rendered" and both.media_type == "text/html"
    assert both.values == _label(1)["values"]
    # a page that shows its body itself keeps its own reading
    page = VARIANTS["aspnet-form-word"](title, blocks)
    assert extract_document(page, rendered_html=shell).body_source == "page"
