"""Reading a finished run for the dashboard without loading its whole result.

A run's agent outputs are megabytes (the web research alone is about 1 MB) and live in `agent_results`;
the dashboard reads only the outputs of the agents its sections need from there, with `runs.result`
(tens of kilobytes: the agents and recommendations are not in it) for the members it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from infra_mind.domain.assessment import AssessmentResult
from infra_mind.errors import NotFound
from infra_mind.store.models import AgentResultRow, Assessment, Run
from infra_mind.store.repositories import ResultRepository
from infra_mind.store.repositories.results import AgentOutcome

TOP_LEVEL_KEYS = ("assessment_id", "status", "quorum", "validation", "cost_model", "compliance")


@dataclass(frozen=True)
class OwnedRun:
    run: Run
    assessment: Assessment


async def owned_run_brief(session: AsyncSession, owner_id: str, run_id: str) -> OwnedRun:
    """The caller's run and its assessment, without `runs.result`; someone else's run is a 404."""
    query = (
        select(Run, Assessment)
        .join(Assessment, Assessment.id == Run.assessment_id)
        .where(Run.id == run_id, Run.owner_id == owner_id)
        .options(defer(Run.result, raiseload=True))
    )
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"no run {run_id}")
    return OwnedRun(run=row[0], assessment=row[1])


async def agent_rows(
    session: AsyncSession, owner_id: str, run_id: str, order: tuple[str, ...]
) -> list[AgentOutcome]:
    """Each stored agent's state, attempts and duration, in the registry's order."""
    rows = await ResultRepository(session).agent_outcomes(owner_id, run_id)
    rank = {name: i for i, name in enumerate(order)}
    return sorted(rows, key=lambda row: (rank.get(row.agent, len(rank)), row.agent))


async def partial_result(session: AsyncSession, run: Run, agents: tuple[str, ...]) -> AssessmentResult | None:
    """The run's result with only `agents` and no recommendations; None when the run stored none.

    Enough for the report sections that read nothing else (see `dashboard.SECTION_AGENTS`).
    """
    if run.metrics is None:
        return None
    stored = await session.scalar(select(Run.result).where(Run.id == run.id))
    if stored is None or stored.get("quorum") is None:
        return None
    outputs = await session.execute(
        select(AgentResultRow.agent, AgentResultRow.data).where(
            AgentResultRow.run_id == run.id, AgentResultRow.agent.in_(agents)
        )
    )
    values = {key: stored.get(key) for key in TOP_LEVEL_KEYS}
    return AssessmentResult.model_validate(
        values | {"agents": dict(outputs.all()), "recommendations": [], "execution_metrics": run.metrics}
    )
