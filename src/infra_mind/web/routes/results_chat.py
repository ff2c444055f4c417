"""The dashboard's chat panel: ask about an assessment's results, see the conversation so far.

Answers come from the API's chat route itself (`ask`), so the web gets the same run selection, the same
grounding and citations, and the same history rows; the LLM is called after the read transaction ends.
"""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Form, Request, Response

from infra_mind.api.assessment_schemas import ChatRequest
from infra_mind.api.dependencies import AppServices, Principal, Work
from infra_mind.api.routers.assessments import owned_assessment
from infra_mind.api.routers.chat import ask as api_ask
from infra_mind.store.repositories import ChatRepository
from infra_mind.web.dependencies import AppPages
from infra_mind.web.pages import is_htmx, redirect
from infra_mind.web.results.rendering import render_piece
from infra_mind.web.session import CurrentWebPrincipal

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

MAX_QUESTION_CHARS = 2000  # the API's ChatRequest.question limit


@router.get("/assessments/{assessment_id}/ask")
async def chat_history(
    assessment_id: str,
    request: Request,
    pages: AppPages,
    work: Work,
    principal: CurrentWebPrincipal,
    run: str | None = None,
) -> Response:
    """The chat panel with every earlier question and answer; `run` is the run the questions are about."""
    assessment = await owned_assessment(work.session, principal.user.id, assessment_id, with_input=False)
    messages = await ChatRepository(work.session).history(principal.user.id, assessment.id)
    context = {"assessment": assessment, "messages": messages, "run_id": run, "question": "", "error": None}
    return render_piece(request, pages, principal, "chat", "Questions and answers", context)


@router.post("/assessments/{assessment_id}/ask")
async def ask(
    assessment_id: str,
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
    question: Annotated[str, Form()] = "",
    run_id: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """htmx gets a fresh form and the new messages appended to the log; a plain form goes back to the
    dashboard. A bad question comes back in the form with the error next to it."""
    owner = principal.user.id
    assessment = await owned_assessment(work.session, owner, assessment_id, with_input=False)
    question = question.strip()
    run_id = run_id or None
    error = _question_error(question)
    if error is not None:
        context: dict[str, Any] = {
            "assessment": assessment,
            "run_id": run_id,
            "question": question,
            "error": error,
        }
        if is_htmx(request):
            return pages.render(request, "results/chat_form.html", context, principal=principal)
        context["messages"] = await ChatRepository(work.session).history(owner, assessment.id)
        return render_piece(
            request, pages, principal, "chat", "Questions and answers", context, status_code=422
        )
    reply = await api_ask(
        assessment.id,
        ChatRequest(question=question, run_id=run_id),
        Principal(user=principal.user),
        work,
        services,
    )
    log.info("web.chat_answered", assessment_id=assessment.id, run_id=reply.run_id, by=reply.answered_by)
    if not is_htmx(request):
        return redirect(request, f"/runs/{reply.run_id}/dashboard#chat")
    messages = [
        {"role": "user", "text": reply.question, "citations": []},
        {
            "role": "assistant",
            "text": reply.answer,
            "citations": [c.model_dump(mode="json") for c in reply.citations],
            "fallback_reason": reply.fallback_reason,
        },
    ]
    context = {
        "assessment": assessment,
        "run_id": run_id,
        "question": "",
        "error": None,
        "messages": messages,
    }
    return pages.render(request, "results/chat_answered.html", context, principal=principal)


def _question_error(question: str) -> str | None:
    if not question:
        return "type a question about these results"
    if len(question) > MAX_QUESTION_CHARS:
        return f"at most {MAX_QUESTION_CHARS:,} characters (got {len(question):,})"
    return None
