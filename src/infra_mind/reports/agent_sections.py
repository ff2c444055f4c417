"""Rows the report sections show for the mlops, ai_consultant, research, web_research and simulation outputs.

The outputs are read by kind: the typed model when the agent returned it, or its plain data validated
against that model; anything else counts as no output the reports can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pydantic import ValidationError

from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.outputs.ai_consultant import AiConsultantOutput, LlmHostingComparison
from infra_mind.domain.outputs.base import Output
from infra_mind.domain.outputs.research import ResearchOutput
from infra_mind.domain.outputs.simulation import (
    Percentiles,
    QueueModel,
    QueueRow,
    SensitivityDriver,
    SimulationOutput,
)
from infra_mind.reports.optional_outputs import output_data

OutputT = TypeVar("OutputT", bound=Output)

TOP_USE_CASES = 5
TOP_DRIVERS = 5
QUEUE_ROWS = 6
STRATEGIES = {
    "on_demand": "On demand",
    "commit_1y": "1-year commitment",
    "commit_3y": "3-year commitment",
    "spot": "Spot share",
}


def typed_output(result: AssessmentResult, agent: str, kind: type[OutputT]) -> OutputT | None:
    """The completed agent's output as `kind`, when it is one or its data validates as one."""
    found = result.agents.get(agent)
    if found is None or not found.ok:
        return None
    if isinstance(found.output, kind):
        return found.output
    data = output_data(result, agent)
    if data is None:
        return None
    try:
        return kind.model_validate(data)
    except ValidationError:
        return None


@dataclass(frozen=True)
class HostingRow:
    """One LLM workload: the choice, the cheapest priced option of each kind, the break-even volume."""

    comparison: LlmHostingComparison
    cheapest_managed: str
    cheapest_self_hosted: str
    break_even: str


def hosting_rows(ai: AiConsultantOutput | None) -> list[HostingRow]:
    if ai is None:
        return []
    rows = []
    for c in ai.llm_hosting:
        managed = min(c.managed, key=lambda m: m.monthly_usd, default=None)
        priced = [s for s in c.self_hosted if s.monthly_usd is not None]
        hosted = min(priced, key=lambda s: s.monthly_usd or 0.0, default=None)
        rows.append(
            HostingRow(
                comparison=c,
                cheapest_managed=f"{managed.name}: {_usd(managed.monthly_usd)}" if managed else "none priced",
                cheapest_self_hosted=(
                    f"{hosted.model} {hosted.precision}, {hosted.gpu_count} GPUs: {_usd(hosted.monthly_usd)}"
                    if hosted and hosted.monthly_usd is not None
                    else "none priced"
                ),
                break_even=_break_even(c),
            )
        )
    return rows


def _break_even(c: LlmHostingComparison) -> str:
    pick = next((b for b in c.break_even if b.self_hosted == c.reference_self_hosted), None)
    pick = pick or (c.break_even[0] if c.break_even else None)
    if pick is None:
        return "not computed"
    if pick.requests_per_day is None:
        return f"{pick.self_hosted} vs {pick.managed_model}: never cheaper at list prices"
    return f"{pick.self_hosted} vs {pick.managed_model}: above {pick.requests_per_day:,.0f} requests/day"


def research_sources(research: ResearchOutput | None) -> list[str]:
    """Each distinct source of the comparisons, with its date, in order of first use."""
    if research is None:
        return []
    seen: dict[str, None] = {}
    for c in research.comparisons:
        seen.setdefault(f"{c.source} (as of {c.as_of})")
    return list(seen)


@dataclass(frozen=True)
class ProviderStrategies:
    provider: str
    recommended: bool
    complete: bool
    totals: dict[str, Percentiles]


def strategy_matrix(simulation: SimulationOutput | None) -> list[ProviderStrategies]:
    if simulation is None:
        return []
    return [
        ProviderStrategies(
            p.provider,
            p.provider == simulation.recommended_provider,
            p.complete,
            {s.strategy: s.total_36m_usd for s in p.strategies},
        )
        for p in simulation.providers
    ]


def top_drivers(simulation: SimulationOutput | None) -> list[SensitivityDriver]:
    if simulation is None or simulation.sensitivity is None:
        return []
    drivers = [d for d in simulation.sensitivity.drivers if d.applies]
    return sorted(drivers, key=lambda d: d.swing_usd, reverse=True)[:TOP_DRIVERS]


@dataclass(frozen=True)
class QueueView:
    model: QueueModel
    at_planned: QueueRow | None
    rows: list[QueueRow]


def queue_views(simulation: SimulationOutput | None) -> list[QueueView]:
    """Each queueing model with its row at the planned instance count and a compact slice of its table."""
    if simulation is None:
        return []
    views = []
    for q in simulation.queues:
        at_planned = next((r for r in q.rows if r.instances == q.planned_instances), None)
        rows = q.rows[:QUEUE_ROWS]
        if at_planned is not None and at_planned not in rows:
            rows.append(at_planned)
        views.append(QueueView(q, at_planned, rows))
    return views


def _usd(value: float) -> str:
    return f"${value:,.2f}"
