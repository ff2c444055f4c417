"""Reports that cannot be stored (the database's disk is full) leave the run's data behind: the run ends
with its status, results and recommendations, and an error that says the reports were not stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.orchestrator import Cancellation, Mode
from infra_mind.engine.pipeline import Pipeline, RunOutcome
from infra_mind.jobs import EventHub, InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.reports.render import RenderedReport
from infra_mind.store.db import Database
from infra_mind.store.migrate import upgrade_to_head
from infra_mind.store.repositories import AssessmentRepository, ResultRepository, RunRepository

from ..engine.agents_for_tests import Script
from ..store.conftest import add_user
from .conftest import POLL_S, scripted_pipeline, wait_for_status

pytestmark = pytest.mark.reliability

# SQLite refuses to grow the file past this many pages with SQLITE_FULL, the error of a full disk.
PAGE_LIMIT = 2048
OVERSIZED_REPORT = 32 * 1024 * 1024


class OversizedReports:
    """The real pipeline's outcome with one more report, larger than the space the database has left."""

    def __init__(self, inner: Pipeline) -> None:
        self.inner = inner

    async def run(
        self,
        spec: AssessmentInput,
        *,
        run_id: str,
        mode: Mode,
        cancellation: Cancellation | None,
        reuse: Mapping[str, AgentResult] | None = None,
    ) -> RunOutcome:
        outcome = await self.inner.run(spec, run_id=run_id, mode=mode, cancellation=cancellation, reuse=reuse)
        huge = RenderedReport("technical", "pdf", b"%PDF-" + b"\0" * OVERSIZED_REPORT)
        return replace(outcome, reports=[*outcome.reports, huge])


@pytest.fixture
async def capped_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'capped.db'}")
    await upgrade_to_head(database.url)

    def cap(connection: Any, _: Any) -> None:
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA max_page_count={PAGE_LIMIT}")
        cursor.close()

    # Every engine's connections, the writer thread's included.
    event.listen(Engine, "connect", cap)
    try:
        yield database
    finally:
        await database.dispose()
        event.remove(Engine, "connect", cap)


async def test_a_run_whose_reports_cannot_be_stored_keeps_its_data_and_says_why(
    capped_db: Database, knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    owner = await add_user(capped_db, "ana@example.org")
    async with capped_db.session() as session:
        assessment = await AssessmentRepository(session).create(owner.id, name="Clinic", input=healthtech)
        queued, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="parallel")
    hub = EventHub(capped_db, poll_interval_s=POLL_S)
    pipeline = OversizedReports(scripted_pipeline(knowledge, hub, Script(), Script(), Script()))
    runner = InProcessRunner(capped_db, hub, pipeline, Metrics(), poll_interval_s=POLL_S)
    await runner.start()
    try:
        await runner.submit(queued.id)
        run = await wait_for_status(capped_db, queued.id, "completed", "partial", "failed")
    finally:
        await runner.stop()

    assert run.status == "completed"
    assert run.error is not None
    assert run.error.startswith("the reports were not stored (database or disk is full)")
    async with capped_db.session() as session:
        results = ResultRepository(session)
        agents = await results.agent_results(owner.id, run.id)
        recommendations = await results.recommendations(owner.id, run.id, limit=500)
        reports = await results.reports(owner.id, run.id)
        stored = await RunRepository(session).result(run.id)
    assert {a.agent: a.status for a in agents} == {f"agent_{i}": "completed" for i in range(3)}
    assert stored is not None
    assert recommendations.total == len(stored["recommendations"])
    assert reports == []
