"""Near-identical report texts, with the boilerplate every report shares left out.

Texts become sets of hashed character shingles (8 characters of Chinese and letters; digits,
punctuation and the agencies' own names are dropped, so changed figures and swapped names
do not hide a copy). A shingle that appears in many reports of a year — the statutory
headings, the table labels, stock phrases — is boilerplate for that year and ignored.
Only a content-defined sample of the shingles is kept (those whose CRC is divisible by
``SAMPLE``). Candidate pairs come from an inverted index over the remaining, rarer
shingles; each candidate's similarity is the Jaccard index of the filtered samples.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SHINGLE = 8
SAMPLE = 4
"""Only shingles whose hash is divisible by this are kept (content-defined sampling)."""
CANDIDATE_MAX_DF = 100
"""Shingles held by more reports than this do not propose candidate pairs (they are
common phrasing, not what a copy shares); they still count in the similarity."""
MIN_SHINGLES = 10
"""Texts with fewer sampled distinct non-boilerplate shingles (about 40 in all) are too
short to call copies."""
_KEEP = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+")


@dataclass
class Text:
    key: int
    """The report id."""
    agency_id: str
    year: int
    shingles: frozenset[int]


@dataclass(frozen=True)
class Copy:
    a: int
    b: int
    similarity: float
    shared: int


def shingles(body: str, names: Iterable[str] = ()) -> frozenset[int]:
    """The CRC-32 of every run of ``SHINGLE`` kept characters whose CRC is divisible by
    ``SAMPLE``: a sample chosen by content, so two texts keep the same shingles of what
    they share, and the Jaccard index of the samples estimates that of the full sets."""
    for name in sorted((n for n in names if n), key=len, reverse=True):
        body = body.replace(name, "")
    data = memoryview("".join(_KEEP.findall(body)).encode("utf-16-le"))
    width = 2 * SHINGLE
    hashes = map(zlib.crc32, (data[i : i + width] for i in range(0, len(data) - width + 1, 2)))
    return frozenset(h for h in hashes if h % SAMPLE == 0)


def boilerplate_threshold(reports_in_year: int, share: float) -> int:
    """A shingle in at least this many reports of a year is boilerplate."""
    return max(3, math.ceil(share * reports_in_year))


def find_copies(
    texts: list[Text],
    *,
    threshold: float = 0.8,
    boilerplate_share: float = 0.3,
    pair_allowed: Callable[[Text, Text], bool] | None = None,
) -> list[Copy]:
    """Pairs of texts at least ``threshold`` similar (Jaccard of filtered shingle sets)."""
    by_year: dict[int, list[Text]] = defaultdict(list)
    for t in texts:
        by_year[t.year].append(t)
    boiler: dict[int, set[int]] = {}
    for year, group in by_year.items():
        df = Counter(s for t in group for s in t.shingles)
        limit = boilerplate_threshold(len(group), boilerplate_share)
        boiler[year] = {s for s, n in df.items() if n >= limit}
    kept = {t.key: t.shingles - boiler[t.year] for t in texts}
    by_key = {t.key: t for t in texts}
    index: dict[int, list[int]] = defaultdict(list)
    for t in texts:
        if len(kept[t.key]) >= MIN_SHINGLES:
            for s in kept[t.key]:
                index[s].append(t.key)
    pair_counts: Counter[tuple[int, int]] = Counter()
    for keys in index.values():
        if len(keys) < 2 or len(keys) > CANDIDATE_MAX_DF:
            continue
        keys.sort()
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                pair_counts[(a, b)] += 1
    out: list[Copy] = []
    for (a, b), sampled in pair_counts.items():
        ta, tb = by_key[a], by_key[b]
        if pair_allowed is not None and not pair_allowed(ta, tb):
            continue
        sa = kept[a] - boiler[tb.year]
        sb = kept[b] - boiler[ta.year]
        smaller = min(len(sa), len(sb))
        if smaller < MIN_SHINGLES or sampled < threshold * smaller * 0.5:
            continue
        shared = len(sa & sb)
        similarity = shared / len(sa | sb)
        if similarity >= threshold:
            out.append(Copy(a, b, round(similarity, 4), shared))
    return sorted(out, key=lambda c: (c.a, c.b))
