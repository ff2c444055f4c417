"""The agent phase as a Gantt chart: when each agent started and finished, side by side."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from infra_mind.domain.agent_result import AgentStatus
from infra_mind.reports.charts.svg import BLUE, GREY, RED, new_figure
from infra_mind.reports.view import ReportView

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STATUS_COLOURS = {AgentStatus.COMPLETED: BLUE, AgentStatus.FAILED: RED, AgentStatus.TIMED_OUT: RED}


def agent_timeline(view: ReportView) -> Figure | None:
    spans: list[tuple[datetime, datetime, str, AgentStatus]] = [
        (r.started_at, r.finished_at, r.agent, r.status)
        for r in view.result.agents.values()
        if r.started_at is not None and r.finished_at is not None
    ]
    if not spans:
        return None
    spans.sort(reverse=True)
    origin = min(start for start, *_ in spans)
    figure = new_figure(6.4, 0.8 + 0.24 * len(spans), left=1.05)
    axes = figure.add_subplot()
    for y, (started, finished, _, status) in enumerate(spans):
        start_ms = (started - origin).total_seconds() * 1000
        length_ms = (finished - started).total_seconds() * 1000
        axes.barh(y, max(length_ms, 0.05), left=start_ms, height=0.6, color=STATUS_COLOURS.get(status, GREY))
        axes.annotate(
            f"{length_ms:,.1f} ms · {status.value}",
            (start_ms + length_ms, y),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    axes.set_yticks(range(len(spans)), [agent for *_, agent, _ in spans])
    axes.set_xlabel("milliseconds since the first agent started")
    axes.set_title(f"Agent timeline ({view.result.execution_metrics.mode} run; top started first)")
    axes.margins(x=0.3)
    return figure
