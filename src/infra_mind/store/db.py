"""The Database object: one engine and session factory, built by the app, the CLI or a test fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from infra_mind.config import Settings

log = structlog.get_logger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """SQLite connections get WAL, foreign keys and a busy timeout; PostgreSQL goes through asyncpg."""
    engine = create_async_engine(database_url, echo=echo)
    if is_sqlite(database_url):
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
    return engine


class Database:
    def __init__(self, database_url: str, *, echo: bool = False) -> None:
        self.url = database_url
        self.engine = create_engine(database_url, echo=echo)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed once when the block ends, rolled back if it raises."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> bool:
        """For readiness checks: can a connection run a query right now?"""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (OSError, SQLAlchemyError) as exc:
            log.warning("store.ping_failed", error=str(exc), dialect=self.engine.dialect.name)
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        log.debug("store.disposed", dialect=self.engine.dialect.name)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
