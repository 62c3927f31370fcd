"""Alerts: one per change of state, POSTed to a webhook on 127.0.0.1 and kept in an Atom feed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from ops.alerts import ATOM, AlertConfig, Finding, check
from registry.loader import parse_yaml

REGISTRY = """
agencies:
  - {id: a, name: 甲县人民政府, level: county, kind: government}
sites:
  - {id: s1, agency: a, start_urls: ["http://s1.example/"]}
  - {id: s2, agency: a, start_urls: ["http://s2.example/"]}
"""


class Hook:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.fail_next = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.fail_next:
                    hook.fail_next -= 1
                    self.send_response(503)
                else:
                    hook.received.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.close()


def run(archive, site_id: str, outcome: str) -> None:
    run_id = archive.begin_run([site_id])
    archive.end_run(
        run_id,
        outcome=outcome,
        site_stats={site_id: {"pages": 1, "outcome": outcome, "reports_found": 1}},
    )


def entries(feed: Path) -> list[tuple[str, str]]:
    root = ET.parse(feed).getroot()
    assert root.tag == f"{{{ATOM}}}feed"
    return [
        (e.findtext(f"{{{ATOM}}}title") or "", e.find(f"{{{ATOM}}}category").get("term") or "")  # type: ignore[union-attr]
        for e in root.findall(f"{{{ATOM}}}entry")
    ]


def test_one_alert_per_change_of_state(archive, hook: Hook, tmp_path: Path) -> None:
    archive.import_registry(parse_yaml(REGISTRY))
    config = AlertConfig(hook.url, tmp_path / "feed" / "alerts.atom")
    run(archive, "s1", "success")
    run(archive, "s2", "success")
    assert check(archive, config).raised == []  # healthy from the start: nothing to say

    run(archive, "s1", "failed")
    first = check(archive, config)
    assert [a.subject for a in first.raised] == ["site:s1"] and first.delivered == 1
    for _ in range(3):  # it keeps failing: no storm
        run(archive, "s1", "failed")
        assert check(archive, config).raised == []
    run(archive, "s1", "blocked")  # a different bad state is a change
    assert [a.state for a in check(archive, config).raised] == ["blocked"]
    run(archive, "s1", "success")
    assert [(a.state, a.previous) for a in check(archive, config).raised] == [("ok", "blocked")]

    assert [(m["subject"], m["state"]) for m in hook.received] == [
        ("site:s1", "failing"),
        ("site:s1", "blocked"),
        ("site:s1", "ok"),
    ]
    assert hook.received[0]["detail"]["consecutive_failures"] == 1
    assert entries(config.feed_path) == [  # type: ignore[arg-type]
        ("s1: healthy again (was blocked)", "ok"),
        ("s1: blocked — blocked by a WAF or anti-bot page; 5 failed run(s) in a row", "blocked"),
        ("s1: failing — 1 failed run(s) in a row", "failing"),
    ]


def test_undelivered_alerts_are_sent_at_the_next_check(archive, hook: Hook, tmp_path: Path) -> None:
    archive.import_registry(parse_yaml(REGISTRY))
    config = AlertConfig(hook.url, None)
    run(archive, "s1", "success")
    check(archive, config)
    run(archive, "s1", "failed")
    hook.fail_next = 1
    result = check(archive, config)
    assert (len(result.raised), result.delivered, result.failed) == (1, 0, 1)
    result = check(archive, config)
    assert (len(result.raised), result.delivered, result.failed) == (0, 1, 0)
    assert [m["state"] for m in hook.received] == ["failing"]


def test_an_unreachable_webhook_does_not_stop_the_feed(archive, tmp_path: Path) -> None:
    archive.import_registry(parse_yaml(REGISTRY))
    h = Hook()
    dead_url = h.url
    h.close()
    config = AlertConfig(dead_url, tmp_path / "alerts.atom", timeout=2)
    run(archive, "s2", "failed")
    result = check(archive, config)
    assert result.failed == 1 and result.feed_written
    assert [state for _, state in entries(tmp_path / "alerts.atom")] == ["failing"]


def test_watchdog_findings_alert_when_they_appear(archive, hook: Hook) -> None:
    archive.import_registry(parse_yaml(REGISTRY))
    config = AlertConfig(hook.url)
    late = Finding("late:a:2025", "甲县人民政府 2025 report is late", {"agency": "a", "year": 2025})
    now = datetime(2026, 4, 2, tzinfo=UTC)
    assert [a.subject for a in check(archive, config, findings=[late], now=now).raised] == [
        "finding:late:a:2025"
    ]
    assert check(archive, config, findings=[late], now=now + timedelta(hours=1)).raised == []
    assert check(archive, config, findings=[], now=now + timedelta(hours=2)).raised == []
    again = check(archive, config, findings=[late], now=now + timedelta(hours=3)).raised
    assert [a.state for a in again] == ["open"]
    assert [m["detail"]["year"] for m in hook.received] == [2025, 2025]


def test_alert_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_ALERT_WEBHOOK", "ftp://example/hook")
    with pytest.raises(ValueError, match="must be an http"):
        AlertConfig.from_env()
    monkeypatch.setenv("NIANBAO_ALERT_WEBHOOK", "http://127.0.0.1:1/hook")
    monkeypatch.setenv("NIANBAO_ALERT_FEED", "/tmp/x.atom")
    assert AlertConfig.from_env() == AlertConfig("http://127.0.0.1:1/hook", Path("/tmp/x.atom"))
