"""What the latency benchmarks share: the PostgreSQL server they fill schemas on, the
percentile they report, and the queries they draw from an archive's own texts
(``benchmarks/search_latency.py`` fills the archive, ``benchmarks/web_latency.py``
serves it)."""

from __future__ import annotations

import random

from sqlalchemy import Table, text

from storage.archive import Archive
from storage.models import Base

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def percentile(values: list[float], p: float) -> float:
    """The value at fraction ``p`` of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def sample_queries(archive: Archive, seed: int, count: int) -> list[str]:
    """Substrings of 1–6 Chinese characters of random versions already archived."""
    rng = random.Random(seed)
    with archive.engine.connect() as conn:
        top = conn.execute(text("SELECT max(id) FROM versions")).scalar() or 0
        out: list[str] = []
        while len(out) < count:
            body = conn.execute(
                text("SELECT text FROM versions WHERE id = :i"), {"i": rng.randint(1, top)}
            ).scalar()
            if not body:
                continue
            k = rng.randint(1, 6)
            at = rng.randrange(0, len(body) - k)
            piece = body[at : at + k]
            if all("\u4e00" <= ch <= "\u9fff" for ch in piece):
                out.append(piece)
    return out


def table_of(model: type[Base]) -> Table:
    """The table of a model, for Core bulk inserts (a model's ``__table__`` is typed as
    any FROM clause)."""
    return Base.metadata.tables[model.__tablename__]
