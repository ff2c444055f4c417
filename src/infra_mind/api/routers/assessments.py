"""Assessments: create, list, read, replace, delete; start a run; ask about the results."""

from __future__ import annotations

import json
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.api.assessment_schemas import (
    AssessmentOut,
    AssessmentSummary,
    ModeName,
    PageOut,
    RunAccepted,
    RunBrief,
    RunStatusName,
)
from infra_mind.api.dependencies import AppServices, CurrentCaller, CurrentPrincipal, DbSession, Work
from infra_mind.api.errors import error_responses
from infra_mind.api.media import media_type, sends_json
from infra_mind.api.openapi import INPUT_BODY
from infra_mind.api.run_view import run_accepted
from infra_mind.api.runs_start import start_run
from infra_mind.auth.api_keys import Scope
from infra_mind.domain.input_rules import parse_input
from infra_mind.errors import Conflict, InputUnreadable, NotFound, PreconditionFailed
from infra_mind.store.models import Assessment, Run
from infra_mind.store.repositories import AssessmentRepository, RunRepository

router = APIRouter(prefix="/assessments", tags=["assessments"], responses=error_responses(401, 403, 500))
log = structlog.get_logger(__name__)

Limit = Annotated[int, Query(ge=1, le=200, description="items per page")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="items to skip")]
Name = Annotated[
    str | None, Query(min_length=1, max_length=200, description="default: the company's name in the input")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        description="a retried request with the same key answers the run the first one started",
    ),
]
IfMatch = Annotated[
    str | None, Header(max_length=64, description='the version you read (its ETag, e.g. "3"); else 412')
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    responses=error_responses(400, 413, 422),
    openapi_extra=INPUT_BODY,
)
async def create_assessment(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    services: AppServices,
    response: Response,
    name: Name = None,
) -> AssessmentOut:
    """Validates the input (every field error listed at once) and stores it."""
    principal.require(Scope.ASSESSMENTS_WRITE)
    data = await _validated_input(request, services)
    assessment = await AssessmentRepository(session).create(
        principal.user.id, name=name or data["company"]["name"], input=data
    )
    log.info("api.assessment_created", assessment_id=assessment.id, user_id=principal.user.id)
    response.headers["Location"] = f"/api/v1/assessments/{assessment.id}"
    response.headers["ETag"] = _etag(assessment)
    return _assessment_out(assessment, None)


@router.get("", response_model=PageOut[AssessmentSummary], responses=error_responses(422))
async def list_assessments(
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Annotated[str | None, Query(max_length=200, description="part of the name, any case")] = None,
    run_status: Annotated[
        RunStatusName | None, Query(alias="status", description="the status of the latest run")
    ] = None,
) -> PageOut[AssessmentSummary]:
    """The caller's assessments, newest first."""
    principal.require(Scope.ASSESSMENTS_READ)
    assessments = AssessmentRepository(session)
    page = await assessments.list(
        principal.user.id, limit=limit, offset=offset, name_contains=q, status=run_status
    )
    latest = await assessments.latest_runs(principal.user.id, [a.id for a in page.items])
    return PageOut(
        items=[_summary(a, latest.get(a.id)) for a in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{assessment_id}", response_model=AssessmentOut, responses=error_responses(404, 422))
async def get_assessment(
    assessment_id: str, principal: CurrentPrincipal, session: DbSession, response: Response
) -> AssessmentOut:
    principal.require(Scope.ASSESSMENTS_READ)
    assessment = await owned_assessment(session, principal.user.id, assessment_id)
    latest = await AssessmentRepository(session).latest_runs(principal.user.id, [assessment.id])
    response.headers["ETag"] = _etag(assessment)
    return _assessment_out(assessment, latest.get(assessment.id))


@router.put(
    "/{assessment_id}",
    response_model=AssessmentOut,
    responses=error_responses(400, 404, 409, 412, 413, 422),
    openapi_extra=INPUT_BODY,
)
async def replace_assessment(
    assessment_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    services: AppServices,
    response: Response,
    name: Name = None,
    if_match: IfMatch = None,
) -> AssessmentOut:
    """Replaces the input (and the name, if given); the version goes up. Runs keep the input they ran."""
    principal.require(Scope.ASSESSMENTS_WRITE)
    repository = AssessmentRepository(session)
    current = await owned_assessment(session, principal.user.id, assessment_id)
    expected = _version_from(if_match) if if_match is not None else None
    data = await _validated_input(request, services)
    try:
        assessment = await repository.update(
            principal.user.id, current.id, name=name, input=data, expected_version=expected
        )
    except Conflict as exc:
        raise PreconditionFailed(exc.message) from exc
    if assessment is None:
        raise NotFound(f"no assessment {assessment_id}")
    latest = await repository.latest_runs(principal.user.id, [assessment.id])
    response.headers["ETag"] = _etag(assessment)
    return _assessment_out(assessment, latest.get(assessment.id))


@router.delete(
    "/{assessment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404, 409, 422)
)
async def delete_assessment(assessment_id: str, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Deletes the assessment with its runs, results, reports and chat, for good."""
    principal.require(Scope.ASSESSMENTS_WRITE)
    assessment = await owned_assessment(session, principal.user.id, assessment_id)
    active = await RunRepository(session).active_run(principal.user.id, assessment.id)
    if active is not None:
        raise Conflict(f"run {active.id} of this assessment is {active.status}; cancel it first")
    await AssessmentRepository(session).delete(principal.user.id, assessment.id)
    log.info("api.assessment_deleted", assessment_id=assessment.id, user_id=principal.user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{assessment_id}/analyze",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunAccepted,
    responses=error_responses(404, 409, 422),
)
async def analyze(
    assessment_id: str,
    caller: CurrentCaller,
    work: Work,
    services: AppServices,
    response: Response,
    mode: Annotated[
        ModeName | None,
        Query(
            description="agents side by side, or one after another; default parallel (or sequential "
            "for INFRA_MIND_SEQUENTIAL_PERCENT of the runs)"
        ),
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> RunAccepted:
    """Queues a run and answers at once; follow it at `links.events` (SSE) or `links.self`.

    409 while the assessment has a queued or running run.
    """
    caller.require(Scope.RUNS_WRITE)
    run = await start_run(
        work, services, caller.user_id, assessment_id, mode=mode, idempotency_key=idempotency_key
    )
    response.headers["Location"] = f"/api/v1/runs/{run.id}"
    return run_accepted(run)


@router.get("/{assessment_id}/runs", response_model=PageOut[RunBrief], responses=error_responses(404, 422))
async def list_runs(
    assessment_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[RunBrief]:
    """The assessment's runs, newest first."""
    principal.require(Scope.RUNS_READ)
    assessment = await owned_assessment(session, principal.user.id, assessment_id)
    page = await RunRepository(session).list_for_assessment(
        principal.user.id, assessment.id, limit=limit, offset=offset
    )
    return PageOut(
        items=[RunBrief.model_validate(r) for r in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


async def owned_assessment(
    session: AsyncSession, owner_id: str, assessment_id: str, *, with_input: bool = True
) -> Assessment:
    """The caller's assessment; someone else's is as absent as one that never existed."""
    assessment = await AssessmentRepository(session).get(owner_id, assessment_id, with_input=with_input)
    if assessment is None:
        raise NotFound(f"no assessment {assessment_id}")
    return assessment


async def _validated_input(request: Request, services: AppServices) -> dict[str, Any]:
    if not sends_json(request):
        sent = media_type(request) or "no type"
        raise InputUnreadable(f"send the assessment input as application/json, not {sent}")
    body = await request.body()
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputUnreadable(f"the body must be the assessment input as JSON: {exc}") from exc
    except RecursionError as exc:
        raise InputUnreadable(
            "the body must be the assessment input as JSON: it is nested too deeply"
        ) from exc
    if not isinstance(data, dict):
        raise InputUnreadable("the body must be a JSON object: the assessment input (company, goals, …)")
    return parse_input(data, regions=services.regions).model_dump(mode="json")


def _version_from(if_match: str) -> int:
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise PreconditionFailed(f'If-Match must be an ETag this API sent, like "3"; got {if_match!r}')
    return int(tag)


def _etag(assessment: Assessment) -> str:
    return f'"{assessment.version}"'


def _summary(assessment: Assessment, latest: Run | None) -> AssessmentSummary:
    return AssessmentSummary(
        id=assessment.id,
        name=assessment.name,
        version=assessment.version,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        latest_run=RunBrief.model_validate(latest) if latest is not None else None,
    )


def _assessment_out(assessment: Assessment, latest: Run | None) -> AssessmentOut:
    return AssessmentOut(**_summary(assessment, latest).model_dump(), input=assessment.input)
