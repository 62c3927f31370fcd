"""The vectorised shingling and copy search agree with their plain definitions."""

from __future__ import annotations

import random
import re
import zlib
from itertools import combinations

import numpy as np
from archive_helpers import seed_text

from audit.similarity import (
    MIN_SHINGLES,
    SAMPLE,
    SHINGLE,
    Text,
    boilerplate_threshold,
    find_copies,
    find_copies_in_table,
    same_year_or_own_previous_year,
    shingle_table,
    shingles,
)

_KEEP = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+")
COMMON = "的一是在不了有和人这中大为上们个国我以要他时来用生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者"


def plain_shingles(body: str, names: list[str]) -> frozenset[int]:
    for name in sorted(names, key=len, reverse=True):
        body = body.replace(name, "")
    kept = "".join(_KEEP.findall(body))
    hashes = (
        zlib.crc32(kept[i : i + SHINGLE].encode("utf-16-le"))
        for i in range(len(kept) - SHINGLE + 1)
    )
    return frozenset(h for h in hashes if h % SAMPLE == 0)


def test_bulk_shingles_are_the_crc32_of_kept_character_runs() -> None:
    bodies = [seed_text(n) for n in range(5)]
    bodies += [
        "",
        "abc",
        "汉字" * 3,
        "",
        "𠀀中文字符测试内容😀中文字符测试内容2020年",
        "一二三四五六七八",
        "",
    ]
    names = [["长街镇", "我镇", "长街"]] * len(bodies)
    expected = [plain_shingles(b, n) for b, n in zip(bodies, names, strict=True)]
    assert sum(map(len, expected)) > 1000
    assert shingle_table(bodies, names).sets() == expected
    assert shingle_table(bodies[::-1], names).sets() == expected[::-1]
    assert shingles(bodies[0], names[0]) == expected[0]
    assert shingle_table([]).count == 0


def _corpus(seed: int) -> list[Text]:
    rng = random.Random(seed)
    boiler = seed_text(0)[:600]
    sentences = [s for n in range(5) for s in seed_text(n).split("。") if len(s) > 10]
    rows: list[tuple[str, int, str]] = []
    for year in (2019, 2020, 2021):
        for n in range(25):
            own = "".join(rng.choice(COMMON) for _ in range(rng.randint(40, 600)))
            rows.append((f"a{n}", year, boiler + "。".join(rng.sample(sentences, 4)) + own))
    for _ in range(20):
        agency, year, body = rng.choice(rows)
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(body))
            body = body[:at] + "".join(rng.choice(COMMON) for _ in range(20)) + body[at + 25 :]
        if rng.random() < 0.5:
            rows.append((f"a{rng.randrange(25)}", year, body))
        else:
            rows.append((agency, year + rng.choice((-1, 1)), body))
    rng.shuffle(rows)
    return [Text(k, a, y, plain_shingles(b, [])) for k, (a, y, b) in enumerate(rows)]


def _brute_force(texts: list[Text], threshold: float) -> list[tuple[int, int, float]]:
    """Every allowed pair's Jaccard index, boilerplate of both years left out (fewer than
    100 texts: no shingle is too common to propose a pair)."""
    years = {t.year for t in texts}
    boiler = {}
    for year in years:
        group = [t for t in texts if t.year == year]
        limit = boilerplate_threshold(len(group), 0.3)
        counts: dict[int, int] = {}
        for t in group:
            for s in t.shingles:
                counts[s] = counts.get(s, 0) + 1
        boiler[year] = {s for s, n in counts.items() if n >= limit}
    out = []
    for x, y in combinations(sorted(texts, key=lambda t: t.key), 2):
        same = x.agency_id == y.agency_id
        if (same and abs(x.year - y.year) != 1) or (not same and x.year != y.year):
            continue
        own_x, own_y = x.shingles - boiler[x.year], y.shingles - boiler[y.year]
        if min(len(own_x), len(own_y)) < MIN_SHINGLES:
            continue
        sx, sy = own_x - boiler[y.year], own_y - boiler[x.year]
        if min(len(sx), len(sy)) < MIN_SHINGLES:
            continue
        similarity = len(sx & sy) / len(sx | sy)
        if similarity >= threshold:
            out.append((x.key, y.key, round(similarity, 4)))
    return out


def test_copies_found_in_bulk_are_exactly_the_pairs_above_the_threshold() -> None:
    for seed in (0, 1):
        texts = _corpus(seed)
        assert len(texts) < 100
        ordered = sorted(texts, key=lambda t: t.key)
        codes = {a: i for i, a in enumerate(sorted({t.agency_id for t in texts}))}
        agencies = np.array([codes[t.agency_id] for t in ordered])
        years = np.array([t.year for t in ordered])
        counts = [len(t.shingles) for t in ordered]
        table = shingle_table([])
        table.count = len(ordered)
        table.text = np.repeat(np.arange(len(ordered)), counts)
        table.shingle = np.array([s for t in ordered for s in sorted(t.shingles)], dtype=np.uint32)
        for threshold in (0.6, 0.9):
            expected = _brute_force(texts, threshold)
            assert any(ordered[a].year != ordered[b].year for a, b, _ in expected)
            found = find_copies_in_table(
                table,
                years,
                threshold=threshold,
                pair_filter=same_year_or_own_previous_year(agencies, years),
            )
            assert [(c.a, c.b, c.similarity) for c in found] == expected
            listed = find_copies(
                texts,
                threshold=threshold,
                pair_allowed=lambda x, y: (
                    abs(x.year - y.year) == 1 if x.agency_id == y.agency_id else x.year == y.year
                ),
            )
            assert [(c.a, c.b, c.similarity) for c in listed] == expected
