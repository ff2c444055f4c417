"""Writers to one SQLite file take turns through a lock file, and a waiting writer goes in as soon as the
one before it is done.

SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps at growing
intervals (1, 2, 5, … up to 100 ms) between looks at the lock. With a runner storing events and results
back to back, a request's one INSERT looked every 100 ms and found the lock taken each time: hundreds of
milliseconds for a write that needs one. Here a connection claims the gate (`flock` on a file beside the
database, so across processes and engines) before its first write statement, looking every millisecond,
and gives it back when it returns to the pool. SQLite's own lock still guards the data: the gate only
orders the queue, and a writer that waited `wait_s` for it goes on to SQLite's busy handler as before.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

log = structlog.get_logger(__name__)

LOOK_EVERY_S = 0.001
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteGate:
    def __init__(self, database_file: Path, *, wait_s: float, first: bool) -> None:
        """`first`: this engine's writers go before the others' (a request's before a run's): while one
        of them waits, the others do not claim the gate."""
        self.path = database_file.with_name(f"{database_file.name}-writers.lock")
        self._waiting_path = database_file.with_name(f"{database_file.name}-waiting.lock")
        self._wait_s = wait_s
        self._first = first
        self._gate: int | None = None
        self._waiting: int | None = None
        self._waiters = 0
        self._holder: Any = None
        """the DBAPI connection that holds the gate, if one does"""

    def install(self, engine: AsyncEngine) -> None:
        self._listen(engine.sync_engine, self._before_execute)

    def install_blocking(self, engine: Engine) -> None:
        """For an engine whose connections live on a thread of their own: it waits there, asleep."""
        self._listen(engine, self._before_execute_blocking)

    def _listen(self, engine: Engine, before_execute: Any) -> None:
        event.listen(engine, "before_cursor_execute", before_execute)
        for returned in ("checkin", "invalidate", "close"):
            event.listen(engine, returned, self._returned)

    def close(self) -> None:
        for fd in (self._gate, self._waiting):
            if fd is not None:
                os.close(fd)
        self._gate = self._waiting = self._holder = None
        self._waiters = 0

    def _before_execute(self, connection: Any, *args: Any) -> None:
        claiming = self._claiming(connection, args[1])
        if claiming is not None:
            await_only(self._claim(claiming))

    def _before_execute_blocking(self, connection: Any, *args: Any) -> None:
        claiming = self._claiming(connection, args[1])
        if claiming is not None:
            self._claim_blocking(claiming)

    def _claiming(self, connection: Any, statement: str) -> Any:
        """The DBAPI connection that must claim the gate before `statement`, if it must."""
        if not statement.lstrip()[:7].upper().startswith(WRITES):
            return None
        dbapi_connection = connection.connection.dbapi_connection
        return None if self._holder is dbapi_connection else dbapi_connection

    async def _claim(self, dbapi_connection: Any) -> None:
        deadline = self._start_waiting()
        try:
            while not self._taken():
                if self._waited_too_long(deadline):
                    return
                await asyncio.sleep(LOOK_EVERY_S)
            self._holder = dbapi_connection
        finally:
            self._end_waiting()

    def _claim_blocking(self, dbapi_connection: Any) -> None:
        deadline = self._start_waiting()
        try:
            while not self._taken():
                if self._waited_too_long(deadline):
                    return
                time.sleep(LOOK_EVERY_S)
            self._holder = dbapi_connection
        finally:
            self._end_waiting()

    def _start_waiting(self) -> float:
        if self._first:
            self._announce_waiting()
        return time.monotonic() + self._wait_s

    def _end_waiting(self) -> None:
        if self._first:
            self._stop_waiting()

    def _taken(self) -> bool:
        return self._holder is None and self._my_turn() and self._locked(self._gate_fd(), fcntl.LOCK_EX)

    def _waited_too_long(self, deadline: float) -> bool:
        if time.monotonic() <= deadline:
            return False
        log.warning("store.write_gate_wait_ended", waited_s=self._wait_s, gate=str(self.path))
        return True

    def _my_turn(self) -> bool:
        """Always for the first; for the others, only while none of the first is waiting."""
        if self._first:
            return True
        fd = self._waiting_fd()
        if not self._locked(fd, fcntl.LOCK_EX):
            return False
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True

    def _announce_waiting(self) -> None:
        self._waiters += 1
        if self._waiters == 1:
            fcntl.flock(self._waiting_fd(), fcntl.LOCK_SH)

    def _stop_waiting(self) -> None:
        self._waiters -= 1
        if self._waiters == 0 and self._waiting is not None:
            fcntl.flock(self._waiting, fcntl.LOCK_UN)

    def _gate_fd(self) -> int:
        if self._gate is None:
            self._gate = _open(self.path)
        return self._gate

    def _waiting_fd(self) -> int:
        if self._waiting is None:
            self._waiting = _open(self._waiting_path)
        return self._waiting

    def _returned(self, dbapi_connection: Any, *_: Any) -> None:
        if self._holder is dbapi_connection and self._holder is not None:
            self._holder = None
            if self._gate is not None:
                fcntl.flock(self._gate, fcntl.LOCK_UN)

    @staticmethod
    def _locked(fd: int, mode: int) -> bool:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
