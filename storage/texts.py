"""Reading the texts of many versions at once (the audit, search candidates)."""

from __future__ import annotations

from sqlalchemy import BigInteger, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from storage.models import VersionRow

BATCH = 2000
"""Ids per query on SQLite (bound values); PostgreSQL takes 25 times as many in one array."""

_BY_ARRAY = text("SELECT id, text FROM versions WHERE id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(BigInteger))
)


def version_texts(session: Session, version_ids: list[int]) -> dict[int, str]:
    """{version id: text} of the given versions ("" for a version without text)."""
    out: dict[int, str] = {}
    if session.get_bind().dialect.name == "postgresql":
        # one array parameter rather than thousands of bound values to render
        for i in range(0, len(version_ids), 25 * BATCH):
            chunk = version_ids[i : i + 25 * BATCH]
            out.update(
                (vid, body or "") for vid, body in session.execute(_BY_ARRAY, {"ids": chunk})
            )
        return out
    for i in range(0, len(version_ids), BATCH):
        chunk = version_ids[i : i + BATCH]
        rows = session.execute(
            select(VersionRow.id, VersionRow.text).where(VersionRow.id.in_(chunk))
        ).all()
        out.update((vid, body or "") for vid, body in rows)
    return out
