"""A real archive for the reading room's tests: the bundled sample web (with its hostile
site) crawled by the crawler, once before and, for one site, once after its edits — so
reports have several versions, captures, observations, findings and failures."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import sampleweb
from crawler.run import crawl
from registry.loader import parse_yaml
from storage.archive import Archive

FAST = {
    "DOWNLOAD_TIMEOUT": 2,
    "NIANBAO_RETRY_BACKOFF": 0.05,
    "NIANBAO_WAF_BROWSER_TIMEOUT": 2.0,
    "NIANBAO_PROGRESS": False,
}
EDITED_SITE = "ninghai-gov"


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    """A database URL: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'archive.sqlite3'}"
        return
    from conftest import PG_SERVER, pg_available

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


def crawl_sample_web(archive: Archive, web: sampleweb.SampleWeb) -> None:
    """Crawl every sample site, then the edited site again after its edits."""
    archive.import_registry(parse_yaml(web.registry_yaml()))
    crawl(archive, settings_overrides=FAST)
    web.set_state("after")
    time.sleep(1.1)  # the second crawl's captures are at least a second later
    crawl(archive, [EDITED_SITE], settings_overrides={**FAST, "NIANBAO_REVERIFY_DAYS": 0})
