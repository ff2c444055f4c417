"""A run's reports: the list, and each kind in each format (md, html, pdf, json; the backlog as csv)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from infra_mind.api.assessment_schemas import ReportOut
from infra_mind.api.dependencies import AppServices, CurrentPrincipal, DbSession
from infra_mind.api.errors import error_responses
from infra_mind.api.report_files import report_for
from infra_mind.api.routers.runs import owned_run
from infra_mind.auth.api_keys import Scope
from infra_mind.errors import NotFound
from infra_mind.store.repositories import ResultRepository

router = APIRouter(prefix="/runs", tags=["reports"], responses=error_responses(401, 403, 404, 422, 500))

ReportKind = Literal["executive", "technical", "cfo", "ciso", "engineering_lead", "backlog"]
ReportFormat = Literal["md", "html", "pdf", "json", "csv"]
# An HTML report is self-contained: inline styles and charts as data: images; it runs no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@router.get("/{run_id}/reports", response_model=list[ReportOut])
async def list_reports(run_id: str, principal: CurrentPrincipal, session: DbSession) -> list[ReportOut]:
    """The reports stored for the run; empty until it has finished."""
    principal.require(Scope.REPORTS_READ)
    run = await owned_run(session, principal.user.id, run_id)
    return [
        ReportOut(
            kind=r.kind,
            format=r.format,
            media_type=r.media_type,
            size=r.size,
            url=f"/api/v1/runs/{run.id}/reports/{r.kind}/{r.format}",
        )
        for r in await ResultRepository(session).reports(principal.user.id, run.id)
    ]


@router.get(
    "/{run_id}/reports/{kind}/{format}",
    response_class=Response,
    responses={
        200: {
            "description": "the report",
            "content": {
                "text/markdown": {},
                "text/html": {},
                "application/pdf": {},
                "application/json": {},
                "text/csv": {},
            },
        },
        **error_responses(409),
    },
)
async def download_report(
    run_id: str,
    kind: ReportKind,
    format: ReportFormat,
    principal: CurrentPrincipal,
    session: DbSession,
    services: AppServices,
) -> Response:
    """`backlog` comes as `csv` only, and `csv` holds only the backlog."""
    principal.require(Scope.REPORTS_READ)
    run = await owned_run(session, principal.user.id, run_id)
    if (kind == "backlog") != (format == "csv"):
        raise NotFound("the backlog comes as csv, and csv holds only the backlog")
    report = await report_for(session, services, run, kind=kind, format=format)
    if report.content is None:
        raise NotFound(f"the {kind} report of run {run.id} is not stored")
    headers = {"Content-Disposition": f'attachment; filename="infra-mind-{run.id[:8]}-{kind}.{format}"'}
    if format == "html":
        headers["Content-Security-Policy"] = REPORT_CSP
    return Response(report.content, media_type=report.media_type, headers=headers)
