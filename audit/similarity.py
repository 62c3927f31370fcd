"""Near-identical report texts, with the boilerplate every report shares left out.

Texts become sets of sampled, hashed character shingles (:mod:`audit.shingle_hash`: 8
characters of Chinese and letters; digits, punctuation and the agencies' own names are
dropped, so changed figures and swapped names do not hide a copy). A shingle that appears
in many reports of a year — the statutory headings, the table labels, stock phrases — is
boilerplate for that year and ignored. Candidate pairs come from an inverted index over the
remaining, rarer shingles; each candidate's similarity is the Jaccard index of the filtered
samples, computed exactly.

The work is done on numpy arrays (one row per text × shingle), so hundreds of thousands
of reports take seconds: boilerplate by counting (year, shingle) keys, candidates by
grouping rows by shingle and enumerating the pairs of each small group, and the exact
Jaccard only for the few candidates that share enough rare shingles.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from audit.shingle_hash import SAMPLE, SHINGLE, ShingleTable, shingle_table, shingles

__all__ = [
    "CANDIDATE_MAX_DF",
    "MIN_SHINGLES",
    "SAMPLE",
    "SHINGLE",
    "Copy",
    "Text",
    "boilerplate_threshold",
    "find_copies",
    "find_copies_in_table",
    "same_year_or_own_previous_year",
    "shingle_table",
    "shingles",
]

CANDIDATE_MAX_DF = 100
"""Shingles held by more reports than this do not propose candidate pairs (they are
common phrasing, not what a copy shares); they still count in the similarity."""
MIN_SHINGLES = 10
"""Texts with fewer sampled distinct non-boilerplate shingles (about 40 in all) are too
short to call copies."""

PairFilter = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Given two equal-length arrays of text indexes, which pairs may be compared."""


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


def boilerplate_threshold(reports_in_year: int, share: float) -> int:
    """A shingle in at least this many reports of a year is boilerplate."""
    return max(3, math.ceil(share * reports_in_year))


def same_year_or_own_previous_year(agencies: np.ndarray, years: np.ndarray) -> PairFilter:
    """Two agencies' reports on the same year, or one agency's reports on adjacent years."""

    def allowed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        same = agencies[a] == agencies[b]
        gap = np.abs(years[a] - years[b])
        pairs: np.ndarray = np.where(same, gap == 1, gap == 0)
        return pairs

    return allowed


def find_copies(
    texts: list[Text],
    *,
    threshold: float = 0.8,
    boilerplate_share: float = 0.3,
    pair_allowed: Callable[[Text, Text], bool] | None = None,
) -> list[Copy]:
    """Pairs of texts at least ``threshold`` similar (Jaccard of filtered shingle sets)."""
    ordered = sorted(texts, key=lambda t: t.key)
    counts = np.fromiter((len(t.shingles) for t in ordered), dtype=np.int64, count=len(ordered))
    owner = np.repeat(np.arange(len(ordered), dtype=np.int64), counts)
    values = np.fromiter(
        (s for t in ordered for s in sorted(t.shingles)), dtype=np.uint32, count=int(counts.sum())
    )
    table = ShingleTable(len(ordered), owner, values)
    pair_filter: PairFilter | None = None
    if pair_allowed is not None:
        check = pair_allowed

        def pair_filter(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.fromiter(
                (
                    check(ordered[i], ordered[j])
                    for i, j in zip(a.tolist(), b.tolist(), strict=True)
                ),
                dtype=bool,
                count=len(a),
            )

    found = find_copies_in_table(
        table,
        np.array([t.year for t in ordered], dtype=np.int64),
        threshold=threshold,
        boilerplate_share=boilerplate_share,
        pair_filter=pair_filter,
    )
    return [Copy(ordered[c.a].key, ordered[c.b].key, c.similarity, c.shared) for c in found]


def find_copies_in_table(
    table: ShingleTable,
    years: np.ndarray,
    *,
    threshold: float = 0.8,
    boilerplate_share: float = 0.3,
    pair_filter: PairFilter | None = None,
) -> list[Copy]:
    """Pairs of texts of ``table`` at least ``threshold`` similar, as text indexes
    (``a < b``), sorted. ``years[i]`` is the year of text ``i``."""
    n = table.count
    if len(years) != n:
        raise ValueError(f"{len(years)} years for {n} texts")
    if n < 2 or len(table.text) == 0:
        return []
    t, h = table.text, table.shingle
    _, year_of = np.unique(np.asarray(years, dtype=np.int64), return_inverse=True)
    limits = np.array(
        [boilerplate_threshold(int(k), boilerplate_share) for k in np.bincount(year_of)],
        dtype=np.int64,
    )
    # Boilerplate: (year, shingle) keys held by at least the year's limit of texts. There
    # are few (a boilerplate shingle is in ≥ 30 % of a year's texts), so membership is a
    # binary search. (np.unique would do, but in numpy 2.x it hashes: slower than sorts.)
    year_key = (year_of[t].astype(np.uint64) << np.uint64(32)) | h
    keys, df = _runs(np.sort(year_key))
    boiler_keys = keys[df >= limits[(keys >> np.uint64(32)).astype(np.int64)]]
    kept = ~_member(year_key, boiler_keys)
    kt, kh = t[kept], h[kept]
    kept_count = np.bincount(kt, minlength=n)
    # Candidate pairs: texts sharing rare shingles, from an inverted index over all years.
    eligible = kept_count[kt] >= MIN_SHINGLES
    index = np.sort(
        (kh[eligible].astype(np.uint64) << np.uint64(32)) | kt[eligible].astype(np.uint64)
    )
    it = (index & np.uint64(0xFFFFFFFF)).astype(np.int64)
    ih = index >> np.uint64(32)
    starts = np.flatnonzero(np.r_[True, ih[1:] != ih[:-1]])
    sizes = np.diff(np.r_[starts, len(ih)])
    pair_codes: list[np.ndarray] = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= CANDIDATE_MAX_DF)]).tolist():
        members = it[starts[sizes == size][:, None] + np.arange(size)]
        first, second = np.triu_indices(size, 1)
        pair_codes.append((members[:, first] * n + members[:, second]).ravel())
    if not pair_codes:
        return []
    codes, sampled = _runs(np.sort(np.concatenate(pair_codes)))
    a, b = codes // n, codes % n
    if pair_filter is not None:
        ok = pair_filter(a, b)
        a, b, sampled = a[ok], b[ok], sampled[ok]
    # Pairs within a year: kept sets are already the compared sets, so the cheap
    # pre-filter is exact; across years it is applied below with the other year's
    # boilerplate removed.
    same_year = year_of[a] == year_of[b]
    smaller = np.minimum(kept_count[a], kept_count[b])
    hopeless = same_year & ((smaller < MIN_SHINGLES) | (sampled < threshold * smaller * 0.5))
    a, b, sampled = a[~hopeless], b[~hopeless], sampled[~hopeless]
    if len(a) == 0:
        return []
    bounds = np.r_[0, np.cumsum(kept_count)]
    kept_sets: dict[int, set[int]] = {}
    boiler_sets: dict[int, set[int]] = {}

    def kept_set(i: int) -> set[int]:
        if i not in kept_sets:
            kept_sets[i] = set(kh[bounds[i] : bounds[i + 1]].tolist())
        return kept_sets[i]

    def boiler_set(y: int) -> set[int]:
        if y not in boiler_sets:
            low = np.searchsorted(boiler_keys, np.uint64(y) << np.uint64(32))
            high = np.searchsorted(boiler_keys, np.uint64(y + 1) << np.uint64(32))
            boiler_sets[y] = set((boiler_keys[low:high] & np.uint64(0xFFFFFFFF)).tolist())
        return boiler_sets[y]

    out: list[Copy] = []
    for i, j, count in zip(a.tolist(), b.tolist(), sampled.tolist(), strict=True):
        sa, sb = kept_set(i), kept_set(j)
        yi, yj = int(year_of[i]), int(year_of[j])
        if yi != yj:
            sa, sb = sa - boiler_set(yj), sb - boiler_set(yi)
            smaller_ab = min(len(sa), len(sb))
            if smaller_ab < MIN_SHINGLES or count < threshold * smaller_ab * 0.5:
                continue
        shared = len(sa & sb)
        similarity = shared / (len(sa) + len(sb) - shared)
        if similarity >= threshold:
            out.append(Copy(i, j, round(similarity, 4), shared))
    return sorted(out, key=lambda c: (c.a, c.b))


def _runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how many times each occurs."""
    if len(ordered) == 0:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def _member(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in the sorted array ``ordered``."""
    if len(ordered) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    found: np.ndarray = ordered[at] == values
    return found
