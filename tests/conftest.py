"""Shared fixtures: archives on SQLite and on the real PostgreSQL of this machine.

Every archive's schema is built by the Alembic migrations, as in production. On
PostgreSQL each test gets a schema of its own (``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from localsite import LocalSite, Route
from paths import SHARED
from sqlalchemy import create_engine, text

PG_SERVER = os.environ.get("NIANBAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_available() -> bool:
    try:
        engine = create_engine(PG_SERVER, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema."""
    if not pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {PG_SERVER}")
        pytest.skip("PostgreSQL not reachable")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs on both databases."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def archive(db_url: str, tmp_path: Path):
    from storage.archive import Archive

    arch = Archive(db_url, data_dir=tmp_path / "data")
    yield arch
    arch.close()


@pytest.fixture
def make_site() -> Iterator[Callable[[dict[str, Route]], LocalSite]]:
    sites: list[LocalSite] = []

    def make(routes: dict[str, Route]) -> LocalSite:
        site = LocalSite(routes)
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.stop()
