"""Priced lines, missing prices and assumptions: the assumption ledger of every cost figure."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScalesWith(StrEnum):
    """What drives the line's quantity (descriptive: the growth series re-prices the whole plan)."""

    FIXED = "fixed"
    USERS = "users"
    DATA = "data"


class Site(StrEnum):
    """Which part of the plan a line belongs to: the primary region or the disaster-recovery footprint."""

    PRIMARY = "primary"
    DR = "dr"


class Assumption(Model):
    key: str
    value: float
    unit: str
    rationale: str
    source: str
    as_of: date | None = None


class BomLine(Model):
    component: str
    workload: str | None = None
    provider: str
    service: str
    kind: str
    sku: str
    region: str
    quantity: float = Field(ge=0)
    unit: str
    unit_price_usd: float = Field(gt=0)
    monthly_usd: float = Field(ge=0)
    source: str
    as_of: date
    estimate: str | None = None
    assumption: str = Field(description="how the quantity was derived")
    scales_with: ScalesWith = ScalesWith.USERS
    key: str = Field(default="", description="the same component in every provider's quote (for comparison)")
    site: Site = Site.PRIMARY


class MissingPrice(Model):
    component: str
    workload: str | None = None
    provider: str
    sku: str
    region: str
    reason: str
    quantity: float | None = Field(default=None, description="the volume that would be billed, when known")
    unit: str | None = None
    key: str = Field(default="", description="the same component in every provider's quote (for comparison)")
    site: Site = Site.PRIMARY

    @property
    def volume(self) -> str:
        """The billed volume in words, or an empty string when the input does not give it."""
        if self.quantity is None:
            return ""
        return f"{self.quantity:,.6g} {self.unit or 'units'}"


class DrFootprint(Model):
    """The disaster-recovery part of a provider's plan: the strategy and what it costs."""

    strategy: str = Field(description="backup_restore | pilot_light | warm_standby | multi_site_active")
    region: str | None = Field(description="the recovery region; None = nothing is kept in a second region")
    monthly_usd: float = Field(ge=0, description="priced DR lines; excludes missing ones")
    basis: str = Field(description="what the footprint holds and why")


class ProviderQuote(Model):
    provider: str
    region: str = Field(description="the primary region")
    lines: list[BomLine]
    missing: list[MissingPrice] = Field(default_factory=list)
    monthly_usd: float = Field(
        ge=0, description="sum of priced lines (primary and DR footprint); excludes missing ones"
    )
    dr: DrFootprint | None = Field(default=None, description="the DR footprint included in the lines")

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def primary_lines(self) -> list[BomLine]:
        return [line for line in self.lines if line.site is Site.PRIMARY]

    @property
    def dr_lines(self) -> list[BomLine]:
        return [line for line in self.lines if line.site is Site.DR]

    @property
    def primary_usd(self) -> float:
        return round(sum(line.monthly_usd for line in self.primary_lines), 2)

    @property
    def dr_usd(self) -> float:
        return round(sum(line.monthly_usd for line in self.dr_lines), 2)
