"""What the database holds of finished runs, checked for duplicates: one row per agent, recommendations
ranked 1..n once, one report per kind and format."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from infra_mind.store.db import Database
from infra_mind.store.models import AgentResultRow, RecommendationRow, Report, Run

AGENTS = 11


async def assert_stored_once(database: Database, run_id: str) -> Run:
    async with database.session() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        agents = (
            await session.scalars(select(AgentResultRow.agent).where(AgentResultRow.run_id == run_id))
        ).all()
        ranks = (
            await session.scalars(select(RecommendationRow.rank).where(RecommendationRow.run_id == run_id))
        ).all()
        reports = (
            await session.execute(select(Report.kind, Report.format).where(Report.run_id == run_id))
        ).all()
    if run.status in ("completed", "partial"):
        assert len(agents) == AGENTS, (run_id, sorted(agents))
    assert not [a for a, n in Counter(agents).items() if n > 1], f"agent results duplicated: {agents}"
    assert sorted(ranks) == list(range(1, len(ranks) + 1)), f"recommendations duplicated: {sorted(ranks)}"
    assert not [r for r, n in Counter(reports).items() if n > 1], f"reports duplicated: {reports}"
    return run
