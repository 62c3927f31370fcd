"""Keeping the full-text index of report versions (migration ``0002_search``).

``index_version`` is called in the transaction that adds a version; ``rebuild`` indexes
every version again (after a change of ``query.tokenize``, or for an archive filled before
the index existed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from query.tokenize import index_terms
from storage.models import VersionRow

if TYPE_CHECKING:
    from storage.archive import Archive

_SQLITE_INSERT = text("INSERT INTO search_fts(rowid, terms) VALUES (:id, :terms)")
_PG_INSERT = text(
    "INSERT INTO search_terms (version_id, terms) VALUES (:id, array_to_tsvector(:terms)) "
    "ON CONFLICT (version_id) DO UPDATE SET terms = EXCLUDED.terms"
).bindparams(bindparam("terms", type_=ARRAY(Text)))


def index_rows(session: Session, rows: list[tuple[int, str]]) -> None:
    """Index several (version id, text) pairs at once."""
    if not rows:
        return
    if session.get_bind().dialect.name == "sqlite":
        params = [{"id": vid, "terms": " ".join(index_terms(body))} for vid, body in rows]
        session.execute(_SQLITE_INSERT, params)
        return
    pg_params = [{"id": vid, "terms": index_terms(body)} for vid, body in rows]
    session.execute(_PG_INSERT, pg_params)


def index_version(session: Session, version_id: int, body: str) -> None:
    """Index one version's text (in the caller's transaction)."""
    index_rows(session, [(version_id, body)])


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
