from __future__ import annotations

import pytest
from sqlalchemy.exc import InvalidRequestError

from infra_mind.store.db import Database
from infra_mind.store.models import Run
from infra_mind.store.repositories import ChatRepository, ResultRepository, RunRepository
from infra_mind.store.repositories.results import RenderedReport

from .conftest import add_assessment, add_user, recommendation


async def _run(db: Database, email: str = "ana@example.org") -> tuple[str, Run]:
    user = await add_user(db, email)
    assessment = await add_assessment(db, user)
    async with db.session() as session:
        run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="parallel")
    return user.id, run


async def test_agent_results_are_replaced_per_agent_and_private(db: Database) -> None:
    owner, run = await _run(db)
    stranger = (await add_user(db, "ben@example.org")).id
    async with db.session() as session:
        results = ResultRepository(session)
        await results.save_agent_result(
            run.id, "cto", status="timed_out", attempts=3, duration_s=30.0, data={}
        )
        await results.save_agent_result(
            run.id, "cto", status="completed", attempts=1, duration_s=2.5, data={"a": 1}
        )
        await results.save_agent_result(
            run.id, "compliance", status="failed", attempts=3, duration_s=None, data={}
        )
    async with db.session() as session:
        results = ResultRepository(session)
        rows = await results.agent_results(owner, run.id)
        assert [(r.agent, r.status, r.data) for r in rows] == [
            ("compliance", "failed", {}),
            ("cto", "completed", {"a": 1}),
        ]
        assert await results.agent_results(stranger, run.id) == []


async def test_agent_outcomes_carry_each_agents_error_message_and_stay_private(db: Database) -> None:
    owner, run = await _run(db)
    stranger = (await add_user(db, "ben@example.org")).id
    async with db.session() as session:
        results = ResultRepository(session)
        await results.save_agent_result(
            run.id, "cto", status="completed", attempts=1, duration_s=2.5, data={"findings": ["x" * 1000]}
        )
        await results.save_agent_result(
            run.id,
            "security",
            status="failed",
            attempts=3,
            duration_s=None,
            data={"error": {"kind": "timeout", "message": "no answer in 30 s"}},
        )
    async with db.session() as session:
        results = ResultRepository(session)
        assert await results.agent_outcomes(owner, run.id) == [
            ("cto", "completed", 1, 2.5, None),
            ("security", "failed", 3, None, "no answer in 30 s"),
        ]
        assert await results.agent_outcomes(stranger, run.id) == []


async def test_a_runs_result_is_read_on_its_own_not_with_the_run(db: Database) -> None:
    owner, run = await _run(db)
    async with db.session() as session:
        stored = await RunRepository(session).load(run.id)
        assert stored is not None
        stored.result = {"summary": "s" * 10_000}
    async with db.session() as session:
        runs = RunRepository(session)
        fetched = await runs.get(owner, run.id)
        assert fetched is not None
        with pytest.raises(InvalidRequestError):
            _ = fetched.result
        assert (await runs.result(run.id) or {})["summary"] == "s" * 10_000


async def test_completed_agent_results_are_only_the_completed_ones_of_that_run(db: Database) -> None:
    _, run = await _run(db)
    _, other = await _run(db, "ben@example.org")
    async with db.session() as session:
        results = ResultRepository(session)
        for agent, status in (("cto", "completed"), ("security", "failed"), ("mlops", "timed_out")):
            await results.save_agent_result(
                run.id, agent, status=status, attempts=1, duration_s=1.0, data={"agent": agent}
            )
        await results.save_agent_result(
            other.id, "research", status="completed", attempts=1, duration_s=1.0, data={"agent": "research"}
        )
    async with db.session() as session:
        assert await ResultRepository(session).completed_agent_results(run.id) == {"cto": {"agent": "cto"}}


async def test_recommendations_filter_by_priority_pillar_and_agent_in_rank_order(db: Database) -> None:
    owner, run = await _run(db)
    recommendations = [
        recommendation(1, "critical", "security", ["security", "compliance"]),
        recommendation(2, "high", "cost", ["cto"]),
        recommendation(3, "critical", "reliability", ["infrastructure", "security"]),
    ]
    async with db.session() as session:
        assert await ResultRepository(session).save_recommendations(run.id, recommendations) == 3
    async with db.session() as session:
        results = ResultRepository(session)
        every = await results.recommendations(owner, run.id)
        assert [r.rank for r in every.items] == [1, 2, 3]
        assert every.items[0].data == recommendations[0]
        assert [
            r.recommendation_id
            for r in (await results.recommendations(owner, run.id, priority="critical")).items
        ] == ["rec-1", "rec-3"]
        assert [
            r.recommendation_id for r in (await results.recommendations(owner, run.id, pillar="cost")).items
        ] == ["rec-2"]
        by_agent = await results.recommendations(owner, run.id, agent="security", limit=1)
        assert (by_agent.total, [r.recommendation_id for r in by_agent.items]) == (2, ["rec-1"])
    async with db.session() as session:
        await ResultRepository(session).save_recommendations(run.id, recommendations[1:2])
    async with db.session() as session:
        assert (await ResultRepository(session).recommendations(owner, run.id, agent="security")).total == 0


async def test_reports_hold_bytes_or_a_path_one_per_kind_and_format(db: Database) -> None:
    owner, run = await _run(db)
    async with db.session() as session:
        results = ResultRepository(session)
        await results.save_report(
            run.id, kind="full", format="md", media_type="text/markdown", content=b"# old"
        )
        await results.save_report(
            run.id, kind="full", format="md", media_type="text/markdown", content=b"# Plan"
        )
        await results.save_report(
            run.id,
            kind="full",
            format="pdf",
            media_type="application/pdf",
            path="/var/lib/im/r.pdf",
            size=2048,
        )
        with pytest.raises(ValueError, match="exactly one"):
            await results.save_report(run.id, kind="full", format="html", media_type="text/html")
    async with db.session() as session:
        results = ResultRepository(session)
        markdown = await results.report(owner, run.id, kind="full", format="md")
        assert markdown is not None
        assert (markdown.content, markdown.size) == (b"# Plan", 6)
        assert [(r.format, r.size) for r in await results.reports(owner, run.id)] == [
            ("md", 6),
            ("pdf", 2048),
        ]
        stranger = (await add_user(db, "ben@example.org")).id
        assert await results.report(stranger, run.id, kind="full", format="md") is None


async def test_chat_history_is_the_latest_messages_oldest_first_for_the_owner_only(db: Database) -> None:
    owner, run = await _run(db)
    async with db.session() as session:
        chat = ChatRepository(session)
        for n in range(5):
            await chat.add(
                run.assessment_id, role="user" if n % 2 == 0 else "assistant", text=f"m{n}", run_id=run.id
            )
    async with db.session() as session:
        chat = ChatRepository(session)
        assert [m.text for m in await chat.history(owner, run.assessment_id, last=3)] == ["m2", "m3", "m4"]
        stranger = (await add_user(db, "ben@example.org")).id
        assert await chat.history(stranger, run.assessment_id) == []


async def test_a_runs_rendered_reports_replace_only_the_same_kinds_and_formats(db: Database) -> None:
    owner, run = await _run(db)
    async with db.session() as session:
        results = ResultRepository(session)
        await results.save_rendered_reports(
            run.id,
            [
                RenderedReport("full", "md", "text/markdown", b"# old"),
                RenderedReport("full", "json", "application/json", b"{}"),
            ],
        )
    async with db.session() as session:
        results = ResultRepository(session)
        await results.save_rendered_reports(
            run.id,
            [
                RenderedReport("full", "md", "text/markdown", b"# Plan"),
                RenderedReport("executive", "md", "text/markdown", b"# Brief"),
            ],
        )
        await results.save_rendered_reports(run.id, [])
    async with db.session() as session:
        stored = await ResultRepository(session).reports(owner, run.id)
    assert [(r.kind, r.format, r.content, r.size) for r in stored] == [
        ("executive", "md", b"# Brief", 7),
        ("full", "json", b"{}", 2),
        ("full", "md", b"# Plan", 6),
    ]
