"""The run page: live while the run is active (htmx SSE swaps the fragments of `web.run_live`), then the
final agent table and timeline with the results dashboard below; cancel and re-run the failed agents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Query, Request, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from infra_mind.api.dependencies import AppServices, Principal, Work
from infra_mind.api.routers.assessments import owned_assessment
from infra_mind.api.routers.runs import SSE_PING_S, SSE_RETRY_MS, cancel_run, owned_run, rerun_failed
from infra_mind.api.run_view import run_view, stored_events
from infra_mind.api.services import Services
from infra_mind.engine.events import TERMINAL
from infra_mind.errors import FieldError, InvalidInput, NotFound
from infra_mind.store.models import Run
from infra_mind.store.repositories.runs import TERMINAL_STATES
from infra_mind.web.dependencies import AppPages
from infra_mind.web.pages import redirect
from infra_mind.web.run_live import LiveFragments, RunLive, build_timeline
from infra_mind.web.run_live.fragments import can_rerun
from infra_mind.web.session import CurrentWebPrincipal, WebPrincipal

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

LastEventId = Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)]
After = Annotated[int | None, Query(ge=0, description="the last event the page already shows")]


@router.get("/runs/{run_id}")
async def run_page(
    run_id: str,
    request: Request,
    pages: AppPages,
    work: Work,
    services: AppServices,
    principal: CurrentWebPrincipal,
) -> Response:
    owner = principal.user.id
    run = await owned_run(work.session, owner, run_id)
    assessment = await owned_assessment(work.session, owner, run.assessment_id, with_input=False)
    # The events first: anything the run adds after this read reaches the page through the live stream.
    live = RunLive(services.agent_names, await stored_events(work.session, run))
    finished = run.status in TERMINAL_STATES
    agents = (
        (await run_view(work.session, run, services.agent_names)).agents if finished else live.progress.agents
    )
    context = {
        "run": run,
        "assessment": assessment,
        "status": run.status,
        "finished": finished,
        "last_seq": live.last_seq,
        "steps": live.phase_steps(finished=finished),
        "progress_pct": 100.0 if finished else live.progress.pct,
        "agents": agents,
        "timeline": build_timeline(live, agents),
        "can_rerun": finished and can_rerun(agents),
    }
    return pages.render(request, "runs/run.html", context, principal=principal)


@router.get("/runs/{run_id}/live")
async def run_live_stream(
    run_id: str,
    pages: AppPages,
    work: Work,
    services: AppServices,
    principal: CurrentWebPrincipal,
    last_event_id: LastEventId = None,
    after: After = None,
) -> EventSourceResponse:
    """One SSE message per run event after the resume point, `id` = its seq, data = the page's fragments.

    Ends with a `done` message (the final event's, or without an id when the client already had it) that
    makes the page show the finished run and load the results.
    """
    run = await owned_run(work.session, principal.user.id, run_id)
    resume_after = resume_point(last_event_id, after)
    earlier = (
        [e for e in await stored_events(work.session, run) if e.seq <= resume_after] if resume_after else []
    )
    live = RunLive(services.agent_names, earlier)
    fragments = LiveFragments(pages.templates.env, run.id, principal.csrf_token)
    messages = _messages(run, principal, services, live, fragments, resume_after)
    return EventSourceResponse(messages, ping=SSE_PING_S, send_timeout=30)


@router.post("/runs/{run_id}/cancel")
async def cancel(
    run_id: str, request: Request, work: Work, services: AppServices, principal: CurrentWebPrincipal
) -> Response:
    """The API's cancel (409 once the run has ended), then back to the run page."""
    outcome = await cancel_run(run_id, _as_api_caller(principal), work.session, services)
    log.info("web.run_cancel_requested", run_id=outcome.id, status=outcome.status)
    return redirect(request, f"/runs/{outcome.id}")


@router.post("/runs/{run_id}/rerun-failed")
async def rerun(
    run_id: str, request: Request, work: Work, services: AppServices, principal: CurrentWebPrincipal
) -> Response:
    """The API's re-run of the failed agents (409 while active, when none failed or the input changed)."""
    # The API sets its Location header on the response it is given; the page redirects instead.
    accepted = await rerun_failed(run_id, _as_api_caller(principal), work, services, Response())
    log.info("web.run_rerun_started", run_id=accepted.id, rerun_of=run_id)
    return redirect(request, f"/runs/{accepted.id}")


def resume_point(last_event_id: str | None, after: int | None) -> int:
    """`Last-Event-ID` (an EventSource reconnecting) wins over `after` (the page's first connection)."""
    if last_event_id is None or not last_event_id.strip():
        return after or 0
    if not last_event_id.strip().isdigit():
        raise InvalidInput([FieldError("header.Last-Event-ID", "must be an event id (a whole number)")])
    return int(last_event_id)


async def _messages(
    run: Run,
    principal: WebPrincipal,
    services: Services,
    live: RunLive,
    fragments: LiveFragments,
    resume_after: int,
) -> AsyncIterator[ServerSentEvent]:
    try:
        async for event in services.runner.subscribe(run.id, resume_after):
            live.add(event)
            if event.type in TERMINAL:
                html = await _final_fragments(run, principal, services, live, fragments)
                yield ServerSentEvent(data=html, event="done", id=str(event.seq), retry=SSE_RETRY_MS)
                return
            name, html = fragments.for_event(live, event)
            yield ServerSentEvent(data=html, event=name, id=str(event.seq), retry=SSE_RETRY_MS)
        # The client had the final event already (or the run ended without one): it stops listening.
        html = await _final_fragments(run, principal, services, live, fragments)
        yield ServerSentEvent(data=html, event="done", retry=SSE_RETRY_MS)
    except NotFound:
        log.info("web.run_live_gone", run_id=run.id)


async def _final_fragments(
    run: Run, principal: WebPrincipal, services: Services, live: RunLive, fragments: LiveFragments
) -> str:
    """The finished run as stored: the runner stores the results before it sends the final event."""
    async with services.database.session() as session:
        finished = await owned_run(session, principal.user.id, run.id)
        view = await run_view(session, finished, services.agent_names)
    return fragments.final(live, finished.status, view.agents)


def _as_api_caller(principal: WebPrincipal) -> Principal:
    """The signed-in user acting through their own session: every scope, as with an access token."""
    return Principal(user=principal.user)
