"""The embedded runner of `infra-mind serve`: the in-process runner on a loop thread of its own."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from infra_mind.config import Settings
from infra_mind.domain.events import EventType
from infra_mind.jobs import EventHub
from infra_mind.jobs.threaded_runner import ThreadedRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database

from ..engine.agents_for_tests import Script
from .conftest import POLL_S, collect, loop_gaps_during, scripted_pipeline, wait_for_status

QueueRun = Callable[..., Awaitable[str]]


@pytest.fixture
async def threaded(db: Database, knowledge: Knowledge) -> AsyncIterator[Callable[..., ThreadedRunner]]:
    made: list[ThreadedRunner] = []

    def make(*scripts: Script) -> ThreadedRunner:
        runner = ThreadedRunner(
            Settings(database_url=db.url),
            db,
            knowledge,
            Metrics(),
            EventHub(db, poll_interval_s=POLL_S),
            report_formats=("md", "json"),
            max_concurrent_runs=4,
            poll_interval_s=POLL_S,
            pipeline=lambda hub: scripted_pipeline(knowledge, hub, *scripts),
        )
        made.append(runner)
        return runner

    yield make
    for runner in made:
        await runner.stop()


async def test_runs_complete_and_their_events_reach_this_loops_subscribers(
    db: Database, queue_run: QueueRun, threaded: Callable[..., ThreadedRunner]
) -> None:
    runner = threaded(Script(delay_s=0.05), Script(delay_s=0.1))
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    events = await asyncio.wait_for(collect(runner.subscribe(run_id)), timeout=30)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].type is EventType.RUN_COMPLETED
    assert (await wait_for_status(db, run_id, "completed")).result is not None


async def test_this_loop_stays_responsive_while_agents_compute(
    db: Database, queue_run: QueueRun, threaded: Callable[..., ThreadedRunner]
) -> None:
    """Three agents each hold the CPU for 0.3 s without yielding: on the runner's own loop that blocks
    only the runner, and the GIL's switch interval lets this loop run every few milliseconds."""
    runner = threaded(*(Script(block_s=0.3) for _ in range(3)))
    await runner.start()

    async def one_run() -> None:
        run_id = await queue_run()
        await runner.submit(run_id)
        await wait_for_status(db, run_id, "completed")

    gaps = await loop_gaps_during(one_run())
    # On the same loop the agents would leave a few gaps of 0.3 s; a collector pause may still cause one.
    assert len(gaps) > 20
    assert statistics.quantiles(gaps, n=10)[-1] < 0.1


async def test_a_cancel_from_this_loop_stops_a_run_on_the_runners_loop(
    db: Database, queue_run: QueueRun, threaded: Callable[..., ThreadedRunner]
) -> None:
    runner = threaded(Script(hang=True), Script())
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    await wait_for_status(db, run_id, "running")
    assert await runner.cancel(run_id) in ("running", "cancelled")
    await wait_for_status(db, run_id, "cancelled")


async def test_stopping_puts_runs_in_flight_back_in_the_queue(
    db: Database, queue_run: QueueRun, threaded: Callable[..., ThreadedRunner]
) -> None:
    runner = threaded(Script(hang=True))
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    await wait_for_status(db, run_id, "running")
    await runner.stop()
    assert not runner.running
    assert (await wait_for_status(db, run_id, "queued")).status == "queued"
