"""Phase 1 output: the normalised requirements plus everything derived from them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from infra_mind.domain.enums import Framework
from infra_mind.domain.requirements import AssessmentInput, CloudProvider


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkloadDemand(Frozen):
    """What one workload needs at peak, with the assumptions that produced each figure."""

    name: str
    type: str
    peak_rps: float = 0
    vcpu: float = 0
    memory_gib: float = 0
    storage_gb: float = 0
    storage_gb_24m: float = 0
    gpu_count: int = 0
    gpu_memory_gib: float = 0
    gpu_hours_per_month: float = 0
    egress_gb_per_month: float = 0
    interruptible: bool = False
    assumptions: tuple[str, ...] = ()


class WorkloadProfile(Frozen):
    peak_rps: float
    average_rps: float
    vcpu: float
    memory_gib: float
    storage_gb: float
    storage_gb_24m: float
    gpu_count: int
    gpu_hours_per_month: float
    largest_model_b_params: float | None
    egress_gb_per_month: float
    growth_factor_24m: float = Field(description="load at 24 months ÷ load now (domain.growth.demand_factor)")
    demands: tuple[WorkloadDemand, ...]


class ApplicableFramework(Frozen):
    framework: Framework
    declared: bool
    reasons: tuple[str, ...]


class Constraints(Frozen):
    providers: tuple[CloudProvider, ...] = Field(description="allowed providers, preferred first")
    allowed_regions: dict[CloudProvider, tuple[str, ...]]
    home_regions: dict[CloudProvider, str] = Field(description="primary region per provider")
    residency: tuple[str, ...] = Field(description="jurisdictions where data may be stored; empty = any")
    frameworks: tuple[ApplicableFramework, ...]
    budget_ceiling_usd_month: float
    zones_required: int = Field(ge=1)
    regions_required: int = Field(ge=1)


class InputWarning(Frozen):
    code: str
    field: str
    message: str


class AssessmentContext(Frozen):
    requirements: AssessmentInput
    profile: WorkloadProfile
    constraints: Constraints
    warnings: tuple[InputWarning, ...]

    @property
    def framework_ids(self) -> tuple[Framework, ...]:
        return tuple(f.framework for f in self.constraints.frameworks)
