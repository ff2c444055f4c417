from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra_mind.domain.events import Event, EventType
from infra_mind.domain.run_progress import AgentState, fold_progress

AT = datetime(2026, 11, 29, tzinfo=UTC)


def events(*specs: tuple[EventType, dict[str, Any]]) -> list[Event]:
    out = []
    for seq, (type_, fields) in enumerate(specs, start=1):
        data = dict(fields)
        agent, phase = data.pop("agent", None), data.pop("phase", None)
        out.append(Event(run_id="r", seq=seq, type=type_, at=AT, agent=agent, phase=phase, data=data))
    return out


def test_a_queued_run_lists_the_agents_it_will_run() -> None:
    progress = fold_progress([], ["cto", "security"])
    assert [(a.name, a.state) for a in progress.agents] == [
        ("cto", AgentState.QUEUED),
        ("security", AgentState.QUEUED),
    ]
    assert progress.pct == 0
    assert not progress.finished


def test_agents_move_through_their_states_and_the_run_pct_follows() -> None:
    progress = fold_progress(
        events(
            (EventType.RUN_STARTED, {"agents": ["cto", "security"]}),
            (EventType.PHASE_STARTED, {"phase": "validation"}),
            (EventType.PHASE_COMPLETED, {"phase": "validation"}),
            (EventType.PHASE_STARTED, {"phase": "agents"}),
            (EventType.AGENT_STARTED, {"agent": "cto"}),
            (EventType.AGENT_PROGRESS, {"agent": "cto", "pct": 50, "message": "sizing"}),
            (EventType.AGENT_STARTED, {"agent": "security"}),
            (EventType.AGENT_RETRYING, {"agent": "security", "attempt": 2, "error": "429"}),
        )
    )
    cto, security = progress.agents
    assert (cto.state, cto.pct, cto.message) == (AgentState.RUNNING, 50, "sizing")
    assert (security.state, security.attempts, security.error) == (AgentState.RETRYING, 2, "429")
    assert progress.phase == "agents"
    assert progress.pct == 5 + 80 * 0.25


def test_finished_agents_carry_their_outcome_and_a_finished_run_is_100() -> None:
    progress = fold_progress(
        events(
            (EventType.RUN_STARTED, {"agents": ["cto", "security", "mlops"]}),
            (EventType.AGENT_COMPLETED, {"agent": "cto", "duration_s": 0.2, "attempts": 1, "reused": True}),
            (
                EventType.AGENT_TIMED_OUT,
                {"agent": "security", "duration_s": 5.0, "attempts": 3, "error": "slow"},
            ),
            (EventType.AGENT_FAILED, {"agent": "mlops", "duration_s": 0.1, "attempts": 1, "error": "boom"}),
            (EventType.PHASE_COMPLETED, {"phase": "agents"}),
        )
    )
    states = {a.name: (a.state, a.pct, a.duration_s, a.reused, a.error) for a in progress.agents}
    assert states == {
        "cto": (AgentState.COMPLETED, 100, 0.2, True, None),
        "security": (AgentState.TIMED_OUT, 100, 5.0, False, "slow"),
        "mlops": (AgentState.FAILED, 100, 0.1, False, "boom"),
    }
    assert progress.pct == 80
    done = fold_progress(events((EventType.RUN_STARTED, {"agents": []}), (EventType.RUN_COMPLETED, {})))
    assert done.finished
    assert done.pct == 100
