"""Bring a database to the newest schema: the platform calls this on start, maybe from several processes."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from infra_mind.errors import DatabaseUnavailable
from infra_mind.store.db import create_engine, is_sqlite

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises concurrent upgrades.
_PG_MIGRATION_LOCK = 0x1AF7A_0006


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def upgrade_to_head(database_url: str) -> None:
    """Idempotent; concurrent callers wait for each other (a file lock for SQLite, an advisory lock else).

    Raises DatabaseUnavailable, naming the setting and the reason, when the database cannot be reached.
    """
    try:
        await _upgrade_to_head(database_url)
    except (OSError, OperationalError, InterfaceError) as exc:
        shown = make_url(database_url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"cannot reach the database INFRA_MIND_DATABASE_URL={shown}: {reason}"
        ) from exc


async def _upgrade_to_head(database_url: str) -> None:
    config = alembic_config(database_url)
    async with _exclusive(database_url):
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                    )
                before = await connection.run_sync(_current_revision)
                await connection.run_sync(_upgrade, config)
                after = await connection.run_sync(_current_revision)
        finally:
            await engine.dispose()
    if before != after:
        log.info("store.migrated", from_revision=before, to_revision=after)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, config: Config) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


@asynccontextmanager
async def _exclusive(database_url: str) -> AsyncIterator[None]:
    database = make_url(database_url).database if is_sqlite(database_url) else None
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(f"{database}.migrate.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
