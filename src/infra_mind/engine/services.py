"""Phase 4 professional services: the 36-month cost model and compliance scoring."""

from __future__ import annotations

from itertools import accumulate

from infra_mind.agents.tco import monthly_series
from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.growth import HORIZON_MONTHS
from infra_mind.domain.outputs import CloudEngineerOutput, ComplianceOutput
from infra_mind.domain.pricing import Assumption
from infra_mind.domain.services import (
    ComplianceScores,
    CostModel,
    CostScenario,
    FrameworkScore,
    ProviderSeries,
)
from infra_mind.knowledge.catalog import Knowledge

SCENARIOS = (
    ("low_growth", 0.5, "half of the projected user growth materialises"),
    ("expected", 1.0, "users grow as projected (0 → 6 → 12 → 24 months, then the 12→24 rate continues)"),
    ("high_growth", 1.5, "growth runs 50 % above the projection"),
)


def cost_model(
    results: dict[str, AgentResult], ctx: AssessmentContext, knowledge: Knowledge
) -> CostModel | None:
    cloud = results.get("cloud_engineer")
    if cloud is None or not cloud.ok or not isinstance(cloud.output, CloudEngineerOutput):
        return None
    spec = ctx.requirements
    hours = knowledge.sizing("hours_per_month")
    scenarios = []
    for name, scale, description in SCENARIOS:
        series = []
        for quote in cloud.output.quotes:
            monthly = [
                round(v, 2)
                for v in monthly_series(
                    quote, spec.growth, spec.workloads, HORIZON_MONTHS, growth_scale=scale
                )
            ]
            cumulative = [round(v, 2) for v in accumulate(monthly)]
            series.append(
                ProviderSeries(
                    provider=quote.provider,
                    monthly_usd=monthly,
                    cumulative_usd=cumulative,
                    total_36m_usd=cumulative[-1],
                    complete=quote.complete,
                )
            )
        assumption = Assumption(
            key="growth_scale",
            value=scale,
            unit="× projected growth",
            rationale=description,
            source="input: growth.current_users, users_6m, users_12m, users_24m",
        )
        billing = hours.assumption()
        scenarios.append(
            CostScenario(name=name, description=description, assumptions=[assumption, billing], series=series)
        )
    return CostModel(months=HORIZON_MONTHS, scenarios=scenarios)


def compliance_scores(results: dict[str, AgentResult]) -> ComplianceScores | None:
    compliance = results.get("compliance")
    if compliance is None or not compliance.ok or not isinstance(compliance.output, ComplianceOutput):
        return None
    scores = []
    for status in compliance.output.frameworks:
        total = status.controls_total
        scores.append(
            FrameworkScore(
                framework=status.framework,
                controls=total,
                met_now=status.met_now,
                met_by_design=status.met_by_design,
                coverage_now_pct=round(100 * status.met_now / total, 1) if total else 100.0,
                coverage_by_design_pct=round(100 * status.met_by_design / total, 1) if total else 100.0,
                open_gaps=[gap.control_id for gap in status.gaps],
            )
        )
    return ComplianceScores(frameworks=scores)
