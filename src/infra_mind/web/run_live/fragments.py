"""The run page's parts as HTML for the live stream: one message per run event, each part marked to
replace its element on the page (htmx out-of-band swaps), so a message is applied whole or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jinja2 import Environment

from infra_mind.domain.events import Event, EventType
from infra_mind.domain.run_progress import AgentProgress, AgentState
from infra_mind.web.run_live.state import RunLive
from infra_mind.web.run_live.timeline import build_timeline

PARTS_TEMPLATE = "runs/_parts.html"
RERUN_STATES = frozenset({AgentState.FAILED, AgentState.TIMED_OUT})
_FINISHED_AGENT_WORDS = {
    EventType.AGENT_COMPLETED: "done",
    EventType.AGENT_FAILED: "failed",
    EventType.AGENT_TIMED_OUT: "timed out",
}

_RUN_WORDS = {"queued": "run queued again", "running": "run started"}


def can_rerun(agents: Sequence[AgentProgress]) -> bool:
    """The page offers to re-run a finished run whose agents failed or timed out."""
    return any(agent.state in RERUN_STATES for agent in agents)


class LiveFragments:
    def __init__(self, env: Environment, run_id: str, csrf_token: str) -> None:
        self._parts = env.get_template(PARTS_TEMPLATE).module
        self._run_id = run_id
        self._csrf_token = csrf_token

    def for_event(self, live: RunLive, event: Event) -> tuple[str, str]:
        """The SSE event name (run, phase or agent) and its fragments, for a run that has not ended.

        `live` has already taken `event` in.
        """
        agents = live.progress.agents
        timeline = build_timeline(live, agents)
        parts = [self._part("run_progress", pct=live.progress.pct)]
        if event.agent is not None:
            index = next(i for i, a in enumerate(agents) if a.name == event.agent)
            parts += [
                self._part("agent_row", agent=agents[index], row=timeline.rows[index]),
                self._part("timeline_svg", timeline=timeline),
            ]
            word = _FINISHED_AGENT_WORDS.get(event.type)
            if word is not None:
                parts.append(self._announce(f"{event.agent.replace('_', ' ')} {word}"))
            return "agent", "\n".join(parts)
        parts.append(self._part("phase_steps", steps=live.phase_steps()))
        if event.type is EventType.PHASE_STARTED and event.phase:
            parts.append(self._announce(f"{event.phase.replace('_', ' ')} started"))
            return "phase", "\n".join(parts)
        if event.type is EventType.PHASE_COMPLETED:
            return "phase", "\n".join(parts)
        parts += [
            self._part("run_status", status=live.status),
            self._part("run_actions", **self._actions(live.status, rerun=False)),
            self._part("agent_rows", agents=agents, timeline=timeline),
            self._part("timeline_svg", timeline=timeline),
            self._announce(_RUN_WORDS.get(live.status, f"run {live.status}")),
        ]
        return "run", "\n".join(parts)

    def final(self, live: RunLive, status: str, agents: Sequence[AgentProgress]) -> str:
        """All the finished page shows, the results loading below; `agents` are the stored ones."""
        timeline = build_timeline(live, agents)
        parts = [
            self._part("run_status", status=status),
            self._part("run_actions", **self._actions(status, rerun=can_rerun(agents))),
            self._part("phase_steps", steps=live.phase_steps(finished=True)),
            self._part("run_progress", pct=100.0),
            self._part("agent_rows", agents=agents, timeline=timeline),
            self._part("timeline_svg", timeline=timeline, finished=True),
            self._part("results", run_id=self._run_id, finished=True),
            self._announce(f"run {status.replace('_', ' ')}; loading the results"),
        ]
        return "\n".join(parts)

    def _actions(self, status: str, *, rerun: bool) -> dict[str, Any]:
        return {"run_id": self._run_id, "status": status, "can_rerun": rerun, "csrf_token": self._csrf_token}

    def _announce(self, text: str) -> str:
        return self._part("announce", text=text)

    def _part(self, macro: str, **values: Any) -> str:
        return str(getattr(self._parts, macro)(**values, oob=True))
