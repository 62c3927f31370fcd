"""Search snippets: the marking by one regular expression gives what the scan it replaced
(character by character, the longest term first at each place) gave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from query.search import HIGHLIGHT, snippet


def scanned_snippet(body: str, terms: list[str], width: int = 40) -> str:
    """The former implementation, kept as the reference."""
    positions = [p for p in (body.find(t) for t in terms if t) if p >= 0]
    if not positions:
        head = " ".join(body[: 4 * width].split())
        return head[: 2 * width] + ("…" if len(body) > 2 * width else "")
    first = min(positions)
    longest = max(len(t) for t in terms)
    start, end = max(0, first - width), min(len(body), first + width + longest)
    window = " ".join(body[start:end].split())
    out: list[str] = []
    i = 0
    ordered = sorted(terms, key=len, reverse=True)
    while i < len(window):
        term = next((t for t in ordered if t and window.startswith(t, i)), None)
        if term is None:
            out.append(window[i])
            i += 1
        else:
            out.append(f"{HIGHLIGHT[0]}{term}{HIGHLIGHT[1]}")
            i += len(term)
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(body) else "")


# a small alphabet, so that terms overlap, nest and repeat in the texts
LETTERS = st.sampled_from(list("复议诉讼行政 \n.*(«")) | st.characters()
TEXTS = st.text(LETTERS, max_size=300)
TERMS = st.lists(st.text(LETTERS, max_size=4), min_size=1, max_size=5)


@settings(max_examples=400, deadline=None)
@given(body=TEXTS, terms=TERMS, width=st.integers(1, 60))
def test_snippet_equals_the_scan(body: str, terms: list[str], width: int) -> None:
    assert snippet(body, terms, width) == scanned_snippet(body, terms, width)


def test_snippet_overlapping_terms() -> None:
    body = "前言。" * 20 + "行政复议和行政诉讼，复议复议。" + "后记。" * 20
    for terms in (
        ["行政复议", "复议"],
        ["复议", "行政复议"],
        ["政复", "行政", "复议"],
        ["a.b", "复"],
    ):
        assert snippet(body, terms) == scanned_snippet(body, terms)
    assert "«行政复议»" in snippet(body, ["复议", "行政复议"])
