"""Phase 4 results: the cost model and compliance scoring."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from infra_mind.domain.pricing import Assumption


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProviderSeries(Model):
    provider: str
    monthly_usd: list[float] = Field(min_length=36, max_length=36)
    cumulative_usd: list[float] = Field(min_length=36, max_length=36)
    total_36m_usd: float
    complete: bool = Field(description="False when some lines had no price; totals then understate")
    missing_prices: int = Field(default=0, description="items of today's plan without a price")
    primary_usd: float = Field(default=0, description="month 0: the primary-region part")
    dr_usd: float = Field(default=0, description="month 0: the DR-footprint part")


class CostScenario(Model):
    name: str
    description: str
    assumptions: list[Assumption]
    series: list[ProviderSeries]


class CostModel(Model):
    months: int = 36
    scenarios: list[CostScenario]
    basis: str = Field(default="", description="how each monthly series was derived")


class ControlStatus(StrEnum):
    MET_NOW = "met_now"
    MET_BY_DESIGN = "met_by_design"
    GAP = "gap"


class ControlScore(Model):
    control_id: str
    title: str
    severity: str
    status: ControlStatus
    missing_controls: list[str] = Field(description="security controls not in place today")
    closed_by: list[str] = Field(
        description="ids of the ranked recommendations that close it; empty when met now or when no "
        "recommendation addresses it"
    )


class FrameworkScore(Model):
    framework: str
    controls: int
    met_now: int
    met_by_design: int
    coverage_now_pct: float
    coverage_by_design_pct: float
    open_gaps: list[str] = Field(description="control IDs the proposed design does not close")
    detail: list[ControlScore] = Field(default_factory=list)


class ComplianceScores(Model):
    frameworks: list[FrameworkScore]
