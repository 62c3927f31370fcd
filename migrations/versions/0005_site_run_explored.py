"""what a crawl explored of each site

A site that yields no report must say what was explored (navigation queued, followed and
left, the best links left): ``nianbao health`` reads it from here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site_runs") as batch:
        batch.add_column(sa.Column("explored", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site_runs") as batch:
        batch.drop_column("explored")
