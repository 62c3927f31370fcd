"""Every command, option and setting is documented, and the README keeps its two commands."""

from __future__ import annotations

import re

import click
from paths import REPO

from nianbao.cli import cli


def test_command_reference_is_current() -> None:
    """docs/commands.md is what `python -m nianbao.docs` renders from the commands."""
    from nianbao.docs import leaf_commands, render

    doc = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    assert doc == render(), (
        "docs/commands.md is stale: run `python -m nianbao.docs > docs/commands.md`"
    )
    names = [name for name, _ in leaf_commands(cli)]
    for expected in (
        "sites import",
        "sites list",
        "crawl",
        "reports",
        "stats",
        "extract",
        "reextract",
        "verify",
        "search",
        "history",
        "diff",
        "audit",
        "coverage",
        "run-due",
        "scheduler",
        "runs",
        "health",
        "worker",
        "demo",
        "serve",
        "datasette-metadata",
    ):
        assert expected in names
    for name, command in leaf_commands(cli):
        section = doc.split(f"## `nianbao {name}`", 1)[1].split("\n## ", 1)[0]
        assert (command.help or "").split("\n", 1)[0].strip()[:40] in section
        for param in command.params:
            if isinstance(param, click.Option):
                assert f"`{max(param.opts, key=len)}`" in section, (
                    f"nianbao {name}: {param.opts} undocumented"
                )


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
        "web",
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
