"""What a finished run leaves in the database: its data, then its reports, then its status and final event,
each committed on its own, so that reports that cannot be stored (a full disk) leave the data behind."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.events import Event, EventType
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.store.db import Database
from infra_mind.store.models import RunState
from infra_mind.store.repositories import ResultRepository, RunRepository
from infra_mind.store.repositories.results import AgentResultValues
from infra_mind.store.repositories.runs import RESULT_PARTS_STORED_APART
from infra_mind.store.types import JsonText, dump_json

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
SLICE_BYTES = 256 * 1024
"""About how much of a run's data one transaction writes. On SQLite a transaction holds the database's one
write lock: a request that wants it waits for the slice in progress, not for the whole run's megabytes."""
FINAL_EVENTS = {
    RunStatus.COMPLETED: EventType.RUN_COMPLETED,
    RunStatus.PARTIAL: EventType.RUN_COMPLETED,
    RunStatus.FAILED: EventType.RUN_FAILED,
    RunStatus.CANCELLED: EventType.RUN_CANCELLED,
}


async def save_results(database: Database, run_id: str, outcome: RunOutcome) -> None:
    """Agent results, ranked recommendations and the rest of the result JSON: the run's data, which stays
    whatever then happens to its reports (they can be rendered again from it).

    Written in slices of about SLICE_BYTES, each committed on its own, the result document last: a run's
    data is complete once `runs.result` is set, and until its status changes only the runner reads it.
    The large documents are dumped to JSON before the first write.
    """
    result = outcome.result
    agents = [
        AgentResultValues(
            name, agent.status.value, agent.attempts, agent.duration_s, JsonText(agent.model_dump_json())
        )
        for name, agent in result.agents.items()
    ]
    recommendations = [r.model_dump(mode="json") for r in result.recommendations]
    stored_result = JsonText(result.model_dump_json(exclude=set(RESULT_PARTS_STORED_APART)))
    metrics = result.execution_metrics.model_dump(mode="json")
    for agents_slice in agent_slices(agents):
        async with database.session() as session:
            await ResultRepository(session).save_agent_results(run_id, agents_slice)
    async with database.session() as session:
        await ResultRepository(session).save_recommendations(run_id, recommendations)
    async with database.session() as session:
        await RunRepository(session).store_result(run_id, result=stored_result, metrics=metrics)


async def save_reports(database: Database, run_id: str, outcome: RunOutcome) -> None:
    """Each report committed on its own (a slice each); one that is missing is rendered when asked for."""
    for report in outcome.reports:
        async with database.session() as session:
            await ResultRepository(session).save_report(
                run_id,
                kind=report.kind,
                format=report.format,
                media_type=MEDIA_TYPES[report.format],
                content=report.payload,
            )


def agent_slices(agents: list[AgentResultValues]) -> list[list[AgentResultValues]]:
    """Consecutive groups of about SLICE_BYTES of JSON; an agent larger than that is a slice alone."""
    slices: list[list[AgentResultValues]] = []
    size = SLICE_BYTES
    for values in agents:
        length = len(dump_json(values.data))
        if size + length > SLICE_BYTES:
            slices.append([])
            size = 0
        slices[-1].append(values)
        size += length
    return slices


async def finish_run(
    session: AsyncSession, run_id: str, result: AssessmentResult, *, reports_error: str | None
) -> None:
    await RunRepository(session).transition(
        run_id, RunState(result.status.value), error=_error(result) or reports_error
    )


def final_event(run_id: str, status: RunStatus, **data: object) -> Event:
    """The runner's own final event, when the pipeline could not send one."""
    return runner_event(run_id, FINAL_EVENTS[status], status=status.value, **data)


def runner_event(run_id: str, type_: EventType, **data: object) -> Event:
    return Event(
        run_id=run_id,
        seq=1,  # the database numbers it when it is stored
        type=type_,
        at=datetime.now(UTC),
        data=data,
    )


def _error(result: AssessmentResult) -> str | None:
    if result.status is not RunStatus.FAILED:
        return None
    quorum = result.quorum
    return (
        f"quorum not met: {quorum.get('completed')} of {quorum.get('total')} agents completed "
        f"(at least {quorum.get('min_ratio')} needed, required: {quorum.get('required') or 'none'})"
    )
