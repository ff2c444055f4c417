from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.events import EventType
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.orchestrator import Cancellation, Mode, Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline
from infra_mind.errors import InvalidInput
from infra_mind.knowledge.catalog import Knowledge

from .agents_for_tests import Script, ScriptedAgent


def pipeline(
    knowledge: Knowledge, bus: InMemoryEventBus, *agents: ScriptedAgent, quorum: QuorumPolicy | None = None
) -> Pipeline:
    return Pipeline(knowledge, Orchestrator(list(agents)), bus, quorum=quorum, report_formats=("md",))


async def test_all_agents_complete(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    bus = InMemoryEventBus()
    agents = [ScriptedAgent(f"a{i}", Script(delay_s=0.03)) for i in range(4)]
    outcome = await pipeline(knowledge, bus, *agents).run(parse_input(healthtech), run_id="r1")
    result = outcome.result
    assert result.status is RunStatus.COMPLETED
    metrics = result.execution_metrics
    assert (metrics.total_agents, metrics.completed_agents, metrics.failed_agents) == (4, 4, 0)
    assert metrics.success_rate == 1
    assert set(metrics.phase_times) == {
        "validation",
        "agents",
        "synthesis",
        "professional_services",
        "reports",
    }
    assert metrics.sum_agent_time == pytest.approx(sum(metrics.agent_times.values()))
    assert metrics.speedup_factor == pytest.approx(
        metrics.sum_agent_time / metrics.phase_times["agents"], rel=1e-3
    )
    assert metrics.speedup_factor > 3
    assert metrics.total_time >= metrics.phase_times["agents"]
    assert AssessmentResult.model_validate_json(result.model_dump_json()) == result


async def test_sequential_mode_measures_no_speedup(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    agents = [ScriptedAgent(f"a{i}", Script(delay_s=0.02)) for i in range(3)]
    outcome = await pipeline(knowledge, InMemoryEventBus(), *agents).run(
        parse_input(healthtech), run_id="r", mode=Mode.SEQUENTIAL
    )
    metrics = outcome.result.execution_metrics
    assert metrics.mode == "sequential"
    assert metrics.speedup_factor == pytest.approx(1.0, abs=0.1)


async def test_partial_run_reports_missing_sections(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    agents = [
        ScriptedAgent("cloud_engineer", Script(fail_with=RuntimeError("catalog unreadable"))),
        ScriptedAgent("b"),
        ScriptedAgent("c"),
    ]
    outcome = await pipeline(knowledge, InMemoryEventBus(), *agents).run(parse_input(healthtech), run_id="r")
    assert outcome.result.status is RunStatus.PARTIAL
    assert outcome.result.cost_model is None
    executive = next(r for r in outcome.reports if r.kind == "executive").content
    assert "the `cloud_engineer` agent failed: catalog unreadable" in executive


async def test_quorum_not_met_fails_the_run(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    bus = InMemoryEventBus()
    agents = [
        ScriptedAgent("a", Script(fail_with=RuntimeError("x"))),
        ScriptedAgent("b", Script(hang=True), timeout_s=0.02),
        ScriptedAgent("c"),
    ]
    outcome = await pipeline(knowledge, bus, *agents).run(parse_input(healthtech), run_id="r")
    assert outcome.result.status is RunStatus.FAILED
    assert outcome.result.recommendations == []
    assert outcome.result.quorum["met"] is False
    assert bus.history("r")[-1].type is EventType.RUN_FAILED


async def test_required_agent_failing_fails_the_run(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    agents = [
        ScriptedAgent("must", Script(fail_with=RuntimeError("x"))),
        ScriptedAgent("b"),
        ScriptedAgent("c"),
    ]
    quorum = QuorumPolicy(required=frozenset({"must"}))
    outcome = await pipeline(knowledge, InMemoryEventBus(), *agents, quorum=quorum).run(
        parse_input(healthtech), run_id="r"
    )
    assert outcome.result.status is RunStatus.FAILED


async def test_cancellation_ends_the_run_cancelled(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    bus = InMemoryEventBus()
    cancellation = Cancellation()
    asyncio.get_running_loop().call_later(0.03, cancellation.cancel, "user asked")
    outcome = await pipeline(knowledge, bus, ScriptedAgent("a", Script(hang=True)), ScriptedAgent("b")).run(
        parse_input(healthtech), run_id="r", cancellation=cancellation
    )
    assert outcome.result.status is RunStatus.CANCELLED
    last = bus.history("r")[-1]
    assert (last.type, last.data["reason"]) == (EventType.RUN_CANCELLED, "user asked")


async def test_event_stream_order(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    bus = InMemoryEventBus()
    received = []

    async def listen() -> None:
        async for event in bus.subscribe("r"):
            received.append(event)

    listener = asyncio.create_task(listen())
    await pipeline(knowledge, bus, ScriptedAgent("a"), ScriptedAgent("b")).run(
        parse_input(healthtech), run_id="r"
    )
    await asyncio.wait_for(listener, 1)
    assert received == bus.history("r")
    types = [e.type for e in received]
    assert types[0] is EventType.RUN_STARTED
    assert types[-1] is EventType.RUN_COMPLETED
    phases = [(e.type, e.phase) for e in received if e.phase]
    assert [p for _, p in phases[::2]] == [
        "validation",
        "agents",
        "synthesis",
        "professional_services",
        "reports",
    ]
    first_agent = types.index(EventType.AGENT_STARTED)
    assert types[first_agent - 1] is EventType.PHASE_STARTED


async def test_replay_after_a_sequence_number(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    bus = InMemoryEventBus()
    await pipeline(knowledge, bus, ScriptedAgent("a")).run(parse_input(healthtech), run_id="r")
    replayed = [e.seq async for e in bus.subscribe("r", after_seq=5)]
    assert replayed == list(range(6, len(bus.history("r")) + 1))


async def test_invalid_context_fails_the_run_visibly(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    bus = InMemoryEventBus()
    healthtech["providers"]["preferred_regions"] = ["mars-north-1"]
    with pytest.raises(InvalidInput):
        await pipeline(knowledge, bus, ScriptedAgent("a")).run(parse_input(healthtech), run_id="r")
    assert bus.history("r")[-1].type is EventType.RUN_FAILED


async def test_an_unexpected_crash_still_ends_the_event_stream(
    knowledge: Knowledge, healthtech: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("synthesis bug")

    monkeypatch.setattr("infra_mind.engine.pipeline.synthesize", broken)
    bus = InMemoryEventBus()
    with pytest.raises(RuntimeError, match="synthesis bug"):
        await pipeline(knowledge, bus, ScriptedAgent("a")).run(parse_input(healthtech), run_id="r")
    last = bus.history("r")[-1]
    assert last.type is EventType.RUN_FAILED
    assert "synthesis bug" in last.data["error"]


async def test_a_rerun_executes_only_the_agents_not_reused_and_redoes_the_later_phases(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    flaky = ScriptedAgent("cloud_engineer", Script(fail_with=RuntimeError("catalog unreadable")))
    steady = [ScriptedAgent("b", Script(delay_s=0.05)), ScriptedAgent("c", Script(delay_s=0.01))]
    run = pipeline(knowledge, InMemoryEventBus(), flaky, *steady)
    first = (await run.run(parse_input(healthtech), run_id="first")).result
    assert first.status is RunStatus.PARTIAL
    reuse = {name: result for name, result in first.agents.items() if result.ok}

    flaky.script.fail_with = None
    bus = InMemoryEventBus()
    outcome = await pipeline(knowledge, bus, flaky, *steady).run(
        parse_input(healthtech), run_id="rerun", reuse=reuse
    )

    result = outcome.result
    assert [agent.calls for agent in (flaky, *steady)] == [2, 1, 1]
    assert result.status is RunStatus.COMPLETED
    assert list(result.agents) == ["cloud_engineer", "b", "c"]
    assert result.agents["b"] == reuse["b"]
    assert {r.kind for r in outcome.reports} >= {"executive", "technical"}
    metrics = result.execution_metrics
    assert {"synthesis", "professional_services", "reports"} <= set(metrics.phase_times)
    assert (metrics.total_agents, metrics.completed_agents) == (3, 3)
    assert metrics.agent_times["b"] == reuse["b"].duration_s
    assert metrics.critical_path_agent == "cloud_engineer"
    assert metrics.sum_agent_time == result.agents["cloud_engineer"].duration_s
    # Both times are stored rounded to the microsecond, a visible share of this sub-millisecond phase.
    assert metrics.speedup_factor == pytest.approx(
        metrics.sum_agent_time / metrics.phase_times["agents"], rel=1e-2, abs=1e-3
    )
    reused = {e.agent for e in bus.history("rerun") if e.data.get("reused")}
    assert reused == {"b", "c"}
