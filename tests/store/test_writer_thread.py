"""Database.run_transaction: on a SQLite file a transaction runs whole on the writer thread, with the
connection set up like the engine's and the gate taken in its turn; elsewhere in an async session. Either
way it is committed once, or not at all."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from infra_mind.store.db import Database
from infra_mind.store.models import User

from .conftest import add_user, sqlite_url, write_gate_taken

SETTLE_S = 0.05


def _rename(session: Session, user_id: str, email: str) -> str:
    user = session.get(User, user_id)
    assert user is not None
    user.email = email
    return threading.current_thread().name


async def _email(db: Database, user_id: str) -> str | None:
    async with db.session() as session:
        return await session.scalar(select(User.email).where(User.id == user_id))


async def test_a_transaction_is_committed_once_it_returns(db: Database) -> None:
    user = await add_user(db, "ana@example.org")
    await db.run_transaction(lambda session: _rename(session, user.id, "ana@example.com"))
    assert await _email(db, user.id) == "ana@example.com"


async def test_a_transaction_that_raises_leaves_nothing_written(db: Database) -> None:
    user = await add_user(db, "ana@example.org")

    def rename_then_fail(session: Session) -> None:
        _rename(session, user.id, "half@example.org")
        session.flush()
        raise RuntimeError("the work fails")

    with pytest.raises(RuntimeError, match="the work fails"):
        await db.run_transaction(rename_then_fail)
    assert await _email(db, user.id) == "ana@example.org"


async def test_on_a_sqlite_file_it_runs_on_the_writer_thread_with_the_engines_settings(
    tmp_path: Path,
) -> None:
    db = Database(sqlite_url(tmp_path / "writer.db"))
    try:
        async with db.session() as session:
            await session.execute(text("CREATE TABLE writes (who TEXT)"))

        def settings(session: Session) -> tuple[str, str, int, bool]:
            session.execute(text("INSERT INTO writes VALUES ('writer')"))
            mode = session.execute(text("PRAGMA journal_mode")).scalar_one()
            keys = session.execute(text("PRAGMA foreign_keys")).scalar_one()
            return threading.current_thread().name, mode, keys, write_gate_taken(db.url)

        thread, mode, keys, gate_taken = await db.run_transaction(settings)
        assert thread.startswith("sqlite-writer")
        assert (mode, keys, gate_taken) == ("wal", 1, True)
        assert not write_gate_taken(db.url)
    finally:
        await db.dispose()


async def test_the_writer_thread_waits_for_the_gate_without_blocking_the_loop(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "gate.db")
    requests, runs = Database(url), Database(url, writes_first=False)
    order: list[str] = []
    holding, release = asyncio.Event(), asyncio.Event()
    try:
        async with requests.session() as session:
            await session.execute(text("CREATE TABLE writes (who TEXT)"))

        async def hold() -> None:
            async with requests.session() as session:
                await session.execute(text("INSERT INTO writes VALUES ('request')"))
                holding.set()
                await release.wait()
                order.append("request")

        def write(session: Session) -> None:
            session.execute(text("INSERT INTO writes VALUES ('run')"))
            order.append("run")

        holder = asyncio.create_task(hold())
        await holding.wait()
        writer = asyncio.create_task(runs.run_transaction(write))
        await asyncio.sleep(SETTLE_S)
        assert order == []
        release.set()
        await asyncio.gather(holder, writer)
        assert order == ["request", "run"]
        async with runs.session() as session:
            assert (await session.execute(text("SELECT count(*) FROM writes"))).scalar_one() == 2
    finally:
        await requests.dispose()
        await runs.dispose()


async def test_disposing_closes_the_writer_and_a_later_transaction_opens_another(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "reopen.db"))
    async with db.session() as session:
        await session.execute(text("CREATE TABLE writes (who TEXT)"))
    await db.run_transaction(lambda session: session.execute(text("INSERT INTO writes VALUES ('x')")))
    await db.dispose()
    try:
        await db.run_transaction(lambda session: session.execute(text("INSERT INTO writes VALUES ('y')")))
        async with db.session() as session:
            assert (await session.scalar(select(func.count()).select_from(text("writes")))) == 2
    finally:
        await db.dispose()
