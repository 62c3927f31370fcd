"""The schema is built by the Alembic migrations, and models and migrations agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from paths import REPO
from sqlalchemy import inspect

from storage import db


def test_upgrade_and_check(db_url: str) -> None:
    db.upgrade(db_url)
    db.check(db_url)  # raises if autogenerate would find a difference
    engine = db.create(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {
        "agencies",
        "sites",
        "captures",
        "reports",
        "documents",
        "versions",
        "observations",
        "extractions",
    } <= tables


def test_alembic_command_line(db_url: str) -> None:
    env = {**os.environ, "NIANBAO_DB": db_url}
    alembic = str(Path(sys.executable).parent / "alembic")
    for args in (["upgrade", "heads"], ["check"], ["current"]):
        out = subprocess.run(
            [alembic, *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, out.stdout + out.stderr


def test_single_linear_history() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"migration heads: {script.get_heads()}"
