"""The Database object: one engine and session factory, built by the app, the CLI or a test fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import structlog
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from infra_mind.config import Settings
from infra_mind.store.sqlite_writer import sqlite_setup
from infra_mind.store.types import dump_json
from infra_mind.store.write_gate import WriteGate
from infra_mind.store.writer_process import WriterProcess
from infra_mind.store.writer_thread import WriterThread

T = TypeVar("T")
log = structlog.get_logger(__name__)

REQUEST_WAIT_S = 30.0
"""How long a request waits for a pooled connection or SQLite's write lock before it fails."""
POOL_SIZE = 5
"""Connections kept open: SQLAlchemy's default, for the runners and tools; the API's comes from settings."""
POOL_OVERFLOW = 10


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def is_in_memory(database_url: str) -> bool:
    """An in-memory SQLite database: it lives in one process, with no file another could open."""
    return is_sqlite(database_url) and make_url(database_url).database in (None, "", ":memory:")


def create_engine(
    database_url: str, *, echo: bool = False, wait_s: float = REQUEST_WAIT_S, pool_size: int = POOL_SIZE
) -> AsyncEngine:
    """SQLite connections get WAL, foreign keys and a busy timeout; PostgreSQL goes through asyncpg.
    `wait_s` bounds both the wait for a pooled connection and, on SQLite, for the write lock."""
    in_memory = is_in_memory(database_url)
    pooled = {"pool_timeout": wait_s, "pool_size": pool_size, "max_overflow": POOL_OVERFLOW}
    engine = create_async_engine(
        database_url, echo=echo, json_serializer=dump_json, **({} if in_memory else pooled)
    )
    if is_sqlite(database_url):
        event.listen(engine.sync_engine, "connect", sqlite_setup(wait_s))
    return engine


class Database:
    def __init__(
        self,
        database_url: str,
        *,
        echo: bool = False,
        wait_s: float = REQUEST_WAIT_S,
        writes_first: bool = True,
        pool_size: int = POOL_SIZE,
    ) -> None:
        """`wait_s`: a request's default; the runners use the longer `run_database_wait_s`, because a
        run that waits its turn under load is better than a run failed for it. On SQLite, the writers of
        an engine built with `writes_first` (the API's) go before the others (the runners')."""
        self.url = database_url
        self._wait_s = wait_s
        self._writes_first = writes_first
        self._writer: WriterThread | WriterProcess | None = None
        self.engine = create_engine(database_url, echo=echo, wait_s=wait_s, pool_size=pool_size)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._gate: WriteGate | None = None
        if is_sqlite(database_url) and not is_in_memory(database_url):
            self._gate = WriteGate(
                Path(str(make_url(database_url).database)), wait_s=wait_s, first=writes_first
            )
            self._gate.install(self.engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url, pool_size=settings.database_pool_size)

    @classmethod
    def for_runs(
        cls, settings: Settings, database_url: str | None = None, *, writer_process: bool = False
    ) -> Database:
        """The engine a runner's runs use: they wait up to `run_database_wait_s` for the database.
        `writer_process`: on a SQLite file, its transactions run in a process of their own
        (store/writer_process.py), started now, for a process that computes runs."""
        url = database_url or settings.database_url
        database = cls(url, wait_s=settings.run_database_wait_s, writes_first=False)
        if writer_process and database._gate is not None:
            database._writer = WriterProcess(
                url,
                wait_s=settings.run_database_wait_s,
                first=False,
                log_level=settings.log_level,
                log_json=settings.log_json,
            )
        return database

    @property
    def serialises_writes(self) -> bool:
        """A SQLite file: one writer at a time, and `run_transaction` runs on the database's writer."""
        return self._gate is not None

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

    async def run_transaction(self, work: Callable[[Session], T]) -> T:
        """`work` as one unit of work, committed when it returns. On a SQLite file it runs whole on the
        database's writer thread (store/writer_thread.py) or writer process; elsewhere in a session of the
        async engine. Never from inside a session that has written: on SQLite each would wait for the
        other's lock."""
        if self._gate is None:
            async with self.session() as session:
                return await session.run_sync(work)
        if self._writer is None:
            self._writer = WriterThread(make_url(self.url), wait_s=self._wait_s, first=self._writes_first)
        return await self._writer.run(work)

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
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        if self._gate is not None:
            self._gate.close()
        log.debug("store.disposed", dialect=self.engine.dialect.name)
