"""A run's report in one format: stored by the runner, or rendered now from the stored result and kept."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.api.services import Services
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.validation import build_context
from infra_mind.errors import Conflict, NotFound
from infra_mind.jobs.outcome import MEDIA_TYPES
from infra_mind.reports.render import RenderedReport, make_environment, render_reports
from infra_mind.store.models import Assessment, Report, Run
from infra_mind.store.repositories import ResultRepository, RunRepository

log = structlog.get_logger(__name__)


async def report_for(
    session: AsyncSession, services: Services, run: Run, *, kind: str, format: str
) -> Report:
    results = ResultRepository(session)
    stored = await results.report(run.owner_id, run.id, kind=kind, format=format)
    if stored is not None:
        return stored
    result = await RunRepository(session).result(run.id)
    if result is None:
        raise NotFound(f"run {run.id} is {run.status} and has no reports yet")
    assessment = await session.get(Assessment, run.assessment_id)
    if assessment is None:
        raise NotFound(f"no run {run.id}")
    if run.assessment_version is not None and run.assessment_version != assessment.version:
        raise Conflict(
            f"the {format} reports of run {run.id} were not rendered, and the assessment has changed "
            "since, so they cannot be rendered now; analyze it again"
        )
    rendered = await asyncio.to_thread(_render, result, assessment.input, format, services)
    saved: Report | None = None
    for report in rendered:
        row = await results.save_report(
            run.id,
            kind=report.kind,
            format=report.format,
            media_type=MEDIA_TYPES[report.format],
            content=report.payload,
        )
        if report.kind == kind:
            saved = row
    log.info("api.reports_rendered", run_id=run.id, format=format, count=len(rendered))
    if saved is None:
        raise NotFound(f"run {run.id} has no {kind} report in {format}")
    return saved


def _render(
    result: dict[str, Any], input: dict[str, Any], format: str, services: Services
) -> list[RenderedReport]:
    ctx = build_context(parse_input(input), services.knowledge)
    return render_reports(AssessmentResult.model_validate(result), ctx, (format,), make_environment())
