"""A run's progress folded from its events: each agent's state and the share of the run that is done.

The API's run view and the web UI's run page both read a run this way, so a client that only has the
event stream and one that asks `GET /runs/{id}` see the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, Field

from infra_mind.domain.events import Event, EventType

# Share of a run's work per phase; the agents dominate, the rest are quick.
PHASE_WEIGHTS = {
    "validation": 5.0,
    "agents": 80.0,
    "synthesis": 5.0,
    "professional_services": 5.0,
    "reports": 5.0,
}


class AgentState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


FINISHED_AGENT_STATES = frozenset(
    {AgentState.COMPLETED, AgentState.FAILED, AgentState.TIMED_OUT, AgentState.CANCELLED}
)
_AGENT_EVENTS = {
    EventType.AGENT_STARTED: AgentState.RUNNING,
    EventType.AGENT_PROGRESS: AgentState.RUNNING,
    EventType.AGENT_RETRYING: AgentState.RETRYING,
    EventType.AGENT_COMPLETED: AgentState.COMPLETED,
    EventType.AGENT_FAILED: AgentState.FAILED,
    EventType.AGENT_TIMED_OUT: AgentState.TIMED_OUT,
}
_TERMINAL_RUN_EVENTS = frozenset({EventType.RUN_COMPLETED, EventType.RUN_FAILED, EventType.RUN_CANCELLED})


class AgentProgress(BaseModel):
    name: str
    state: AgentState = AgentState.QUEUED
    pct: float = Field(default=0, ge=0, le=100)
    attempts: int = 0
    duration_s: float | None = None
    message: str | None = None
    error: str | None = None
    reused: bool = Field(default=False, description="taken from the run this one re-runs, not run again")


class RunProgress(BaseModel):
    phase: str | None = Field(description="the phase running now, or the last one that ran")
    pct: float = Field(ge=0, le=100, description="share of the run's work done")
    agents: list[AgentProgress]
    finished: bool


def fold_progress(events: Iterable[Event], agent_names: Iterable[str] = ()) -> RunProgress:
    """`agent_names` lists the agents before the run announces them (a queued run has no events yet)."""
    agents = {name: AgentProgress(name=name) for name in agent_names}
    phase: str | None = None
    phases_done: set[str] = set()
    finished = False
    for event in events:
        if event.type is EventType.RUN_STARTED:
            for name in event.data.get("agents", ()):
                agents.setdefault(str(name), AgentProgress(name=str(name)))
        elif event.type is EventType.PHASE_STARTED:
            phase = event.phase
        elif event.type is EventType.PHASE_COMPLETED and event.phase:
            phases_done.add(event.phase)
        elif event.type in _TERMINAL_RUN_EVENTS:
            finished = True
        elif event.agent is not None and event.type in _AGENT_EVENTS:
            agent = agents.setdefault(event.agent, AgentProgress(name=event.agent))
            agents[event.agent] = _apply(agent, event)
    listed = list(agents.values())
    return RunProgress(
        phase=phase, pct=_run_pct(listed, phases_done, finished), agents=listed, finished=finished
    )


def _apply(agent: AgentProgress, event: Event) -> AgentProgress:
    state = _AGENT_EVENTS[event.type]
    data = event.data
    update: dict[str, object] = {"state": state}
    if event.type is EventType.AGENT_STARTED:
        update |= {"attempts": max(agent.attempts, 1), "pct": 0.0}
    elif event.type is EventType.AGENT_PROGRESS:
        update |= {"pct": float(data.get("pct", agent.pct)), "message": data.get("message")}
    elif event.type is EventType.AGENT_RETRYING:
        update |= {"attempts": int(data.get("attempt", agent.attempts + 1)), "error": data.get("error")}
    else:
        update |= {
            "pct": 100.0,
            "attempts": int(data.get("attempts", agent.attempts)),
            "duration_s": data.get("duration_s"),
            "error": data.get("error"),
            "reused": bool(data.get("reused", False)),
        }
    return agent.model_copy(update=update)


def _run_pct(agents: list[AgentProgress], phases_done: set[str], finished: bool) -> float:
    if finished:
        return 100.0
    done = sum(weight for name, weight in PHASE_WEIGHTS.items() if name in phases_done and name != "agents")
    if "agents" in phases_done:
        done += PHASE_WEIGHTS["agents"]
    elif agents:
        done += PHASE_WEIGHTS["agents"] * sum(a.pct for a in agents) / (100 * len(agents))
    return round(min(done, 100.0), 1)
