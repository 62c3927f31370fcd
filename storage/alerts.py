"""Every statement on alerts: each subject's last alerted state (``ops_alert_states``)
and the alerts raised (``ops_alerts``), their delivery. ``ops.alerts`` decides what
changed and sends them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

import storage.models_ops  # noqa: F401
from storage.archive import Archive, as_utc, iso
from storage.models_ops import AlertRow, AlertStateRow


@dataclass
class Alert:
    id: int
    subject: str
    state: str
    previous: str | None
    title: str
    detail: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None = None
    delivery_error: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "state": self.state,
            "previous": self.previous,
            "title": self.title,
            "detail": self.detail,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class AlertedState:
    """A subject's last alerted state."""

    state: str
    detail: dict[str, Any]


StateChange = tuple[str, str, str | None, dict[str, Any]]
"""(subject, new state, the alert's title or None for a quiet change, detail)."""


def change_states(
    archive: Archive,
    now: datetime,
    decide: Callable[[dict[str, AlertedState]], Iterable[StateChange]],
) -> list[Alert]:
    """In one transaction: the alerted states, given to ``decide``; each change it
    returns kept as its subject's state (a change to the same state is none) and, when
    it has a title, raised as an alert. The alerts raised."""
    raised: list[Alert] = []
    with archive.session() as s:
        states = {row.subject: row for row in s.scalars(select(AlertStateRow))}
        known = {k: AlertedState(row.state, row.detail) for k, row in states.items()}
        for subject, state, title, detail in decide(known):
            row = states.get(subject)
            previous = row.state if row else None
            if previous == state:
                continue
            if row is None:
                s.add(AlertStateRow(subject=subject, state=state, since=now, detail=detail))
            else:
                row.state, row.since, row.detail = state, now, detail
            if title is None:
                continue
            alert = AlertRow(
                subject=subject,
                state=state,
                previous=previous,
                title=title,
                detail=detail,
                created_at=now,
            )
            s.add(alert)
            s.flush()
            raised.append(_alert(alert))
    return raised


def pending(archive: Archive, now: datetime, window: timedelta) -> list[Alert]:
    """Alerts not delivered yet, raised within ``window``."""
    with archive.session() as s:
        rows = s.scalars(
            select(AlertRow)
            .where(AlertRow.delivered_at.is_(None), AlertRow.created_at >= now - window)
            .order_by(AlertRow.id)
        )
        return [_alert(r) for r in rows]


def recent(archive: Archive, limit: int) -> list[Alert]:
    with archive.session() as s:
        return [
            _alert(r) for r in s.scalars(select(AlertRow).order_by(AlertRow.id.desc()).limit(limit))
        ]


def delivered(archive: Archive, alert_id: int, error: str | None, now: datetime) -> None:
    """An alert was sent (``error`` None) or could not be."""
    with archive.session() as s:
        row = s.get(AlertRow, alert_id)
        assert row is not None
        if error:
            row.delivery_error = error[:1000]
        else:
            row.delivered_at, row.delivery_error = now, None


def _alert(row: AlertRow) -> Alert:
    return Alert(
        row.id,
        row.subject,
        row.state,
        row.previous,
        row.title,
        dict(row.detail or {}),
        as_utc(row.created_at) or datetime.now(UTC),
        as_utc(row.delivered_at),
        row.delivery_error,
    )
