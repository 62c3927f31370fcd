"""Index terms of report text, computed in Python so SQLite and PostgreSQL index alike.

Chinese has no spaces between words, and a search must find terms of any length — one
character (报) and two (复议) included. Every run of CJK characters is indexed as its
characters (unigrams) and its overlapping character pairs (bigrams); runs of Latin
letters or digits as lower-cased words. A query term of n ≥ 2 CJK characters is looked up
as all of its bigrams, a single character as its unigram; the candidates are then checked
against the real text (``query.search``), so a document whose bigrams are merely scattered
is never reported as a hit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# CJK ideographs (unified, extension A, compatibility) and the iteration mark 〇.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z\u00c0-\u024f]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")

MAX_TERMS_PER_TEXT = 200_000
"""A guard for absurd inputs: terms beyond this are not indexed (reports are 3–30 KB)."""
MAX_WORD = 64
"""Latin/digit words are indexed (and looked up) by their first 64 characters."""


@dataclass(frozen=True)
class QueryTokens:
    """The index lookups for one query term."""

    exact: tuple[str, ...]
    """Terms that must all be in the index as they are (CJK unigrams and bigrams)."""
    prefix: tuple[str, ...]
    """Latin/digit words: an indexed word must start with each."""

    @property
    def empty(self) -> bool:
        return not self.exact and not self.prefix


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def runs(text: str) -> Iterator[tuple[bool, str]]:
    """(is_cjk, run) for every run of CJK characters or of Latin letters/digits."""
    for match in _RUN.finditer(_fold(text)):
        run = match.group()
        yield bool(_CJK_RUN.fullmatch(run)), run


def index_terms(text: str) -> list[str]:
    """The distinct index terms of a text, in order of first appearance."""
    seen: dict[str, None] = {}
    for is_cjk, run in runs(text):
        if is_cjk:
            for i, char in enumerate(run):
                seen.setdefault(char, None)
                if i + 1 < len(run):
                    seen.setdefault(run[i : i + 2], None)
        else:
            seen.setdefault(run.lower()[:MAX_WORD], None)
        if len(seen) >= MAX_TERMS_PER_TEXT:
            break
    return list(seen)


def query_tokens(term: str) -> QueryTokens:
    """The lookups that every text containing ``term`` is sure to satisfy."""
    exact: dict[str, None] = {}
    prefix: dict[str, None] = {}
    for is_cjk, run in runs(term):
        if is_cjk:
            if len(run) == 1:
                exact.setdefault(run, None)
            for i in range(len(run) - 1):
                exact.setdefault(run[i : i + 2], None)
        else:
            prefix.setdefault(run.lower()[:MAX_WORD], None)
    return QueryTokens(tuple(exact), tuple(prefix))
