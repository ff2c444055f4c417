"""`infra-mind ask RUN_DIR "question"`: answers from a finished run's assessment.json, with citations; an
LLM configured by the INFRA_MIND_LLM_* settings writes the answer from the cited passages."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import structlog
import typer
from pydantic import ValidationError
from rich.console import Console

from infra_mind.chat import answer
from infra_mind.cli.output import RESULT_FILE
from infra_mind.config import Settings, load_settings
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.outputs.chatbot import ChatAnswer, Citation
from infra_mind.errors import ConfigurationError
from infra_mind.llm import build_llm
from infra_mind.logs import configure_logging

EXIT_ERROR = 1
"""The code `infra-mind assess` exits with when it cannot read or write what it needs."""
EXIT_INVALID = 2

log = structlog.get_logger()


def ask(
    run_dir: Annotated[
        Path, typer.Argument(help="directory of a finished run (holds assessment.json)", show_default=False)
    ],
    question: Annotated[str, typer.Argument(help="the question, in quotes", show_default=False)],
) -> None:
    """Answer a question from RUN_DIR/assessment.json, quoting and citing its findings and recommendations."""
    console = Console(soft_wrap=True)
    errors = Console(stderr=True, soft_wrap=True)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        errors.print(f"invalid configuration: {exc.message}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from exc
    configure_logging(settings.log_level, json=settings.log_json)
    result = _load(run_dir / RESULT_FILE, errors)
    try:
        reply = asyncio.run(_answer(settings, result, question))
    except ConfigurationError as exc:
        errors.print(f"invalid configuration: {exc.message}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from exc
    console.print(reply.answer, markup=False, highlight=False)
    if reply.citations:
        console.print()
        console.print("Sources:", markup=False, highlight=False)
        for citation in reply.citations:
            console.print(f"  {_source_line(citation)}", markup=False, highlight=False)
    console.print()
    console.print(answered_by_line(reply), markup=False, highlight=False)


async def _answer(settings: Settings, result: AssessmentResult, question: str) -> ChatAnswer:
    llm = build_llm(settings)
    try:
        reply = await answer(result, question, llm=llm)
    finally:
        await llm.aclose()
    usage = llm.usage()
    log.info(
        "chat.answered",
        assessment_id=result.assessment_id,
        grounded=reply.grounded,
        answered_by=reply.answered_by,
        model=reply.model,
        llm_calls=usage.calls,
        tokens_in=usage.tokens_in,
        tokens_out=usage.tokens_out,
        cost_usd=usage.cost_usd,
    )
    return reply


def answered_by_line(reply: ChatAnswer) -> str:
    if reply.answered_by == "llm":
        return f"Answered by the LLM {reply.model}, from the sources above."
    if reply.fallback_reason is None:
        return "Answered by retrieval: the assessment's own words (no LLM configured)."
    return (
        f"Answered by retrieval: the assessment's own words; the LLM {reply.model} was not used: "
        f"{reply.fallback_reason}."
    )


def _load(path: Path, errors: Console) -> AssessmentResult:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        errors.print(f"error: cannot read {path}: {exc.strerror or exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    try:
        return AssessmentResult.model_validate_json(text)
    except ValidationError as exc:
        errors.print(
            f"error: {path} is not an Infra Mind assessment ({exc.error_count()} problem(s))",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_ERROR) from exc


def _source_line(citation: Citation) -> str:
    who = ", ".join(citation.agents) or "phase 1"
    line = f"[{citation.number}] {citation.kind} {citation.ref} ({who})"
    if citation.source:
        line += f"; source {citation.source}" + (f", as of {citation.as_of}" if citation.as_of else "")
    return line
