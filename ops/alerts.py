"""Alerts: a site turning unhealthy (or well again), a watchdog finding appearing.

Each subject's last alerted state is kept in ``ops_alert_states``; an alert is raised only
when that state changes, so a site failing night after night gives one alert, not one a
night. Alerts are stored (``ops_alerts``), POSTed as JSON to the configured webhook
(undelivered ones are tried again at the next check), and written to an Atom feed file
that feed readers and watchdog groups can subscribe to. A lease lock makes concurrent
checks (two schedulers) raise each alert once.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ops.health import UNHEALTHY, SiteHealth, site_health
from ops.locks import LeaseLocks
from storage import alerts as alert_rows
from storage.alerts import Alert, AlertedState, StateChange
from storage.archive import Archive, iso
from storage.vocab import HealthState

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 200
RETRY_WINDOW = timedelta(days=7)
QUIET_STATES = (HealthState.OK, HealthState.NEVER_CRAWLED)


@dataclass(frozen=True)
class AlertConfig:
    webhook_url: str | None = None
    feed_path: Path | None = None
    timeout: float = 10.0
    feed_title: str = "nianbao alerts"

    @classmethod
    def from_env(cls) -> AlertConfig:
        """``NIANBAO_ALERT_WEBHOOK`` and ``NIANBAO_ALERT_FEED`` (both optional)."""
        hook = os.environ.get("NIANBAO_ALERT_WEBHOOK") or None
        feed = os.environ.get("NIANBAO_ALERT_FEED") or None
        if hook and not hook.startswith(("http://", "https://")):
            raise ValueError(f"NIANBAO_ALERT_WEBHOOK must be an http(s) URL, not {hook!r}")
        return cls(hook, Path(feed) if feed else None)


@dataclass(frozen=True)
class Finding:
    """A watchdog finding (a late report, a report taken down, …) to alert on once."""

    key: str
    title: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    raised: list[Alert] = field(default_factory=list)
    delivered: int = 0
    failed: int = 0
    feed_written: bool = False


def check(
    archive: Archive,
    config: AlertConfig,
    *,
    health: list[SiteHealth] | None = None,
    findings: Iterable[Finding] | None = None,
    now: datetime | None = None,
) -> CheckResult:
    """Compare health (and findings) with the last alerted states; raise, send, publish."""
    now = now or datetime.now(UTC)
    locks = LeaseLocks(archive)
    with locks.hold(["alerts"], timedelta(minutes=2)):
        health = site_health(archive, now=now) if health is None else health
        result = CheckResult(raised=_raise(archive, health, list(findings or []), now))
        if config.webhook_url:
            for alert in pending(archive, now):
                error = post(config.webhook_url, alert.payload(), config.timeout)
                _delivered(archive, alert.id, error, now)
                if error:
                    result.failed += 1
                else:
                    result.delivered += 1
        if config.feed_path is not None:
            write_feed(config.feed_path, recent(archive), config.feed_title, now)
            result.feed_written = True
    return result


def _raise(
    archive: Archive, health: list[SiteHealth], findings: list[Finding], now: datetime
) -> list[Alert]:
    def decide(states: dict[str, AlertedState]) -> list[StateChange]:
        changes: list[StateChange] = []
        for h in health:
            previous = states[f"site:{h.site_id}"].state if f"site:{h.site_id}" in states else None
            was_bad = previous in UNHEALTHY
            is_bad = h.state in UNHEALTHY
            title = None
            if is_bad:
                title = f"{h.site_id}: {h.state.replace('_', ' ')} — {'; '.join(h.problems)}"
            elif was_bad:
                title = f"{h.site_id}: healthy again (was {previous.replace('_', ' ') if previous else ''})"
            changes.append((f"site:{h.site_id}", h.state, title, h.as_dict()))
        open_keys = {f"finding:{f.key}" for f in findings}
        for f in findings:
            changes.append(
                (f"finding:{f.key}", "open", f"watchdog: {f.title}", {"key": f.key, **f.detail})
            )
        for subject, row in states.items():
            if subject.startswith("finding:") and subject not in open_keys and row.state == "open":
                # resolved quietly; reappearing alerts again
                changes.append((subject, "resolved", None, row.detail))
        return changes

    return alert_rows.change_states(archive, now, decide)


def pending(archive: Archive, now: datetime) -> list[Alert]:
    return alert_rows.pending(archive, now, RETRY_WINDOW)


def recent(archive: Archive, limit: int = FEED_ENTRIES) -> list[Alert]:
    return alert_rows.recent(archive, limit)


def _delivered(archive: Archive, alert_id: int, error: str | None, now: datetime) -> None:
    alert_rows.delivered(archive, alert_id, error, now)


def post(url: str, payload: dict[str, Any], timeout: float) -> str | None:
    """POST ``payload`` as JSON; None on a 2xx answer, else what went wrong."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "nianbao-alerts"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{type(exc).__name__}: {reason}"
    return None if 200 <= status < 300 else f"HTTP {status}"


def write_feed(path: Path, alerts: list[Alert], title: str, now: datetime) -> None:
    """Write an Atom feed of ``alerts`` (newest first) to ``path``, atomically."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:nianbao:alerts:{path.name}"
    updated = max((a.created_at for a in alerts), default=now)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = iso(updated)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "nianbao"
    for alert in alerts:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(
            entry, f"{{{ATOM}}}id"
        ).text = f"urn:nianbao:alert:{alert.id}:{iso(alert.created_at)}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = alert.title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = iso(alert.created_at)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=alert.state)
        content = ET.SubElement(entry, f"{{{ATOM}}}content", type="text")
        content.text = json.dumps(alert.payload(), ensure_ascii=False, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    ET.ElementTree(feed).write(tmp, encoding="utf-8", xml_declaration=True)
    os.replace(tmp, path)
