"""Priced lines, missing prices and assumptions: the assumption ledger of every cost figure."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScalesWith(StrEnum):
    FIXED = "fixed"
    USERS = "users"
    DATA = "data"


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


class MissingPrice(Model):
    component: str
    workload: str | None = None
    provider: str
    sku: str
    region: str
    reason: str


class ProviderQuote(Model):
    provider: str
    region: str
    lines: list[BomLine]
    missing: list[MissingPrice] = Field(default_factory=list)
    monthly_usd: float = Field(ge=0, description="sum of priced lines; excludes missing ones")

    @property
    def complete(self) -> bool:
        return not self.missing
