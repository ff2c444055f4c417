"""The assessment wizard: a draft saved on every step, validated per step, created and run from the review."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from infra_mind.api.dependencies import AppServices, Work
from infra_mind.api.routers.assessments import owned_assessment
from infra_mind.api.runs_start import start_run
from infra_mind.api.services import Services
from infra_mind.domain.input_rules import parse_input
from infra_mind.errors import Conflict, FieldError, InputUnreadable, InvalidInput, NotFound
from infra_mind.store.models import AssessmentDraft, Run
from infra_mind.store.repositories import AssessmentRepository, DraftRepository
from infra_mind.web.dependencies import AppPages
from infra_mind.web.pages import redirect
from infra_mind.web.session import CurrentWebPrincipal, WebPrincipal
from infra_mind.web.wizard.forms import read_step, rows_of
from infra_mind.web.wizard.steps import (
    FIRST_STEP,
    REVIEW,
    STEPS,
    WORKLOAD_MODELS,
    WORKLOAD_TYPE_LABELS,
    Step,
    next_step,
    previous_step,
    step_named,
)
from infra_mind.web.wizard.typical import fill_typical, missing_facts
from infra_mind.web.wizard.view import errors_of_step, review_errors, step_view
from infra_mind.web.wizard.yaml_io import MAX_IMPORT_BYTES, export_filename, from_yaml, to_yaml

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)
ROW_SECTIONS = ("goals", "workloads")


@router.get("/wizard/new")
async def new_draft(
    request: Request, services: AppServices, work: Work, principal: CurrentWebPrincipal
) -> Response:
    draft = await DraftRepository(work.session).create(
        principal.user.id, {}, step=FIRST_STEP, now=services.tokens.now()
    )
    log.info("web.draft_created", draft_id=draft.id, user_id=principal.user.id)
    return redirect(request, f"/wizard/{draft.id}/{FIRST_STEP}")


@router.get("/wizard/from/{assessment_id}")
async def confirm_start_from(
    assessment_id: str, request: Request, pages: AppPages, work: Work, principal: CurrentWebPrincipal
) -> Response:
    assessment = await owned_assessment(work.session, principal.user.id, assessment_id, with_input=False)
    return pages.render(request, "wizard/from.html", {"assessment": assessment}, principal=principal)


@router.post("/wizard/from/{assessment_id}")
async def start_from(
    assessment_id: str, request: Request, services: AppServices, work: Work, principal: CurrentWebPrincipal
) -> Response:
    """A new draft holding a copy of the user's own assessment's input."""
    assessment = await owned_assessment(work.session, principal.user.id, assessment_id)
    draft = await DraftRepository(work.session).create(
        principal.user.id, copy.deepcopy(assessment.input), step=FIRST_STEP, now=services.tokens.now()
    )
    log.info("web.draft_copied", draft_id=draft.id, assessment_id=assessment.id, user_id=principal.user.id)
    return redirect(request, f"/wizard/{draft.id}/{FIRST_STEP}")


@router.get("/wizard/{draft_id}/export.yaml")
async def export_yaml(draft_id: str, work: Work, principal: CurrentWebPrincipal) -> Response:
    draft = await _draft(work.session, principal, draft_id)
    disposition = f'attachment; filename="{export_filename(draft.data)}"'
    return Response(
        to_yaml(draft.data), media_type="application/yaml", headers={"Content-Disposition": disposition}
    )


@router.post("/wizard/{draft_id}/import")
async def import_yaml(
    draft_id: str,
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
) -> Response:
    """Replaces the draft's input with the file's, then shows the review with its validation."""
    draft = await _draft(work.session, principal, draft_id)
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputUnreadable("choose a YAML file to import")
        data = from_yaml(await upload.read(MAX_IMPORT_BYTES + 1))
    except InputUnreadable as exc:
        back = step_named(str(form.get("step") or "")) or STEPS[0]
        context = {"import_error": exc.message}
        if back.slug == REVIEW:
            return await _review(request, pages, services, principal, draft, status_code=422, extra=context)
        return _step_page(request, pages, principal, draft, back, status_code=422, extra=context)
    await DraftRepository(work.session).save(draft, data, step=REVIEW, now=services.tokens.now())
    log.info("web.draft_imported", draft_id=draft.id, user_id=principal.user.id)
    return redirect(request, f"/wizard/{draft.id}/{REVIEW}")


@router.get("/wizard/{draft_id}/{slug}")
async def show_step(
    draft_id: str,
    slug: str,
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
    check: bool = False,
) -> Response:
    """The step's form, prefilled from the draft; `check=1` also shows the step's validation errors."""
    step = _step(slug)
    draft = await _draft(work.session, principal, draft_id)
    if step.slug == REVIEW:
        return await _review(request, pages, services, principal, draft)
    errors = errors_of_step(step, _input_errors(draft.data, services)) if check else None
    return _step_page(request, pages, principal, draft, step, errors=errors)


@router.post("/wizard/{draft_id}/{slug}")
async def save_step(
    draft_id: str,
    slug: str,
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
) -> Response:
    """Saves what was typed first, always; then adds or removes a row, fills typical values, or moves on.

    "Save and continue" moves on only once the step is valid; `go` (Back, the step indicator) moves to the
    named step at once: the input is saved, and the review lists whatever is still wrong.
    """
    step = _step(slug)
    drafts = DraftRepository(work.session)
    if step.slug == REVIEW:
        return await _create_and_start(request, pages, services, work, principal, draft_id)
    draft = await _draft(work.session, principal, draft_id)
    form = await request.form()
    data = read_step(form, step, draft.data)
    action = str(form.get("action") or "")
    notes: dict[str, str] = {}
    typical: dict[str, Any] = {}
    if action.startswith(("add:", "remove:")):
        data = _rows_changed(data, action, form)
    elif action == "typical":
        data, notes = fill_typical(step, data, services.knowledge)
        typical = {"typical": {"filled": len(notes), "missing": missing_facts(step, data)}}
    now = services.tokens.now()
    await drafts.save(draft, data, step=step.slug, now=now)
    if action:
        return _step_page(request, pages, principal, draft, step, notes=notes, extra=typical)
    chosen = step_named(str(form.get("go") or ""))
    if chosen is None:
        errors = errors_of_step(step, _input_errors(data, services))
        if errors:
            return _step_page(request, pages, principal, draft, step, errors=errors, status_code=422)
    target = chosen or next_step(step)
    await drafts.save(draft, data, step=target.slug, now=now)
    return redirect(request, f"/wizard/{draft.id}/{target.slug}")


async def _create_and_start(
    request: Request,
    pages: AppPages,
    services: Services,
    work: Work,
    principal: WebPrincipal,
    draft_id: str,
) -> Response:
    """Creates the assessment and queues its run; the draft id as idempotency key makes a resend harmless."""
    owner = principal.user.id
    draft = await DraftRepository(work.session).get(owner, draft_id)
    if draft is None:
        earlier = await _run_started_by(work.session, owner, draft_id)
        if earlier is None:
            raise NotFound(f"no draft {draft_id}")
        return redirect(request, f"/runs/{earlier.id}")
    try:
        spec = parse_input(draft.data, regions=services.regions)
    except InvalidInput as exc:
        return await _review(request, pages, services, principal, draft, errors=exc.errors, status_code=422)
    assessment = await AssessmentRepository(work.session).create(
        owner, name=spec.company.name, input=spec.model_dump(mode="json")
    )
    try:
        run = await start_run(work, services, owner, assessment.id, mode=None, idempotency_key=draft.id)
    except Conflict:
        await work.session.rollback()
        earlier = await _run_started_by(work.session, owner, draft_id)
        if earlier is None:
            raise
        return redirect(request, f"/runs/{earlier.id}")
    await DraftRepository(work.session).delete(owner, draft.id)
    log.info("web.wizard_submitted", draft_id=draft_id, assessment_id=assessment.id, run_id=run.id)
    return redirect(request, f"/runs/{run.id}")


def _rows_changed(data: dict[str, Any], action: str, form: FormData) -> dict[str, Any]:
    verb, _, target = action.partition(":")
    section, _, index = target.partition(":")
    if section not in ROW_SECTIONS:
        raise InvalidInput([FieldError("action", f"unknown list {section!r}; expected goals or workloads")])
    rows = list(rows_of(data, section))
    if verb == "add":
        row: dict[str, Any] = {}
        if section == "workloads":
            kind = str(form.get("new_workload_type") or "")
            if kind not in WORKLOAD_MODELS:
                raise InvalidInput([FieldError("new_workload_type", f"unknown workload type {kind!r}")])
            row["type"] = kind
        rows.append(row)
    elif index.isdigit() and int(index) < len(rows):
        del rows[int(index)]
    else:
        raise InvalidInput([FieldError("action", f"no {section} row {index!r} to remove")])
    out = dict(data)
    if rows:
        out[section] = rows
    else:
        out.pop(section, None)
    return out


def _input_errors(data: Mapping[str, Any], services: Services) -> list[FieldError]:
    try:
        parse_input(data, regions=services.regions)
    except InvalidInput as exc:
        return exc.errors
    return []


def _step(slug: str) -> Step:
    step = step_named(slug)
    if step is None:
        raise NotFound(f"no wizard step {slug!r}; the steps are {', '.join(s.slug for s in STEPS)}")
    return step


async def _draft(session: AsyncSession, principal: WebPrincipal, draft_id: str) -> AssessmentDraft:
    draft = await DraftRepository(session).get(principal.user.id, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    return draft


async def _run_started_by(session: AsyncSession, owner_id: str, draft_id: str) -> Run | None:
    query = select(Run).where(Run.owner_id == owner_id, Run.idempotency_key == draft_id)
    return await session.scalar(query)


def _common(draft: AssessmentDraft, step: Step) -> dict[str, Any]:
    return {
        "draft": draft,
        "step": step,
        "steps": STEPS,
        "previous": previous_step(step),
        "following": next_step(step) if step.slug != REVIEW else None,
        "max_import_kib": MAX_IMPORT_BYTES // 1024,
    }


def _step_page(
    request: Request,
    pages: AppPages,
    principal: WebPrincipal,
    draft: AssessmentDraft,
    step: Step,
    *,
    errors: list[FieldError] | None = None,
    notes: Mapping[str, str] | None = None,
    status_code: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    context = {
        **_common(draft, step),
        "view": step_view(step, draft.data, errors, notes),
        "error_count": len(errors or []),
        "workload_types": WORKLOAD_TYPE_LABELS,
        "import_error": "",
        "typical": None,
        **(extra or {}),
    }
    return pages.render(request, "wizard/step.html", context, principal=principal, status_code=status_code)


async def _review(
    request: Request,
    pages: AppPages,
    services: Services,
    principal: WebPrincipal,
    draft: AssessmentDraft,
    *,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    found = _input_errors(draft.data, services) if errors is None else errors
    review = _step("review")
    context = {
        **_common(draft, review),
        "errors": review_errors(draft.data, found),
        "sections": [step_view(step, draft.data) for step in STEPS if step.slug != REVIEW],
        "import_error": "",
        **(extra or {}),
    }
    return pages.render(request, "wizard/review.html", context, principal=principal, status_code=status_code)
