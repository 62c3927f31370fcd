"""The dependency ranges of pyproject.toml have a tested lower bound: each range starts at
the version requirements/constraints.txt pins (scripts/bootstrap installs with those pins,
so the whole suite runs at the lower bounds), and the environment running the tests holds
exactly those versions."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version

from paths import REPO

ROOT = REPO
RANGE = re.compile(r"^([A-Za-z0-9_.\-]+)(\[[^\]]+\])?\s*>=\s*([^,;\s]+)\s*,\s*<\s*([^,;\s]+)$")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw.lower())


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    return [*project["dependencies"], *(r for group in extras.values() for r in group)]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements/constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"constraints.txt: {line!r} is not an exact pin"
            pins[_name(name.split("[")[0])] = pinned.strip()
    return pins


def test_every_dependency_is_a_range_from_its_pinned_version() -> None:
    pins = _pins()
    for requirement in _requirements():
        match = RANGE.match(requirement)
        assert match, f"{requirement!r}: not a range `>=lower,<upper`"
        name, lower = _name(match.group(1)), match.group(3)
        assert name in pins, f"{name}: no pin in requirements/constraints.txt"
        assert pins[name] == lower, f"{name}: range starts at {lower}, pinned {pins[name]}"


def test_the_environment_holds_the_pinned_lower_bounds() -> None:
    for name, pinned in _pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            raise AssertionError(f"{name} {pinned} is pinned but not installed") from None
        assert installed == pinned, f"{name}: {installed} installed, {pinned} pinned"
