"""The run's timeline as SVG geometry: one row per agent, bars on a shared time axis, so agents that ran
side by side overlap and agents that ran one after another line up end to start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infra_mind.domain.run_progress import AgentProgress
from infra_mind.web.run_live.state import RunLive

WIDTH = 800
LABEL_WIDTH = 170
PLOT_LEFT = 180
PLOT_RIGHT = 780
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 6
AXIS_HEIGHT = 28
MIN_BAR_WIDTH = 2.0
TICKS = 4


@dataclass(frozen=True)
class TimelineRow:
    agent: str
    state: str
    label_y: float
    bar_y: float
    start_s: float | None
    end_s: float | None
    x: float
    width: float
    reused: bool

    @property
    def has_bar(self) -> bool:
        return self.start_s is not None


@dataclass(frozen=True)
class Tick:
    x: float
    seconds: float


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    axis_y: int
    total_s: float
    rows: list[TimelineRow]
    ticks: list[Tick]

    @property
    def started(self) -> bool:
        return any(row.has_bar for row in self.rows)


def build_timeline(live: RunLive, agents: Sequence[AgentProgress]) -> Timeline:
    """`agents` gives the order and each agent's state (a finished run's come from its stored results)."""
    origin, latest = live.origin, live.latest
    spans = {agent.name: live.span(agent.name) for agent in agents}
    total = 0.0
    if origin is not None and latest is not None:
        total = max((latest - origin).total_seconds(), 0.0)
    scale = (PLOT_RIGHT - PLOT_LEFT) / total if total > 0 else 0.0
    rows = []
    for index, agent in enumerate(agents):
        span = spans[agent.name]
        top = TOP + index * ROW_HEIGHT
        start_s = end_s = None
        if span.start is not None and origin is not None:
            start_s = max((span.start - origin).total_seconds(), 0.0)
            end_s = (span.end - origin).total_seconds() if span.end is not None else total
            end_s = max(end_s, start_s)
        x = width = 0.0
        if start_s is not None and end_s is not None:
            x = min(PLOT_LEFT + start_s * scale, PLOT_RIGHT - MIN_BAR_WIDTH)
            width = min(max((end_s - start_s) * scale, MIN_BAR_WIDTH), PLOT_RIGHT - x)
        rows.append(
            TimelineRow(
                agent=agent.name,
                state=agent.state.value,
                label_y=top + BAR_HEIGHT / 2 + 4,
                bar_y=top,
                start_s=start_s,
                end_s=end_s,
                x=round(x, 2),
                width=round(width, 2),
                reused=span.reused or agent.reused,
            )
        )
    axis_y = TOP + len(agents) * ROW_HEIGHT
    ticks = [
        Tick(x=round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * i / TICKS, 2), seconds=total * i / TICKS)
        for i in range(TICKS + 1)
    ]
    return Timeline(
        width=WIDTH,
        height=axis_y + AXIS_HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        axis_y=axis_y,
        total_s=total,
        rows=rows,
        ticks=ticks,
    )
