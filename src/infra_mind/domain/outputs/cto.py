"""cto: TCO, goals, build/buy, risks and a phased roadmap."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from infra_mind.domain.enums import Level
from infra_mind.domain.outputs.base import Output
from infra_mind.domain.pricing import Assumption


class ProviderTco(Output):
    provider: str
    region: str
    monthly_run_usd: float = Field(description="today's load as quoted: primary region + DR footprint")
    primary_usd: float = Field(default=0, description="today's primary-region part of monthly_run_usd")
    dr_usd: float = Field(default=0, description="today's DR-footprint part of monthly_run_usd")
    dr_strategy: str | None = None
    dr_region: str | None = None
    monthly_usd: list[float] = Field(description="run cost of each month of the horizon, month 1 first")
    series_basis: str = Field(default="", description="how the monthly series was derived")
    series_complete: bool = Field(
        default=True, description="False when a re-priced month (0, 6, 12, 24, 36) lacks a price"
    )
    run_36m_usd: float
    migration_one_off_usd: float
    migration_basis: str
    tco_36m_usd: float
    complete: bool = Field(description="False when lines lack a price: the TCO then understates")
    missing_prices: int = 0
    within_budget: bool | None = Field(
        description="today's run cost within budget.monthly_limit_usd and the TCO within "
        "budget.total_max_usd when given; None when unpriced items leave it undetermined"
    )
    within_total_budget: bool | None = Field(
        default=None,
        description="the TCO within budget.total_max_usd; None when no total is given or unpriced items "
        "leave it undetermined",
    )
    first_month_over_ceiling: int | None = Field(
        default=None,
        description="first month (1-based) whose run cost passes the monthly ceiling as users and "
        "data grow; None when no month does",
    )
    budget_note: str
    total_budget_note: str | None = Field(
        default=None, description="the TCO against budget.total_max_usd (the 36-month total), when given"
    )


class RoiComparison(Output):
    provider: str
    plan_tco_36m_usd: float
    current_monthly_usd: float | None = None
    current_36m_usd: float | None = Field(default=None, description="today's spend held flat for 36 months")
    difference_36m_usd: float | None = Field(default=None, description="plan − current; negative = savings")
    plan_usd_per_user_month: float | None = None
    current_usd_per_user_month: float | None = None


class GoalFit(Output):
    goal: str
    category: str
    priority: str
    timeline_months: int
    how_addressed: str
    addressed: bool = True
    phase: str
    delivered_by_month: int
    fits_timeline: bool


class BuildBuyDecision(Output):
    capability: str
    decision: Literal["build", "buy"]
    option: str
    reason: str


class Risk(Output):
    id: str
    title: str
    likelihood: Level
    impact: Level
    mitigation: str
    owner: str
    source: str = Field(description="what in the input or the plan the risk was derived from")


class RoadmapPhase(Output):
    name: str
    start_month: int
    end_month: int
    deliverables: list[str]
    goals: list[str] = Field(default_factory=list, description="goals delivered when the phase ends")


class CtoOutput(Output):
    kind: Literal["cto"] = "cto"
    tco: list[ProviderTco]
    recommended_provider: str | None = None
    roi: RoiComparison | None = None
    roi_note: str
    goals: list[GoalFit]
    build_vs_buy: list[BuildBuyDecision]
    risks: list[Risk] = Field(description="highest likelihood × impact first")
    roadmap: list[RoadmapPhase]
    roadmap_fits_timeline: bool = True
    assumptions: list[Assumption] = Field(default_factory=list)
