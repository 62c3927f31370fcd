"""Keeping the full-text index of report versions (migration ``0002_search``).

``index_term_rows`` is called in the transaction that adds versions; ``rebuild`` indexes
every version again (after a change of ``storage.tokenize``, or for an archive filled before
the index existed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storage.models import VersionRow
from storage.tokenize import index_terms

if TYPE_CHECKING:
    from storage.archive import Archive

_SQLITE_INSERT = text("INSERT INTO search_fts(rowid, terms) VALUES (:id, :terms)")
# The terms travel as one space-separated string (no term holds a space): half the cost
# of binding a text[] of a thousand elements, measured.
_PG_INSERT = text(
    "INSERT INTO search_terms (version_id, terms) "
    "VALUES (:id, array_to_tsvector(string_to_array(:terms, ' '))) "
    "ON CONFLICT (version_id) DO UPDATE SET terms = EXCLUDED.terms"
)


def index_rows(session: Session, rows: list[tuple[int, str]]) -> None:
    """Index several (version id, text) pairs at once."""
    index_term_rows(session, [(vid, index_terms(body)) for vid, body in rows])


def index_term_rows(session: Session, rows: list[tuple[int, list[str]]]) -> None:
    """Index several (version id, index terms of its text) pairs at once — for callers
    that computed ``storage.tokenize.index_terms`` already (in an extraction worker)."""
    if not rows:
        return
    sqlite = session.get_bind().dialect.name == "sqlite"
    params = [{"id": vid, "terms": " ".join(terms)} for vid, terms in rows]
    session.execute(_SQLITE_INSERT if sqlite else _PG_INSERT, params)


def clear(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('delete-all')"))
    else:
        session.execute(text("DELETE FROM search_terms"))


def rebuild(archive: Archive, *, batch: int = 500) -> int:
    """Drop the index and index every version again; returns the number indexed."""
    with archive.session() as s:
        clear(s)
    done = 0
    last = 0
    while True:
        with archive.session() as s:
            rows = [
                (vid, body or "")
                for vid, body in s.execute(
                    select(VersionRow.id, VersionRow.text)
                    .where(VersionRow.id > last)
                    .order_by(VersionRow.id)
                    .limit(batch)
                ).all()
            ]
            if not rows:
                return done
            index_rows(s, rows)
        done += len(rows)
        last = rows[-1][0]
