"""Questions about an assessment's results, answered from the run's own passages with citations."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import defer

from infra_mind.api.assessment_schemas import ChatMessageOut, ChatReply, ChatRequest
from infra_mind.api.dependencies import AppServices, CurrentPrincipal, DbSession, Work
from infra_mind.api.errors import error_responses
from infra_mind.api.routers.assessments import owned_assessment
from infra_mind.auth.api_keys import Scope
from infra_mind.chat.answer import answer
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.errors import Conflict, NotFound
from infra_mind.store.models import Run, RunState
from infra_mind.store.repositories import ChatRepository, RunRepository

router = APIRouter(prefix="/assessments", tags=["chat"], responses=error_responses(401, 403, 404, 422, 500))
log = structlog.get_logger(__name__)

ANSWERABLE = (RunState.COMPLETED.value, RunState.PARTIAL.value)


@router.post("/{assessment_id}/chat", response_model=ChatReply, responses=error_responses(400, 409, 413))
async def ask(
    assessment_id: str, body: ChatRequest, principal: CurrentPrincipal, work: Work, services: AppServices
) -> ChatReply:
    """Answers from the latest finished run (or `run_id`); every claim cites a passage of that run."""
    principal.require(Scope.CHAT_WRITE)
    assessment = await owned_assessment(work.session, principal.user.id, assessment_id)
    run = await _answerable_run(work, assessment.id, body.run_id)
    run_id, result = run.id, AssessmentResult.model_validate(await RunRepository(work.session).result(run.id))
    await work.end_reads()
    reply = await answer(result, body.question, llm=services.llm)
    chat = ChatRepository(work.session)
    await chat.add(assessment.id, role="user", text=body.question, run_id=run_id)
    citations = [c.model_dump(mode="json") for c in reply.citations]
    await chat.add(assessment.id, role="assistant", text=reply.answer, citations=citations, run_id=run_id)
    log.info("api.chat_answered", assessment_id=assessment.id, run_id=run_id, by=reply.answered_by)
    return ChatReply(
        run_id=run_id,
        question=body.question,
        answer=reply.answer,
        grounded=reply.grounded,
        answered_by=reply.answered_by,
        citations=reply.citations,
        fallback_reason=reply.fallback_reason,
    )


@router.get("/{assessment_id}/chat", response_model=list[ChatMessageOut])
async def history(
    assessment_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    last: Annotated[int, Query(ge=1, le=500, description="how many of the latest messages")] = 50,
) -> list[ChatMessageOut]:
    """The conversation so far, oldest first."""
    principal.require(Scope.ASSESSMENTS_READ)
    assessment = await owned_assessment(session, principal.user.id, assessment_id)
    messages = await ChatRepository(session).history(principal.user.id, assessment.id, last=last)
    return [ChatMessageOut.model_validate(m) for m in messages]


async def _answerable_run(work: Work, assessment_id: str, run_id: str | None) -> Run:
    query = (
        select(Run)
        .where(Run.assessment_id == assessment_id, Run.result.is_not(None))
        .options(defer(Run.result, raiseload=True))
    )
    if run_id is not None:
        run = await work.session.scalar(query.where(Run.id == run_id))
        if run is None:
            raise NotFound(f"run {run_id} of assessment {assessment_id} has no results")
    else:
        run = await work.session.scalar(
            query.where(Run.status.in_(ANSWERABLE)).order_by(Run.finished_at.desc(), Run.id.desc()).limit(1)
        )
        if run is None:
            raise Conflict(f"assessment {assessment_id} has no finished run yet; analyze it first")
    return run
