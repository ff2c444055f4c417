from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from infra_mind.store.db import Database
from infra_mind.store.models import ApiKey
from infra_mind.store.repositories import ApiKeyRepository

from .conftest import add_user

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def _new_key(db: Database) -> ApiKey:
    ana = await add_user(db, "ana@example.org")
    async with db.session() as session:
        return await ApiKeyRepository(session).create(
            ana.id, name="ci", key_hash="sha256:abc", prefix="im_ab12", scopes=[]
        )


async def _use_at(db: Database, key: ApiKey, at: datetime) -> datetime | None:
    async with db.session() as session:
        await ApiKeyRepository(session).mark_used(key.id, at=at)
    async with db.session() as session:
        [stored] = await ApiKeyRepository(session).list_for(key.user_id)
        return stored.last_used_at


async def test_last_use_is_recorded_at_most_once_a_minute(db: Database) -> None:
    key = await _new_key(db)
    assert await _use_at(db, key, START) == START
    assert await _use_at(db, key, START + timedelta(seconds=30)) == START
    assert await _use_at(db, key, START + timedelta(seconds=60)) == START
    later = START + timedelta(seconds=61)
    assert await _use_at(db, key, later) == later


async def test_marking_a_use_is_one_update_and_no_read(db: Database) -> None:
    key = await _new_key(db)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db.session() as session:
            await ApiKeyRepository(session).mark_used(key.id, at=START)
            await ApiKeyRepository(session).mark_used(key.id, at=START + timedelta(seconds=5))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert [s for s in statements if s in {"SELECT", "UPDATE"}] == ["UPDATE", "UPDATE"]
