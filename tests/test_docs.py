"""Every command, option and setting is documented, and the README keeps its two commands."""

from __future__ import annotations

import re
from pathlib import Path

import click

from nianbao.cli import cli

REPO = Path(__file__).resolve().parent.parent


def walk(command: click.Command, prefix: str = "") -> list[tuple[str, click.Command]]:
    name = f"{prefix} {command.name}".strip() if prefix or command.name != "cli" else ""
    out: list[tuple[str, click.Command]] = []
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            out.extend(walk(sub, name))
    else:
        out.append((name, command))
    return out


def test_every_command_and_option_is_documented() -> None:
    doc = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## `nianbao ([^`]+)`", doc, flags=re.M))
    commands = walk(cli)
    assert commands
    missing = [name for name, _ in commands if name not in headings]
    assert not missing, f"commands not in docs/commands.md: {missing}"
    for name, command in commands:
        section = doc.split(f"## `nianbao {name}`", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if isinstance(param, click.Option):
                flag = max(param.opts, key=len)
                assert f"`{flag}" in section, f"nianbao {name}: option {flag} not documented"
    stale = headings - {name for name, _ in commands}
    assert not stale, f"docs/commands.md documents commands that do not exist: {stale}"


def test_every_setting_is_documented() -> None:
    doc = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    used: set[str] = set()
    for folder in (
        "nianbao",
        "registry",
        "crawler",
        "capture",
        "extract",
        "storage",
        "query",
        "audit",
        "ops",
        "sampleweb",
    ):
        for path in (REPO / folder).rglob("*.py"):
            used |= set(re.findall(r"\bNIANBAO_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
    assert used
    missing = sorted(s for s in used if f"`{s}`" not in doc)
    assert not missing, f"settings not in docs/settings.md: {missing}"


def test_readme_has_exactly_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Set-up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [
        line.split("#", 1)[0].strip()
        for line in block.splitlines()
        if line.split("#", 1)[0].strip()
    ]
    assert commands == ["scripts/demo", "scripts/test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec scripts/test" in ci
