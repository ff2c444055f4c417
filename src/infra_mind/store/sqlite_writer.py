"""One blocking connection that runs a SQLite file's write transactions whole, gate claim to commit; the
writer thread and the writer process each run one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import URL, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from infra_mind.store.types import dump_json
from infra_mind.store.write_gate import WriteGate

T = TypeVar("T")


class SqliteWriter:
    def __init__(self, url: URL, *, wait_s: float, first: bool) -> None:
        """`url` is the database's, any SQLite driver; the connection is set up like the async engine's."""
        self._engine = create_engine(
            url.set(drivername="sqlite"),
            json_serializer=dump_json,
            pool_size=1,
            max_overflow=0,
            pool_timeout=wait_s,
        )
        event.listen(self._engine, "connect", sqlite_setup(wait_s))
        self._gate = WriteGate(Path(str(url.database)), wait_s=wait_s, first=first)
        self._gate.install_blocking(self._engine)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    def transaction(self, work: Callable[[Session], T]) -> T:
        """`work` in one transaction, committed when it returns, rolled back if it raises."""
        with self._sessions.begin() as session:
            return work(session)

    def dispose(self) -> None:
        """On the thread that opened the connection."""
        self._engine.dispose()
        self._gate.close()


def sqlite_setup(wait_s: float) -> Callable[[Any, Any], None]:
    """The "connect" listener that sets up each new SQLite connection, waiting up to `wait_s` for the lock."""
    busy_timeout_ms = int(wait_s * 1000)

    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return configure
