"""The run page's live parts: a run's events folded into what the page shows, and the HTML fragments the
page swaps in as the events arrive over SSE."""

from infra_mind.web.run_live.fragments import LiveFragments
from infra_mind.web.run_live.state import PhaseStep, RunLive
from infra_mind.web.run_live.timeline import Timeline, build_timeline

__all__ = ["LiveFragments", "PhaseStep", "RunLive", "Timeline", "build_timeline"]
