"""The run page's live parts from scripted event sequences: phase steps, the shared time axis, fragments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from infra_mind.domain.events import Event, EventType
from infra_mind.web.pages import Pages
from infra_mind.web.run_live import LiveFragments, RunLive, build_timeline

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
AGENTS = ("cto", "security")


class Script:
    """Numbers events in order, each at T0 plus the seconds given."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, at_s: float, type_: EventType, **fields: Any) -> Event:
        data = fields.pop("data", {})
        event = Event(
            run_id="run-1",
            seq=len(self.events) + 1,
            type=type_,
            at=T0 + timedelta(seconds=at_s),
            data=data,
            **fields,
        )
        self.events.append(event)
        return event


def _started(script: Script) -> None:
    script(0, EventType.RUN_STARTED, data={"agents": list(AGENTS)})
    script(0, EventType.PHASE_STARTED, phase="validation")
    script(0, EventType.PHASE_COMPLETED, phase="validation")
    script(0, EventType.PHASE_STARTED, phase="agents")


def test_agents_that_ran_side_by_side_overlap_on_the_shared_axis() -> None:
    script = Script()
    _started(script)
    script(1, EventType.AGENT_STARTED, agent="cto")
    script(1, EventType.AGENT_STARTED, agent="security")
    script(3, EventType.AGENT_COMPLETED, agent="cto", data={"duration_s": 2.0, "attempts": 1})
    script(5, EventType.AGENT_COMPLETED, agent="security", data={"duration_s": 4.0, "attempts": 1})
    live = RunLive(AGENTS, script.events)
    cto, security = build_timeline(live, live.progress.agents).rows
    assert (cto.start_s, cto.end_s, security.start_s, security.end_s) == (1, 3, 1, 5)
    assert cto.x == security.x
    assert security.width == 2 * cto.width


def test_agents_that_ran_one_after_another_line_up_end_to_start() -> None:
    script = Script()
    _started(script)
    script(0, EventType.AGENT_STARTED, agent="cto")
    script(2, EventType.AGENT_COMPLETED, agent="cto", data={"duration_s": 2.0, "attempts": 1})
    script(2, EventType.AGENT_STARTED, agent="security")
    script(3, EventType.AGENT_RETRYING, agent="security", data={"attempt": 2, "error": "rate limited"})
    live = RunLive(AGENTS, script.events)
    timeline = build_timeline(live, live.progress.agents)
    cto, security = timeline.rows
    assert timeline.total_s == 3
    assert security.x == cto.x + cto.width
    assert security.state == "retrying"
    assert security.end_s == 3, "a bar still running reaches the newest event"


def test_phase_steps_follow_the_pipeline() -> None:
    script = Script()
    live = RunLive(AGENTS)

    def current() -> str | None:
        return next((s.name for s in live.phase_steps() if s.state == "current"), None)

    assert current() == "queued"
    for event_args, step in (
        ((0, EventType.RUN_STARTED), "queued"),
        ((0, EventType.PHASE_STARTED, {"phase": "agents"}), "agents"),
        ((1, EventType.PHASE_STARTED, {"phase": "professional_services"}), "synthesis"),
        ((2, EventType.PHASE_STARTED, {"phase": "reports"}), "reports"),
    ):
        at, type_, *fields = event_args
        live.add(script(at, type_, **(fields[0] if fields else {})))
        assert current() == step
    live.add(script(3, EventType.RUN_COMPLETED, data={"status": "partial"}))
    assert live.status == "partial"
    assert {s.state for s in live.phase_steps()} == {"done"}


def test_fragments_replace_their_elements_and_escape_what_agents_say() -> None:
    script = Script()
    _started(script)
    script(1, EventType.AGENT_STARTED, agent="security")
    failed = script(2, EventType.AGENT_FAILED, agent="security", data={"error": "<script>alert(1)</script>"})
    live = RunLive(AGENTS, script.events)
    fragments = LiveFragments(Pages().templates.env, "run-1", "csrf-1")
    name, html = fragments.for_event(live, failed)
    assert name == "agent"
    assert '<template>\n<tr id="agent-security" data-state="failed" hx-swap-oob="true">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert 'id="run-timeline" class="timeline" hx-swap-oob="true"' in html
    assert "security failed" in html

    name, html = fragments.for_event(live, script.events[0])
    assert name == "run"
    assert 'action="/runs/run-1/cancel"' in html
    assert 'value="csrf-1"' in html


def test_steps_a_run_never_reached_are_skipped_not_done() -> None:
    script = Script()
    _started(script)
    script(1, EventType.PHASE_COMPLETED, phase="agents")
    script(1, EventType.PHASE_STARTED, phase="reports")
    live = RunLive(AGENTS, script.events)
    assert [(s.name, s.state) for s in live.phase_steps()] == [
        ("queued", "done"),
        ("agents", "done"),
        ("synthesis", "skipped"),
        ("reports", "current"),
        ("done", "upcoming"),
    ]
    live.add(script(2, EventType.RUN_FAILED, data={"status": "failed"}))
    assert [s.state for s in live.phase_steps()] == ["done", "done", "skipped", "done", "done"]
