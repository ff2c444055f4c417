from __future__ import annotations

from collections.abc import Awaitable, Callable

from infra_mind.agents.base import Agent
from infra_mind.domain.events import EventType
from infra_mind.engine.orchestrator import Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs import EventHub, InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.store.db import Database
from infra_mind.store.models import Assessment, User
from infra_mind.store.repositories import AssessmentRepository, ResultRepository, RunRepository

from ..engine.agents_for_tests import Script, ScriptedAgent
from .conftest import collect, load_result, load_run

QueueRun = Callable[..., Awaitable[str]]
MakeRunner = Callable[..., InProcessRunner]


def agents_failing_first() -> list[ScriptedAgent]:
    return [
        ScriptedAgent("agent_0", Script(fail_with=RuntimeError("catalog unreadable"))),
        ScriptedAgent("agent_1"),
        ScriptedAgent("agent_2"),
    ]


def pipeline_of(knowledge: Knowledge, agents: list[ScriptedAgent]) -> Callable[[EventHub], Pipeline]:
    team: list[Agent] = list(agents)
    return lambda hub: Pipeline(
        knowledge, Orchestrator(team), hub, quorum=QuorumPolicy(min_ratio=0.5), report_formats=("md", "json")
    )


async def queue_rerun(db: Database, source_run_id: str) -> str:
    async with db.session() as session:
        source = await RunRepository(session).load(source_run_id)
        assert source is not None
        assessment = await session.get(Assessment, source.assessment_id)
        assert assessment is not None
        run, _ = await RunRepository(session).create(
            assessment.owner_id, assessment.id, mode=source.mode, rerun_of=source.id
        )
        return run.id


async def run_to_the_end(runner: InProcessRunner, run_id: str) -> list[EventType]:
    await runner.submit(run_id)
    return [event.type for event in await collect(runner.subscribe(run_id))]


async def test_a_rerun_runs_only_the_failed_agent_and_stores_a_complete_result(
    db: Database, owner: User, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    agents = agents_failing_first()
    runner = make_runner(pipeline_of(knowledge, agents))
    await runner.start()
    source_id = await queue_run()
    await run_to_the_end(runner, source_id)
    assert (await load_run(db, source_id)).status == "partial"

    agents[0].script.fail_with = None
    rerun_id = await queue_rerun(db, source_id)
    await runner.submit(rerun_id)
    events = await collect(runner.subscribe(rerun_id))

    assert [agent.calls for agent in agents] == [2, 1, 1]
    rerun = await load_run(db, rerun_id)
    assert rerun.status == "completed"
    assert rerun.rerun_of == source_id
    assert rerun.result is not None
    assert rerun.result["status"] == "completed"
    assert rerun.metrics is not None
    assert rerun.metrics["completed_agents"] == 3
    reused = {e.agent for e in events if e.type is EventType.AGENT_COMPLETED and e.data.get("reused")}
    assert reused == {"agent_1", "agent_2"}
    assert [e.agent for e in events if e.type is EventType.AGENT_STARTED] == ["agent_0"]
    assert events[-1].type is EventType.RUN_COMPLETED
    async with db.session() as session:
        results = ResultRepository(session)
        stored = await results.agent_results(owner.id, rerun_id)
        recommendations = await results.recommendations(owner.id, rerun_id, limit=500)
        reports = await results.reports(owner.id, rerun_id)
        source_results = await results.agent_results(owner.id, source_id)
    assert {row.agent: row.status for row in stored} == {f"agent_{i}": "completed" for i in range(3)}
    result = await load_result(db, rerun_id)
    assert set(result["agents"]) == {f"agent_{i}" for i in range(3)}
    assert len(result["recommendations"]) == recommendations.total
    assert {(r.kind, r.format) for r in reports} >= {("executive", "md"), ("executive", "json")}
    assert {row.agent: row.status for row in source_results}["agent_0"] == "failed"


async def test_a_rerun_of_an_edited_assessment_runs_every_agent_again(
    db: Database, owner: User, knowledge: Knowledge, queue_run: QueueRun, make_runner: MakeRunner
) -> None:
    agents = agents_failing_first()
    runner = make_runner(pipeline_of(knowledge, agents))
    await runner.start()
    source_id = await queue_run()
    await run_to_the_end(runner, source_id)
    source = await load_run(db, source_id)
    async with db.session() as session:
        assessment = await AssessmentRepository(session).get(owner.id, source.assessment_id)
        assert assessment is not None
        await AssessmentRepository(session).update(owner.id, assessment.id, input=assessment.input)

    agents[0].script.fail_with = None
    rerun_id = await queue_rerun(db, source_id)
    types = await run_to_the_end(runner, rerun_id)

    assert [agent.calls for agent in agents] == [2, 2, 2]
    assert types.count(EventType.AGENT_STARTED) == 3
    assert (await load_run(db, rerun_id)).status == "completed"
