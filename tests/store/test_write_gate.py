"""SQLite writers take turns through the gate: a request's writer goes before the runs' writers that wait
with it, the gate is given back however the transaction ends, and a writer that waited too long goes on
to SQLite's own lock."""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from infra_mind.store.db import Database

from .conftest import sqlite_url, write_gate_taken

SETTLE_S = 0.05


@pytest.fixture
async def url(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path / "gate.db")
    setup = Database(url)
    async with setup.session() as session:
        await session.execute(text("CREATE TABLE writes (who TEXT)"))
    await setup.dispose()
    return url


def _gate_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite+aiosqlite:///") + "-writers.lock")


async def _write(database: Database, who: str, order: list[str]) -> None:
    async with database.session() as session:
        await session.execute(text("INSERT INTO writes VALUES (:who)"), {"who": who})
        order.append(who)


async def test_a_requests_writer_goes_before_the_runs_writers_waiting_with_it(url: str) -> None:
    requests, runs = Database(url), Database(url, writes_first=False)
    order: list[str] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with runs.session() as session:
            await session.execute(text("INSERT INTO writes VALUES ('holder')"))
            holding.set()
            await release.wait()

    try:
        holder = asyncio.create_task(hold())
        await holding.wait()
        run_writer = asyncio.create_task(_write(runs, "run", order))
        await asyncio.sleep(SETTLE_S)
        request_writer = asyncio.create_task(_write(requests, "request", order))
        await asyncio.sleep(SETTLE_S)
        assert order == []
        release.set()
        await asyncio.gather(holder, run_writer, request_writer)
        assert order == ["request", "run"]
    finally:
        await requests.dispose()
        await runs.dispose()


async def test_the_gate_is_given_back_when_a_transaction_fails(url: str) -> None:
    database = Database(url, writes_first=False)
    try:
        held_while_writing: list[bool] = []
        with pytest.raises(RuntimeError, match="fails"):
            await _fail_after_a_write(database, url, held_while_writing)
        assert held_while_writing == [True]
        assert not write_gate_taken(url)
        async with database.session() as session:
            assert (await session.execute(text("SELECT count(*) FROM writes"))).scalar_one() == 0
    finally:
        await database.dispose()


async def test_reads_pass_and_a_writer_that_waited_its_time_goes_on_to_sqlites_lock(url: str) -> None:
    database = Database(url, wait_s=0.2)
    fd = os.open(_gate_path(url), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        async with database.session() as session:
            assert (await session.execute(text("SELECT count(*) FROM writes"))).scalar_one() == 0
        await _write(database, "late", [])
        async with database.session() as session:
            assert (await session.execute(text("SELECT who FROM writes"))).scalars().all() == ["late"]
    finally:
        os.close(fd)
        await database.dispose()


async def _fail_after_a_write(database: Database, url: str, held: list[bool]) -> None:
    async with database.session() as session:
        await session.execute(text("INSERT INTO writes VALUES ('lost')"))
        held.append(write_gate_taken(url))
        raise RuntimeError("the unit of work fails")
