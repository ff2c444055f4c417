"""The assessments list: status of the latest run, search, delete with confirmation."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Request, Response

from infra_mind.api.dependencies import Work
from infra_mind.api.routers.assessments import owned_assessment
from infra_mind.errors import Conflict
from infra_mind.store.repositories import AssessmentRepository, DraftRepository, RunRepository
from infra_mind.web.dependencies import AppPages
from infra_mind.web.pages import is_htmx, redirect
from infra_mind.web.session import CurrentWebPrincipal

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

PAGE_SIZE = 25
Search = Annotated[str | None, Query(max_length=200)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/assessments")
async def assessments_page(
    request: Request,
    pages: AppPages,
    work: Work,
    principal: CurrentWebPrincipal,
    q: Search = None,
    page: PageNumber = 1,
) -> Response:
    owner = principal.user.id
    repository = AssessmentRepository(work.session)
    query = (q or "").strip() or None
    listed = await repository.list(owner, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, name_contains=query)
    latest = await repository.latest_runs(owner, [a.id for a in listed.items])
    drafts = await DraftRepository(work.session).recent(owner) if page == 1 and query is None else []
    context = {
        "assessments": listed.items,
        "latest": latest,
        "drafts": drafts,
        "q": query or "",
        "page": page,
        "pages": max(1, -(-listed.total // PAGE_SIZE)),
        "total": listed.total,
    }
    template = (
        "assessments/rows.html"
        if is_htmx(request) and request.headers.get("hx-target") == "rows"
        else ("assessments/list.html")
    )
    return pages.render(request, template, context, principal=principal)


@router.post("/assessments/{assessment_id}/delete")
async def delete_assessment(
    assessment_id: str, request: Request, work: Work, principal: CurrentWebPrincipal
) -> Response:
    """Deletes it with its runs, reports and chat; refused while a run is queued or running."""
    owner = principal.user.id
    assessment = await owned_assessment(work.session, owner, assessment_id, with_input=False)
    active = await RunRepository(work.session).active_run(owner, assessment.id)
    if active is not None:
        raise Conflict(f"“{assessment.name}” has a {active.status} run; cancel it before deleting")
    await AssessmentRepository(work.session).delete(owner, assessment.id)
    log.info("web.assessment_deleted", assessment_id=assessment.id, user_id=owner)
    if is_htmx(request):
        return Response(status_code=200)
    return redirect(request, "/assessments")
