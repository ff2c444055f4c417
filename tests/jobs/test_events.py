from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from infra_mind.domain.events import Event, EventType
from infra_mind.errors import NotFound
from infra_mind.jobs import InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.store.db import Database
from infra_mind.store.models import User
from infra_mind.store.repositories import EventRepository

from ..engine.agents_for_tests import Script
from .conftest import collect, load_run, scripted_pipeline

QueueRun = Callable[..., Awaitable[str]]
MakeRunner = Callable[..., InProcessRunner]


async def test_subscribers_get_replay_then_live_events_in_order_without_duplicates(
    db: Database, owner: User, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    slow = [Script(delay_s=0.05 * i) for i in range(1, 5)]
    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, *slow))
    run_id = await queue_run()
    from_start = asyncio.create_task(collect(runner.subscribe(run_id)))
    await runner.start()

    late: list[Event] = []
    async for event in runner.subscribe(run_id):  # joins mid-run
        late.append(event)
        if event.type is EventType.AGENT_COMPLETED:
            break
    resumed = await collect(runner.subscribe(run_id, after_seq=late[-1].seq))
    events = await from_start
    after_end = await collect(runner.subscribe(run_id, after_seq=3))

    async with db.session() as session:
        stored = [e.seq for e in await EventRepository(session).since(owner.id, run_id)]
    assert [e.seq for e in events] == stored == list(range(1, len(stored) + 1))
    assert late + resumed == events
    assert after_end == events[3:]
    assert events[-1].type is EventType.RUN_COMPLETED
    agent_events = [e for e in events if e.agent == "agent_3"]
    assert agent_events[0].type is EventType.AGENT_STARTED
    assert agent_events[-1].type is EventType.AGENT_COMPLETED


async def test_the_final_event_comes_after_the_results_are_stored(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script(), Script()))
    await runner.start()
    run_id = await queue_run()
    async for event in runner.subscribe(run_id):
        if event.type is EventType.RUN_COMPLETED:
            run = await load_run(db, run_id)
            assert run.status == "completed"
            assert run.result is not None


async def test_subscribing_to_an_unknown_run_raises_not_found(
    knowledge: Knowledge, make_runner: MakeRunner
) -> None:
    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script()))
    with pytest.raises(NotFound):
        await collect(runner.subscribe("no-such-run"))
