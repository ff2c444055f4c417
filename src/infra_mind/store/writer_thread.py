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
from typing import TypeVar

from sqlalchemy import URL
from sqlalchemy.orm import Session

from infra_mind.store.sqlite_writer import SqliteWriter

T = TypeVar("T")


class WriterThread:
    def __init__(self, url: URL, *, wait_s: float, first: bool) -> None:
        self._writer = SqliteWriter(url, wait_s=wait_s, first=first)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work` in one transaction on the thread, committed when it returns, rolled back if it raises.
        Cancelling the caller does not cut it off: the transaction ends either way."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._writer.transaction, work)

    async def close(self) -> None:
        """The connection is closed on the thread that opened it."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._writer.dispose)
        self._thread.shutdown()
