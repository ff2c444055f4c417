"""research: the company against industry norms for spend, team ratios and architecture."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output

Area = Literal["spend", "team", "architecture"]
Basis = Literal["current", "planned"]
Standing = Literal["below", "within", "above", "majority", "minority"]


class BenchmarkComparison(Output):
    """One figure of the company against one norm."""

    metric: str
    area: Area
    basis: Basis = Field(
        description="today's figures, or the priced plan (for architecture: the proposed design)"
    )
    label: str = Field(description="what is compared, in words")
    value: float | None = Field(description="the company's figure; None for a yes/no practice")
    lower_bound: bool = Field(
        default=False, description="the figure is a lower bound: the plan has items without a price"
    )
    unit: str
    company: str = Field(description="the company's figure or practice in words")
    norm_key: str
    norm: str = Field(description="the norm in words, with its statistic and band")
    segment: str = Field(description="the companies the norm describes")
    low: float | None = None
    high: float | None = None
    standing: Standing = Field(
        description="below / within / above the band, or whether the company's practice is the majority's"
    )
    outlier: bool = Field(description="outside the band, or a practice fewer than a quarter of peers share")
    detail: str
    source: str
    as_of: date
    estimate: str | None = None


class UncomparedMetric(Output):
    """A comparison that could not be made, and why."""

    metric: str
    basis: Basis
    reason: str


class ResearchOutput(Output):
    kind: Literal["research"] = "research"
    profile: str = Field(description="the company's segment in words: size, industry, stage, employees")
    comparisons: list[BenchmarkComparison]
    not_compared: list[UncomparedMetric] = Field(default_factory=list)
    outliers: int = Field(description="comparisons outside the norm")
    method: str = Field(description="how standing and outliers are decided")
