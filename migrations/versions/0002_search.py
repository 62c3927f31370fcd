"""full-text search index of report versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The index holds, per version, the distinct terms of ``storage.tokenize.index_terms``.
SQLite: a contentless FTS5 table (``detail=none``: only which versions hold a term),
rowid = version id, tokenizer ``unicode61`` over the space-separated terms. PostgreSQL: a
``tsvector`` built from the term array (no parser involved) with a GIN index. No model
describes these structures (``migrations/env.py`` leaves ``search_*`` out of checks).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "terms, content='', detail='none', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
    else:
        op.execute(
            "CREATE TABLE search_terms ("
            "version_id BIGINT PRIMARY KEY REFERENCES versions(id), "
            "terms TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX search_terms_gin ON search_terms USING gin (terms)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP TABLE search_terms")
