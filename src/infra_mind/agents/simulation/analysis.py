"""The simulation agent's analysis: a pure function of the context, the catalogs and the seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from infra_mind.agents.plan import PricedPlan, priced_plan
from infra_mind.agents.simulation.backbone import Array, Backbone, build_backbone
from infra_mind.agents.simulation.capacity import queue_models
from infra_mind.agents.simulation.montecarlo import (
    Noise,
    SpotPolicy,
    band,
    demand_noise,
    percentiles,
    simulate,
)
from infra_mind.agents.simulation.sensitivity import tornado
from infra_mind.agents.tco import growth_series
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.growth import HORIZON_MONTHS, users_at
from infra_mind.domain.outputs.simulation import (
    ProviderSimulation,
    QueueModel,
    Sensitivity,
    SimulationOutput,
    UserGrowth,
)
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.commitments import CommitmentCatalog
from infra_mind.knowledge.sizing import SizingRule

ASSUMPTIONS = (
    "growth_volatility_annual",
    "spot_share_interruptible",
    "spot_rework_overhead",
    "sensitivity_swing",
)


@dataclass(frozen=True)
class Analysis:
    ctx: AssessmentContext
    plan: PricedPlan
    runs: int
    seed: int
    backbones: dict[str, Backbone]
    providers: list[ProviderSimulation]
    spot_savings: dict[str, dict[str, Array]]
    """Per provider and interruptible workload: the 36-month spot saving, run by run."""
    users: UserGrowth
    queues: list[QueueModel]
    sensitivity: Sensitivity | None
    rules: dict[str, SizingRule]

    @property
    def chosen(self) -> ProviderSimulation | None:
        return next((p for p in self.providers if p.provider == self.plan.provider), None)

    def output(self) -> SimulationOutput:
        return SimulationOutput(
            runs=self.runs,
            seed=self.seed,
            months=HORIZON_MONTHS,
            users=self.users,
            providers=self.providers,
            recommended_provider=self.plan.provider,
            queues=self.queues,
            sensitivity=self.sensitivity,
            assumptions=[rule.assumption() for rule in self.rules.values()],
        )


def analyse(
    ctx: AssessmentContext, knowledge: Knowledge, catalog: CommitmentCatalog, *, runs: int, seed: int
) -> Analysis:
    rules = {key: catalog.assumption(key) for key in ASSUMPTIONS}
    plan = priced_plan(ctx, knowledge)
    series = growth_series(ctx, knowledge, plan, months=HORIZON_MONTHS)
    workloads = list(ctx.requirements.workloads)
    backbones = {
        o.provider: build_backbone(series[o.provider], workloads, knowledge, catalog) for o in plan.options
    }
    rng = np.random.default_rng(seed)
    noise = demand_noise(rng, runs, HORIZON_MONTHS, rules["growth_volatility_annual"].value)
    policy = SpotPolicy(rules["spot_share_interruptible"].value, rules["spot_rework_overhead"].value)
    providers = []
    savings = {}
    for option in plan.options:
        backbone = backbones[option.provider]
        simulated = simulate(backbone, noise, rng, policy)
        savings[option.provider] = simulated.spot_savings
        quote = backbone.quote
        providers.append(
            ProviderSimulation(
                provider=option.provider,
                region=quote.region,
                complete=quote.complete,
                missing_prices=len(quote.missing),
                commit_eligible_usd_month=round(sum(p.baseline_usd for p in backbone.commit), 2),
                spot_eligible_usd_month=round(sum(p.baseline_usd for p in backbone.spot), 2),
                uncovered=backbone.uncovered,
                strategies=simulated.strategies,
            )
        )
    chosen = plan.chosen_option
    return Analysis(
        ctx=ctx,
        plan=plan,
        runs=runs,
        seed=seed,
        backbones=backbones,
        providers=providers,
        spot_savings=savings,
        users=_users(ctx, noise),
        queues=queue_models(ctx, knowledge, plan.chosen),
        sensitivity=tornado(
            ctx, knowledge, chosen, backbones[chosen.provider], rules["sensitivity_swing"].value
        )
        if chosen
        else None,
        rules=rules,
    )


def _users(ctx: AssessmentContext, noise: Noise) -> UserGrowth:
    growth = ctx.requirements.growth
    projection = np.array([users_at(growth, month) for month in range(noise.runs.shape[1])])
    return UserGrowth(
        projection=np.round(projection, 1).tolist(),
        simulated=band(noise.bands * projection),
        month_36=percentiles(noise.runs[:, -1] * projection[-1]),
    )
