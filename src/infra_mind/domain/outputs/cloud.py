"""cloud_engineer: service selection per workload and the bill of materials per provider."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output
from infra_mind.domain.pricing import Assumption, ProviderQuote


class ServiceChoice(Output):
    workload: str
    workload_type: str
    pattern: str
    services: dict[str, str]
    reason: str


class ProviderComparison(Output):
    """How the providers were compared: on totals, or on the components every one of them prices."""

    like_for_like: bool = Field(description="every quote is complete, so totals are compared")
    compared_usd: dict[str, float] = Field(description="each provider's monthly cost on the compared basis")
    components: int
    excluded: list[str] = Field(default_factory=list, description="components left out, and why")
    note: str


class BudgetCheck(Output):
    """The recommended plan's monthly total against the budget, stated only as far as it is known."""

    provider: str
    monthly_usd: float
    complete: bool = Field(description="False: monthly_usd is a lower bound (some items have no price)")
    limit_usd: float = Field(description="budget.monthly_limit_usd")
    ceiling_usd: float = Field(description="the limit × the flexibility factor")
    flexibility: str
    status: Literal["within_limit", "over_limit", "over_ceiling", "undetermined"] = Field(
        description="undetermined: the priced part fits the limit but unpriced items could break it"
    )
    note: str


class CloudEngineerOutput(Output):
    kind: Literal["cloud_engineer"] = "cloud_engineer"
    service_choices: list[ServiceChoice]
    quotes: list[ProviderQuote] = Field(
        description="per provider: the primary region and the DR footprint (lines marked by site), and "
        "their total"
    )
    assumptions: list[Assumption]
    recommended_provider: str | None
    provider_reasons: list[str]
    comparison: ProviderComparison | None = None
    budget: BudgetCheck | None = None
