"""simulation: Monte-Carlo growth and cost, purchase strategies, a queueing model and cost sensitivity."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output
from infra_mind.domain.pricing import Assumption

Strategy = Literal["on_demand", "commit_1y", "commit_3y", "spot"]


class Percentiles(Output):
    p10: float
    p50: float
    p90: float


class MonthlyBand(Output):
    """Percentiles of each month of the horizon, month 1 first."""

    p10: list[float]
    p50: list[float]
    p90: list[float]


class UserGrowth(Output):
    projection: list[float] = Field(description="users each month as projected (domain.growth.users_at)")
    simulated: MonthlyBand
    month_36: Percentiles


class DiscountUsed(Output):
    """A commitment or spot record applied to a group of instance lines."""

    scope: str = Field(description="the record's family, category or every family of the provider")
    instrument: str | None = Field(default=None, description="what is bought (commitments only)")
    discount: str = Field(description="the discount applied, e.g. '37%' or '57%-67%'")
    instances: list[str] = Field(description="workload: SKU of every line in the group")
    baseline_usd_month: float = Field(description="today's on-demand cost of the group")
    committed_usd_month: float | None = Field(
        default=None, description="on-demand-equivalent spend committed (commitments only)"
    )
    source: str
    as_of: str
    estimate: str | None = None


class StrategyResult(Output):
    strategy: Strategy
    description: str
    monthly_usd: MonthlyBand
    total_36m_usd: Percentiles
    saving_36m_usd: Percentiles = Field(description="on-demand total minus this strategy's, run by run")
    committed_share: float | None = Field(
        default=None, description="committed spend ÷ today's spend of the eligible lines (commitments)"
    )
    discounts: list[DiscountUsed] = Field(default_factory=list)


class ProviderSimulation(Output):
    provider: str
    region: str
    complete: bool = Field(description="False when lines lack a price: every figure is then a lower bound")
    missing_prices: int = 0
    commit_eligible_usd_month: float = Field(description="today's always-on compute spend")
    spot_eligible_usd_month: float = Field(description="today's interruptible compute spend")
    uncovered: list[str] = Field(
        default_factory=list, description="eligible lines without a sourced discount: left on demand"
    )
    strategies: list[StrategyResult]


class QueueRow(Output):
    instances: int
    utilisation: float
    p_wait: float = Field(description="probability a request queues (Erlang C)")
    mean_wait_ms: float
    p95_response_ms: float
    meets_target: bool | None = None


class QueueModel(Output):
    workload: str
    type: str
    provider: str
    sku: str
    arrival_rps: float = Field(description="peak requests per second (λ)")
    service_rps_per_instance: float = Field(description="requests per second one instance serves (μ)")
    service_basis: str
    planned_instances: int
    stable_minimum: int = Field(description="fewest instances with utilisation below 1")
    latency_target_ms: int | None = None
    recommended_instances: int | None = Field(
        default=None, description="fewest instances whose p95 response time meets the target"
    )
    rows: list[QueueRow]
    note: str


class SensitivityDriver(Output):
    driver: str
    description: str
    low_total_usd: float
    high_total_usd: float
    swing_usd: float = Field(description="|high - low| of the 36-month total")
    applies: bool = Field(description="False when the plan has nothing this driver moves")


class Sensitivity(Output):
    provider: str
    base_total_usd: float = Field(description="36-month on-demand total at the projection")
    swing_pct: float = Field(description="how far each driver moves down and up")
    drivers: list[SensitivityDriver] = Field(description="largest swing first (tornado order)")


class SimulationOutput(Output):
    kind: Literal["simulation"] = "simulation"
    runs: int
    seed: int
    months: int
    users: UserGrowth
    providers: list[ProviderSimulation]
    recommended_provider: str | None = None
    queues: list[QueueModel] = Field(default_factory=list)
    sensitivity: Sensitivity | None = None
    assumptions: list[Assumption] = Field(default_factory=list)
