"""A SQLite file's transactions run whole on a thread of their own, so its one write lock is held for the
statements alone.

Through aiosqlite each statement is a hop: to its thread and back through the event loop, where the next
statement waits its turn behind whatever else the loop (or, in a runner's process of lower CPU priority,
the machine) is doing. An event batch held the write lock about 25 ms that way for a millisecond of
SQLite's work, and each request that wrote meanwhile waited for it. Here the whole transaction, gate claim
to commit, is one call on a thread with a blocking connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import URL, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from infra_mind.store.types import dump_json
from infra_mind.store.write_gate import WriteGate

T = TypeVar("T")


class WriterThread:
    def __init__(
        self,
        url: URL,
        *,
        wait_s: float,
        first: bool,
        configure: Callable[[Any, Any], None],
    ) -> None:
        """`url` is the database's, any SQLite driver; `configure` sets up each new DBAPI connection."""
        self._engine = create_engine(
            url.set(drivername="sqlite"),
            json_serializer=dump_json,
            pool_size=1,
            max_overflow=0,
            pool_timeout=wait_s,
        )
        event.listen(self._engine, "connect", configure)
        self._gate = WriteGate(Path(str(url.database)), wait_s=wait_s, first=first)
        self._gate.install_blocking(self._engine)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work` in one transaction on the thread, committed when it returns, rolled back if it raises.
        Cancelling the caller does not cut it off: the transaction ends either way."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._transaction, work)

    def _transaction(self, work: Callable[[Session], T]) -> T:
        with self._sessions.begin() as session:
            return work(session)

    async def close(self) -> None:
        """The connection is closed on the thread that opened it."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown()
        self._gate.close()
