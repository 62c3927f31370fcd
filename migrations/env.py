"""Alembic environment: runs the migrations against the archive's engine."""

from __future__ import annotations

import importlib
import pkgutil
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import pool

import storage
from storage import db
from storage.models import Base

# Every ``storage.models_*`` module adds its tables to the same metadata.
for module in pkgutil.iter_modules(storage.__path__):
    if module.name.startswith("models_"):
        importlib.import_module(f"storage.{module.name}")

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# Tables and indexes the migrations create by hand (full-text search structures) and that
# no model describes.
UNMODELLED_PREFIXES = ("search_",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name and name.startswith(UNMODELLED_PREFIXES))


def url() -> str:
    explicit = context.get_x_argument(as_dictionary=True).get("db")
    configured = config.get_main_option("sqlalchemy.url")
    return db.database_url(explicit or configured or None)


def run_offline() -> None:
    context.configure(
        url=url(),
        target_metadata=target_metadata,
        literal_binds=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = db.create(url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
