from __future__ import annotations

import asyncio

import pytest

from infra_mind.errors import Conflict
from infra_mind.store.db import Database
from infra_mind.store.repositories import EventRepository, RunRepository
from infra_mind.store.repositories.events import NewEvent

from .conftest import add_assessment, add_user


async def test_concurrent_appends_number_events_one_to_fifty(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessment = await add_assessment(db, ana)
    async with db.session() as session:
        run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="parallel")

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
    assessment = await add_assessment(db, ana)
    async with db.session() as session:
        run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="sequential")
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


async def test_a_batch_for_several_runs_numbers_each_run_after_its_last_event(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessments = [await add_assessment(db, ana, name) for name in ("Portal", "Billing")]
    async with db.session() as session:
        runs = RunRepository(session)
        first, _ = await runs.create(ana.id, assessments[0].id, mode="parallel")
        second, _ = await runs.create(ana.id, assessments[1].id, mode="parallel")
        await EventRepository(session).append(first.id, "run.queued", {})
    batch = [
        NewEvent(first.id, "run.started", {"n": 1}),
        NewEvent(second.id, "run.started", {"n": 2}),
        NewEvent(first.id, "agent.started", {"n": 3}),
        NewEvent(second.id, "agent.started", {"n": 4}),
        NewEvent(first.id, "agent.completed", {"n": 5}),
    ]
    async with db.session() as session:
        rows = await EventRepository(session).append_many(batch)
    assert [(row.run_id, row.seq) for row in rows] == [
        (first.id, 2),
        (second.id, 1),
        (first.id, 3),
        (second.id, 2),
        (first.id, 4),
    ]
    async with db.session() as session:
        replay = await EventRepository(session).since(ana.id, first.id)
    assert [(e.seq, e.type) for e in replay] == [
        (1, "run.queued"),
        (2, "run.started"),
        (3, "agent.started"),
        (4, "agent.completed"),
    ]
