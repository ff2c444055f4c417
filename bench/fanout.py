"""Fan-out efficiency: eleven agents waiting on simulated I/O, parallel vs sequential, in one run.

The latency profile is the seed profile of DESIGN.md's eleven agents, in units scaled by UNIT_S.
Overhead is the agent phase's wall time minus the slowest agent's latency, with events (one live
subscriber), per-agent timeouts, retry policies and metrics all on. A plain asyncio.gather of the
same sleeps is measured in the same run as the floor.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from typing import Any

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.domain.context import AssessmentContext
from infra_mind.engine.events import InMemoryEventBus, RunEmitter
from infra_mind.engine.metrics import execution_metrics
from infra_mind.engine.orchestrator import Mode, Orchestrator

SEED_PROFILE = {
    "cto": 3.0,
    "cloud_engineer": 3.0,
    "infrastructure": 1.8,
    "security": 2.4,
    "compliance": 2.4,
    "mlops": 2.0,
    "ai_consultant": 2.4,
    "research": 1.8,
    "web_research": 3.0,
    "simulation": 1.2,
    "chatbot": 2.0,
}


class SleepingAgent(Agent):
    def __init__(self, name: str, latency_s: float) -> None:
        self.name = name
        self.latency_s = latency_s
        self.timeout_s = latency_s * 10

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        await progress(0, "waiting on I/O")
        await asyncio.sleep(self.latency_s)
        await progress(100, "done")
        return AgentReport(summary="slept")


@dataclass(frozen=True)
class FanOutFigures:
    unit_s: float
    repeats: int
    parallel_wall_s: float
    sequential_wall_s: float
    measured_speedup: float
    ideal_speedup: float
    efficiency: float
    overhead_ms_median: float
    overhead_ms_p95: float
    gather_overhead_ms_median: float

    def table(self) -> list[tuple[str, str]]:
        return [
            ("parallel wall (median)", f"{self.parallel_wall_s * 1000:.1f} ms"),
            ("sequential wall", f"{self.sequential_wall_s * 1000:.1f} ms"),
            ("measured speed-up", f"{self.measured_speedup:.3f}×"),
            ("ideal speed-up (sum ÷ max)", f"{self.ideal_speedup:.3f}×"),
            ("efficiency (measured ÷ ideal)", f"{self.efficiency:.2%}"),
            ("overhead over slowest, median", f"{self.overhead_ms_median:.2f} ms"),
            ("overhead over slowest, p95", f"{self.overhead_ms_p95:.2f} ms"),
            ("plain asyncio.gather overhead, median", f"{self.gather_overhead_ms_median:.2f} ms"),
        ]


async def _fan_out_once(ctx: AssessmentContext, unit_s: float, mode: Mode) -> float:
    agents: list[Agent] = [SleepingAgent(name, units * unit_s) for name, units in SEED_PROFILE.items()]
    bus = InMemoryEventBus()
    consumer = asyncio.create_task(_drain(bus, "bench"))
    started = time.perf_counter()
    fan = await Orchestrator(agents).fan_out(ctx, RunEmitter(bus, "bench"), mode=mode)
    execution_metrics(mode.value, fan.results, {"agents": fan.wall_s}, time.perf_counter() - started)
    consumer.cancel()
    return fan.wall_s


async def _drain(bus: InMemoryEventBus, run_id: str) -> None:
    async for _ in bus.subscribe(run_id):
        pass


async def _gather_once(unit_s: float) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(units * unit_s) for units in SEED_PROFILE.values()))
    return time.perf_counter() - started


async def measure(ctx: AssessmentContext, *, unit_s: float = 0.05, repeats: int = 15) -> FanOutFigures:
    slowest = max(SEED_PROFILE.values()) * unit_s
    total = sum(SEED_PROFILE.values()) * unit_s
    await _fan_out_once(ctx, unit_s / 10, Mode.PARALLEL)
    parallel = [await _fan_out_once(ctx, unit_s, Mode.PARALLEL) for _ in range(repeats)]
    gathered = [await _gather_once(unit_s) for _ in range(repeats)]
    sequential = await _fan_out_once(ctx, unit_s, Mode.SEQUENTIAL)
    wall = statistics.median(parallel)
    overheads = sorted((w - slowest) * 1000 for w in parallel)
    speedup = sequential / wall
    ideal = total / slowest
    return FanOutFigures(
        unit_s=unit_s,
        repeats=repeats,
        parallel_wall_s=wall,
        sequential_wall_s=sequential,
        measured_speedup=speedup,
        ideal_speedup=ideal,
        efficiency=speedup / ideal,
        overhead_ms_median=statistics.median(overheads),
        overhead_ms_p95=overheads[min(len(overheads) - 1, round(0.95 * (len(overheads) - 1)))],
        gather_overhead_ms_median=statistics.median((g - slowest) * 1000 for g in gathered),
    )


def as_json(figures: FanOutFigures) -> dict[str, Any]:
    return dict(figures.__dict__)
