"""Report rendering time per format: HTML with charts, and the PDFs of every report kind."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from infra_mind.config import Settings
from infra_mind.domain.input_rules import load_input_file
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.render import make_environment, render_reports


@dataclass(frozen=True)
class ReportFigures:
    example: str
    html_ms: float
    pdf_ms: float
    pdf_reports: int


def measure(example: Path, knowledge: Knowledge, *, repeats: int = 3) -> ReportFigures:
    spec = load_input_file(example)
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus(), report_formats=())
    result = asyncio.run(pipeline.run(spec, run_id=example.stem)).result
    ctx = build_context(spec, knowledge)
    env = make_environment()
    render_reports(result, ctx, ("html",), env)

    def timed(fmt: str) -> tuple[float, int]:
        walls, count = [], 0
        for _ in range(repeats):
            started = time.perf_counter()
            count = len(render_reports(result, ctx, (fmt,), env))
            walls.append((time.perf_counter() - started) * 1000)
        return statistics.median(walls), count

    html_ms, _ = timed("html")
    pdf_ms, pdfs = timed("pdf")
    return ReportFigures(example.stem, html_ms, pdf_ms, pdfs)
