"""Cost growth of one offline assessment as its input grows (bench/growth_inputs.py): more workloads,
more compliance frameworks, more regions in reach.

Time: the median of `repeats` runs after one warm-up run of the same input, in this process, knowledge
loaded once. Memory: tracemalloc's peak of the Python allocations made during one run, after a warm-up
run of the same input, in a separate spawned process (so tracing slows no timed run). It counts what the
assessment allocates, not what the allocator keeps from the OS, so it is not RSS: an RSS delta of one
run is mostly pymalloc arenas reused from the warm-up, i.e. noise at these sizes.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import statistics
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from bench.growth_inputs import SizedInput
from bench.offline import timed_run
from infra_mind.config import Settings
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.logs import configure_logging

MIB = 1024 * 1024
AXIS_UNITS = {"workloads": "workloads", "frameworks": "frameworks", "regions": "regions in reach"}


@dataclass(frozen=True)
class GrowthPoint:
    size: int
    median_ms: float
    peak_mib: float


@dataclass(frozen=True)
class GrowthCurve:
    axis: str
    repeats: int
    points: list[GrowthPoint]

    @property
    def time_growth(self) -> float:
        return self.points[-1].median_ms / self.points[0].median_ms

    @property
    def memory_growth(self) -> float:
        return self.points[-1].peak_mib / self.points[0].peak_mib

    @property
    def size_growth(self) -> float:
        return self.points[-1].size / self.points[0].size


async def _run_once(knowledge: Knowledge, spec: AssessmentInput, run_id: str) -> float:
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus())
    wall_s, _ = await timed_run(pipeline, spec, run_id)
    return wall_s * 1000


def median_ms(knowledge: Knowledge, spec: AssessmentInput, repeats: int) -> float:
    async def runs() -> list[float]:
        await _run_once(knowledge, spec, "growth-warm-up")
        return [await _run_once(knowledge, spec, f"growth-{i}") for i in range(repeats)]

    return statistics.median(asyncio.run(runs()))


@functools.cache
def _worker_knowledge() -> Knowledge:
    """Per spawned memory worker: the knowledge base, loaded once."""
    configure_logging("WARNING")
    return Knowledge.load()


def peak_mib(spec_json: str) -> float:
    """In the memory worker: the traced peak of one run, after a warm-up run of the same input."""
    knowledge = _worker_knowledge()
    spec = AssessmentInput.model_validate_json(spec_json)

    async def traced() -> float:
        await _run_once(knowledge, spec, "growth-memory-warm-up")
        tracemalloc.start()
        try:
            await _run_once(knowledge, spec, "growth-memory")
            return tracemalloc.get_traced_memory()[1] / MIB
        finally:
            tracemalloc.stop()

    return asyncio.run(traced())


def measure(
    inputs: dict[str, list[SizedInput]], knowledge: Knowledge, *, repeats: int = 5
) -> list[GrowthCurve]:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as memory:
        peaks = {
            axis: list(memory.map(peak_mib, [s.spec.model_dump_json() for s in sized]))
            for axis, sized in inputs.items()
        }
    return [
        GrowthCurve(
            axis=axis,
            repeats=repeats,
            points=[
                GrowthPoint(s.size, median_ms(knowledge, s.spec, repeats), peak)
                for s, peak in zip(sized, peaks[axis], strict=True)
            ],
        )
        for axis, sized in inputs.items()
    ]


TABLE_COLUMNS = ("input", "time, median", "peak traced memory")


def table_rows(curve: GrowthCurve) -> list[tuple[str, str, str]]:
    rows = [
        (f"{p.size} {AXIS_UNITS[curve.axis]}", f"{p.median_ms:.1f} ms", f"{p.peak_mib:.2f} MiB")
        for p in curve.points
    ]
    rows.append(
        (
            f"last ÷ first (input ×{curve.size_growth:g})",
            f"{curve.time_growth:.2f}×",
            f"{curve.memory_growth:.2f}×",
        )
    )
    return rows


def as_json(curves: list[GrowthCurve]) -> list[dict[str, Any]]:
    return [
        {
            "axis": c.axis,
            "repeats": c.repeats,
            "memory": "tracemalloc peak of one run after a warm-up, in a spawned process",
            "points": [p.__dict__ for p in c.points],
            "time_growth": c.time_growth,
            "memory_growth": c.memory_growth,
            "size_growth": c.size_growth,
        }
        for c in curves
    ]
