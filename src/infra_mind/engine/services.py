"""Phase 4 professional services: the 36-month cost model and compliance scoring."""

from __future__ import annotations

from itertools import accumulate

from infra_mind.agents.plan import PricedPlan, priced_plan
from infra_mind.agents.tco import SERIES_BASIS, growth_series
from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.growth import HORIZON_MONTHS
from infra_mind.domain.outputs import CloudEngineerOutput, CtoOutput
from infra_mind.domain.pricing import Assumption
from infra_mind.domain.services import (
    CostModel,
    CostScenario,
    ProviderSeries,
)
from infra_mind.knowledge.catalog import Knowledge

SCENARIOS = (
    ("low_growth", 0.5, "half of the projected user and data growth materialises"),
    ("expected", 1.0, "users grow as projected (0 → 6 → 12 → 24 months, then the 12→24 rate continues)"),
    ("high_growth", 1.5, "growth runs 50 % above the projection"),
)


def cost_model(
    results: dict[str, AgentResult], ctx: AssessmentContext, knowledge: Knowledge
) -> CostModel | None:
    """Each scenario re-prices every provider's plan (primary + DR) as the load grows (agents.tco).

    The expected scenario is the cto agent's TCO series when that agent completed on the same plan, so the
    two never differ and the re-pricing runs once.
    """
    cloud = results.get("cloud_engineer")
    if cloud is None or not cloud.ok or not isinstance(cloud.output, CloudEngineerOutput):
        return None
    plan = priced_plan(ctx, knowledge)
    hours = knowledge.sizing("hours_per_month")
    shared = _cto_series(results, plan)
    scenarios = []
    for name, scale, description in SCENARIOS:
        costs = shared if scale == 1.0 and shared else _series(ctx, knowledge, plan, scale)
        series = []
        for provider, (monthly_usd, complete) in costs.items():
            monthly = [round(v, 2) for v in monthly_usd]
            cumulative = [round(v, 2) for v in accumulate(monthly)]
            quote = plan.quote(provider)
            series.append(
                ProviderSeries(
                    provider=provider,
                    monthly_usd=monthly,
                    cumulative_usd=cumulative,
                    total_36m_usd=cumulative[-1],
                    complete=complete,
                    missing_prices=len(quote.missing) if quote else 0,
                    primary_usd=quote.primary_usd if quote else 0.0,
                    dr_usd=quote.dr_usd if quote else 0.0,
                )
            )
        assumption = Assumption(
            key="growth_scale",
            value=scale,
            unit="× projected growth",
            rationale=f"{description}; {SERIES_BASIS}",
            source="input: growth.current_users, users_6m, users_12m, users_24m; "
            "workloads[].data_growth_gb_per_month",
        )
        billing = hours.assumption()
        scenarios.append(
            CostScenario(name=name, description=description, assumptions=[assumption, billing], series=series)
        )
    return CostModel(months=HORIZON_MONTHS, scenarios=scenarios, basis=SERIES_BASIS)


Series = dict[str, tuple[list[float], bool]]
"""Per provider: the monthly run cost over the horizon and whether every re-priced month is complete."""


def _series(ctx: AssessmentContext, knowledge: Knowledge, plan: PricedPlan, scale: float) -> Series:
    return {
        provider: (cost.monthly_usd, cost.complete)
        for provider, cost in growth_series(ctx, knowledge, plan, scale=scale, months=HORIZON_MONTHS).items()
    }


def _cto_series(results: dict[str, AgentResult], plan: PricedPlan) -> Series | None:
    """The cto agent's expected-growth series, when it covers every quote of this plan from one month 0."""
    cto = results.get("cto")
    if cto is None or not cto.ok or not isinstance(cto.output, CtoOutput):
        return None
    tcos = {t.provider: t for t in cto.output.tco}
    for quote in plan.quotes:
        tco = tcos.get(quote.provider)
        if tco is None or len(tco.monthly_usd) != HORIZON_MONTHS or tco.monthly_run_usd != quote.monthly_usd:
            return None
    return {q.provider: (tcos[q.provider].monthly_usd, tcos[q.provider].series_complete) for q in plan.quotes}
