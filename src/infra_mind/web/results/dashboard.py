"""The dashboard's view model, built from the executive report's own sections.

The figures come from `reports.data.SECTIONS["executive"]` over a `ReportView`, the code the executive
report prints from, so the page and the downloaded reports cannot disagree. Those sections read only the
outputs of SECTION_AGENTS, the cost model, the compliance scores and the input warnings, which is all
`loading.partial_result` loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.cto import Risk, RoadmapPhase
from infra_mind.reports.data import SECTIONS
from infra_mind.reports.view import ReportView

# The agents whose outputs the executive sections read: cost and decision, risks and roadmap, frameworks.
SECTION_AGENTS = ("cloud_engineer", "cto", "compliance")
SECTION_OWNERS = {"costs": "cloud_engineer", "plan": "cto", "compliance": "compliance"}
MONTHS = 36


@dataclass(frozen=True)
class MonthRow:
    month: int
    by_scenario: list[float]


@dataclass(frozen=True)
class Dashboard:
    decision: dict[str, Any] | None
    roi_note: str | None
    providers: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    series_provider: str | None
    month_columns: list[str]
    months: list[MonthRow]
    compliance: list[dict[str, Any]]
    risks: list[Risk]
    roadmap: list[RoadmapPhase]
    warnings: list[dict[str, Any]]
    missing: dict[str, str]
    provider_chart: dict[str, Any]
    scenario_chart: dict[str, Any]


def build_dashboard(result: AssessmentResult, ctx: AssessmentContext) -> Dashboard:
    view = ReportView.build(result, ctx)
    executive = SECTIONS["executive"](view)
    decision: dict[str, Any] | None = executive["decision"]
    providers: list[dict[str, Any]] = executive["providers"] or []
    scenarios: list[dict[str, Any]] = executive["scenario_totals"] or []
    series_provider = _series_provider(decision, scenarios)
    series = _scenario_series(view, series_provider)
    return Dashboard(
        decision=decision,
        roi_note=executive["roi_note"],
        providers=providers,
        scenarios=scenarios,
        series_provider=series_provider,
        month_columns=[_label(name) for name in series],
        months=_month_rows(series),
        compliance=executive["compliance"] or [],
        risks=view.cto.risks if view.cto else [],
        roadmap=view.cto.roadmap if view.cto else [],
        warnings=executive["input_warnings"],
        missing={
            section: _missing_reason(view, agent)
            for section, agent in SECTION_OWNERS.items()
            if not view.ran(agent)
        },
        provider_chart=_provider_chart(providers),
        scenario_chart=_scenario_chart(series, series_provider),
    )


def _series_provider(decision: dict[str, Any] | None, scenarios: list[dict[str, Any]]) -> str | None:
    """The recommended provider; without a decision (its agent failed), the cost model's first one."""
    if decision is not None:
        return str(decision["provider"])
    return next(iter(scenarios[0]["total_36m_usd"]), None) if scenarios else None


def _scenario_series(view: ReportView, provider: str | None) -> dict[str, list[float]]:
    """Each scenario's monthly run cost on `provider`, month 1 first."""
    if provider is None or view.result.cost_model is None:
        return {}
    found = {}
    for scenario in view.result.cost_model.scenarios:
        line = next((s for s in scenario.series if s.provider == provider), None)
        if line is not None:
            found[scenario.name] = line.monthly_usd
    return found


def _month_rows(series: dict[str, list[float]]) -> list[MonthRow]:
    if not series:
        return []
    return [
        MonthRow(month, [values[month - 1] for values in series.values()]) for month in range(1, MONTHS + 1)
    ]


def _missing_reason(view: ReportView, agent: str) -> str:
    reason = view.missing.get(agent, "was not part of this run")
    return f"the {agent} agent {reason}"


def _provider_chart(providers: list[dict[str, Any]]) -> dict[str, Any]:
    """Chart.js data: each provider's month-0 bill, primary region and DR footprint stacked."""
    return {
        "labels": [p["provider"].upper() for p in providers],
        "datasets": [
            {"label": "Primary region", "data": [p["primary_usd_month"] for p in providers]},
            {"label": "DR footprint", "data": [p["dr_usd_month"] or 0 for p in providers]},
        ],
    }


def _scenario_chart(series: dict[str, list[float]], provider: str | None) -> dict[str, Any]:
    return {
        "provider": provider.upper() if provider else None,
        "labels": list(range(1, MONTHS + 1)),
        "datasets": [{"label": _label(name), "data": values} for name, values in series.items()],
    }


def _label(name: str) -> str:
    """`aggressive_optimisation` → `Aggressive optimisation`, as the template's filters write it."""
    return name.replace("_", " ").capitalize()
