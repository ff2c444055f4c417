from __future__ import annotations

from collections.abc import Awaitable, Callable

from infra_mind.domain.events import EventType
from infra_mind.jobs import INTERRUPTED_TWICE, InProcessRunner
from infra_mind.jobs.queue import RunQueue
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.store.db import Database
from infra_mind.store.repositories.runs import claim_next_run

from ..engine.agents_for_tests import Script
from .conftest import collect, load_run, scripted_pipeline, wait_for_status

QueueRun = Callable[..., Awaitable[str]]
MakeRunner = Callable[..., InProcessRunner]


async def crash_mid_run(db: Database, run_id: str) -> None:
    """What a killed process leaves behind: the run claimed, `running`, and nobody executing it."""
    claimed = await db.run_transaction(claim_next_run)
    assert claimed is not None
    assert claimed.run_id == run_id


async def test_a_run_left_running_by_a_crash_is_requeued_once_and_completes(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    run_id = await queue_run()
    await crash_mid_run(db, run_id)

    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script(), Script()))
    recovery = await runner.recover()
    assert recovery.requeued == [run_id]
    assert recovery.failed == []
    assert (await load_run(db, run_id)).status == "queued"
    await runner.start()

    events = await collect(runner.subscribe(run_id))
    run = await wait_for_status(db, run_id, "completed")
    assert run.attempts == 2
    assert events[0].type is EventType.RUN_QUEUED
    assert events[0].data == {"reason": "re-queued after a restart"}
    assert events[-1].type is EventType.RUN_COMPLETED


async def test_a_second_interruption_fails_the_run_visibly(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    run_id = await queue_run()
    await crash_mid_run(db, run_id)
    assert (await make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script())).recover()).requeued
    await crash_mid_run(db, run_id)

    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script()))
    await runner.start()

    run = await load_run(db, run_id)
    assert (run.status, run.error, run.attempts) == ("failed", INTERRUPTED_TWICE, 2)
    assert run.finished_at is not None
    events = await collect(runner.subscribe(run_id))
    assert [e.type for e in events] == [EventType.RUN_QUEUED, EventType.RUN_FAILED]
    assert events[-1].data["error"] == INTERRUPTED_TWICE


async def test_a_run_cancelled_before_the_crash_ends_cancelled(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    run_id = await queue_run()
    await crash_mid_run(db, run_id)
    async with db.session() as session:
        assert await RunQueue(session).request_cancel(run_id)

    recovery = await make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script())).recover()
    assert recovery.cancelled == [run_id]
    assert (await load_run(db, run_id)).status == "cancelled"


async def test_two_runners_never_claim_the_same_run(db: Database, queue_run: QueueRun) -> None:
    run_ids = {await queue_run() for _ in range(6)}

    async def claim() -> str | None:
        run = await db.run_transaction(claim_next_run)
        return run.run_id if run else None

    import asyncio

    claimed = await asyncio.gather(*(claim() for _ in range(10)))
    taken = [c for c in claimed if c is not None]
    assert sorted(taken) == sorted(run_ids)
