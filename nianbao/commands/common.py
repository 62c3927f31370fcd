"""What every command shares: the --db option, opening the archive, one-line errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from query.formats import write_csv, write_jsonl
from registry.loader import RegistryError
from storage.db import DatabaseError

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="NIANBAO_DB",
    default=None,
    help="Database URL (sqlite:///PATH or postgresql://…); default NIANBAO_DB, else SQLite under ./data/.",
)


class Failure(click.ClickException):
    """An expected failure: printed as ``nianbao: <message>``, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"nianbao: {self.format_message()}", err=True)


def fail(message: str) -> Failure:
    return Failure(message)


def handle_errors(func: F) -> F:
    """Turn the errors users can cause into one line and a non-zero exit."""
    from capture.warc import WarcWriteError
    from crawler.run import CrawlError
    from storage.db import DatabaseFailure, first_line

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (DatabaseError, RegistryError, WarcWriteError, CrawlError) as exc:
            raise fail(str(exc)) from exc
        except DatabaseFailure as exc:  # the database failed under the command
            raise fail(f"the archive database failed: {first_line(exc)}") from exc
        except KeyError as exc:
            raise fail(str(exc.args[0]) if exc.args else "not found") from exc
        except BrokenPipeError:  # pragma: no cover - e.g. `nianbao reports | head`
            sys.stderr.close()
            return None
        except OSError as exc:
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            raise fail(f"{exc.strerror or exc}{where}") from exc

    return wrapper  # type: ignore[return-value]


def open_archive(db_url: str | None) -> Any:
    from storage.archive import Archive
    from storage.db import DatabaseFailure

    try:
        return Archive(db_url, create_dirs=False)
    except DatabaseFailure as exc:
        raise DatabaseError(
            f"cannot open the archive database: {str(getattr(exc, 'orig', exc)).splitlines()[0]}"
        ) from exc


def emit(records: Iterable[dict[str, Any]], fmt: str) -> int:
    out = sys.stdout
    if fmt == "csv":
        return write_csv(records, out)
    return write_jsonl(records, out)


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
