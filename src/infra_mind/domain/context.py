"""Phase 1 output: the normalised requirements plus everything derived from them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, Self, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from infra_mind.domain.enums import Framework
from infra_mind.domain.pricing import Assumption
from infra_mind.domain.requirements import AssessmentInput, CloudProvider

T = TypeVar("T")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkloadDemand(Frozen):
    """What one workload needs at peak, with the assumptions that produced each figure."""

    name: str
    type: str
    average_rps: float = Field(default=0, description="requests (or queries, messages) per second on average")
    peak_rps: float = 0
    vcpu: float = 0
    memory_gib: float = 0
    storage_gb: float = 0
    storage_gb_24m: float = 0
    gpu_count: int = Field(
        default=0, description="GPUs: serving replicas × GPUs per replica, or the GPUs of one training run"
    )
    gpu_replicas: int = Field(default=0, description="model copies served at peak (serving workloads only)")
    gpus_per_replica: int = 0
    gpu_memory_gib: float = Field(default=0, description="GPU memory one replica (or one training run) needs")
    gpu_hours_per_month: float = 0
    peak_tokens_per_s: float = Field(default=0, description="input + output tokens/s at peak (LLM workloads)")
    egress_gb_per_month: float = 0
    interruptible: bool = False
    assumptions: tuple[str, ...] = ()
    rules: tuple[str, ...] = Field(
        default=(), description="keys of the sizing rules that produced the figures"
    )

    @property
    def serving_gpus(self) -> int:
        return 0 if self.type == "ml_training" else self.gpu_count


class WorkloadProfile(Frozen):
    peak_rps: float = Field(description="requests/s at peak of the request-serving workloads (REQUEST_TYPES)")
    average_rps: float = Field(description="average requests/s of the same workloads as peak_rps")
    vcpu: float
    memory_gib: float
    storage_gb: float
    storage_gb_24m: float
    serving_gpu_count: int = Field(description="always-on GPUs serving models at peak")
    serving_gpu_hours_per_month: float
    training_gpu_hours_per_month: float
    gpu_hours_per_month: float = Field(description="serving + training GPU-hours per month")
    largest_model_b_params: float | None
    egress_gb_per_month: float
    growth_factor_24m: float = Field(description="load at 24 months ÷ load now (domain.growth.demand_factor)")
    demands: tuple[WorkloadDemand, ...]
    rules: tuple[Assumption, ...] = Field(
        default=(), description="the sizing rules the demands were derived with"
    )


REQUEST_TYPES = ("web_app", "api", "ml_inference", "llm_application")
"""Workload types whose load is user requests: what peak_rps and average_rps add up."""


class ApplicableFramework(Frozen):
    framework: Framework
    declared: bool
    reasons: tuple[str, ...]


class Constraints(Frozen):
    providers: tuple[CloudProvider, ...] = Field(description="allowed providers, preferred first")
    allowed_regions: dict[CloudProvider, tuple[str, ...]]
    home_regions: dict[CloudProvider, str] = Field(description="primary region per provider")
    region_geography: dict[str, str] = Field(
        default_factory=dict, description="geography (knowledge.models.Geography) of each allowed region"
    )
    residency: tuple[str, ...] = Field(description="jurisdictions where data may be stored; empty = any")
    frameworks: tuple[ApplicableFramework, ...]
    budget_ceiling_usd_month: float
    zones_required: int = Field(ge=1)
    regions_required: int = Field(ge=1)


class InputWarning(Frozen):
    code: str
    field: str
    message: str


class DefaultedField(Frozen):
    """A field the input left out whose default value drives sizing or a choice: data nobody stated."""

    field: str = Field(description="field path in the input, e.g. workloads[1].avg_response_kb")
    value: str = Field(description="the value used, as shown in the reports")
    drives: str = Field(description="what the value feeds")


class AssessmentContext(Frozen):
    _memo: dict[Hashable, Any] = PrivateAttr(default_factory=dict)

    requirements: AssessmentInput
    profile: WorkloadProfile
    constraints: Constraints
    warnings: tuple[InputWarning, ...]
    defaults: tuple[DefaultedField, ...] = Field(
        default=(), description="fields the input did not give whose defaults feed the plan"
    )

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy describes a different situation (e.g. the load at month 24): it starts with no memo."""
        copied = super().model_copy(update=update, deep=deep)
        copied._memo = {}
        return copied

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value derived from this context, computed once per run and shared by the agents and phases
        that need it (the priced plan, its growth series); it lives and dies with the context."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    @property
    def framework_ids(self) -> tuple[Framework, ...]:
        return tuple(f.framework for f in self.constraints.frameworks)
