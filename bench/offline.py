"""Offline assessment latency: the whole pipeline (phases 1–5, Markdown reports and the JSON result)."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from infra_mind.config import Settings
from infra_mind.domain.input_rules import load_input_file
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.pipeline import Pipeline
from infra_mind.knowledge.catalog import Knowledge


@dataclass(frozen=True)
class OfflineFigures:
    example: str
    repeats: int
    median_ms: float
    p95_ms: float
    agents_phase_median_ms: float


async def timed_run(pipeline: Pipeline, spec: AssessmentInput, run_id: str) -> tuple[float, float]:
    """One assessment, its result serialised: wall time and agent phase in seconds. A run that misses
    the quorum is an error, not a figure."""
    started = time.perf_counter()
    outcome = await pipeline.run(spec, run_id=run_id)
    outcome.result.model_dump_json()
    wall = time.perf_counter() - started
    if not outcome.result.quorum["met"]:
        raise RuntimeError(f"bench run {run_id} did not meet the quorum")
    return wall, outcome.result.execution_metrics.phase_times["agents"]


def p95(ordered: list[float]) -> float:
    return ordered[round(0.95 * (len(ordered) - 1))]


def measure(example: Path, knowledge: Knowledge, *, repeats: int = 30) -> OfflineFigures:
    spec = load_input_file(example)
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus())

    async def all_runs() -> list[tuple[float, float]]:
        await timed_run(pipeline, spec, "bench-warm-up")
        return [await timed_run(pipeline, spec, f"bench-{i}") for i in range(repeats)]

    runs = asyncio.run(all_runs())
    walls = sorted(w * 1000 for w, _ in runs)
    return OfflineFigures(
        example=example.stem,
        repeats=repeats,
        median_ms=statistics.median(walls),
        p95_ms=p95(walls),
        agents_phase_median_ms=statistics.median(a * 1000 for _, a in runs),
    )


def cli_wall_ms(example: Path, out_dir: Path, *, repeats: int = 5) -> float:
    """Median wall time of the whole `infra-mind assess` process: interpreter start, imports, run, files."""
    command = [
        sys.executable,
        "-m",
        "infra_mind.cli",
        "assess",
        str(example),
        "--out",
        str(out_dir),
        "--quiet",
    ]
    walls = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append((time.perf_counter() - started) * 1000)
    return statistics.median(walls)
