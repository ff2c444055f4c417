from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog.contextvars

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.events import EventType
from infra_mind.engine.orchestrator import Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs import EventHub, InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.models import User
from infra_mind.store.repositories import EventRepository, ResultRepository
from infra_mind.store.repositories.runs import RESULT_PARTS_STORED_APART

from ..engine.agents_for_tests import Script, ScriptedAgent
from .conftest import CountingPipeline, collect, load_result, load_run, scripted_pipeline, wait_for_status

QueueRun = Callable[..., Awaitable[str]]
MakeRunner = Callable[..., InProcessRunner]


def fast(knowledge: Knowledge, agents: int = 3, delay_s: float = 0.01) -> Callable[[EventHub], Pipeline]:
    return lambda hub: scripted_pipeline(knowledge, hub, *(Script(delay_s=delay_s) for _ in range(agents)))


async def test_a_submitted_run_completes_and_stores_results_events_and_reports(
    db: Database, owner: User, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    metrics = Metrics()
    runner = make_runner(fast(knowledge), metrics=metrics)
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)

    events = await collect(runner.subscribe(run_id))
    run = await load_run(db, run_id)
    assert run.status == "completed"
    assert run.attempts == 1
    assert run.result is not None
    assert run.result["status"] == "completed"
    assert run.metrics is not None
    assert run.metrics["total_agents"] == 3
    assert events[0].type is EventType.RUN_STARTED
    assert events[-1].type is EventType.RUN_COMPLETED
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    async with db.session() as session:
        stored = await EventRepository(session).since(owner.id, run_id)
        results = ResultRepository(session)
        agents = await results.agent_results(owner.id, run_id)
        recommendations = await results.recommendations(owner.id, run_id, limit=500)
        reports = await results.reports(owner.id, run_id)
    assert [(e.seq, e.type) for e in stored] == [(e.seq, e.type.value) for e in events]
    assert {a.agent: a.status for a in agents} == {f"agent_{i}": "completed" for i in range(3)}
    result = await load_result(db, run_id)
    assert RESULT_PARTS_STORED_APART.isdisjoint(run.result)
    assert list(result["agents"]) == [f"agent_{i}" for i in range(3)]
    ranked = [r.recommendation_id for r in recommendations.items]
    assert [r["id"] for r in result["recommendations"]] == ranked
    assert AssessmentResult.model_validate(result).status is RunStatus.COMPLETED
    assert {r.format for r in reports} == {"md", "json", "csv"}
    assert all(r.size > 0 for r in reports)
    assert metrics.registry.get_sample_value("infra_mind_runs_started_total", {"mode": "parallel"}) == 1
    finished = {"mode": "parallel", "status": "completed"}
    assert metrics.registry.get_sample_value("infra_mind_runs_finished_total", finished) == 1
    await asyncio.sleep(0.2)
    assert metrics.registry.get_sample_value("infra_mind_runs_in_flight") == 0
    assert metrics.registry.get_sample_value("infra_mind_queue_depth") == 0


async def test_never_more_runs_execute_than_the_bound(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    bound = 2
    counters: list[CountingPipeline] = []

    def pipeline_of(hub: EventHub) -> CountingPipeline:
        counters.append(CountingPipeline(fast(knowledge, delay_s=0.15)(hub)))
        return counters[-1]

    metrics = Metrics()
    runner = make_runner(pipeline_of, max_concurrent_runs=bound, metrics=metrics)
    run_ids = [await queue_run() for _ in range(bound + 3)]
    await runner.start()
    for run_id in run_ids:
        await runner.submit(run_id)
    in_flight_seen = []
    for run_id in run_ids:
        in_flight_seen.append(metrics.registry.get_sample_value("infra_mind_runs_in_flight"))
        await wait_for_status(db, run_id, "completed")
    assert counters[0].peak == bound
    assert max(v or 0 for v in in_flight_seen) <= bound


async def test_runs_are_taken_oldest_first(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    run_ids = [await queue_run() for _ in range(3)]
    runner = make_runner(fast(knowledge), max_concurrent_runs=1)
    await runner.start()
    for run_id in run_ids:
        await wait_for_status(db, run_id, "completed")
    started = [(await load_run(db, r)).started_at for r in run_ids]
    assert started == sorted(started)  # type: ignore[type-var]


async def test_cancelling_a_queued_run_cancels_it_at_once(
    db: Database, owner: User, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    runner = make_runner(fast(knowledge))  # not started: nothing takes the run
    run_id = await queue_run()

    assert await runner.cancel(run_id) == "cancelled"
    assert await runner.cancel(run_id) == "cancelled"
    assert await runner.cancel("no-such-run") is None
    run = await load_run(db, run_id)
    assert run.status == "cancelled"
    assert run.finished_at is not None
    events = await collect(runner.subscribe(run_id))
    assert [(e.type, e.data["reason"]) for e in events] == [(EventType.RUN_CANCELLED, "cancelled by request")]


async def test_cancelling_a_running_run_stops_it_cooperatively(
    db: Database, owner: User, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script(hang=True), Script()))
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    await wait_for_status(db, run_id, "running")

    assert await runner.cancel(run_id) == "running"
    run = await wait_for_status(db, run_id, "cancelled")
    events = await collect(runner.subscribe(run_id))
    assert events[-1].type is EventType.RUN_CANCELLED
    assert run.result is not None
    assert run.result["status"] == "cancelled"
    async with db.session() as session:
        assert await ResultRepository(session).reports(owner.id, run_id) == []


async def test_a_cancel_from_another_process_reaches_the_run_through_the_database(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    executing = make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script(hang=True)))
    elsewhere = make_runner(fast(knowledge))  # another process's runner: it never runs this run
    await executing.start()
    run_id = await queue_run()
    await wait_for_status(db, run_id, "running")

    assert await elsewhere.cancel(run_id) == "running"
    await wait_for_status(db, run_id, "cancelled")


async def test_an_agent_crash_still_ends_the_run_with_a_status_and_events(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    crash = Script(fail_with=RuntimeError("agent bug"))
    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, crash, Script(), Script()))
    await runner.start()
    run_id = await queue_run()

    events = await collect(runner.subscribe(run_id))
    run = await load_run(db, run_id)
    assert run.status == "partial"
    assert any(e.type is EventType.AGENT_FAILED and e.agent == "agent_0" for e in events)
    assert events[-1].type is EventType.RUN_COMPLETED
    assert events[-1].data["status"] == "partial"


async def test_a_quorum_failure_ends_failed_with_the_reason(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    crash = Script(fail_with=RuntimeError("agent bug"))
    runner = make_runner(lambda hub: scripted_pipeline(knowledge, hub, crash, crash, Script()))
    await runner.start()
    run_id = await queue_run()

    events = await collect(runner.subscribe(run_id))
    run = await load_run(db, run_id)
    assert run.status == "failed"
    assert run.error is not None
    assert run.error.startswith("quorum not met: 1 of 3 agents completed")
    assert events[-1].type is EventType.RUN_FAILED


class CrashingPipeline:
    async def run(self, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")


async def test_a_pipeline_crash_fails_the_run_visibly(
    db: Database, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    metrics = Metrics()
    runner = make_runner(lambda hub: CrashingPipeline(), metrics=metrics)
    await runner.start()
    run_id = await queue_run(mode="sequential")

    events = await collect(runner.subscribe(run_id))
    run = await load_run(db, run_id)
    assert run.status == "failed"
    assert run.error == "OSError('disk full')"
    assert [e.type for e in events] == [EventType.RUN_FAILED]
    assert events[0].data == {"status": "failed", "error": "OSError('disk full')", "code": "internal_error"}
    failed = {"mode": "sequential", "status": "failed"}
    assert metrics.registry.get_sample_value("infra_mind_runs_finished_total", failed) == 1


async def test_stop_puts_runs_in_flight_back_in_the_queue_without_counting_an_attempt(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    stopping = make_runner(lambda hub: scripted_pipeline(knowledge, hub, Script(hang=True)))
    await stopping.start()
    run_id = await queue_run()
    await wait_for_status(db, run_id, "running")

    await stopping.stop()
    run = await load_run(db, run_id)
    assert (run.status, run.attempts) == ("queued", 0)

    await make_runner(fast(knowledge)).start()
    run = await wait_for_status(db, run_id, "completed")
    assert run.attempts == 1


async def test_every_log_line_of_a_run_carries_its_id(
    db: Database, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    """What an agent logs goes through structlog's context, bound by the runner for the run's task."""
    seen: list[str | None] = []

    class Recording(ScriptedAgent):
        async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
            seen.append(structlog.contextvars.get_contextvars().get("run_id"))
            return await super().run(ctx, progress)

    def pipeline(hub: EventHub) -> Pipeline:
        agents: list[Agent] = [Recording("recording"), ScriptedAgent("plain")]
        return Pipeline(knowledge, Orchestrator(agents), hub, quorum=QuorumPolicy(min_ratio=0.5))

    runner = make_runner(pipeline)
    await runner.start()
    run_id = await queue_run()
    await runner.submit(run_id)
    await wait_for_status(db, run_id, "completed")
    assert seen == [run_id]
