from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from infra_mind.config import Settings
from infra_mind.store.db import REQUEST_WAIT_S, Database
from infra_mind.store.models import Assessment, User
from infra_mind.store.repositories import AssessmentRepository, RefreshTokenRepository, UserRepository

from .conftest import add_user, sqlite_url


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = Database.from_settings(Settings(database_url=sqlite_url(tmp_path / "pragmas.db")))
    try:
        async with db.session() as session:
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar_one() == REQUEST_WAIT_S * 1000
    finally:
        await db.dispose()


async def test_a_runs_engine_waits_longer_for_the_database_than_a_request(tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url(tmp_path / "runs.db"), run_database_wait_s=450)
    db = Database.for_runs(settings)
    try:
        async with db.session() as session:
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar_one() == 450_000
        assert db.engine.pool.timeout() == 450
    finally:
        await db.dispose()


async def test_a_failed_unit_of_work_leaves_nothing_half_written(db: Database) -> None:
    class Boom(Exception):
        pass

    async def write_then_fail() -> None:
        async with db.session() as session:
            user = await UserRepository(session).create("ana@example.org", "hash")
            await AssessmentRepository(session).create(user.id, name="half", input={})
            raise Boom

    with pytest.raises(Boom):
        await write_then_fail()

    async with db.session() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(Assessment))).scalar_one() == 0


async def test_the_unit_of_work_commits_once_at_the_end(db: Database) -> None:
    async with db.session() as session:
        await UserRepository(session).create("ana@example.org", "hash")
        async with db.session() as other:
            assert await UserRepository(other).by_email("ana@example.org") is None
    async with db.session() as session:
        assert await UserRepository(session).by_email("ANA@example.org ") is not None


async def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    user = await add_user(db, "ana@example.org")
    expires = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    async with db.session() as session:
        await RefreshTokenRepository(session).issue(user.id, token_hash="h1", expires_at=expires)
    async with db.session() as session:
        token = await RefreshTokenRepository(session).by_hash("h1")
        assert token is not None
        assert token.expires_at == expires
        assert token.expires_at.utcoffset() == timedelta(0)
        assert token.created_at.tzinfo is not None


async def test_ping_answers_whether_the_database_is_reachable(db: Database, tmp_path: Path) -> None:
    assert await db.ping()
    unreachable = Database(sqlite_url(tmp_path / "missing-dir" / "x.db"))
    try:
        assert not await unreachable.ping()
    finally:
        await unreachable.dispose()
