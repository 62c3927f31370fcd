"""each report's first version on its row

The coverage matrix judges thousands of reports at once by when the archive first held
a version of each (``storage.reading.report_timings``); the earliest version time and id
were found by joining every report to its documents and their versions and grouping
(1.4 s for the country's 3,371 governments × 8 years on PostgreSQL). The ingest now keeps
them on the report's row; existing reports are filled here from their versions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("reports", sa.Column("first_version_at", sa.DateTime(timezone=True)))
    op.add_column("reports", sa.Column("first_version_id", Id))
    # one statement on both databases (SQLite ≥ 3.33 updates FROM a subquery)
    op.execute(
        "UPDATE reports SET first_version_at = f.at, first_version_id = f.id "
        "FROM (SELECT d.report_id, min(v.first_seen_at) AS at, min(v.id) AS id "
        "FROM documents d JOIN versions v ON v.document_id = d.id GROUP BY d.report_id) f "
        "WHERE reports.id = f.report_id"
    )


def downgrade() -> None:
    op.drop_column("reports", "first_version_id")
    op.drop_column("reports", "first_version_at")
