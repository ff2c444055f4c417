from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bench import fanout, fanout_llm
from infra_mind.domain.context import AssessmentContext

pytestmark = pytest.mark.slow

UNIT_S = 0.02
"""Slowest call 60 ms: long enough for the parallel run to win clearly on a busy machine, short enough
for a fast test."""
TIMEOUT_S = 1.0
"""Per attempt: far above a normal call even on a loaded machine, so only injected hangs time out."""
FAULT_TIMEOUT_S = 0.5
"""The same for 2 ms latencies, kept shorter because every injected hang costs one."""


@pytest.fixture
def ctx(
    make_context: Callable[[dict[str, Any]], AssessmentContext], healthtech: dict[str, Any]
) -> AssessmentContext:
    return make_context(healthtech)


def test_seed_profile_matches_the_simulated_fan_out() -> None:
    latencies = fanout_llm.latencies_s(fanout_llm.seed_profile(1.0))

    assert latencies == pytest.approx(fanout.SEED_PROFILE)


async def test_parallel_beats_sequential_in_one_run(ctx: AssessmentContext) -> None:
    figures = await fanout_llm.measure_speedup(ctx, unit_s=UNIT_S, repeats=2, timeout_s=TIMEOUT_S)

    assert figures.ideal_speedup == pytest.approx(25.0 / 3.0)
    assert figures.parallel_wall_s >= 3.0 * UNIT_S
    assert figures.sequential_wall_s >= 25.0 * UNIT_S
    assert figures.measured_speedup == pytest.approx(figures.sequential_wall_s / figures.parallel_wall_s)
    assert 1.5 < figures.measured_speedup <= figures.ideal_speedup * 1.05
    assert figures.efficiency == pytest.approx(figures.measured_speedup / figures.ideal_speedup)
    assert figures.overhead_ms_median > 0
    assert figures.max_concurrency == 11
    assert figures.peak_in_flight > 1
    assert figures.degraded_calls == 0
    assert figures.table()[0][0] == "parallel wall (median)"


async def test_fault_runs_meet_quorum_and_name_each_degraded_call(ctx: AssessmentContext) -> None:
    figures = await fanout_llm.measure_faults(
        ctx, unit_s=0.002, runs=3, retry_after_s=0, timeout_s=FAULT_TIMEOUT_S, retries=2
    )

    assert len(figures.runs) == 3
    for run in figures.runs:
        assert run.requests >= 11
        assert run.quorum_met, run.why_not
        assert run.why_not is None
        assert run.failed == {}
        assert all(error.split(":")[0] in fanout_llm.FAULT_BEHIND for error in run.degraded.values())
    injected, degraded = figures.injected(), figures.degraded_by_fault()
    assert sum(injected.values()) > 0
    assert set(injected) <= {kind.value for kind in fanout_llm.FAULT_KINDS}
    assert all(degraded[kind] <= injected[kind] for kind in degraded)
    assert sum(run.recovered for run in figures.runs) > 0
    assert figures.table()[0] == ("runs meeting quorum at a 30% fault rate", "3/3")


async def test_agents_degrade_rather_than_fail_when_every_call_fails(ctx: AssessmentContext) -> None:
    figures = await fanout_llm.measure_faults(
        ctx, unit_s=0.002, runs=1, rate=1.0, retry_after_s=0, timeout_s=FAULT_TIMEOUT_S, retries=1
    )

    (run,) = figures.runs
    assert run.quorum_met
    assert run.completed == 11
    assert sorted(run.degraded) == sorted(fanout.SEED_PROFILE)
    assert run.requests == sum(run.injected.values())
    assert all(error.split(":")[0] in fanout_llm.FAULT_BEHIND for error in run.degraded.values())
    assert sum(figures.degraded_by_fault().values()) == 11
    speedup = await fanout_llm.measure_speedup(ctx, unit_s=0.001, repeats=1, timeout_s=TIMEOUT_S)
    data = json.loads(json.dumps(fanout_llm.as_json(fanout_llm.LlmFanOutFigures(speedup, figures))))
    assert data["speedup"]["repeats"] == 1
    assert data["faults"]["runs_meeting_quorum"] == 1
    assert data["faults"]["runs"][0]["degraded"] == run.degraded
    assert sum(data["faults"]["calls_degraded_by_fault"].values()) == 11
