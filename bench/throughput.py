"""Offline throughput: assessments per second with 1 and 2 worker processes (spawned), each loading the
knowledge base once and warming up on every example before the clock starts; then every worker runs the
same share of assessments (the examples in turn). Per-assessment times are taken inside the workers
(pipeline run + JSON result, as bench/offline.py takes them); the throughput is the parent's wall from
handing out the shares to the last result."""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.offline import p95, timed_run
from infra_mind.config import Settings
from infra_mind.domain.input_rules import load_input_file
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.logs import configure_logging

READY_ATTEMPTS = 50
READY_PAUSE_S = 0.05


@dataclass(frozen=True)
class ThroughputFigures:
    processes: int
    assessments: int
    wall_s: float
    per_second: float
    median_ms: float
    p95_ms: float
    workers_used: int


@functools.cache
def _inputs(examples: tuple[Path, ...]) -> tuple[Knowledge, tuple[AssessmentInput, ...]]:
    """Per worker process: the knowledge base and the examples, loaded once, on first use."""
    return Knowledge.load(), tuple(load_input_file(e) for e in examples)


def _prepare(examples: tuple[Path, ...]) -> None:
    configure_logging("WARNING")
    _assess(examples, len(examples))


def _ready(pause_s: float) -> int:
    time.sleep(pause_s)
    return os.getpid()


def _assess(examples: tuple[Path, ...], count: int) -> tuple[int, list[float]]:
    """`count` assessments, the examples in turn, in one event loop; each one's wall in ms."""
    knowledge, specs = _inputs(examples)
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus())

    async def run_all() -> list[float]:
        walls = []
        for i in range(count):
            wall_s, _ = await timed_run(pipeline, specs[i % len(specs)], f"throughput-{os.getpid()}-{i}")
            walls.append(wall_s * 1000)
        return walls

    return os.getpid(), asyncio.run(run_all())


def _wait_until_every_worker_is_ready(pool: ProcessPoolExecutor, processes: int) -> None:
    """A worker takes tasks only once its initializer (load + warm-up) is done; short tasks until every
    worker has answered one mean none is still warming up when the clock starts."""
    answered: set[int] = set()
    for _ in range(READY_ATTEMPTS):
        answered |= set(pool.map(_ready, [READY_PAUSE_S] * processes))
        if len(answered) == processes:
            return
    raise RuntimeError(f"only {len(answered)} of {processes} worker processes became ready")


def measure(examples: list[Path], *, processes: int, per_process: int) -> ThroughputFigures:
    shares = tuple(examples)
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_prepare,
        initargs=(shares,),
    ) as pool:
        _wait_until_every_worker_is_ready(pool, processes)
        started = time.perf_counter()
        done = list(pool.map(_assess, [shares] * processes, [per_process] * processes))
        wall_s = time.perf_counter() - started
    walls = sorted(w for _, worker_walls in done for w in worker_walls)
    return ThroughputFigures(
        processes=processes,
        assessments=len(walls),
        wall_s=wall_s,
        per_second=len(walls) / wall_s,
        median_ms=statistics.median(walls),
        p95_ms=p95(walls),
        workers_used=len({pid for pid, _ in done}),
    )


def measure_all(
    examples: list[Path], *, per_process: int, process_counts: tuple[int, ...] = (1, 2)
) -> list[ThroughputFigures]:
    return [measure(examples, processes=n, per_process=per_process) for n in process_counts]


TABLE_COLUMNS = ("processes", "assessments", "wall", "assessments/s", "median", "p95", "workers used")


def table_rows(figures: list[ThroughputFigures]) -> list[tuple[str, ...]]:
    return [
        (
            str(f.processes),
            str(f.assessments),
            f"{f.wall_s:.2f} s",
            f"{f.per_second:.2f}",
            f"{f.median_ms:.1f} ms",
            f"{f.p95_ms:.1f} ms",
            str(f.workers_used),
        )
        for f in figures
    ]
