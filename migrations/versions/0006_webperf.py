"""indexes for the reading room's change checks

Every coverage, findings and report page asks whether the archive changed since its
caches were made (``storage.reading.data_version``, ``crawls_version``): the latest
change of an agency, the latest end of a crawl. Without these indexes each question
scanned the agencies (hundreds of thousands on a national archive) and the sites' runs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_agencies_updated_at", "agencies", ["updated_at"])
    op.create_index("ix_site_runs_finished_at", "site_runs", ["finished_at"])
    op.create_index("ix_crawl_runs_finished_at", "crawl_runs", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_crawl_runs_finished_at", table_name="crawl_runs")
    op.drop_index("ix_site_runs_finished_at", table_name="site_runs")
    op.drop_index("ix_agencies_updated_at", table_name="agencies")
