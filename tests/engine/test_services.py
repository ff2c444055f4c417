from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from infra_mind.agents.cloud_engineer import CloudEngineerAgent
from infra_mind.agents.cto import CtoAgent
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.tco import scaled_context
from infra_mind.domain.agent_result import AgentResult, AgentStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.services import CostModel
from infra_mind.engine.optimisation import committed_cost
from infra_mind.engine.profile import Sizer
from infra_mind.engine.services import cost_model
from infra_mind.knowledge.catalog import Knowledge

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


async def _quiet(pct: float, message: str) -> None:
    return None


async def _result(agent: CloudEngineerAgent | CtoAgent, ctx: AssessmentContext) -> AgentResult:
    report = await agent.run(ctx, _quiet)
    return AgentResult(
        agent=agent.name,
        status=AgentStatus.COMPLETED,
        attempts=1,
        summary=report.summary,
        output=report.output,
    )


async def _model(knowledge: Knowledge, ctx: AssessmentContext, *, with_cto: bool = False) -> CostModel:
    results = {"cloud_engineer": await _result(CloudEngineerAgent(knowledge), ctx)}
    if with_cto:
        results["cto"] = await _result(CtoAgent(knowledge), ctx)
    model = cost_model(results, ctx, knowledge)
    assert model is not None
    return model


def _flat(raw: dict[str, Any]) -> dict[str, Any]:
    users = raw["growth"]["current_users"]
    raw["growth"] = {"current_users": users, "users_6m": users, "users_12m": users, "users_24m": users}
    for workload in raw["workloads"]:
        workload.pop("data_growth_gb_per_month", None)
    return raw


async def test_flat_growth_gives_a_flat_on_demand_series(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(_flat(healthtech))
    model = await _model(knowledge, ctx)
    plan = priced_plan(ctx, knowledge)

    assert [s.name for s in model.scenarios] == ["conservative", "expected", "aggressive_optimisation"]
    conservative = model.scenarios[0]
    for series in conservative.series:
        quote = plan.quote(series.provider)
        assert quote is not None
        assert series.monthly_usd == [quote.monthly_usd] * 36
        assert series.total_36m_usd == pytest.approx(36 * quote.monthly_usd, abs=0.05)


async def test_month_24_is_a_direct_re_price_at_the_month_24_load(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    model = await _model(knowledge, ctx)
    on_demand = next(s for s in model.scenarios if s.name == "conservative")
    direct = priced_plan(scaled_context(ctx, Sizer(knowledge), 24), knowledge)
    today = priced_plan(ctx, knowledge)

    for series in on_demand.series:
        quote = direct.quote(series.provider)
        now = today.quote(series.provider)
        assert quote is not None
        assert now is not None
        assert series.monthly_usd[24] == pytest.approx(quote.monthly_usd, abs=0.01)
        assert series.monthly_usd[0] == now.monthly_usd
        assert series.primary_usd + series.dr_usd == pytest.approx(now.monthly_usd, abs=0.01)
        # re-pricing keeps per-zone floors and rounding where they are: less than today × the load factor
        assert series.monthly_usd[24] < now.monthly_usd * ctx.profile.growth_factor_24m
    assert "months after 24 extrapolate the 12→24" in model.basis


async def test_optimisation_never_costs_more_than_on_demand(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    model = await _model(knowledge, make_context(healthtech))

    by_name = {s.name: {p.provider: p for p in s.series} for s in model.scenarios}
    for provider, conservative in by_name["conservative"].items():
        expected = by_name["expected"][provider]
        aggressive = by_name["aggressive_optimisation"][provider]
        assert all(e <= c + 0.01 for e, c in zip(expected.monthly_usd, conservative.monthly_usd, strict=True))
        assert aggressive.total_36m_usd < expected.total_36m_usd < conservative.total_36m_usd


def test_commitments_cover_the_planned_spend_of_each_purchase_date() -> None:
    planned = np.array([100.0] * 12 + [150.0] * 24)
    one_year = committed_cost(planned, 0.3, 12)
    assert list(one_year) == pytest.approx([70.0] * 12 + [105.0] * 24)
    three_years = committed_cost(np.array([100.0] * 12 + [150.0] * 12 + [120.0] * 12), 0.5, 36)
    # 3-year terms bought at 0 and topped up at 12 keep 150 committed through month 35 (paid even when unused)
    assert list(three_years) == pytest.approx([50.0] * 12 + [75.0] * 24)


async def test_the_expected_scenario_is_the_cto_tco_series(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    alone = await _model(knowledge, ctx)
    shared = await _model(knowledge, ctx, with_cto=True)

    assert shared == alone


def test_no_cost_model_without_the_cloud_engineer(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    assert cost_model({}, make_context(healthtech), knowledge) is None
