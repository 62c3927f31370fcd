"""The ``nianbao`` command line: a thin shell over the Python API.

Each command lives in a module of ``nianbao.commands``; this module assembles them and
turns expected errors into one-line messages with a non-zero exit status.
"""

from __future__ import annotations

import sys

import click

from nianbao import __version__, terminal
from nianbao.commands import COMMANDS


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="nianbao")
def cli() -> None:
    """nianbao — find, keep and check China's government information-disclosure annual
    reports (政府信息公开工作年度报告).

    Every command takes --db URL (default: the NIANBAO_DB environment variable, else
    SQLite under ./data/, or under NIANBAO_DATA_DIR)."""


for command in COMMANDS:
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    terminal.install()  # archived text never reaches the terminal with control sequences
    try:
        cli.main(args=argv, prog_name="nianbao", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("nianbao: interrupted", err=True)
        sys.exit(130)
