from __future__ import annotations

import pytest
from sqlalchemy import func, select

from infra_mind.errors import Conflict
from infra_mind.store.db import Database
from infra_mind.store.models import AgentResultRow, ChatMessage, EventRow, Run, RunState
from infra_mind.store.repositories import (
    AssessmentRepository,
    ChatRepository,
    EventRepository,
    ResultRepository,
    RunRepository,
)

from .conftest import add_assessment, add_user


async def test_another_users_assessment_is_invisible_and_untouchable(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    ben = await add_user(db, "ben@example.org")
    mine = await add_assessment(db, ana)
    async with db.session() as session:
        repo = AssessmentRepository(session)
        assert await repo.get(ben.id, mine.id) is None
        assert await repo.update(ben.id, mine.id, name="taken") is None
        assert not await repo.delete(ben.id, mine.id)
        assert (await repo.list(ben.id)).total == 0
        still = await repo.get(ana.id, mine.id)
        assert still is not None
        assert still.name == "Clinic portal"


async def test_pages_come_newest_first_with_the_total(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    for n in range(7):
        await add_assessment(db, ana, name=f"assessment {n}")
    async with db.session() as session:
        repo = AssessmentRepository(session)
        first = await repo.list(ana.id, limit=3)
        last = await repo.list(ana.id, limit=3, offset=6)
    assert first.total == last.total == 7
    assert [a.name for a in first.items] == ["assessment 6", "assessment 5", "assessment 4"]
    assert [a.name for a in last.items] == ["assessment 0"]


async def test_filters_by_name_and_by_the_latest_runs_status(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    portal = await add_assessment(db, ana, name="Clinic portal")
    await add_assessment(db, ana, name="Payments 100%_ready")
    async with db.session() as session:
        await RunRepository(session).create(portal.owner_id, portal.id, mode="parallel")
    async with db.session() as session:
        repo = AssessmentRepository(session)
        assert [a.name for a in (await repo.list(ana.id, name_contains="clinic")).items] == ["Clinic portal"]
        assert [a.name for a in (await repo.list(ana.id, name_contains="100%_")).items] == [
            "Payments 100%_ready"
        ]
        assert (await repo.list(ana.id, name_contains="0%x")).total == 0
        assert [a.id for a in (await repo.list(ana.id, status="queued")).items] == [portal.id]
        assert (await repo.list(ana.id, status="completed")).total == 0


async def test_updates_bump_the_version_and_refuse_a_stale_one(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessment = await add_assessment(db, ana)
    async with db.session() as session:
        updated = await AssessmentRepository(session).update(
            ana.id, assessment.id, input={"name": "v2"}, expected_version=1
        )
        assert updated is not None
        assert updated.version == 2
    with pytest.raises(Conflict):
        async with db.session() as session:
            await AssessmentRepository(session).update(ana.id, assessment.id, name="late", expected_version=1)


async def test_deleting_an_assessment_deletes_its_runs_and_everything_under_them(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    assessment = await add_assessment(db, ana)
    async with db.session() as session:
        run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="parallel")
        await EventRepository(session).append(run.id, "run.queued", {})
        await ResultRepository(session).save_agent_result(
            run.id, "cto", status="completed", attempts=1, duration_s=0.2, data={}
        )
        await ChatRepository(session).add(assessment.id, role="user", text="why?", run_id=run.id)
        await RunRepository(session).transition(run.id, RunState.RUNNING)
    async with db.session() as session:
        assert await AssessmentRepository(session).delete(ana.id, assessment.id)
    async with db.session() as session:
        for table in (Run, EventRow, AgentResultRow, ChatMessage):
            assert (await session.execute(select(func.count()).select_from(table))).scalar_one() == 0
