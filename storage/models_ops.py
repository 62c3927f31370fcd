"""Models of the operations tables: schedules, scheduled slots, leases, alert states.

Built by the migration ``0003_ops``; ``storage.models`` imports this module so that
``alembic check`` sees these tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, Id


class ScheduleRow(Base):
    """An archivist's schedule: ``scope`` is ``*`` (the default of every site) or a site id.

    A site's schedule is its row here, else the registry's cron, else the ``*`` row, else
    the built-in seasonal default."""

    __tablename__ = "ops_schedules"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    spec: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class SlotRow(Base):
    """One scheduled crawl of a site (a slot of its schedule), claimed by one scheduler.

    The unique (site, slot) pair is what makes a slot run once across restarts and
    machines: a scheduler claims a slot by inserting its row."""

    __tablename__ = "ops_slots"
    __table_args__ = (UniqueConstraint("site_id", "slot_at", name="uq_ops_slots_site_id_slot_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(100), index=True)
    slot_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20))
    """``claimed``, ``running``, ``done``, ``failed`` or ``coalesced`` (a slot missed while
    no scheduler ran, folded into the crawl of a later slot)."""
    holder: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(Id)
    claimed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(Text)


class LeaseRow(Base):
    """A named lease lock (``site:<id>``): held until ``expires_at`` unless renewed."""

    __tablename__ = "ops_leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AlertStateRow(Base):
    """The last state alerted for a subject (``site:<id>``, ``finding:<key>``)."""

    __tablename__ = "ops_alert_states"

    subject: Mapped[str] = mapped_column(String(300), primary_key=True)
    state: Mapped[str] = mapped_column(String(50))
    since: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AlertRow(Base):
    """One alert sent (or tried): the Atom feed is built from these."""

    __tablename__ = "ops_alerts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    state: Mapped[str] = mapped_column(String(50))
    previous: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None]
    delivery_error: Mapped[str | None] = mapped_column(Text)
