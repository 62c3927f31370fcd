"""The archive's engine, sessions and write lock, shared by its stores."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from alembic.util.exc import CommandError as AlembicError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage import db
from storage.agencies import AgencyIndex


class ArchiveBase:
    """The archive's engine, sessions and write lock, which every store of the
    ``Archive`` shares."""

    def __init__(
        self,
        db_url: str | None = None,
        data_dir: str | Path | None = None,
        *,
        upgrade: bool = True,
        create_dirs: bool = True,
    ) -> None:
        """``create_dirs=False``: a SQLite file in a folder that does not exist is refused
        rather than the folders made (the command line, for a URL typed by hand); the
        default database under the data directory always gets its folder."""
        self.data_dir = db.data_dir(data_dir)
        self.url = db.database_url(db_url, data=self.data_dir)
        default = not (db_url or os.environ.get("NIANBAO_DB"))
        self.engine = db.create(self.url, make_dirs=create_dirs or default)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()
        self._agency_index: AgencyIndex | None = None
        self._site_owner: dict[str, str] = {}
        self._sequences: dict[str, str | None] = {}
        try:
            if upgrade:
                db.upgrade(self.url)
            else:
                with self.engine.connect():
                    pass
        except OperationalError as exc:
            self.engine.dispose()
            raise db.DatabaseError(
                f"cannot open the archive database {self.safe_url}: {_first_line(exc)}"
            ) from exc
        except AlembicError as exc:
            self.engine.dispose()
            raise db.DatabaseError(
                f"cannot bring the schema of {self.safe_url} up to date: {exc}"
            ) from exc

    @property
    def safe_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                self._agency_index = None  # it may hold an agency the rollback undid
                raise


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return (
        str(orig or exc).strip().splitlines()[0] if str(orig or exc).strip() else type(exc).__name__
    )
