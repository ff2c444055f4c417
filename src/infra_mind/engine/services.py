"""Phase 4 professional services: the 36-month cost model and compliance scoring."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

from infra_mind.agents.plan import PricedPlan, priced_plan
from infra_mind.agents.simulation.backbone import build_backbone
from infra_mind.agents.tco import SERIES_BASIS, growth_series
from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.growth import HORIZON_MONTHS
from infra_mind.domain.outputs import CloudEngineerOutput
from infra_mind.domain.pricing import Assumption
from infra_mind.domain.services import (
    CostModel,
    CostScenario,
    ProviderSeries,
)
from infra_mind.engine.optimisation import DESCRIPTIONS, Strategy, monthly_cost, spot_terms
from infra_mind.knowledge.catalog import Knowledge


def cost_model(
    results: dict[str, AgentResult], ctx: AssessmentContext, knowledge: Knowledge
) -> CostModel | None:
    """Three purchase strategies × every provider's plan (primary + DR) × 36 months, on the expected growth.

    The on-demand backbone is the plan re-priced as the load grows (agents.tco), the same series the cto
    agent's TCO uses; the strategies apply the sourced commitment and spot discounts to it.
    """
    cloud = results.get("cloud_engineer")
    if cloud is None or not cloud.ok or not isinstance(cloud.output, CloudEngineerOutput):
        return None
    plan = priced_plan(ctx, knowledge)
    series = growth_series(ctx, knowledge, plan, months=HORIZON_MONTHS)
    catalog = knowledge.commitments
    spot, spot_assumptions = spot_terms(catalog)
    backbones = {
        provider: build_backbone(s, list(ctx.requirements.workloads), knowledge, catalog)
        for provider, s in series.items()
    }
    common = [
        Assumption(
            key="growth",
            value=1.0,
            unit="× projected growth",
            rationale=f"users and data grow as projected; {SERIES_BASIS}",
            source="input: growth.current_users, users_6m, users_12m, users_24m; "
            "workloads[].data_growth_gb_per_month",
        ),
        knowledge.sizing("hours_per_month").assumption(),
    ]
    scenarios = []
    for strategy in Strategy:
        provider_series = [
            _provider_series(
                plan, provider, monthly_cost(backbone, strategy, spot), series[provider].complete
            )
            for provider, backbone in backbones.items()
        ]
        extra = spot_assumptions if strategy is Strategy.AGGRESSIVE else []
        scenarios.append(
            CostScenario(
                name=strategy.value,
                description=DESCRIPTIONS[strategy],
                assumptions=[*common, *extra],
                series=provider_series,
            )
        )
    return CostModel(months=HORIZON_MONTHS, scenarios=scenarios, basis=SERIES_BASIS)


def _provider_series(
    plan: PricedPlan, provider: str, monthly_usd: Sequence[float], complete: bool
) -> ProviderSeries:
    monthly = [round(float(v), 2) for v in monthly_usd]
    cumulative = [round(v, 2) for v in accumulate(monthly)]
    quote = plan.quote(provider)
    return ProviderSeries(
        provider=provider,
        monthly_usd=monthly,
        cumulative_usd=cumulative,
        total_36m_usd=cumulative[-1],
        complete=complete,
        missing_prices=len(quote.missing) if quote else 0,
        primary_usd=quote.primary_usd if quote else 0.0,
        dr_usd=quote.dr_usd if quote else 0.0,
    )
