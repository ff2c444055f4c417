"""Runs: status and progress, the live event stream, cancel, re-run the failed agents, recommendations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession
from sse_starlette import EventSourceResponse, ServerSentEvent

from infra_mind.api.assessment_schemas import (
    CancelOut,
    ModeName,
    PageOut,
    RecommendationOut,
    RunAccepted,
    RunOut,
)
from infra_mind.api.dependencies import AppServices, CurrentPrincipal, DbSession, Work
from infra_mind.api.errors import error_responses
from infra_mind.api.routers.assessments import IdempotencyKey, Limit, Offset, owned_assessment
from infra_mind.api.run_view import run_accepted, run_view
from infra_mind.api.runs_start import start_run
from infra_mind.auth.api_keys import Scope
from infra_mind.domain.agent_result import AgentStatus
from infra_mind.domain.enums import Pillar
from infra_mind.domain.events import Event
from infra_mind.domain.findings import Priority
from infra_mind.errors import Conflict, FieldError, InvalidInput, NotFound
from infra_mind.store.models import Run
from infra_mind.store.repositories import ResultRepository, RunRepository
from infra_mind.store.repositories.runs import TERMINAL_STATES

router = APIRouter(prefix="/runs", tags=["runs"], responses=error_responses(401, 403, 404, 422, 500))
log = structlog.get_logger(__name__)

SSE_PING_S = 15
SSE_RETRY_MS = 2000


@router.get("/{run_id}", response_model=RunOut)
async def get_run(
    run_id: str, principal: CurrentPrincipal, session: DbSession, services: AppServices
) -> RunOut:
    """Status, each agent's state and progress, the phase, the share done; metrics once finished."""
    principal.require(Scope.RUNS_READ)
    run = await owned_run(session, principal.user.id, run_id)
    return await run_view(session, run, services.agent_names)


@router.get(
    "/{run_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the run's events, as SSE"}},
)
async def run_events(
    run_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    services: AppServices,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=20, description="resume after this event")
    ] = None,
    after: Annotated[int | None, Query(ge=0, description="resume after this event id")] = None,
) -> EventSourceResponse:
    """Every event of the run in order, each with its `id`; ends after the run's final event.

    A reconnecting client sends `Last-Event-ID` (browsers do) and gets only what it missed.
    """
    principal.require(Scope.RUNS_READ)
    run = await owned_run(session, principal.user.id, run_id)
    resume_after = _resume_point(last_event_id, after)
    events = services.runner.subscribe(run.id, resume_after)
    return EventSourceResponse(_as_sse(run.id, events), ping=SSE_PING_S, send_timeout=30)


@router.post(
    "/{run_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CancelOut,
    responses=error_responses(409),
)
async def cancel_run(
    run_id: str, principal: CurrentPrincipal, session: DbSession, services: AppServices
) -> CancelOut:
    """A queued run ends at once; a running one stops its agents and ends `cancelled`. 409 once finished."""
    principal.require(Scope.RUNS_WRITE)
    run = await owned_run(session, principal.user.id, run_id)
    if run.status in TERMINAL_STATES:
        raise Conflict(f"run {run.id} has already ended ({run.status}); there is nothing to cancel")
    outcome = await services.runner.cancel(run.id)
    if outcome is None:
        raise NotFound(f"no run {run_id}")
    log.info("api.run_cancel_requested", run_id=run.id, status=outcome)
    return CancelOut(id=run.id, status=outcome)


@router.post(
    "/{run_id}/rerun-failed",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunAccepted,
    responses=error_responses(409),
)
async def rerun_failed(
    run_id: str,
    principal: CurrentPrincipal,
    work: Work,
    services: AppServices,
    response: Response,
    mode: Annotated[ModeName | None, Query(description="default: the mode of the run re-run")] = None,
    idempotency_key: IdempotencyKey = None,
) -> RunAccepted:
    """A new run that runs again only the agents that failed, timed out or never finished, reuses the
    others' results, and redoes synthesis, costs, compliance scores and reports.

    409 while the run is active, when every agent completed, or when the input changed since.
    """
    principal.require(Scope.RUNS_WRITE)
    source = await owned_run(work.session, principal.user.id, run_id)
    if source.status not in TERMINAL_STATES:
        raise Conflict(f"run {source.id} is {source.status}; re-run its failed agents once it has ended")
    assessment = await owned_assessment(work.session, principal.user.id, source.assessment_id)
    if source.assessment_version is not None and source.assessment_version != assessment.version:
        raise Conflict(
            f"the assessment changed since run {source.id} (version {source.assessment_version}, now "
            f"{assessment.version}); analyze it again instead"
        )
    stored = await ResultRepository(work.session).agent_outcomes(principal.user.id, source.id)
    completed = {row.agent for row in stored if row.status == AgentStatus.COMPLETED.value}
    again = [name for name in services.agent_names if name not in completed]
    if not again:
        raise Conflict(f"every agent of run {source.id} completed; there is nothing to re-run")
    run = await start_run(
        work,
        services,
        principal.user.id,
        assessment.id,
        mode=mode or source.mode,
        idempotency_key=idempotency_key,
        rerun_of=source.id,
    )
    log.info("api.rerun_failed", run_id=run.id, rerun_of=source.id, agents=again)
    response.headers["Location"] = f"/api/v1/runs/{run.id}"
    return run_accepted(run)


@router.get("/{run_id}/recommendations", response_model=PageOut[RecommendationOut])
async def list_recommendations(
    run_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    priority: Priority | None = None,
    pillar: Pillar | None = None,
    agent: Annotated[str | None, Query(max_length=64, description="an agent that backs it")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[RecommendationOut]:
    """The run's recommendations in rank order; empty until the run has finished."""
    principal.require(Scope.RUNS_READ)
    run = await owned_run(session, principal.user.id, run_id)
    page = await ResultRepository(session).recommendations(
        principal.user.id,
        run.id,
        priority=priority.value if priority else None,
        pillar=pillar.value if pillar else None,
        agent=agent,
        limit=limit,
        offset=offset,
    )
    items = [
        RecommendationOut(
            rank=row.rank,
            id=row.recommendation_id,
            key=row.key,
            title=row.title,
            category=row.category,
            priority=row.priority,
            pillar=row.pillar,
            agents=row.agents,
            detail=row.data,
        )
        for row in page.items
    ]
    return PageOut(items=items, total=page.total, limit=page.limit, offset=page.offset)


async def owned_run(session: AsyncSession, owner_id: str, run_id: str) -> Run:
    """The caller's run; someone else's is as absent as one that never existed."""
    run = await RunRepository(session).get(owner_id, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    return run


def _resume_point(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is None or not last_event_id.strip():
        return after or 0
    if not last_event_id.strip().isdigit():
        raise InvalidInput([FieldError("header.Last-Event-ID", "must be an event id (a whole number)")])
    return int(last_event_id)


async def _as_sse(run_id: str, events: AsyncIterator[Event]) -> AsyncIterator[ServerSentEvent]:
    try:
        async for event in events:
            yield ServerSentEvent(
                data=event.model_dump_json(), event=event.type.value, id=str(event.seq), retry=SSE_RETRY_MS
            )
    except NotFound:
        log.info("api.run_events_gone", run_id=run_id)
