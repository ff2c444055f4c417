"""A finished run's results: the dashboard fragment, the recommendations with filters, report downloads.

The dashboard is the run page's first paint after a run ends, so it renders no report and calls no LLM:
a handful of queries that leave the agent outputs it does not show in the database (see results/loading.py).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response

from infra_mind.api.dependencies import AppServices, Principal, Work
from infra_mind.api.routers.reports import ReportFormat, ReportKind, download_report
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.validation import build_context
from infra_mind.store.models import ACTIVE_RUN_STATES
from infra_mind.store.repositories import ChatRepository
from infra_mind.web.dependencies import AppPages
from infra_mind.web.pages import is_htmx
from infra_mind.web.results.dashboard import SECTION_AGENTS, build_dashboard
from infra_mind.web.results.loading import agent_rows, owned_run_brief, partial_result
from infra_mind.web.results.recommendations import (
    PILLARS,
    PRIORITIES,
    RecommendationFilters,
    filtered,
    recommendation_at,
)
from infra_mind.web.results.rendering import render_piece
from infra_mind.web.routes import results_chat
from infra_mind.web.session import CurrentWebPrincipal

router = APIRouter(include_in_schema=False)
router.include_router(results_chat.router)
log = structlog.get_logger(__name__)

FilterValue = Annotated[str | None, Query(max_length=64)]
PageNumber = Annotated[int, Query(ge=1, le=10_000)]
REPORT_KINDS = ("executive", "technical", "cfo", "ciso", "engineering_lead")
REPORT_FORMATS = ("html", "pdf", "md", "json")
ACTIVE = {state.value for state in ACTIVE_RUN_STATES}


async def recommendation_filters(
    services: AppServices,
    pillar: FilterValue = None,
    priority: FilterValue = None,
    agent: FilterValue = None,
    page: PageNumber = 1,
) -> RecommendationFilters:
    return RecommendationFilters.parse(
        pillar=pillar, priority=priority, agent=agent, page=page, agents=services.agent_names
    )


Filters = Annotated[RecommendationFilters, Depends(recommendation_filters)]


@router.get("/runs/{run_id}/dashboard")
async def dashboard(
    run_id: str,
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
    filters: Filters,
) -> Response:
    """The results of the run, as a fragment for the run page (htmx) or as a page of its own."""
    started = time.perf_counter()
    owner = principal.user.id
    owned = await owned_run_brief(work.session, owner, run_id)
    run, assessment = owned.run, owned.assessment
    context: dict[str, Any] = {"run": run, "assessment": assessment}
    if run.status in ACTIVE:
        return render_piece(request, pages, principal, "pending", "Results", context)
    result = await partial_result(work.session, run, SECTION_AGENTS)
    if result is not None:
        ctx = build_context(parse_input(assessment.input), services.knowledge)
        context["dashboard"] = build_dashboard(result, ctx)
    context |= {
        "agents": await agent_rows(work.session, owner, run.id, services.agent_names),
        "recommendations": await filtered(work.session, owner, run.id, filters),
        "messages": await ChatRepository(work.session).history(owner, assessment.id),
        **_table_context(run.id, filters, services.agent_names),
        "report_kinds": REPORT_KINDS,
        "report_formats": REPORT_FORMATS,
        "run_id": run.id,
        "question": "",
        "error": None,
    }
    response = render_piece(request, pages, principal, "dashboard", "Results", context)
    log.info(
        "web.dashboard_rendered",
        run_id=run.id,
        status=run.status,
        server_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return response


@router.get("/runs/{run_id}/recommendations")
async def recommendations(
    run_id: str,
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
    filters: Filters,
) -> Response:
    """The filtered table: swapped into the dashboard by htmx, or a page of its own for a shared link."""
    owned = await owned_run_brief(work.session, principal.user.id, run_id)
    context = {
        "run": owned.run,
        "assessment": owned.assessment,
        "recommendations": await filtered(work.session, principal.user.id, owned.run.id, filters),
        **_table_context(owned.run.id, filters, services.agent_names),
    }
    if is_htmx(request):
        return pages.render(request, "results/recommendations_table.html", context, principal=principal)
    return render_piece(request, pages, principal, "recommendations", "Recommendations", context)


@router.get("/runs/{run_id}/recommendations/{rank}")
async def recommendation(
    run_id: str,
    rank: int,
    request: Request,
    pages: AppPages,
    work: Work,
    principal: CurrentWebPrincipal,
) -> Response:
    """One recommendation with its rationale, steps, evidence and sources."""
    owned = await owned_run_brief(work.session, principal.user.id, run_id)
    row = await recommendation_at(work.session, principal.user.id, owned.run.id, rank)
    context = {"run": owned.run, "assessment": owned.assessment, "row": row, "rec": row.data}
    return render_piece(request, pages, principal, "recommendation", f"Recommendation #{row.rank}", context)


@router.get("/runs/{run_id}/download/{kind}/{format}")
async def download(
    run_id: str,
    kind: ReportKind,
    format: ReportFormat,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
) -> Response:
    """The API's download for a signed-in browser: a link cannot send a bearer token, a cookie rides along.

    A signed-in user may do anything with their own runs, like a password login on the API.
    """
    response = await download_report(
        run_id, kind, format, Principal(user=principal.user), work.session, services
    )
    log.info("web.report_downloaded", run_id=run_id, kind=kind, format=format)
    return response


def _table_context(run_id: str, filters: RecommendationFilters, agents: tuple[str, ...]) -> dict[str, Any]:
    return {
        "filters": filters,
        "pillars": PILLARS,
        "priorities": PRIORITIES,
        "agent_names": agents,
        "table_url": f"/runs/{run_id}/recommendations",
    }
