"""WorkerRuntime in this process, without Celery: leases, takeover, time limits and the sweeper on the
machine's PostgreSQL and Redis, with scripted agents."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.config import LlmProviderKind, Settings
from infra_mind.domain.context import AssessmentContext
from infra_mind.engine.orchestrator import Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.worker_runtime import MAX_DELIVERIES, TaskOutcome, WorkerRuntime
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.migrate import upgrade_to_head
from infra_mind.store.models import AgentResultRow, EventRow, RecommendationRow, Report, Run, User
from infra_mind.store.repositories import AssessmentRepository, RunRepository
from infra_mind.store.types import utc_now

from ...engine.agents_for_tests import Script, ScriptedAgent
from ...store.conftest import add_user
from ..conftest import scripted_pipeline
from .conftest import redis_database

pytestmark = pytest.mark.slow

WORKER = "runtime@test"
DEAD_WORKER = "dead@test"
HEARTBEAT_S = 0.2
LONG_AGO = timedelta(seconds=60)
QUICK = (Script(), Script(delay_s=0.05))


@pytest.fixture(scope="module")
def relay_url() -> Iterator[str]:
    with redis_database(12) as url:
        yield url


@pytest.fixture(scope="module")
def migrated_url(pg_url: str) -> str:
    asyncio.run(upgrade_to_head(pg_url))
    return pg_url


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    database = Database(migrated_url)
    yield database
    await database.dispose()


@pytest.fixture
async def owner(database: Database, request: pytest.FixtureRequest) -> User:
    return await add_user(database, f"{request.node.name[:40]}@example.org")


@dataclass
class RunningWorker:
    runtime: WorkerRuntime
    sent: list[str]

    async def execute(self, run_id: str) -> TaskOutcome:
        return await asyncio.to_thread(self.runtime.execute, run_id)


StartWorker = Callable[..., Awaitable[RunningWorker]]


@pytest.fixture
async def start_worker(
    migrated_url: str, relay_url: str, knowledge: Knowledge, tmp_path: Path
) -> AsyncIterator[StartWorker]:
    """Starts runtimes over the module's database; each is stopped when the test ends."""
    started: list[WorkerRuntime] = []

    async def start(
        *scripts: Script,
        agents: list[Agent] | None = None,
        soft_limit_s: float = 10,
        hard_limit_s: float = 12,
    ) -> RunningWorker:
        settings = Settings(
            database_url=migrated_url,
            broker_url=relay_url,
            runner_poll_interval_s=0.1,
            run_heartbeat_s=HEARTBEAT_S,
            visibility_timeout_s=5,
            run_soft_time_limit_s=soft_limit_s,
            run_time_limit_s=hard_limit_s,
            llm_provider=LlmProviderKind.OFFLINE,
        )

        def pipeline(hub: EventHub) -> Pipeline:
            if agents is None:
                return scripted_pipeline(knowledge, hub, *(scripts or QUICK))
            return Pipeline(
                knowledge,
                Orchestrator(agents),
                hub,
                quorum=QuorumPolicy(min_ratio=0.5),
                report_formats=("md", "json"),
            )

        sent: list[str] = []
        runtime = WorkerRuntime(
            settings,
            Metrics(),
            name=WORKER,
            send=sent.append,
            alive_path=tmp_path / "worker.alive",
            pipeline=pipeline,
        )
        await asyncio.to_thread(runtime.start)
        started.append(runtime)
        return RunningWorker(runtime, sent)

    yield start
    for runtime in started:
        await asyncio.to_thread(runtime.stop)


@pytest.fixture
def new_run(database: Database, owner: User, healthtech: dict[str, Any]) -> Callable[..., Awaitable[str]]:
    """A queued run of its own assessment; `values` then overwrite columns of its row."""

    async def create(**values: Any) -> str:
        async with database.session() as session:
            assessment = await AssessmentRepository(session).create(owner.id, name="Clinic", input=healthtech)
            run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="parallel")
            if values:
                await session.execute(update(Run).where(Run.id == run.id).values(**values))
            return run.id

    return create


async def load(database: Database, run_id: str) -> Run:
    async with database.session() as session:
        run = await RunRepository(session).load(run_id)
        assert run is not None
        return run


async def events_of(database: Database, run_id: str) -> list[EventRow]:
    async with database.session() as session:
        query = select(EventRow).where(EventRow.run_id == run_id).order_by(EventRow.seq)
        return list((await session.scalars(query)).all())


async def stored_results(database: Database, run_id: str) -> int:
    async with database.session() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(t).where(t.run_id == run_id))
            for t in (AgentResultRow, RecommendationRow, Report)
        ]
    return sum(int(c or 0) for c in counts)


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout_s: float = 10, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.05)


def running_under(
    worker: str, *, heartbeat_age: timedelta = timedelta(0), attempts: int = 1
) -> dict[str, Any]:
    now = utc_now()
    return {
        "status": "running",
        "worker": worker,
        "started_at": now - heartbeat_age,
        "heartbeat_at": now - heartbeat_age,
        "attempts": attempts,
    }


class StubbornAgent(Agent):
    """Swallows every cancellation and keeps working until `busy_s` is over: cancellation cannot stop it."""

    def __init__(self, name: str, busy_s: float) -> None:
        self.name = name
        self.busy_s = busy_s
        self.timeout_s = 60.0
        self.ignored_cancellations = 0

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        deadline = time.monotonic() + self.busy_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                await asyncio.sleep(left)
            except asyncio.CancelledError:
                self.ignored_cancellations += 1
        return AgentReport(summary=f"{self.name} finished anyway")


async def test_a_queued_run_executes_and_a_second_delivery_changes_nothing(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database, tmp_path: Path
) -> None:
    worker = await start_worker()
    run_id = await new_run()

    assert await worker.execute(run_id) is TaskOutcome.EXECUTED
    finished = await load(database, run_id)
    assert finished.status == "completed"
    assert (finished.attempts, finished.worker) == (1, WORKER)
    assert (tmp_path / "worker.alive").exists()

    assert await worker.execute(run_id) is TaskOutcome.ALREADY_FINISHED
    again = await load(database, run_id)
    assert (again.status, again.attempts, again.finished_at) == ("completed", 1, finished.finished_at)
    assert again.last_event_seq == finished.last_event_seq


async def test_an_unknown_run_is_reported_as_such(start_worker: StartWorker) -> None:
    worker = await start_worker()
    assert await worker.execute("no-such-run") is TaskOutcome.UNKNOWN_RUN


async def test_a_run_under_another_workers_live_lease_is_left_alone(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    worker = await start_worker()
    run_id = await new_run(**running_under("other@test"))

    assert await worker.execute(run_id) is TaskOutcome.RUNNING_ELSEWHERE
    run = await load(database, run_id)
    assert (run.status, run.worker, run.attempts, run.last_event_seq) == ("running", "other@test", 1, 0)


async def test_a_run_under_a_stale_lease_is_taken_over_and_completes(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    worker = await start_worker()
    run_id = await new_run(**running_under(DEAD_WORKER, heartbeat_age=LONG_AGO))

    assert await worker.execute(run_id) is TaskOutcome.TAKEN_OVER
    run = await load(database, run_id)
    assert (run.status, run.worker, run.attempts) == ("completed", WORKER, 2)
    events = await events_of(database, run_id)
    assert events[0].type == "run.queued"
    assert events[0].data["reason"] == f"taken over from {DEAD_WORKER}: its lease went stale"
    assert [e.type for e in events].count("run.completed") == 1
    assert events[-1].type == "run.completed"


async def test_a_run_whose_workers_died_too_often_is_failed_with_the_reason(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    worker = await start_worker()
    run_id = await new_run(**running_under(DEAD_WORKER, heartbeat_age=LONG_AGO, attempts=MAX_DELIVERIES))

    assert await worker.execute(run_id) is TaskOutcome.GAVE_UP
    run = await load(database, run_id)
    reason = f"its worker stopped {MAX_DELIVERIES} times while executing it"
    assert (run.status, run.error, run.attempts) == ("failed", reason, MAX_DELIVERIES)
    events = await events_of(database, run_id)
    assert [(e.type, e.data["error"]) for e in events] == [("run.failed", reason)]


async def test_a_run_at_its_last_delivery_under_a_live_lease_is_not_given_up(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    worker = await start_worker()
    run_id = await new_run(**running_under("other@test", attempts=MAX_DELIVERIES))

    assert await worker.execute(run_id) is TaskOutcome.RUNNING_ELSEWHERE
    assert (await load(database, run_id)).status == "running"


async def test_the_soft_time_limit_cancels_a_hanging_run(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    worker = await start_worker(Script(), Script(hang=True), soft_limit_s=0.5, hard_limit_s=5)
    run_id = await new_run()

    started = time.monotonic()
    assert await worker.execute(run_id) is TaskOutcome.EXECUTED
    assert time.monotonic() - started < 4
    run = await load(database, run_id)
    assert run.status == "cancelled"
    final = (await events_of(database, run_id))[-1]
    assert final.type == "run.cancelled"
    assert final.data["reason"] == "the run reached its soft time limit of 0.5 s"


async def test_the_hard_time_limit_fails_a_run_whose_agent_ignores_cancellation(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    stubborn = StubbornAgent("stubborn", busy_s=2.5)
    worker = await start_worker(agents=[ScriptedAgent("quick"), stubborn], soft_limit_s=0.4, hard_limit_s=0.8)
    run_id = await new_run()

    started = time.monotonic()
    assert await worker.execute(run_id) is TaskOutcome.EXECUTED
    assert time.monotonic() - started < 2
    assert stubborn.ignored_cancellations >= 1
    run = await load(database, run_id)
    assert run.status == "failed"
    assert run.error == "the run reached its hard time limit of 0.8 s"
    assert await stored_results(database, run_id) == 0
    await asyncio.sleep(2.5)
    events = await events_of(database, run_id)
    assert events[-1].type == "run.failed"
    assert events[-1].data["error"] == run.error


async def test_a_run_whose_lease_another_worker_took_stops_without_writing_results(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    worker = await start_worker(Script(delay_s=3), Script(delay_s=3))
    run_id = await new_run()

    execution = asyncio.create_task(worker.execute(run_id))
    await eventually(
        lambda: _agents_started(database, run_id), what="the agents to start under the runtime's lease"
    )
    async with database.session() as session:
        await session.execute(
            update(Run).where(Run.id == run_id).values(worker="thief@test", heartbeat_at=utc_now())
        )
    outcome = await asyncio.wait_for(execution, timeout=2)

    assert outcome is TaskOutcome.EXECUTED
    run = await load(database, run_id)
    assert (run.status, run.worker) == ("running", "thief@test")
    assert await stored_results(database, run_id) == 0
    seq_after_stop = run.last_event_seq
    await asyncio.sleep(3.5)
    assert (await load(database, run_id)).last_event_seq == seq_after_stop


async def test_the_sweeper_sends_again_the_runs_no_worker_holds_once(
    start_worker: StartWorker, new_run: Callable[..., Awaitable[str]], database: Database
) -> None:
    long_ago = utc_now() - LONG_AGO
    abandoned = await new_run(**running_under(DEAD_WORKER, heartbeat_age=LONG_AGO))
    lost = await new_run(requested_at=long_ago)
    fresh = await new_run()
    worker = await start_worker()

    await eventually(
        lambda: _sent_all(worker, abandoned, lost), timeout_s=5, what="the sweeper to send the orphans"
    )
    assert fresh not in worker.sent
    lost_run = await load(database, lost)
    assert lost_run.status == "queued"
    assert lost_run.heartbeat_at is not None
    assert lost_run.heartbeat_at > long_ago
    sweep_s = HEARTBEAT_S * 3
    await asyncio.sleep(sweep_s * 2.5)
    assert worker.sent.count(lost) == 1

    assert await worker.execute(abandoned) is TaskOutcome.TAKEN_OVER
    assert await worker.execute(lost) is TaskOutcome.EXECUTED
    assert await worker.execute(fresh) is TaskOutcome.EXECUTED


async def _agents_started(database: Database, run_id: str) -> bool:
    return any(e.type == "agent.started" for e in await events_of(database, run_id))


async def _sent_all(worker: RunningWorker, *run_ids: str) -> bool:
    return all(run_id in worker.sent for run_id in run_ids)
