"""Runner tests run on SQLite and PostgreSQL with the store tests' databases (see tests/store/conftest.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import pytest

from infra_mind.agents.base import Agent
from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.events import Event
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.events import EventSink
from infra_mind.engine.orchestrator import Cancellation, Mode, Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline, RunOutcome
from infra_mind.jobs import EventHub, InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.models import Run, User
from infra_mind.store.repositories import AssessmentRepository, RunRepository

from ..engine.agents_for_tests import Script, ScriptedAgent
from ..store import conftest as store_fixtures
from ..store.conftest import add_user

sqlite_database = store_fixtures.sqlite_database
postgresql_database = store_fixtures.postgresql_database
database_url = store_fixtures.database_url
db = store_fixtures.db

POLL_S = 0.05


class CountingPipeline:
    """Wraps a pipeline and measures how many runs execute at the same time."""

    def __init__(self, inner: Pipeline) -> None:
        self.inner = inner
        self.now = 0
        self.peak = 0

    async def run(
        self,
        spec: AssessmentInput,
        *,
        run_id: str,
        mode: Mode,
        cancellation: Cancellation | None,
        reuse: Mapping[str, AgentResult] | None = None,
    ) -> RunOutcome:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            return await self.inner.run(
                spec, run_id=run_id, mode=mode, cancellation=cancellation, reuse=reuse
            )
        finally:
            self.now -= 1


def scripted_pipeline(knowledge: Knowledge, hub: EventSink, *scripts: Script) -> Pipeline:
    agents: list[Agent] = [ScriptedAgent(f"agent_{i}", script) for i, script in enumerate(scripts)]
    return Pipeline(
        knowledge,
        Orchestrator(agents),
        hub,
        quorum=QuorumPolicy(min_ratio=0.5),
        report_formats=("md", "json", "csv"),
    )


@pytest.fixture
async def owner(db: Database) -> User:
    return await add_user(db, "ana@example.org")


@pytest.fixture
def queue_run(db: Database, owner: User, healthtech: dict[str, Any]) -> Callable[..., Awaitable[str]]:
    """A committed queued run of a new assessment of the health-tech example."""

    async def queue(mode: str = "parallel") -> str:
        async with db.session() as session:
            assessment = await AssessmentRepository(session).create(
                owner.id, name="Clinic portal", input=healthtech
            )
            run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode=mode)
            return run.id

    return queue


@pytest.fixture
async def make_runner(db: Database) -> AsyncIterator[Callable[..., InProcessRunner]]:
    """Builds runners over the test database; every one is stopped before the database is emptied."""
    runners: list[InProcessRunner] = []

    def make(
        pipeline_of: Callable[[EventHub], Any],
        *,
        max_concurrent_runs: int = 2,
        metrics: Metrics | None = None,
    ) -> InProcessRunner:
        hub = EventHub(db, poll_interval_s=POLL_S)
        runner = InProcessRunner(
            db,
            hub,
            pipeline_of(hub),
            metrics or Metrics(),
            max_concurrent_runs=max_concurrent_runs,
            poll_interval_s=POLL_S,
        )
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        await runner.stop()


async def load_run(db: Database, run_id: str) -> Run:
    """The whole row, `result` included (the runner's `RunRepository.load` leaves it out)."""
    async with db.session() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        return run


async def load_result(db: Database, run_id: str) -> dict[str, Any]:
    """The run's whole result document, as the API and the reports read it."""
    async with db.session() as session:
        result = await RunRepository(session).result(run_id)
        assert result is not None
        return result


async def wait_for_status(db: Database, run_id: str, *states: str, timeout_s: float = 30) -> Run:
    async def poll() -> Run:
        while True:
            run = await load_run(db, run_id)
            if run.status in states:
                return run
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), timeout_s)


async def collect(events: AsyncIterator[Event], timeout_s: float = 30) -> list[Event]:
    async def drain() -> list[Event]:
        return [event async for event in events]

    return await asyncio.wait_for(drain(), timeout_s)


async def loop_gaps_during(work: Awaitable[Any], every_s: float = 0.005) -> list[float]:
    """How long this loop took to come back, each time, to a task sleeping `every_s` while `work` ran."""
    gaps: list[float] = []

    async def sample() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(every_s)
            gaps.append(time.perf_counter() - started)

    sampler = asyncio.create_task(sample())
    try:
        await work
    finally:
        sampler.cancel()
    return gaps
