"""the process a crawl run belongs to, and its heartbeat

A run whose process died (``kill -9``, a machine lost) never ends itself; these columns let
``nianbao runs`` tell such a run (``crashed``) from one still running.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("process", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("process")
