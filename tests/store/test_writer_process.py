"""A runner's Database on a SQLite file runs its transactions in a writer process: committed there once,
rolled back if they raise, their exceptions back in the caller, the gate given back; a process that died
is an error, never a hang. Elsewhere the option changes nothing."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from infra_mind.config import Settings
from infra_mind.errors import Conflict
from infra_mind.store.db import Database
from infra_mind.store.writer_process import WriterGone, WriterProcess

from .conftest import sqlite_url, write_gate_taken

WRITER = "infra-mind-sqlite-writer"


def _write(session: Session, who: str) -> int:
    session.execute(text("INSERT INTO writes VALUES (:who)"), {"who": who})
    return os.getpid()


def _write_then_conflict(session: Session, who: str) -> None:
    _write(session, who)
    session.flush()
    raise Conflict(f"{who} conflicts")


class Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("held a lock")
        self.lock = threading.Lock()


def _raise_unpicklable(session: Session) -> None:
    raise Unpicklable()


def _die(session: Session) -> None:
    _write(session, "lost")
    session.flush()
    os._exit(3)


def _gate_taken(session: Session, url: str) -> bool:
    _write(session, "gate")
    return write_gate_taken(url)


async def _written(db: Database) -> list[str]:
    async with db.session() as session:
        return list((await session.scalars(select(text("who")).select_from(text("writes")))).all())


def _writers() -> list[multiprocessing.process.BaseProcess]:
    return [child for child in multiprocessing.active_children() if child.name == WRITER]


@pytest.fixture
async def runs_db(tmp_path: Path) -> AsyncIterator[Database]:
    url = sqlite_url(tmp_path / "runs.db")
    db = Database.for_runs(Settings(database_url=url), writer_process=True)
    try:
        async with db.session() as session:
            await session.execute(text("CREATE TABLE writes (who TEXT NOT NULL)"))
        yield db
    finally:
        await db.dispose()


async def test_a_transaction_commits_in_the_writer_process_and_gives_the_gate_back(
    runs_db: Database,
) -> None:
    pid = await runs_db.run_transaction(partial(_write, who="run"))
    assert pid != os.getpid()
    assert await _written(runs_db) == ["run"]
    assert await runs_db.run_transaction(partial(_gate_taken, url=runs_db.url))
    assert not write_gate_taken(runs_db.url)


async def test_its_exception_comes_back_and_nothing_is_written(runs_db: Database) -> None:
    with pytest.raises(Conflict, match="late conflicts") as raised:
        await runs_db.run_transaction(partial(_write_then_conflict, who="late"))
    assert "in the writer process" in "".join(raised.value.__notes__)
    with pytest.raises(RuntimeError, match="Unpicklable: held a lock"):
        await runs_db.run_transaction(_raise_unpicklable)
    assert await _written(runs_db) == []
    assert await runs_db.run_transaction(partial(_write, who="after")) != os.getpid()


async def test_work_that_cannot_be_sent_is_refused_and_the_writer_goes_on(runs_db: Database) -> None:
    with pytest.raises((AttributeError, TypeError, pickle.PicklingError)):
        await runs_db.run_transaction(lambda session: _write(session, "lambda"))
    assert await runs_db.run_transaction(partial(_write, who="after")) != os.getpid()
    assert await _written(runs_db) == ["after"]


async def test_a_closed_writer_starts_no_process_again(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "closed.db")
    writer = WriterProcess(url, wait_s=5, first=False, log_level="WARNING", log_json=False)
    await writer.close()
    with pytest.raises(WriterGone, match="disposed of"):
        await writer.run(partial(_write, who="late"))
    assert not _writers()


async def test_transactions_sent_at_once_each_commit_once(runs_db: Database) -> None:
    names = [f"run-{i}" for i in range(20)]
    await asyncio.gather(*(runs_db.run_transaction(partial(_write, who=name)) for name in names))
    assert sorted(await _written(runs_db)) == sorted(names)


async def test_a_writer_that_dies_mid_transaction_is_an_error_and_the_next_one_starts(
    runs_db: Database,
) -> None:
    await runs_db.run_transaction(partial(_write, who="first"))
    (writer,) = _writers()
    with pytest.raises(WriterGone, match="writer process exited"):
        await asyncio.wait_for(runs_db.run_transaction(_die), 10)
    assert not writer.is_alive()
    assert await runs_db.run_transaction(partial(_write, who="again")) != os.getpid()
    (restarted,) = _writers()
    assert restarted.pid != writer.pid
    assert await _written(runs_db) == ["first", "again"]


def _write_then_get_stopped(session: Session, who: str) -> int:
    os.kill(os.getpid(), signal.SIGTERM)
    return _write(session, who)


async def test_a_sigterm_ends_the_writer_once_its_transaction_is_answered(runs_db: Database) -> None:
    await runs_db.run_transaction(partial(_write, who="first"))
    (writer,) = _writers()
    pid = await runs_db.run_transaction(partial(_write_then_get_stopped, who="stopped"))
    writer.join(10)
    assert (writer.pid, writer.exitcode) == (pid, 0)
    assert await _written(runs_db) == ["first", "stopped"]
    assert await runs_db.run_transaction(partial(_write, who="next")) not in (pid, os.getpid())


async def test_dispose_stops_the_process(tmp_path: Path) -> None:
    db = Database.for_runs(Settings(database_url=sqlite_url(tmp_path / "stop.db")), writer_process=True)
    (writer,) = _writers()
    await db.dispose()
    assert not writer.is_alive()
    assert writer.exitcode == 0


async def test_without_a_sqlite_file_there_is_no_writer_process() -> None:
    db = Database.for_runs(Settings(database_url="sqlite+aiosqlite://"), writer_process=True)
    try:
        assert not _writers()
        assert await db.run_transaction(lambda session: os.getpid()) == os.getpid()
    finally:
        await db.dispose()
