"""The runner process's split: pipelines compute on a loop thread, the runner's loop keeps the database."""

from __future__ import annotations

import asyncio
import statistics
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from infra_mind.domain.events import Event, EventType
from infra_mind.jobs import EventHub, InProcessRunner
from infra_mind.jobs.compute_thread import EventsToLoop, PipelineOnThread, cancel_leftovers
from infra_mind.jobs.loop_thread import LoopThread
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.store.db import Database

from ..engine.agents_for_tests import Script
from .conftest import collect, loop_gaps_during, scripted_pipeline, wait_for_status

QueueRun = Callable[..., Awaitable[str]]
MakeRunner = Callable[..., InProcessRunner]


@pytest.fixture
async def compute() -> AsyncIterator[LoopThread]:
    thread = LoopThread("runner-compute")
    thread.start()
    yield thread
    await thread.call(cancel_leftovers())
    thread.stop()


@pytest.fixture
def runner_computing_on(
    make_runner: Callable[..., InProcessRunner], knowledge: Knowledge, compute: LoopThread
) -> Callable[..., InProcessRunner]:
    def make(*scripts: Script) -> InProcessRunner:
        loop = asyncio.get_running_loop()

        def pipeline_of(hub: EventHub) -> PipelineOnThread:
            return PipelineOnThread(scripted_pipeline(knowledge, EventsToLoop(hub, loop), *scripts), compute)

        return make_runner(pipeline_of, max_concurrent_runs=4)

    return make


async def test_events_published_on_the_compute_loop_are_handled_on_the_runners_loop(
    compute: LoopThread,
) -> None:
    seen: list[tuple[EventType, str]] = []

    class Sink:
        async def publish(self, event: Event) -> None:
            seen.append((event.type, threading.current_thread().name))

    bus = EventsToLoop(Sink(), asyncio.get_running_loop())
    event = Event(run_id="r", seq=1, type=EventType.AGENT_STARTED, at=datetime.now(UTC))
    await compute.call(bus.publish(event))
    assert seen == [(EventType.AGENT_STARTED, threading.current_thread().name)]


async def test_a_run_computes_on_the_thread_and_its_events_reach_the_runners_subscribers(
    db: Database, queue_run: QueueRun, runner_computing_on: Callable[..., InProcessRunner]
) -> None:
    runner = runner_computing_on(Script(delay_s=0.05), Script(delay_s=0.1))
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    events = await asyncio.wait_for(collect(runner.subscribe(run_id)), timeout=30)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].type is EventType.RUN_COMPLETED
    assert (await wait_for_status(db, run_id, "completed")).result is not None


async def test_the_runners_loop_stays_responsive_while_agents_compute(
    db: Database, queue_run: QueueRun, runner_computing_on: Callable[..., InProcessRunner]
) -> None:
    """Three agents each hold the CPU for 0.3 s without yielding, on the compute loop: the runner's loop
    (this one) still runs every few milliseconds, so its transactions are not held open meanwhile."""
    runner = runner_computing_on(*(Script(block_s=0.3) for _ in range(3)))
    await runner.start()

    async def one_run() -> None:
        run_id = await queue_run()
        await runner.submit(run_id)
        await wait_for_status(db, run_id, "completed")

    gaps = await loop_gaps_during(one_run())
    assert len(gaps) > 20
    assert statistics.quantiles(gaps, n=10)[-1] < 0.1


async def test_a_cancel_on_the_runners_loop_stops_the_agents_on_the_compute_loop(
    db: Database, queue_run: QueueRun, runner_computing_on: Callable[..., InProcessRunner]
) -> None:
    runner = runner_computing_on(Script(hang=True), Script())
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    await wait_for_status(db, run_id, "running")
    assert await runner.cancel(run_id) in ("running", "cancelled")
    await wait_for_status(db, run_id, "cancelled")


async def test_stopping_ends_the_runs_agents_on_the_compute_loop_and_requeues_the_run(
    db: Database,
    queue_run: QueueRun,
    runner_computing_on: Callable[..., InProcessRunner],
    compute: LoopThread,
) -> None:
    """The agent is computing when the runner stops: the stop waits until it has ended."""
    runner = runner_computing_on(Script(block_s=1.0, delay_s=30))
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    await wait_for_status(db, run_id, "running")
    await asyncio.sleep(0.3)
    await runner.stop()
    assert await compute.call(_other_tasks()) == 0
    assert (await wait_for_status(db, run_id, "queued")).status == "queued"


async def _other_tasks() -> int:
    return len(asyncio.all_tasks() - {asyncio.current_task()})
