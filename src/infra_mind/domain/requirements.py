"""The assessment input: what a company tells us about itself, as validated pydantic models."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from infra_mind.domain.enums import DataType, Framework, SecurityControl
from infra_mind.domain.workloads import Workload

T = TypeVar("T")

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
Expertise = Annotated[int, Field(ge=1, le=5, description="1 = none, 5 = expert")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class CompanySize(StrEnum):
    STARTUP = "startup"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    ENTERPRISE = "enterprise"


class Industry(StrEnum):
    HEALTHCARE = "healthcare"
    FINANCE = "finance"
    RETAIL = "retail"
    TECHNOLOGY = "technology"
    MANUFACTURING = "manufacturing"
    EDUCATION = "education"
    GOVERNMENT = "government"
    MEDIA = "media"
    LOGISTICS = "logistics"
    ENERGY = "energy"
    OTHER = "other"


class GrowthStage(StrEnum):
    IDEA = "idea"
    EARLY = "early"
    GROWTH = "growth"
    MATURE = "mature"


class Market(StrEnum):
    """Where customers are; maps onto provider geographies."""

    NORTH_AMERICA = "north_america"
    SOUTH_AMERICA = "south_america"
    EUROPE = "europe"
    UK = "uk"
    APAC = "apac"
    MIDDLE_EAST = "middle_east"
    AFRICA = "africa"


class Company(Strict):
    name: ShortText
    size: CompanySize
    industry: Industry
    customer_markets: list[Market] = Field(min_length=1)
    employees: int | None = Field(default=None, ge=1)
    annual_revenue_usd: float | None = Field(default=None, ge=0)
    growth_stage: GrowthStage
    description: LongText = ""

    @field_validator("customer_markets")
    @classmethod
    def _unique_markets(cls, markets: list[Market]) -> list[Market]:
        return _unique(markets, "market")


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class GoalCategory(StrEnum):
    COST_REDUCTION = "cost_reduction"
    SCALABILITY = "scalability"
    TIME_TO_MARKET = "time_to_market"
    RELIABILITY = "reliability"
    SECURITY_COMPLIANCE = "security_compliance"
    AI_ADOPTION = "ai_adoption"
    GLOBAL_EXPANSION = "global_expansion"
    MODERNIZATION = "modernization"


class BusinessGoal(Strict):
    description: ShortText
    category: GoalCategory
    priority: Priority
    timeline_months: int = Field(ge=1, le=60)


class GrowthProjection(Strict):
    """Users now and at 6, 12 and 24 months: a projection that never falls.

    A projection below today's users, or below the previous horizon's, is rejected rather than warned
    about: the curve drives every capacity and cost figure, and a fall between horizons is almost always
    a typo (a missing zero, swapped columns). A business that expects to shrink can say so with equal
    figures.
    """

    current_users: int = Field(ge=0)
    users_6m: int = Field(ge=0)
    users_12m: int = Field(ge=0)
    users_24m: int = Field(ge=0)

    @field_validator("users_6m", "users_12m", "users_24m")
    @classmethod
    def _never_falls(cls, value: int, info: ValidationInfo) -> int:
        current = info.data.get("current_users")
        if current is not None and value < current:
            raise ValueError(f"projected users ({value}) must not be below current_users ({current})")
        previous = _PREVIOUS_HORIZON.get(info.field_name or "")
        earlier = info.data.get(previous) if previous else None
        if previous and earlier is not None and value < earlier:
            raise ValueError(
                f"projected users ({value:,}) must not fall below {previous} ({earlier:,}); "
                "the projection only grows or stays flat"
            )
        return value


_PREVIOUS_HORIZON = {"users_12m": "users_6m", "users_24m": "users_12m"}


class Flexibility(StrEnum):
    STRICT = "strict"
    MODERATE = "moderate"
    FLEXIBLE = "flexible"


class OptimizationPriority(StrEnum):
    COST = "cost"
    BALANCED = "balanced"
    PERFORMANCE = "performance"


class Budget(Strict):
    monthly_limit_usd: float = Field(gt=0)
    total_min_usd: float | None = Field(default=None, ge=0, description="over the 36-month planning horizon")
    total_max_usd: float | None = Field(default=None, gt=0, description="over the 36-month planning horizon")
    flexibility: Flexibility = Flexibility.MODERATE
    optimization_priority: OptimizationPriority = OptimizationPriority.BALANCED

    @field_validator("total_max_usd")
    @classmethod
    def _max_not_below_min(cls, value: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("total_min_usd")
        if value is not None and low is not None and value < low:
            raise ValueError(f"total_max_usd ({value}) must not be below total_min_usd ({low})")
        return value


class Seniority(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    MIXED = "mixed"


class Team(Strict):
    size: int = Field(ge=1)
    seniority: Seniority = Seniority.MIXED
    devops_engineers: int = Field(default=0, ge=0)
    data_engineers: int = Field(default=0, ge=0)
    ml_engineers: int = Field(default=0, ge=0, validate_default=True)
    cloud_expertise: Expertise = 3
    kubernetes_expertise: Expertise = 1
    database_expertise: Expertise = 3

    @field_validator("ml_engineers")
    @classmethod
    def _specialists_fit_team(cls, value: int, info: ValidationInfo) -> int:
        size = info.data.get("size")
        specialists = value + info.data.get("devops_engineers", 0) + info.data.get("data_engineers", 0)
        if size is not None and specialists > size:
            raise ValueError(
                f"devops, data and ML engineers together ({specialists}) exceed the team size ({size})"
            )
        return value


class CurrentProvider(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"
    ON_PREMISES = "on_premises"
    OTHER = "other"


class Architecture(StrEnum):
    NONE = "none"
    MONOLITH = "monolith"
    MICROSERVICES = "microservices"
    SERVERLESS = "serverless"
    HYBRID = "hybrid"


class SpendCategory(StrEnum):
    COMPUTE = "compute"
    STORAGE = "storage"
    DATABASE = "database"
    NETWORK = "network"
    ML = "ml"
    OTHER = "other"


class CurrentInfrastructure(Strict):
    providers: list[CurrentProvider] = Field(default_factory=list)
    services: list[ShortText] = Field(default_factory=list)
    monthly_spend_usd: float = Field(default=0, ge=0)
    spend_breakdown_pct: dict[SpendCategory, float] = Field(default_factory=dict)
    architecture: Architecture = Architecture.NONE
    age_years: float = Field(default=0, ge=0, le=50)

    @field_validator("spend_breakdown_pct")
    @classmethod
    def _percentages(cls, value: dict[SpendCategory, float]) -> dict[SpendCategory, float]:
        if any(not 0 <= pct <= 100 for pct in value.values()):
            raise ValueError("each percentage must be between 0 and 100")
        total = sum(value.values())
        if total > 100.0001:
            raise ValueError(f"percentages sum to {total:g}, more than 100")
        return value


class AiMaturity(StrEnum):
    NONE = "none"
    EXPLORING = "exploring"
    PILOTING = "piloting"
    PRODUCTION = "production"
    SCALED = "scaled"


class ModelType(StrEnum):
    LLM = "llm"
    COMPUTER_VISION = "computer_vision"
    NLP = "nlp"
    RECOMMENDATION = "recommendation"
    FORECASTING = "forecasting"
    CLASSIFICATION = "classification"
    ANOMALY_DETECTION = "anomaly_detection"
    SPEECH = "speech"


class TrainingFrequency(StrEnum):
    NONE = "none"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    DAILY = "daily"


class AiMl(Strict):
    use_cases: list[ShortText] = Field(default_factory=list)
    maturity: AiMaturity = AiMaturity.NONE
    model_types: list[ModelType] = Field(default_factory=list)
    training_frequency: TrainingFrequency = TrainingFrequency.NONE
    inference_requests_per_day: int = Field(default=0, ge=0)
    model_sizes_b_params: list[Annotated[float, Field(gt=0, le=2000)]] = Field(default_factory=list)


class Performance(Strict):
    uptime_target_pct: float = Field(ge=90, le=99.999)
    rto_minutes: int = Field(ge=1, le=10080, description="recovery time objective")
    rpo_minutes: int = Field(ge=0, le=10080, description="recovery point objective")
    global_distribution: bool = False
    p95_latency_ms: int | None = Field(default=None, ge=1, le=60000)


class DataClassification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class Security(Strict):
    required_controls: list[SecurityControl] = Field(default_factory=list)
    existing_controls: list[SecurityControl] = Field(default_factory=list)
    data_classification: DataClassification = DataClassification.INTERNAL
    data_types: list[DataType] = Field(default_factory=list)

    @field_validator("required_controls", "existing_controls", "data_types")
    @classmethod
    def _unique_items(cls, items: list[StrEnum]) -> list[StrEnum]:
        return _unique(items, "entry")


class Jurisdiction(StrEnum):
    EU = "EU"
    UK = "UK"
    US = "US"
    SG = "SG"


class Compliance(Strict):
    frameworks: list[Framework] = Field(default_factory=list)
    data_residency: list[Jurisdiction] = Field(
        default_factory=list, description="jurisdictions where data may be stored; empty = anywhere"
    )

    @field_validator("frameworks", "data_residency")
    @classmethod
    def _unique_items(cls, items: list[StrEnum]) -> list[StrEnum]:
        return _unique(items, "entry")


class CloudProvider(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


class ProviderPreferences(Strict):
    preferred: list[CloudProvider] = Field(default_factory=list)
    excluded: list[CloudProvider] = Field(default_factory=list)
    multi_cloud_acceptable: bool = False
    preferred_regions: list[Annotated[str, Field(pattern=r"^[a-z0-9-]{3,40}$")]] = Field(
        default_factory=list, description="provider region codes, e.g. eu-central-1, westeurope"
    )

    @field_validator("preferred", "preferred_regions")
    @classmethod
    def _unique_items(cls, items: list[str]) -> list[str]:
        return _unique(items, "entry")

    @field_validator("excluded")
    @classmethod
    def _excluded_consistent(cls, value: list[CloudProvider], info: ValidationInfo) -> list[CloudProvider]:
        both = set(value) & set(info.data.get("preferred", []))
        if both:
            raise ValueError(f"{', '.join(sorted(both))} is both preferred and excluded")
        if set(value) >= set(CloudProvider):
            raise ValueError("every provider is excluded; at least one must remain")
        return value


class Urgency(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Timeline(Strict):
    target_months: int = Field(ge=1, le=60)
    urgency: Urgency = Urgency.MEDIUM


class AssessmentInput(Strict):
    schema_version: Literal["1"] = "1"
    company: Company
    goals: list[BusinessGoal] = Field(min_length=1, max_length=20)
    growth: GrowthProjection
    budget: Budget
    team: Team
    current_infrastructure: CurrentInfrastructure = Field(default_factory=CurrentInfrastructure)
    workloads: list[Workload] = Field(min_length=1, max_length=200)
    ai_ml: AiMl = Field(default_factory=AiMl)
    performance: Performance
    security: Security = Field(default_factory=Security)
    compliance: Compliance = Field(default_factory=Compliance)
    providers: ProviderPreferences = Field(default_factory=ProviderPreferences)
    timeline: Timeline
    notes: LongText = ""


def _unique(items: list[T], what: str) -> list[T]:
    seen: set[T] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"duplicate {what} {item!s}")
        seen.add(item)
    return items
