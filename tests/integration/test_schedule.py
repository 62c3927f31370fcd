"""Schedules: cron rules in Asia/Shanghai time, the seasonal default, per-site overrides."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from ops.schedule import DEFAULT_SPEC, ScheduleError, local_time, parse_schedule
from ops.site_schedules import set_default, set_site, site_schedules
from registry.loader import parse_yaml

REGISTRY = """
agencies:
  - {id: a, name: 甲县人民政府, level: county, kind: government}
sites:
  - {id: s1, agency: a, start_urls: ["http://s1.example/"]}
  - {id: s2, agency: a, start_urls: ["http://s2.example/"], schedule: "30 2 * * *"}
"""


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_cron_is_read_in_shanghai_time() -> None:
    sched = parse_schedule("0 3 * * *")
    nxt = sched.next_after(utc(2026, 6, 1, 0, 0))
    assert nxt == utc(2026, 6, 1, 19, 0)  # 03:00 on 2 June in Shanghai is 19:00 UTC on 1 June
    assert local_time(nxt).hour == 3


def test_default_is_daily_in_the_reporting_season_and_weekly_after() -> None:
    sched = parse_schedule(DEFAULT_SPEC, hash_id="site-x")
    # from midnight 1 January to midnight 16 April, Shanghai time: 105 days, one slot each
    season = sched.between(utc(2025, 12, 31, 16, 0), utc(2026, 4, 15, 16, 0))
    days = {local_time(t).date() for t in season}
    assert len(season) == len(days) == 105
    assert all(local_time(t).date() <= datetime(2026, 4, 15).date() for t in season)
    summer = sched.between(utc(2026, 5, 1), utc(2026, 8, 1))
    gaps = {b - a for a, b in itertools.pairwise(summer)}
    assert gaps == {timedelta(days=7)}
    assert all(1 <= local_time(t).hour <= 5 for t in season + summer)


def test_the_default_spreads_sites_over_the_night() -> None:
    starts = {
        parse_schedule(DEFAULT_SPEC, hash_id=f"site-{i}").next_after(utc(2026, 2, 1))
        for i in range(50)
    }
    assert len(starts) > 20


def test_windows_wrap_the_new_year_and_first_window_wins() -> None:
    sched = parse_schedule("12-20..01-10: 0 9 * * *; 0 9 1 * *")
    slots = sched.between(utc(2026, 12, 1), utc(2027, 2, 5))
    days = [local_time(t).date().isoformat() for t in slots]
    assert days[0] == "2026-12-01"
    assert "2026-12-20" in days and "2027-01-10" in days and "2027-01-11" not in days
    assert days[-1] == "2027-02-01"
    assert sched.last_at_or_before(utc(2027, 1, 20)) == utc(2027, 1, 10, 1, 0)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty schedule"),
        ("0 3 * *", "five-field"),
        ("61 3 * * *", "not a valid cron"),
        ("13-01..01-02: 0 3 * * *", "not a day of the year"),
        ("jan: 0 3 * * *", "bad window"),
        ("0 3 * * *;", "empty rule"),
    ],
)
def test_bad_schedules_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(spec)


def test_override_then_registry_then_default(archive) -> None:
    archive.import_registry(parse_yaml(REGISTRY))
    by_id = {s.site_id: s for s in site_schedules(archive)}
    assert (by_id["s1"].source, by_id["s1"].spec) == ("built-in", DEFAULT_SPEC)
    assert (by_id["s2"].source, by_id["s2"].spec) == ("registry", "30 2 * * *")

    set_default(archive, "0 4 * * 1")
    set_site(archive, "s2", "01-01..04-15:0 1 * * * ;0 1 * * 0")
    by_id = {s.site_id: s for s in site_schedules(archive)}
    assert (by_id["s1"].source, by_id["s1"].spec) == ("default", "0 4 * * 1")
    assert (by_id["s2"].source, by_id["s2"].spec) == (
        "override",
        "01-01..04-15: 0 1 * * *; 0 1 * * 0",
    )

    # a registry re-import does not undo the archivist's override
    archive.import_registry(parse_yaml(REGISTRY))
    assert site_schedules(archive, ["s2"])[0].source == "override"

    set_site(archive, "s2", None)
    set_default(archive, None)
    by_id = {s.site_id: s for s in site_schedules(archive)}
    assert by_id["s1"].source == "built-in" and by_id["s2"].source == "registry"


def test_overrides_are_checked(archive) -> None:
    archive.import_registry(parse_yaml(REGISTRY))
    with pytest.raises(KeyError, match="unknown site 'nope'"):
        set_site(archive, "nope", "0 3 * * *")
    with pytest.raises(ScheduleError):
        set_default(archive, "every day")
    with pytest.raises(KeyError, match="unknown site"):
        site_schedules(archive, ["s1", "nope"])


def test_schedule_commands(tmp_path) -> None:
    from click.testing import CliRunner

    from nianbao.cli import cli

    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    (tmp_path / "reg.yaml").write_text(REGISTRY, encoding="utf-8")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, [*args, "--db", db])
        assert result.exit_code == 0, result.output
        return result.output

    run("sites", "import", str(tmp_path / "reg.yaml"))
    assert "s1: 0 3 * * 1" in run("schedule", "set", "s1", "0 3 * * 1")
    assert "default (default): 30 4 * * *" in run("schedule", "default", "30 4 * * *")
    shown = run("schedule", "show", "--format", "jsonl")
    assert '"source": "override"' in shown and '"source": "registry"' in shown
    assert "(registry)" in run("schedule", "clear", "s2")
    bad = runner.invoke(cli, ["schedule", "set", "s1", "every day", "--db", db])
    assert bad.exit_code == 1 and "not a five-field cron expression" in bad.output
    assert "built-in" in run("schedule", "default", "--reset")
