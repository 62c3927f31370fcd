"""The commands of ``nianbao``, one module each."""

from __future__ import annotations

import importlib

import click

# Module names under nianbao.commands; each defines ``command`` (a click command or group).
MODULES = [
    "sites",
    "crawl",
    "demo",
    "reports",
    "verify",
    "search",
    "history",
    "diff",
    "audit",
    "coverage",
    "stats",
    "extract",
    "reextract",
    "schedule",
    "run_due",
    "scheduler",
    "runs",
    "health",
    "worker",
    "serve",
    "datasette",
    "locks",
]


def _load() -> list[click.Command]:
    return [importlib.import_module(f"nianbao.commands.{name}").command for name in MODULES]


COMMANDS = _load()
