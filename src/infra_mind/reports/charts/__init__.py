"""The report charts as inline SVG, drawn on first use and shared by every report of one render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from infra_mind.reports.charts.compliance import compliance_coverage
from infra_mind.reports.charts.costs import cost_forecast, provider_costs
from infra_mind.reports.charts.svg import chart_style, to_svg
from infra_mind.reports.charts.timeline import agent_timeline
from infra_mind.reports.view import ReportView

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHARTS: dict[str, tuple[Callable[[ReportView], Figure | None], str]] = {
    "provider_costs": (
        provider_costs,
        "Monthly cost of each provider's plan: primary region and disaster-recovery footprint, at list "
        "price. A triangle marks a lower bound: items without a catalog price are not in the bar.",
    ),
    "cost_forecast": (
        cost_forecast,
        "Monthly cost of the recommended plan over the horizon per cost-model scenario; the shaded band is "
        "the simulated P10–P90 range when the simulation agent provides it.",
    ),
    "compliance_coverage": (
        compliance_coverage,
        "Share of each framework's controls met today and by the recommended design.",
    ),
    "agent_timeline": (
        agent_timeline,
        "When each agent ran in this assessment: overlapping bars ran at the same time.",
    ),
}


@dataclass
class Chart:
    name: str
    svg: str
    caption: str


@dataclass
class Charts:
    """Lazily drawn charts of one view; a chart without data is None."""

    view: ReportView
    _drawn: dict[str, Chart | None] = field(default_factory=dict)

    def get(self, name: str) -> Chart | None:
        if name not in self._drawn:
            self._drawn[name] = self._draw(name)
        return self._drawn[name]

    def _draw(self, name: str) -> Chart | None:
        draw, caption = CHARTS[name]
        with chart_style(name):
            figure = draw(self.view)
            if figure is None:
                return None
            return Chart(name, to_svg(figure, name), caption)
