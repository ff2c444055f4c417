"""Month-by-month run cost of each provider's plan as the load grows: re-priced, never extrapolated per line.

The load figures of every workload are scaled by the user-growth curve (domain.growth.demand_factor) and
its stored data grows by its monthly data growth; the profile is re-sized (engine.profile.Sizer) and the
bill of materials re-priced at a few months of the horizon, with the same regions and DR strategy, so
minimums, per-zone floors and instance sizes stay what the catalog says at each load. Months in between
are interpolated linearly. Shared by the cto agent's 3-year TCO and the phase-4 cost model.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from infra_mind.agents.bom import BomBuilder
from infra_mind.agents.plan import PricedPlan, reprice
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.growth import HORIZON_MONTHS, demand_factor
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.workloads import (
    Analytics,
    Api,
    Batch,
    Database,
    DataProcessing,
    IoT,
    LlmApplication,
    MlInference,
    WebApp,
    Workload,
)
from infra_mind.engine.profile import Sizer
from infra_mind.knowledge.catalog import Knowledge

PRICED_MONTHS = (0, 6, 12, 24, 36)
"""The months the plan is re-priced at: today, the projection's horizons, and 36 (extrapolated)."""
SERIES_BASIS = (
    "re-priced at the load of months 0, 6, 12, 24 and 36 (every workload's load figures × the user-growth "
    "factor, stored data + its monthly growth; same regions and DR strategy) and interpolated linearly in "
    "between; months after 24 extrapolate the 12→24 user growth rate"
)


@dataclass(frozen=True)
class CostSeries:
    provider: str
    monthly_usd: list[float]
    """Run cost of months 0 … n-1 (month 0 = today's load, the plan's total)."""
    priced: dict[int, ProviderQuote]
    """The re-priced quote at each month of PRICED_MONTHS the series needed."""

    @property
    def complete(self) -> bool:
        return all(q.complete for q in self.priced.values())


def growth_series(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    plan: PricedPlan,
    *,
    scale: float = 1.0,
    months: int = HORIZON_MONTHS,
) -> dict[str, CostSeries]:
    """Each provider's monthly run cost over `months`, the growth above today's level scaled by `scale`
    (1 = as projected, 0 = no growth); computed once per run and plan (memoised on the run's context)."""
    key = ("growth_series", id(knowledge), id(plan), scale, months)
    return ctx.memo(key, lambda: _growth_series(ctx, knowledge, plan, scale, months))


def _growth_series(
    ctx: AssessmentContext, knowledge: Knowledge, plan: PricedPlan, scale: float, months: int
) -> dict[str, CostSeries]:
    last = months - 1
    beyond = next((m for m in PRICED_MONTHS if m >= last), PRICED_MONTHS[-1])
    needed = sorted({m for m in PRICED_MONTHS if m < last} | {beyond})
    builder = BomBuilder(knowledge)
    sizer = Sizer(knowledge)
    priced: dict[str, dict[int, ProviderQuote]] = {o.provider: {0: o.total} for o in plan.options}
    for month in needed[1:]:
        grown = scaled_context(ctx, sizer, month, scale)
        for option in plan.options:
            priced[option.provider][month] = reprice(grown, knowledge, builder, option)
    return {
        provider: CostSeries(provider, interpolate(points, months), points)
        for provider, points in priced.items()
    }


def scaled_context(
    ctx: AssessmentContext, sizer: Sizer, month: float, scale: float = 1.0
) -> AssessmentContext:
    """The context at `month`: load figures × demand_factor, data + month × monthly data growth, re-sized."""
    spec = ctx.requirements
    factor = demand_factor(spec.growth, month, scale=scale)
    workloads = [
        scaled_workload(w, factor, w.data_growth_gb_per_month * month * scale) for w in spec.workloads
    ]
    grown = spec.model_copy(update={"workloads": workloads})
    return ctx.model_copy(update={"requirements": grown, "profile": sizer.profile(grown)})


def scaled_workload(w: Workload, factor: float, added_gb: float) -> Workload:
    """The workload with every user-driven load figure × `factor` and `added_gb` more stored data."""
    update: dict[str, float | int] = {"data_size_gb": w.data_size_gb + added_gb}
    match w:
        case WebApp():
            update |= {
                "requests_per_second": w.requests_per_second * factor,
                "concurrent_users": round(w.concurrent_users * factor),
            }
        case Api() | MlInference():
            update["requests_per_second"] = w.requests_per_second * factor
        case DataProcessing():
            update["data_processed_gb_per_day"] = w.data_processed_gb_per_day * factor
        case IoT():
            update["messages_per_second"] = w.messages_per_second * factor
        case Analytics():
            update["queries_per_day"] = round(w.queries_per_day * factor)
        case Batch():
            update["jobs_per_day"] = w.jobs_per_day * factor
        case Database():
            update |= {"read_qps": w.read_qps * factor, "write_qps": w.write_qps * factor}
        case LlmApplication():
            update["requests_per_day"] = round(w.requests_per_day * factor)
    return w.model_copy(update=update)


def interpolate(points: dict[int, ProviderQuote], months: int) -> list[float]:
    """Linear between the priced months; the last priced month holds for any month beyond it."""
    known = sorted(points)
    costs = [points[m].monthly_usd for m in known]
    series = []
    for month in range(months):
        i = bisect_right(known, month) - 1
        if i >= len(known) - 1:
            series.append(costs[-1])
            continue
        m0, m1 = known[i], known[i + 1]
        series.append(costs[i] + (costs[i + 1] - costs[i]) * (month - m0) / (m1 - m0))
    return series
