"""Reading a finished run for the dashboard without loading its whole result.

A run's agent outputs are megabytes (the web research alone is about 1 MB) and live in `agent_results`;
the dashboard reads only the outputs of the agents its sections need from there, and asks for the few
top-level members of `runs.result` it shows; the rest never leaves the database on this path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Text, column, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from infra_mind.domain.assessment import AssessmentResult
from infra_mind.errors import NotFound
from infra_mind.store.models import AgentResultRow, Assessment, Run
from infra_mind.store.repositories import ResultRepository
from infra_mind.store.repositories.results import AgentOutcome

SCALAR_KEYS = ("assessment_id", "status")
OBJECT_KEYS = ("quorum", "validation", "cost_model", "compliance")


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
    top = await _top_level(session, run.id, SCALAR_KEYS + OBJECT_KEYS)
    if top.get("quorum") is None:
        return None
    outputs = await session.execute(
        select(AgentResultRow.agent, AgentResultRow.data).where(
            AgentResultRow.run_id == run.id, AgentResultRow.agent.in_(agents)
        )
    )
    values: dict[str, Any] = {key: top.get(key) for key in SCALAR_KEYS}
    for key in OBJECT_KEYS:
        text = top.get(key)
        values[key] = json.loads(text) if text is not None else None
    return AssessmentResult.model_validate(
        values | {"agents": dict(outputs.all()), "recommendations": [], "execution_metrics": run.metrics}
    )


async def _top_level(session: AsyncSession, run_id: str, keys: tuple[str, ...]) -> dict[str, str | None]:
    """Top-level members of `runs.result` as text (strings unquoted, objects as JSON), in one pass.

    One `json_each` reads the document once; a `->` per key would parse the whole document each time
    (on PostgreSQL's `json` type that is some 20 ms per key for a typical result).
    """
    each = func.json_each_text if session.get_bind().dialect.name == "postgresql" else func.json_each
    members = each(Run.result).table_valued(column("key", String), column("value", Text))
    query = (
        select(members.c.key, members.c.value)
        .select_from(Run)
        .join(members, true())
        .where(Run.id == run_id, members.c.key.in_(keys))
    )
    return dict((await session.execute(query)).all())
