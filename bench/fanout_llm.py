"""Fan-out with real LLM calls: eleven agents, each making one HTTP call through the real LlmClient and
OpenAI provider to the mock server (bench/mockllm) with the seed latency profile, through the real
orchestrator. Parallel and sequential runs alternate in one run (medians over the repeats); then fault runs
at a 30 % fault rate check that every run still meets quorum, or say exactly why not.

LLM_MAX_CONCURRENCY is set to the number of agents: with fewer slots the provider's semaphore, not the
orchestrator, would serialise the calls. The cache is off so every call reaches the server. The client
spends a few milliseconds of CPU on each call (mostly the openai SDK building the request), one call
after another on the event loop: a fixed cost of the order of 50-150 ms per fan-out on a busy 2-vCPU
machine. So the speed-up is measured at LLM-like latencies (1 s per unit: calls of 1.2-3 s) rather
than at the simulated fan-out's 50 ms unit, where that cost would dominate.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from pydantic import BaseModel, Field

from bench.mockllm import FaultKind, FaultPolicy, FixedLatency, MockLlm, Profile, load_profile
from infra_mind.agents.base import Agent, AgentReport, Progress, RetryPolicy
from infra_mind.config import load_settings
from infra_mind.domain.context import AssessmentContext
from infra_mind.engine.events import InMemoryEventBus, RunEmitter
from infra_mind.engine.orchestrator import FanOutResult, Mode, Orchestrator, QuorumPolicy
from infra_mind.errors import ConfigurationError
from infra_mind.llm import LlmClient, LlmMessage, LlmRequest, build_llm
from infra_mind.llm.accounting import CallRecord

SEED_PROFILE = Path(__file__).resolve().parent / "mockllm" / "seed_profile.yaml"
AGENT_HEADER = "X-Mock-Agent"
MAX_WAIT_S = 2.0
"""Longest wait between attempts: the mock's Retry-After (1 s by default) is honoured."""
FAULT_KINDS = (FaultKind.HTTP_500, FaultKind.HTTP_429, FaultKind.TIMEOUT, FaultKind.MALFORMED_JSON)
"""The LlmClient does not stream, so a truncated stream cannot happen; the other four are drawn evenly."""
FAULT_BEHIND = {
    "llm_unavailable": FaultKind.HTTP_500.value,
    "llm_rate_limited": FaultKind.HTTP_429.value,
    "llm_timeout": FaultKind.TIMEOUT.value,
    "llm_invalid_reply": FaultKind.MALFORMED_JSON.value,
}
"""The injected fault behind each LlmError code an agent can degrade with against this mock."""


class SectionNarrative(BaseModel):
    narrative: str
    insights: list[str] = Field(default_factory=list)


class NarratingAgent(Agent):
    """One structured LLM call for its section's narrative; a failed call degrades to the offline
    narrative (recorded by the client's accountant) and the agent still completes."""

    retry = RetryPolicy(max_attempts=1)

    def __init__(self, name: str, llm: LlmClient, timeout_s: float) -> None:
        self.name = name
        self.llm = llm
        self.timeout_s = timeout_s

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        await progress(0, "asking the model")
        profile = ctx.profile
        outcome = await self.llm.complete_or_offline(
            LlmRequest(
                agent=self.name,
                purpose="narrative",
                system="You write one section of an infrastructure assessment from the data given.",
                messages=(
                    LlmMessage("user", "Write the narrative of this section and up to three insights."),
                ),
                schema=SectionNarrative,
                data={
                    "title": f"{self.name} section",
                    "facts": {
                        "peak requests/s": profile.peak_rps,
                        "vCPU at peak": profile.vcpu,
                        "memory GiB at peak": profile.memory_gib,
                        "serving GPUs": profile.serving_gpu_count,
                    },
                },
            )
        )
        await progress(100, "done")
        parsed = outcome.reply.parsed if outcome.reply is not None else None
        summary = parsed.narrative if isinstance(parsed, SectionNarrative) else "no narrative"
        return AgentReport(summary=summary)


@dataclass(frozen=True)
class FaultRun:
    wall_s: float
    quorum_met: bool
    completed: int
    degraded: dict[str, str]
    """agent → 'error code: reason (attempts)' of the LLM call it degraded on"""
    failed: dict[str, str]
    """agent → 'status: error' for agents that did not complete (what can break quorum)"""
    why_not: str | None
    """None when quorum was met"""
    injected: dict[str, int]
    requests: int
    recovered: int
    """calls that met a fault and still got the model's answer, by retrying"""


@dataclass(frozen=True)
class SpeedupFigures:
    unit_s: float
    repeats: int
    max_concurrency: int
    parallel_wall_s: float
    sequential_wall_s: float
    measured_speedup: float
    ideal_speedup: float
    efficiency: float
    overhead_ms_median: float
    """parallel wall minus the slowest agent's latency"""
    sequential_overhead_ms_per_call: float
    """sequential wall minus the sum of the latencies, per call"""
    peak_in_flight: int
    degraded_calls: int
    """LLM calls that degraded in these fault-free runs (expected 0)"""

    def table(self) -> list[tuple[str, str]]:
        return [
            ("parallel wall (median)", f"{self.parallel_wall_s * 1000:.1f} ms"),
            ("sequential wall (median)", f"{self.sequential_wall_s * 1000:.1f} ms"),
            ("measured speed-up", f"{self.measured_speedup:.3f}×"),
            ("ideal speed-up (sum ÷ max)", f"{self.ideal_speedup:.3f}×"),
            ("efficiency (measured ÷ ideal)", f"{self.efficiency:.2%}"),
            ("overhead over slowest, median", f"{self.overhead_ms_median:.1f} ms"),
            ("sequential overhead per call", f"{self.sequential_overhead_ms_per_call:.1f} ms"),
            ("peak concurrent requests at the server", str(self.peak_in_flight)),
            ("calls degraded without faults", str(self.degraded_calls)),
        ]


@dataclass(frozen=True)
class FaultFigures:
    unit_s: float
    rate: float
    timeout_s: float
    retries: int
    retry_after_s: int
    runs: list[FaultRun] = field(default_factory=list)

    @property
    def runs_meeting_quorum(self) -> int:
        return sum(run.quorum_met for run in self.runs)

    def injected(self) -> Counter[str]:
        return sum((Counter(run.injected) for run in self.runs), Counter())

    def degraded_by_fault(self) -> Counter[str]:
        codes = (error.split(":", 1)[0] for run in self.runs for error in run.degraded.values())
        return Counter(FAULT_BEHIND.get(code, code) for code in codes)

    def table(self) -> list[tuple[str, str]]:
        injected, degraded = self.injected(), self.degraded_by_fault()
        calls = sum(run.completed + len(run.failed) for run in self.runs)
        rows = [
            (
                f"runs meeting quorum at a {self.rate:.0%} fault rate",
                f"{self.runs_meeting_quorum}/{len(self.runs)}",
            )
        ]
        rows += [
            (
                f"  {kind.value}: faults injected / calls degraded",
                f"{injected[kind.value]} / {degraded[kind.value]}",
            )
            for kind in FAULT_KINDS
        ]
        rows.append(("  calls degraded, all kinds", f"{sum(degraded.values())} of {calls}"))
        rows.append(("  calls answered after retries", str(sum(run.recovered for run in self.runs))))
        if self.runs:
            walls = [run.wall_s for run in self.runs]
            rows.append(
                (
                    "  run wall, median / max",
                    f"{statistics.median(walls) * 1000:.0f} / {max(walls) * 1000:.0f} ms",
                )
            )
        rows += [
            (f"  run {i + 1} missed quorum", run.why_not) for i, run in enumerate(self.runs) if run.why_not
        ]
        return rows


@dataclass(frozen=True)
class LlmFanOutFigures:
    speedup: SpeedupFigures
    faults: FaultFigures

    @property
    def efficiency(self) -> float:
        return self.speedup.efficiency

    @property
    def every_run_met_quorum(self) -> bool:
        return self.faults.runs_meeting_quorum == len(self.faults.runs)


def seed_profile(unit_s: float) -> Profile:
    return load_profile(SEED_PROFILE).changed(latency_scale=unit_s)


def latencies_s(profile: Profile) -> dict[str, float]:
    """Each agent's fixed latency in seconds (the seed profile's latencies are all fixed)."""
    found = {}
    for name, agent in profile.agents.items():
        if not isinstance(agent.latency, FixedLatency):
            raise ConfigurationError(
                f"agent {name}: the benchmark needs fixed latencies, got {agent.latency}"
            )
        found[name] = agent.latency.seconds * profile.latency_scale
    return found


def _client(
    mock: MockLlm, http: httpx2.AsyncClient, *, agents: int, timeout_s: float, retries: int
) -> LlmClient:
    settings = load_settings(
        llm_provider="openai",
        llm_base_url=mock.base_url,
        llm_model=mock.profile.models[0],
        llm_max_concurrency=agents,
        llm_timeout_s=timeout_s,
        llm_retries=retries,
        llm_backoff_s=min(0.05, timeout_s / 4),
        llm_max_wait_s=MAX_WAIT_S,
        llm_cache_enabled=False,
        llm_agent_header=AGENT_HEADER,
    )
    return build_llm(settings, http_client=http)


async def fan_out(
    ctx: AssessmentContext, llm: LlmClient, names: list[str], agent_timeout_s: float, mode: Mode
) -> tuple[FanOutResult, tuple[CallRecord, ...]]:
    run_llm = llm.for_run()
    agents: list[Agent] = [NarratingAgent(name, run_llm, agent_timeout_s) for name in names]
    bus = InMemoryEventBus()
    consumer = asyncio.create_task(_drain(bus, "bench-llm"))
    fan = await Orchestrator(agents).fan_out(ctx, RunEmitter(bus, "bench-llm"), mode=mode)
    consumer.cancel()
    return fan, run_llm.accountant.records


async def _drain(bus: InMemoryEventBus, run_id: str) -> None:
    async for _ in bus.subscribe(run_id):
        pass


def _degraded(records: tuple[CallRecord, ...]) -> dict[str, str]:
    return {r.agent: f"{r.outcome}: {r.reason} (attempts {r.attempts})" for r in records if r.outcome != "ok"}


async def measure(
    ctx: AssessmentContext,
    *,
    unit_s: float = 1.0,
    repeats: int = 3,
    fault_unit_s: float = 0.05,
    fault_runs: int = 20,
    fault_rate: float = 0.3,
    retry_after_s: int = 1,
) -> LlmFanOutFigures:
    speedup = await measure_speedup(ctx, unit_s=unit_s, repeats=repeats)
    faults = await measure_faults(
        ctx, unit_s=fault_unit_s, runs=fault_runs, rate=fault_rate, retry_after_s=retry_after_s
    )
    return LlmFanOutFigures(speedup, faults)


async def measure_speedup(
    ctx: AssessmentContext, *, unit_s: float, repeats: int, timeout_s: float | None = None
) -> SpeedupFigures:
    """Parallel and sequential runs alternate, so the machine's noise falls on both alike."""
    profile = seed_profile(unit_s)
    latency = latencies_s(profile)
    names = list(latency)
    slowest, total = max(latency.values()), sum(latency.values())
    timeout_s = timeout_s if timeout_s is not None else max(1.0, 2 * slowest)
    agent_timeout_s = timeout_s + 5.0
    walls: dict[Mode, list[float]] = {Mode.PARALLEL: [], Mode.SEQUENTIAL: []}
    degraded = 0
    with MockLlm(profile) as mock:
        async with httpx2.AsyncClient() as http:
            llm = _client(mock, http, agents=len(names), timeout_s=timeout_s, retries=0)
            await fan_out(ctx, llm, names, agent_timeout_s, Mode.PARALLEL)
            mock.reset()
            for _ in range(repeats):
                for mode, measured in walls.items():
                    fan, records = await fan_out(ctx, llm, names, agent_timeout_s, mode)
                    measured.append(fan.wall_s)
                    degraded += len(_degraded(records))
            peak = mock.stats().peak_in_flight
            await llm.aclose()
    parallel = statistics.median(walls[Mode.PARALLEL])
    sequential = statistics.median(walls[Mode.SEQUENTIAL])
    ideal = total / slowest
    return SpeedupFigures(
        unit_s=unit_s,
        repeats=repeats,
        max_concurrency=len(names),
        parallel_wall_s=parallel,
        sequential_wall_s=sequential,
        measured_speedup=sequential / parallel,
        ideal_speedup=ideal,
        efficiency=sequential / parallel / ideal,
        overhead_ms_median=statistics.median((w - slowest) * 1000 for w in walls[Mode.PARALLEL]),
        sequential_overhead_ms_per_call=(sequential - total) * 1000 / len(names),
        peak_in_flight=peak,
        degraded_calls=degraded,
    )


async def measure_faults(
    ctx: AssessmentContext,
    *,
    unit_s: float,
    runs: int,
    rate: float = 0.3,
    retry_after_s: int = 1,
    timeout_s: float | None = None,
    retries: int = 3,
) -> FaultFigures:
    """Parallel runs with `rate` of the requests faulted. `timeout_s` (per attempt) defaults to three
    times the slowest agent's latency, at least 0.5 s: short, yet not hit by a call that is not hung on
    a busy machine. The client honours the 429s' Retry-After (`retry_after_s`). The agents' own timeout
    covers every attempt and wait, so they degrade rather than fail."""
    profile = seed_profile(unit_s)
    names = list(latencies_s(profile))
    timeout_s = timeout_s if timeout_s is not None else max(0.5, 3 * max(latencies_s(profile).values()))
    agent_timeout_s = (retries + 1) * (timeout_s + MAX_WAIT_S) + 5.0
    faults = FaultPolicy(rate=rate, kinds=FAULT_KINDS, retry_after_s=retry_after_s, hang_s=60.0)
    with MockLlm(profile.changed(faults=faults)) as mock:
        async with httpx2.AsyncClient() as http:
            llm = _client(mock, http, agents=len(names), timeout_s=timeout_s, retries=retries)
            done = [await _fault_run(ctx, llm, mock, names, agent_timeout_s) for _ in range(runs)]
            await llm.aclose()
    return FaultFigures(
        unit_s=unit_s, rate=rate, timeout_s=timeout_s, retries=retries, retry_after_s=retry_after_s, runs=done
    )


async def _fault_run(
    ctx: AssessmentContext, llm: LlmClient, mock: MockLlm, names: list[str], agent_timeout_s: float
) -> FaultRun:
    before = mock.stats()
    fan, records = await fan_out(ctx, llm, names, agent_timeout_s, Mode.PARALLEL)
    after = mock.stats()
    settings = load_settings()
    quorum = QuorumPolicy(settings.quorum, frozenset(settings.required_agents))
    failed = {
        name: f"{result.status.value}: {result.error.message if result.error else 'no error recorded'}"
        for name, result in fan.results.items()
        if not result.ok
    }
    met = quorum.met(fan.results)
    completed = len(fan.results) - len(failed)
    why_not = None
    if not met:
        failures = "; ".join(f"{agent} {error}" for agent, error in sorted(failed.items()))
        why_not = (
            f"{completed}/{len(fan.results)} agents completed, quorum needs {quorum.min_ratio:.0%}"
            f" and the required agents ({', '.join(sorted(quorum.required)) or 'none'}): {failures}"
        )
    return FaultRun(
        wall_s=fan.wall_s,
        quorum_met=met,
        completed=completed,
        degraded=_degraded(records),
        failed=failed,
        why_not=why_not,
        injected={kind: n - before.faults.get(kind, 0) for kind, n in after.faults.items()},
        requests=after.requests - before.requests,
        recovered=sum(r.outcome == "ok" and r.attempts > 1 for r in records),
    )


def as_json(figures: LlmFanOutFigures) -> dict[str, Any]:
    faults = figures.faults
    return {
        "speedup": dict(figures.speedup.__dict__),
        "faults": {
            **{name: value for name, value in faults.__dict__.items() if name != "runs"},
            "runs_meeting_quorum": faults.runs_meeting_quorum,
            "faults_injected": dict(faults.injected()),
            "calls_degraded_by_fault": dict(faults.degraded_by_fault()),
            "runs": [dict(run.__dict__) for run in faults.runs],
        },
    }
