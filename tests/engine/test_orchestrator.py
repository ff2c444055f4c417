from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from infra_mind.domain.agent_result import AgentStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.events import EventType
from infra_mind.engine.events import InMemoryEventBus, RunEmitter
from infra_mind.engine.orchestrator import Cancellation, Mode, Orchestrator, QuorumPolicy

from .agents_for_tests import Script, ScriptedAgent


@pytest.fixture
def ctx(
    make_context: Callable[[dict[str, Any]], AssessmentContext], healthtech: dict[str, Any]
) -> AssessmentContext:
    return make_context(healthtech)


@pytest.fixture
def bus() -> InMemoryEventBus:
    return InMemoryEventBus()


async def fan_out(agents: list[ScriptedAgent], ctx: AssessmentContext, bus: InMemoryEventBus, **kwargs: Any):
    return await Orchestrator(list(agents)).fan_out(ctx, RunEmitter(bus, "run-1"), **kwargs)


async def test_parallel_wall_time_is_the_slowest_agent_not_the_sum(ctx, bus) -> None:
    agents = [ScriptedAgent(f"a{i}", Script(delay_s=0.05 + 0.01 * i)) for i in range(5)]
    fan = await fan_out(agents, ctx, bus)
    assert all(r.status is AgentStatus.COMPLETED for r in fan.results.values())
    assert 0.09 <= fan.wall_s < 0.09 + 0.04
    assert sum(r.duration_s for r in fan.results.values()) > 0.3


async def test_sequential_mode_runs_one_after_another(ctx, bus) -> None:
    agents = [ScriptedAgent(f"a{i}", Script(delay_s=0.02)) for i in range(4)]
    fan = await fan_out(agents, ctx, bus, mode=Mode.SEQUENTIAL)
    assert fan.wall_s >= 0.08
    spans = sorted((r.started_at, r.finished_at) for r in fan.results.values())
    assert all(prev[1] <= nxt[0] for prev, nxt in pairwise(spans))


async def test_timeout_becomes_timed_out_result(ctx, bus) -> None:
    slow = ScriptedAgent("slow", Script(hang=True), timeout_s=0.05)
    fan = await fan_out([slow, ScriptedAgent("fast")], ctx, bus)
    result = fan.results["slow"]
    assert result.status is AgentStatus.TIMED_OUT
    assert result.error is not None
    assert "0.05" in result.error.message
    assert fan.results["fast"].status is AgentStatus.COMPLETED
    assert fan.wall_s < 1


async def test_cpu_bound_overrun_is_timed_out_even_though_it_could_not_be_interrupted(ctx, bus) -> None:
    blocking = ScriptedAgent("blocking", Script(block_s=0.08), timeout_s=0.02)
    fan = await fan_out([blocking], ctx, bus)
    result = fan.results["blocking"]
    assert result.status is AgentStatus.TIMED_OUT
    assert result.error is not None
    assert "over its 0.02 s timeout" in result.error.message
    assert result.findings == []


async def test_exception_becomes_failed_result_and_is_not_retried(ctx, bus) -> None:
    broken = ScriptedAgent("broken", Script(fail_with=ValueError("bad catalog row")))
    fan = await fan_out([broken], ctx, bus)
    result = fan.results["broken"]
    assert result.status is AgentStatus.FAILED
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("ValueError", "bad catalog row")
    assert broken.calls == 1


async def test_transient_error_is_retried_then_succeeds(ctx, bus) -> None:
    flaky = ScriptedAgent("flaky", Script(transient_failures=2))
    fan = await fan_out([flaky], ctx, bus)
    assert fan.results["flaky"].status is AgentStatus.COMPLETED
    assert fan.results["flaky"].attempts == 3
    retries = [e for e in bus.history("run-1") if e.type is EventType.AGENT_RETRYING]
    assert [e.data["attempt"] for e in retries] == [2, 3]


async def test_transient_error_that_persists_fails_after_max_attempts(ctx, bus) -> None:
    flaky = ScriptedAgent("flaky", Script(transient_failures=10))
    fan = await fan_out([flaky], ctx, bus)
    assert fan.results["flaky"].status is AgentStatus.FAILED
    assert fan.results["flaky"].attempts == 3
    assert fan.results["flaky"].error.transient


async def test_cancellation_stops_every_running_agent(ctx, bus) -> None:
    cancellation = Cancellation()
    agents = [ScriptedAgent("done", Script(delay_s=0)), ScriptedAgent("hung", Script(hang=True))]
    asyncio.get_running_loop().call_later(0.05, cancellation.cancel, "user asked")
    started = time.perf_counter()
    fan = await fan_out(agents, ctx, bus, cancellation=cancellation)
    assert time.perf_counter() - started < 1
    assert fan.cancelled
    assert fan.results["done"].status is AgentStatus.COMPLETED
    assert fan.results["hung"].status is AgentStatus.CANCELLED


async def test_no_agent_outlives_a_fan_out_that_is_itself_cancelled(ctx, bus) -> None:
    agents = [ScriptedAgent(f"hung{i}", Script(hang=True)) for i in range(3)]
    before = asyncio.all_tasks()
    run = asyncio.create_task(fan_out(agents, ctx, bus))
    await asyncio.sleep(0.02)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert asyncio.all_tasks() - before == {asyncio.current_task()} - before


async def test_cancellation_reaches_agents_still_queued_in_sequential_mode(ctx, bus) -> None:
    cancellation = Cancellation()
    agents = [ScriptedAgent("first", Script(hang=True)), ScriptedAgent("second")]
    asyncio.get_running_loop().call_later(0.02, cancellation.cancel)
    fan = await fan_out(agents, ctx, bus, mode=Mode.SEQUENTIAL, cancellation=cancellation)
    assert fan.results["second"].status is AgentStatus.CANCELLED
    assert fan.results["second"].attempts == 0


async def test_events_are_ordered_and_bracket_each_agent(ctx, bus) -> None:
    agents = [
        ScriptedAgent("a", Script(delay_s=0.01)),
        ScriptedAgent("b", Script(fail_with=RuntimeError("x"))),
    ]
    await fan_out(agents, ctx, bus)
    events = bus.history("run-1")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for name, last in (("a", EventType.AGENT_COMPLETED), ("b", EventType.AGENT_FAILED)):
        mine = [e.type for e in events if e.agent == name]
        assert mine[0] is EventType.AGENT_STARTED
        assert mine[-1] is last
        assert EventType.AGENT_PROGRESS in mine


def test_quorum_rule() -> None:
    from infra_mind.domain.agent_result import AgentResult

    def results(*statuses: AgentStatus) -> dict[str, AgentResult]:
        return {f"a{i}": AgentResult(agent=f"a{i}", status=s, attempts=1) for i, s in enumerate(statuses)}

    ok, bad = AgentStatus.COMPLETED, AgentStatus.FAILED
    assert QuorumPolicy().met(results(ok, bad))
    assert not QuorumPolicy().met(results(ok, bad, bad))
    assert not QuorumPolicy(min_ratio=0.75).met(results(ok, ok, bad, bad))
    assert not QuorumPolicy(required=frozenset({"a1"})).met(results(ok, bad))
    assert QuorumPolicy(required=frozenset({"a0"})).met(results(ok, bad))
    assert not QuorumPolicy().met({})


def test_duplicate_agent_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="unique"):
        Orchestrator([ScriptedAgent("x"), ScriptedAgent("x")])


async def test_reused_results_stand_in_for_their_agents_and_only_the_others_run(ctx, bus) -> None:
    agents = [ScriptedAgent(name) for name in ("a", "b", "c")]
    earlier = await fan_out(agents, ctx, InMemoryEventBus())
    reuse = {"a": earlier.results["a"], "c": earlier.results["c"]}

    fan = await fan_out(agents, ctx, bus, reuse=reuse)

    assert [agent.calls for agent in agents] == [1, 2, 1]
    assert list(fan.results) == ["a", "b", "c"]
    assert fan.results["a"] is reuse["a"]
    assert fan.results["c"] is reuse["c"]
    assert fan.results["b"].status is AgentStatus.COMPLETED
    assert fan.reused == frozenset({"a", "c"})
    completed = {e.agent: e.data for e in bus.history("run-1") if e.type is EventType.AGENT_COMPLETED}
    assert completed["a"] == {"duration_s": reuse["a"].duration_s, "attempts": 1, "reused": True}
    assert completed["c"]["reused"] is True
    assert "reused" not in completed["b"]
    started = [e.agent for e in bus.history("run-1") if e.type is EventType.AGENT_STARTED]
    assert started == ["b"]


async def test_reusing_every_agent_runs_none(ctx, bus) -> None:
    agents = [ScriptedAgent("a"), ScriptedAgent("b")]
    earlier = await fan_out(agents, ctx, InMemoryEventBus())

    fan = await fan_out(agents, ctx, bus, reuse=earlier.results, mode=Mode.SEQUENTIAL)

    assert [agent.calls for agent in agents] == [1, 1]
    assert fan.results == earlier.results
    assert fan.reused == frozenset({"a", "b"})
