"""ops: schedules, scheduled slots, leases, alert states and alerts

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ops_schedules",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_ops_schedules")),
    )
    op.create_table(
        "ops_slots",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(length=100), nullable=False),
        sa.Column("slot_at", TS, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_id", ID, nullable=True),
        sa.Column("claimed_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_slots")),
        sa.UniqueConstraint("site_id", "slot_at", name="uq_ops_slots_site_id_slot_at"),
    )
    op.create_index(op.f("ix_ops_slots_site_id"), "ops_slots", ["site_id"], unique=False)
    op.create_table(
        "ops_leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ops_leases")),
    )
    op.create_index(op.f("ix_ops_leases_expires_at"), "ops_leases", ["expires_at"], unique=False)
    op.create_table(
        "ops_alert_states",
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("since", TS, nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_ops_alert_states")),
    )
    op.create_table(
        "ops_alerts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("previous", sa.String(length=50), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_alerts")),
    )
    op.create_index(op.f("ix_ops_alerts_subject"), "ops_alerts", ["subject"], unique=False)
    op.create_index(op.f("ix_ops_alerts_created_at"), "ops_alerts", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("ops_alerts")
    op.drop_table("ops_alert_states")
    op.drop_table("ops_leases")
    op.drop_table("ops_slots")
    op.drop_table("ops_schedules")
