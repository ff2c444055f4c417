"""Evidence, findings and recommendations: what agents deliver and synthesis ranks."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from infra_mind.domain.enums import Level, Pillar


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvidenceKind(StrEnum):
    CATALOG_PRICE = "catalog_price"
    CATALOG_RECORD = "catalog_record"
    """A sourced catalog figure that is neither a price nor a usage assumption: an SLA, a DR strategy."""
    ASSUMPTION = "assumption"
    CONTROL = "control"
    BEST_PRACTICE = "best_practice"
    INPUT = "input"
    DERIVED = "derived"


class Evidence(Model):
    kind: EvidenceKind
    ref: str = Field(description="SKU@region, control ID, best-practice ID, input field path, …")
    detail: str
    source: str | None = None
    as_of: date | None = None


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Finding(Model):
    id: str
    title: str
    detail: str
    severity: Severity = Severity.INFO
    evidence: list[Evidence] = Field(default_factory=list)


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Alternative(Model):
    title: str
    agents: list[str]
    reason_not_chosen: str


class Recommendation(Model):
    id: str
    key: str = Field(description="what is recommended, normalised: merging is by key, not title")
    title: str
    category: str
    pillar: Pillar
    priority: Priority
    risk: Level = Field(description="risk of not doing it")
    impact: int = Field(ge=1, le=5)
    effort: int = Field(ge=1, le=5)
    confidence: float = Field(ge=0, le=1)
    rationale: str
    actions: list[str] = Field(min_length=1)
    agents: list[str] = Field(min_length=1)
    evidence: list[Evidence] = Field(default_factory=list)
    best_practices: list[str] = Field(default_factory=list, description="Well-Architected IDs")
    monthly_cost_delta: float | None = Field(
        default=None,
        description="USD per month this adds on top of the priced plan; None = adds nothing priced",
    )
    monthly_cost_in_plan: float | None = Field(
        default=None, description="USD per month of the priced plan that this recommendation accounts for"
    )
    provider: str | None = None
    services: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    conflicts_with: list[str] = Field(
        default_factory=list, description="keys of recommendations this one excludes"
    )
    alternatives: list[Alternative] = Field(default_factory=list)
    score: float = 0
    rank: int = 0
