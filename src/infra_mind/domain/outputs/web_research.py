"""web_research: live list-price checks of the bill of materials, and the freshness audit of the catalogs."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output

LiveStatus = Literal["not_configured", "not_applicable", "completed", "failed"]
CheckStatus = Literal["matched", "not_found", "ambiguous", "not_covered"]


class LineDrift(Output):
    """One bill-of-materials line: its catalog price against the live list price."""

    component: str
    workload: str | None
    site: str = Field(description="primary | dr")
    kind: str
    sku: str
    region: str
    unit: str
    status: CheckStatus = Field(
        description="matched: one live price found; not_found: the source lists no such meter; ambiguous: "
        "several different live prices; not_covered: the source has no meter mapping for this kind of line"
    )
    catalog_usd: float = Field(description="catalog price per unit")
    catalog_as_of: date
    live_usd: float | None = Field(description="live list price per catalog unit; None unless matched")
    drift_pct: float | None = Field(description="(live − catalog) ÷ catalog × 100; None unless matched")
    flagged: bool = Field(description="|drift_pct| above the threshold")
    monthly_catalog_usd: float
    monthly_live_usd: float | None = Field(description="the line's monthly cost at the live price")
    meter: str = Field(default="", description="what the live source read: product / meter / unit")
    query: str = Field(default="", description="the request that returned the price")
    effective_from: date | None = Field(default=None, description="the live price's effective start date")
    note: str = ""


class LiveCheck(Output):
    status: LiveStatus
    source: str = Field(description="the configured price source: offline | azure_retail_prices | …")
    provider: str | None = Field(description="the cloud whose list prices the source reads")
    detail: str = Field(description="what was checked, or why nothing was")
    transient: bool | None = Field(
        default=None, description="for a failed check: True when a later attempt may succeed"
    )
    threshold_pct: float
    lines_checked: int = 0
    matched: int = 0
    flagged: int = 0
    monthly_catalog_usd: float = Field(default=0, description="matched lines at catalog prices")
    monthly_live_usd: float = Field(default=0, description="matched lines at live prices")
    drifts: list[LineDrift] = Field(default_factory=list)


class RecordAge(Output):
    kind: str
    ref: str = Field(description="the record's identity, e.g. azure:Standard_D2s_v5@eastus")
    catalog: str = Field(description="the catalog file, relative to the knowledge directory")
    as_of: date
    age_days: int
    stale: bool
    estimate: bool = Field(description="the figure is derived (the record states its method)")


class KindFreshness(Output):
    kind: str
    label: str
    records: int
    stale: int
    estimates: int
    undated: int = 0
    threshold_days: int
    threshold_basis: str
    stale_means: str
    oldest_as_of: date | None
    newest_as_of: date | None
    median_age_days: float | None
    max_age_days: int | None


class FreshnessAudit(Output):
    reference_date: date
    reference_basis: str = Field(description="where the reference date came from")
    catalogs: list[str] = Field(description="catalog files audited, relative to the knowledge directory")
    records: int
    stale: int
    estimates: int
    kinds: list[KindFreshness]
    ages: list[RecordAge] = Field(description="every dated record, oldest first")
    undated: list[str] = Field(default_factory=list, description="records that carry no as_of date")
    future_dated: list[str] = Field(
        default_factory=list, description="records dated after the reference date"
    )


class PlanPriceAge(Output):
    """How old the prices are that the recommended plan's monthly total rests on."""

    provider: str
    lines: int
    stale_lines: int
    monthly_usd: float
    stale_monthly_usd: float
    threshold_days: int
    oldest_as_of: date | None


class WebResearchOutput(Output):
    kind: Literal["web_research"] = "web_research"
    live_check: LiveCheck
    freshness: FreshnessAudit
    plan_prices: PlanPriceAge | None = Field(
        default=None, description="None when no provider is allowed, so there is no plan"
    )
