from __future__ import annotations

import asyncio

import pytest

from infra_mind.errors import Conflict
from infra_mind.store.db import Database
from infra_mind.store.repositories import EventRepository, RunRepository

from .conftest import add_assessment, add_user


async def test_concurrent_appends_number_events_one_to_fifty(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    async with db.session() as session:
        run, _ = await RunRepository(session).create(await add_assessment(db, ana), mode="parallel")

    async def append(n: int) -> int:
        async with db.session() as session:
            event = await EventRepository(session).append(run.id, "agent.progress", {"n": n})
            return event.seq

    seqs = await asyncio.gather(*(append(n) for n in range(50)))
    assert sorted(seqs) == list(range(1, 51))
    async with db.session() as session:
        replay = await EventRepository(session).since(ana.id, run.id)
    assert [e.seq for e in replay] == list(range(1, 51))
    assert sorted(e.data["n"] for e in replay) == list(range(50))


async def test_replay_starts_after_the_last_seen_event_and_only_for_the_owner(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    ben = await add_user(db, "ben@example.org")
    async with db.session() as session:
        run, _ = await RunRepository(session).create(await add_assessment(db, ana), mode="sequential")
        events = EventRepository(session)
        for kind in ("run.queued", "run.started", "agent.started", "agent.completed"):
            await events.append(run.id, kind, {})
    async with db.session() as session:
        events = EventRepository(session)
        assert [e.type for e in await events.since(ana.id, run.id, 2)] == ["agent.started", "agent.completed"]
        assert await events.since(ana.id, run.id, 4) == []
        assert await events.since(ben.id, run.id) == []


async def test_appending_to_a_missing_run_is_refused(db: Database) -> None:
    with pytest.raises(Conflict):
        async with db.session() as session:
            await EventRepository(session).append("no-such-run", "run.started", {})
