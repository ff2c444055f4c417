"""A run as its page shows it, folded one event at a time: status, phase steps, agent spans, progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from infra_mind.domain.events import Event, EventType
from infra_mind.domain.run_progress import RunProgress, fold_progress
from infra_mind.engine.events import TERMINAL

PHASE_STEPS = ("queued", "agents", "synthesis", "reports", "done")
# The pipeline's phases as the page's steps: validation is the agents' quick preamble, professional
# services (costs, compliance scores) are part of putting the results together.
STEP_OF_PHASE = {
    "validation": "agents",
    "agents": "agents",
    "synthesis": "synthesis",
    "professional_services": "synthesis",
    "reports": "reports",
}
_AGENT_ENDS = frozenset({EventType.AGENT_COMPLETED, EventType.AGENT_FAILED, EventType.AGENT_TIMED_OUT})

StepState = Literal["done", "skipped", "current", "upcoming"]


@dataclass(frozen=True)
class PhaseStep:
    name: str
    state: StepState


@dataclass(frozen=True)
class AgentSpan:
    """When an agent ran, as the events say; `end` is None while it runs."""

    start: datetime | None
    end: datetime | None
    reused: bool


class RunLive:
    """What the run page shows, kept up to date by `add(event)`; never shared between requests."""

    def __init__(self, agent_names: Iterable[str], events: Iterable[Event] = ()) -> None:
        self._agent_names = tuple(agent_names)
        self._events: list[Event] = []
        self._progress: RunProgress | None = None
        self._starts: dict[str, datetime] = {}
        self._ends: dict[str, datetime] = {}
        self._reused: set[str] = set()
        self._origin: datetime | None = None
        self._latest: datetime | None = None
        self._run_state = "queued"
        self._steps_reached = {"queued"}
        for event in events:
            self.add(event)

    def add(self, event: Event) -> None:
        self._events.append(event)
        self._progress = None
        self._latest = event.at if self._latest is None else max(self._latest, event.at)
        if event.type is EventType.RUN_QUEUED:
            self._run_state = "queued"
        elif event.type is EventType.RUN_STARTED:
            self._run_state = "running"
            self._origin = self._origin or event.at
        elif event.type is EventType.PHASE_STARTED and event.phase:
            self._steps_reached.add(STEP_OF_PHASE.get(event.phase, "agents"))
        elif event.type in TERMINAL:
            self._run_state = str(event.data.get("status") or _TERMINAL_STATUS[event.type])
        elif event.agent is not None:
            self._track_agent(event.agent, event)

    def _track_agent(self, name: str, event: Event) -> None:
        if event.type is EventType.AGENT_STARTED:
            self._starts.setdefault(name, event.at)
            self._origin = self._origin or event.at
        elif event.type in _AGENT_ENDS:
            self._ends[name] = event.at
            if event.data.get("reused"):
                self._reused.add(name)

    @property
    def last_seq(self) -> int:
        return self._events[-1].seq if self._events else 0

    @property
    def status(self) -> str:
        """queued, running, or the run's final status once its final event arrived."""
        return self._run_state

    @property
    def finished(self) -> bool:
        return self._run_state not in ("queued", "running")

    @property
    def progress(self) -> RunProgress:
        if self._progress is None:
            self._progress = fold_progress(self._events, self._agent_names)
        return self._progress

    @property
    def origin(self) -> datetime | None:
        """The timeline's zero: when the run started."""
        return self._origin

    @property
    def latest(self) -> datetime | None:
        """The newest event's time: the timeline's end while the run is active."""
        return self._latest

    def span(self, agent: str) -> AgentSpan:
        return AgentSpan(self._starts.get(agent), self._ends.get(agent), agent in self._reused)

    def phase_steps(self, *, finished: bool = False) -> list[PhaseStep]:
        """Steps behind the current one are done, or skipped when the run never reached them (a run that
        misses its quorum skips synthesis; a cancelled one the reports). `finished`: the run has ended even
        if its final event is not among the events taken in."""
        if finished or self.finished:
            current = "done"
        elif self._run_state == "queued" or self.progress.phase is None:
            current = "queued"
        else:
            current = STEP_OF_PHASE.get(self.progress.phase, "agents")
        at = PHASE_STEPS.index(current)
        steps = []
        for index, name in enumerate(PHASE_STEPS):
            state: StepState = "upcoming"
            if name == "done" == current:
                state = "done"
            elif index < at:
                state = "done" if name in self._steps_reached else "skipped"
            elif index == at:
                state = "current"
            steps.append(PhaseStep(name, state))
        return steps


_TERMINAL_STATUS = {
    EventType.RUN_COMPLETED: "completed",
    EventType.RUN_FAILED: "failed",
    EventType.RUN_CANCELLED: "cancelled",
}
