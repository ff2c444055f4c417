"""Cost charts: providers side by side (primary + DR) and the recommended plan over 36 months."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra_mind.reports.charts.svg import BLUE, GREY, LIGHT_BLUE, RED, SERIES_COLOURS, new_figure, usd_ticks
from infra_mind.reports.view import ReportView

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def provider_costs(view: ReportView) -> Figure | None:
    """Stacked bars of each provider's monthly plan; an open triangle marks a lower bound."""
    if view.cloud is None or not view.cloud.quotes:
        return None
    quotes = view.cloud.quotes
    names = [q.provider + (" ★" if q.provider == view.cloud.recommended_provider else "") for q in quotes]
    primary = [q.primary_usd for q in quotes]
    dr = [q.dr_usd for q in quotes]
    figure = new_figure(6.4, 2.6, bottom=0.3)
    axes = figure.add_subplot()
    axes.bar(names, primary, color=BLUE, label="primary region")
    axes.bar(names, dr, bottom=primary, color=LIGHT_BLUE, label="DR footprint")
    top = max(q.monthly_usd for q in quotes) or 1.0
    for x, q in enumerate(quotes):
        label = f"${q.monthly_usd:,.0f}"
        if not q.complete:
            axes.plot(x, q.monthly_usd + top * 0.06, marker="^", markersize=7, color=RED, fillstyle="none")
            label += f"+\n{len(q.missing)} unpriced"
        axes.annotate(
            label,
            (x, q.monthly_usd + (top * 0.1 if not q.complete else 0)),
            ha="center",
            va="bottom",
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=7,
        )
    if any(not q.complete for q in quotes):
        axes.plot([], [], marker="^", linestyle="none", color=RED, fillstyle="none", label="lower bound")
    axes.set_ylim(0, top * 1.35)
    axes.yaxis.set_major_formatter(usd_ticks())
    axes.set_title("Monthly cost by provider (list price; ★ recommended)")
    axes.legend(loc="upper left", ncols=3)
    return figure


def cost_forecast(view: ReportView) -> Figure | None:
    """The recommended plan's monthly cost per scenario, with the simulated P10–P90 fan when available."""
    if view.chosen is None or view.result.cost_model is None:
        return None
    provider = view.chosen.provider
    figure = new_figure(6.4, 2.8)
    axes = figure.add_subplot()
    incomplete = False
    drawn = False
    for colour, scenario in zip(SERIES_COLOURS, view.result.cost_model.scenarios, strict=False):
        series = view.chosen_series(scenario.name)
        if series is None:
            continue
        months = range(1, len(series.monthly_usd) + 1)
        axes.plot(months, series.monthly_usd, color=colour, linewidth=1.4, label=scenario.name)
        incomplete |= not series.complete
        drawn = True
    if view.fan is not None:
        months = range(1, len(view.fan.p50) + 1)
        axes.fill_between(months, view.fan.p10, view.fan.p90, color=LIGHT_BLUE, alpha=0.45, label="P10–P90")
        axes.plot(months, view.fan.p50, color=BLUE, linestyle="--", linewidth=1, label="P50 (simulated)")
        drawn = True
    if not drawn:
        return None
    axes.set_xlim(1, view.result.cost_model.months)
    axes.set_ylim(bottom=0)
    axes.set_xlabel("month")
    axes.yaxis.set_major_formatter(usd_ticks())
    bound = " — lower bound: unpriced items excluded" if incomplete else ""
    axes.set_title(f"{provider}: monthly cost over {view.result.cost_model.months} months{bound}")
    axes.legend(loc="upper left")
    axes.grid(axis="y", color=GREY, alpha=0.2)
    return figure
