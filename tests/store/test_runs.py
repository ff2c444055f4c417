from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from infra_mind.errors import Conflict, NotFound, RunAlreadyActive
from infra_mind.store.db import Database
from infra_mind.store.models import Assessment, Run, RunState
from infra_mind.store.repositories import AssessmentRepository, ResultRepository, RunRepository
from infra_mind.store.repositories.results import AgentResultValues
from infra_mind.store.types import JsonText

from .conftest import add_assessment, add_user, recommendation


async def _create(db: Database, assessment: Assessment, key: str | None = None) -> tuple[str, bool]:
    async with db.session() as session:
        run, created = await RunRepository(session).create(
            assessment.owner_id, assessment.id, mode="parallel", idempotency_key=key
        )
        return run.id, created


async def _finish(db: Database, run_id: str) -> None:
    async with db.session() as session:
        runs = RunRepository(session)
        await runs.transition(run_id, RunState.RUNNING)
        await runs.store_result(run_id, result={"status": "completed"}, metrics={"wall_s": 1.5})
        await runs.transition(run_id, RunState.COMPLETED)


async def test_a_repeated_idempotency_key_returns_the_same_run(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessment = await add_assessment(db, ana)
    first = await _create(db, assessment, key="k-1")
    assert first[1]
    assert await _create(db, assessment, key="k-1") == (first[0], False)
    await _finish(db, first[0])
    assert await _create(db, assessment, key="k-1") == (first[0], False)


async def test_idempotency_keys_belong_to_their_owner(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    ben = await add_user(db, "ben@example.org")
    run_a, _ = await _create(db, await add_assessment(db, ana), key="same")
    run_b, created = await _create(db, await add_assessment(db, ben), key="same")
    assert created
    assert run_b != run_a


async def test_an_active_run_blocks_another_until_it_finishes(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessment = await add_assessment(db, ana)
    run_id, _ = await _create(db, assessment)
    with pytest.raises(RunAlreadyActive) as refused:
        await _create(db, assessment, key="new-key")
    assert refused.value.run_id == run_id
    assert refused.value.status_code == 409
    async with db.session() as session:
        active = await RunRepository(session).active_run(ana.id, assessment.id)
        assert active is not None
        assert active.id == run_id
    await _finish(db, run_id)
    async with db.session() as session:
        assert await RunRepository(session).active_run(ana.id, assessment.id) is None
    assert (await _create(db, assessment))[1]


async def test_concurrent_requests_start_exactly_one_run(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessment = await add_assessment(db, ana)
    outcomes = await asyncio.gather(
        *(_create(db, assessment, key=f"k-{n}") for n in range(8)), return_exceptions=True
    )
    started = [o for o in outcomes if isinstance(o, tuple)]
    assert len(started) == 1
    assert all(isinstance(o, RunAlreadyActive) for o in outcomes if not isinstance(o, tuple))


async def test_transitions_follow_the_lifecycle_and_stamp_times(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    run_id, _ = await _create(db, await add_assessment(db, ana))
    async with db.session() as session:
        runs = RunRepository(session)
        with pytest.raises(Conflict):
            await runs.transition(run_id, RunState.COMPLETED)
        running = await runs.transition(run_id, RunState.RUNNING)
        assert running.started_at is not None
        failed = await runs.transition(run_id, RunState.FAILED, error="quorum not met")
        assert failed.finished_at is not None
        assert failed.error == "quorum not met"
        for later in (RunState.RUNNING, RunState.CANCELLED, RunState.QUEUED):
            with pytest.raises(Conflict):
                await runs.transition(run_id, later)
        with pytest.raises(Conflict):
            await runs.transition("no-such-run", RunState.RUNNING)


async def test_the_runner_sees_queued_and_stranded_runs_oldest_first(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    first, _ = await _create(db, await add_assessment(db, ana, name="one"))
    second, _ = await _create(db, await add_assessment(db, ana, name="two"))
    async with db.session() as session:
        runs = RunRepository(session)
        assert [r.id for r in await runs.in_state(RunState.QUEUED)] == [first, second]
        await runs.transition(first, RunState.RUNNING)
    async with db.session() as session:
        runs = RunRepository(session)
        [stranded] = await runs.in_state(RunState.RUNNING)
        requeued = await runs.transition(stranded.id, RunState.QUEUED)
        assert requeued.started_at is None


async def test_runs_of_another_user_are_invisible(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    ben = await add_user(db, "ben@example.org")
    assessment = await add_assessment(db, ana)
    run_id, _ = await _create(db, assessment)
    async with db.session() as session:
        runs = RunRepository(session)
        assert await runs.get(ben.id, run_id) is None
        assert await runs.active_run(ben.id, assessment.id) is None
        assert (await runs.list_for_assessment(ben.id, assessment.id)).total == 0
        assert (await runs.list_for_assessment(ana.id, assessment.id)).total == 1


async def test_only_the_owner_can_queue_a_run_of_an_assessment(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    ben = await add_user(db, "ben@example.org")
    assessment = await add_assessment(db, ana)
    for owner_id, assessment_id in ((ben.id, assessment.id), (ana.id, "no-such-assessment")):
        with pytest.raises(NotFound):
            async with db.session() as session:
                await RunRepository(session).create(owner_id, assessment_id, mode="parallel")
    async with db.session() as session:
        assert (await RunRepository(session).list_for_assessment(ana.id, assessment.id)).total == 0


async def test_a_run_records_the_assessment_version_it_was_requested_for(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessment = await add_assessment(db, ana)
    first, _ = await _create(db, assessment)
    await _finish(db, first)
    async with db.session() as session:
        edited = await AssessmentRepository(session).update(ana.id, assessment.id, input={"name": "v2"})
        assert edited is not None
        rerun, _ = await RunRepository(session).create(
            edited.owner_id, edited.id, mode="parallel", rerun_of=first
        )
        rerun_id = rerun.id
    async with db.session() as session:
        runs = RunRepository(session)
        versions = [(await runs.load(run_id)) for run_id in (first, rerun_id)]
    assert [(r.assessment_version, r.rerun_of) for r in versions if r] == [(1, None), (2, first)]


async def test_a_result_dumped_to_json_beforehand_is_stored_as_the_same_document(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    document = {"status": "completed", "quorum": {"met": True, "notes": ["a", "b"]}, "cost": 1.5}
    assessment = await add_assessment(db, ana)
    async with db.session() as session:
        runs = RunRepository(session)
        run, _ = await runs.create(assessment.owner_id, assessment.id, mode="parallel")
        await runs.store_result(run.id, result=JsonText(json.dumps(document)), metrics={"mode": "parallel"})
    async with db.session() as session:
        assert await RunRepository(session).result(run.id) == document | {"agents": {}, "recommendations": []}


async def test_the_result_is_read_back_whole_with_agents_and_recommendations_from_their_tables(
    db: Database,
) -> None:
    ana = await add_user(db, "ana@example.org")
    agents = {"security": {"agent": "security", "n": 2}, "cto": {"agent": "cto", "n": 1}}
    ranked = [recommendation(n) for n in (1, 2, 3)]
    assessment = await add_assessment(db, ana)
    async with db.session() as session:
        runs, results = RunRepository(session), ResultRepository(session)
        run, _ = await runs.create(assessment.owner_id, assessment.id, mode="parallel")
        await results.save_agent_results(
            run.id, [AgentResultValues(name, "completed", 1, 0.5, data) for name, data in agents.items()]
        )
        await results.save_recommendations(run.id, ranked)
        await runs.store_result(run.id, result={"status": "completed"}, metrics={"mode": "parallel"})
    async with db.session() as session:
        whole = await RunRepository(session).result(run.id)
        stored = await session.scalar(select(Run.result).where(Run.id == run.id))
    assert whole == {"status": "completed", "agents": agents, "recommendations": ranked}
    assert list(whole["agents"]) == ["security", "cto"]
    assert stored == {"status": "completed"}
