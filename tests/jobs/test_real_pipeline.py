from __future__ import annotations

from collections.abc import Awaitable, Callable

from infra_mind.config import Settings
from infra_mind.domain.events import EventType
from infra_mind.jobs import build_in_process_runner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.reports.render import FORMATS
from infra_mind.store.db import Database
from infra_mind.store.models import User
from infra_mind.store.repositories import ResultRepository

from .conftest import POLL_S, collect, load_result, load_run

QueueRun = Callable[..., Awaitable[str]]


async def test_the_real_pipeline_runs_the_healthtech_example_to_every_report_format(
    db: Database, owner: User, knowledge: Knowledge, queue_run: QueueRun
) -> None:
    settings = Settings(llm_provider="offline", llm_cache_enabled=False, live_prices="off")
    metrics = Metrics()
    runner, pipeline = build_in_process_runner(settings, db, knowledge, metrics, poll_interval_s=POLL_S)
    await runner.start()
    try:
        run_id = await queue_run()
        await runner.submit(run_id)
        events = await collect(runner.subscribe(run_id), timeout_s=120)
    finally:
        await runner.stop()
        await pipeline.aclose()

    run = await load_run(db, run_id)
    assert run.status in {"completed", "partial"}, run.error
    assert run.result is not None
    assert run.result["assessment_id"] == run_id
    assert events[-1].type is EventType.RUN_COMPLETED
    async with db.session() as session:
        results = ResultRepository(session)
        agents = await results.agent_results(owner.id, run_id)
        recommendations = await results.recommendations(owner.id, run_id)
        reports = await results.reports(owner.id, run_id)
    assert {a.agent for a in agents} == set(pipeline.agent_names)
    result = await load_result(db, run_id)
    assert set(result["agents"]) == set(pipeline.agent_names)
    assert recommendations.total == len(result["recommendations"]) > 0
    assert {r.format for r in reports} == set(FORMATS)
    pdf = next(r for r in reports if r.format == "pdf")
    assert pdf.media_type == "application/pdf"
    assert pdf.content is not None
    assert pdf.content[:5] == b"%PDF-"
    finished = {"mode": "parallel", "status": run.status}
    assert metrics.registry.get_sample_value("infra_mind_runs_finished_total", finished) == 1
