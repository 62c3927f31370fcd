"""Database URLs, engines and schema upgrades.

SQLite (the default) runs on sqlean.py — a current SQLite with FTS5 — rather than the
interpreter's own, older library; PostgreSQL through psycopg 3.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
import sqlean
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

T = TypeVar("T")
DEFAULT_DATA_DIR = "data"
DEFAULT_SQLITE_NAME = "nianbao.sqlite3"


class DatabaseError(RuntimeError):
    """The archive database cannot be used; the message says which and why."""


DatabaseFailure = SQLAlchemyError
"""Any error of the database library under a statement or a connection (SQLAlchemy's
base error), for the layers above storage to catch without importing the library."""


class DatabaseUnavailable(DatabaseError):
    """The archive database stayed unreachable (connection lost, server down, file
    locked or on a full disk) for longer than the time allowed to wait for it."""


_NOT_TRANSIENT = re.compile(
    r"no such (table|column|function)|syntax error|has no column|does not exist|"
    r"UndefinedTable|UndefinedColumn|violates",
    re.IGNORECASE,
)


def is_unavailable(exc: BaseException) -> bool:
    """Does ``exc`` say the database cannot be reached or used right now (as opposed to a
    statement it refuses)? Those are worth waiting for; the others are not."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, DatabaseUnavailable):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    return isinstance(exc, OperationalError) and not _NOT_TRANSIENT.search(str(exc.orig))


def first_line(exc: BaseException) -> str:
    """The driver's own message, first line (not SQLAlchemy's statement dump)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def retrying(
    fn: Callable[[], T],
    budget: float,
    *,
    on_wait: Callable[[BaseException, float], None] | None = None,
    first: float = 0.25,
    longest: float = 8.0,
    abandon: Callable[[], bool] | None = None,
) -> T:
    """``fn()``, done again with doubling pauses while the database is unavailable, for at
    most ``budget`` seconds in all; then :class:`DatabaseUnavailable`. ``on_wait(error,
    pause)`` is told before each pause. Other errors pass through at once. (A failed
    transaction was rolled back, so doing it again is safe.)"""
    deadline = time.monotonic() + max(budget, 0.0)
    pause = first
    while True:
        try:
            return fn()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            left = deadline - time.monotonic()
            if left <= 0 or (abandon is not None and abandon()):
                if isinstance(exc, DatabaseUnavailable):
                    raise
                raise DatabaseUnavailable(
                    f"the archive database is unavailable: {first_line(exc)}"
                ) from exc
            wait = min(pause, left, longest)
            if on_wait is not None:
                on_wait(exc, wait)
            end = time.monotonic() + wait
            while time.monotonic() < end and not (abandon is not None and abandon()):
                time.sleep(min(0.1, end - time.monotonic()))
            pause *= 2


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where WARC files and the default SQLite database live."""
    return Path(explicit or os.environ.get("NIANBAO_DATA_DIR") or DEFAULT_DATA_DIR)


def database_url(explicit: str | None = None, *, data: Path | None = None) -> str:
    """The URL given, else ``NIANBAO_DB``, else SQLite under the data directory."""
    url = explicit or os.environ.get("NIANBAO_DB")
    if url:
        return normalise_url(url)
    return f"sqlite:///{(data or data_dir()) / DEFAULT_SQLITE_NAME}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` (meaning psycopg 3) and plain file paths for SQLite."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE, DELETE or INSERT matched. ``Session.execute`` is typed as
    returning a ``Result``; for those statements it is a ``CursorResult``, which counts."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def dialect_insert(dialect: str) -> Callable[..., PostgresInsert | SqliteInsert]:
    """The ``insert`` of the dialect, PostgreSQL's or SQLite's: both have ON CONFLICT."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def json_loads(text: str | bytes) -> Any:
    """JSON columns are read with orjson (several times faster than the standard library:
    an audit reads ~10⁶ of them); what orjson refuses (NaN, huge integers) falls back."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def create(url: str, *, make_dirs: bool = False, **kwargs: Any) -> Engine:
    """An engine for the archive, with SQLite tuned for a single-writer archive.

    A SQLite file must be named, and its folder must exist unless ``make_dirs`` (the
    default database under the data directory): a mistyped ``--db`` path never creates
    folders elsewhere on the machine."""
    kwargs.setdefault("json_deserializer", json_loads)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:" or "mode=memory" in url:
            raise DatabaseError(
                f"{url!r} names no database file (an in-memory SQLite database vanishes "
                "with its connection): use sqlite:///PATH/TO/FILE.sqlite3"
            )
        folder = Path(parsed.database).parent
        if make_dirs:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(
                    f"cannot create the data directory {folder}: {exc.strerror}"
                ) from exc
        elif not folder.is_dir():
            raise DatabaseError(
                f"the folder of the database file {parsed.database} does not exist: "
                "create it first, or correct the path"
            )
        if not os.access(folder, os.W_OK):
            raise DatabaseError(f"the data directory {folder} is not writable")
        engine = create_engine(
            parsed,
            module=sqlean,
            connect_args={"timeout": 30, "check_same_thread": False},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10}, **kwargs
        )
    raise DatabaseError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(Path(__file__).resolve().parent.parent / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema at ``url`` up to ``revision`` with the Alembic migrations."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise if the models and the migrated schema at ``url`` disagree (``alembic check``)."""
    from alembic import command

    command.check(alembic_config(url))
