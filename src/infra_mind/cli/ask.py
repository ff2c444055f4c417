"""`infra-mind ask RUN_DIR "question"`: answers from a finished run's assessment.json, with citations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import structlog
import typer
from pydantic import ValidationError
from rich.console import Console

from infra_mind.chat import answer
from infra_mind.cli.output import RESULT_FILE
from infra_mind.config import load_settings
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.outputs.chatbot import Citation
from infra_mind.errors import ConfigurationError
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
    reply = answer(result, question)
    log.info("chat.answered", assessment_id=result.assessment_id, grounded=reply.grounded)
    console.print(reply.answer, markup=False, highlight=False)
    if reply.citations:
        console.print()
        console.print("Sources:", markup=False, highlight=False)
        for citation in reply.citations:
            console.print(f"  {_source_line(citation)}", markup=False, highlight=False)


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
