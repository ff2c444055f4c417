"""mlops: ML platform choice, training and serving sizing, registry, feature store and monitoring."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output
from infra_mind.domain.pricing import Assumption

Option = Literal["managed", "open_source"]


class PlatformCriterion(Output):
    criterion: Literal["team", "skills", "maturity", "cost", "budget"]
    favours: Literal["managed", "open_source", "neutral"]
    detail: str


class PlatformFee(Output):
    """The managed platform's rate over the instance price for one priced line of the plan."""

    workload: str | None
    instance_sku: str
    platform_sku: str
    region: str
    instance_hours: float
    instance_usd_per_hour: float
    platform_usd_per_hour: float
    monthly_usd: float = Field(description="instance-hours × (platform rate − instance rate)")
    source: str
    as_of: date


class PlatformOption(Output):
    option: Option
    platform: str
    name: str
    provider: str | None
    feasible: bool = Field(description="the team meets the thresholds to run it")
    monthly_usd: float | None = Field(
        description="USD per month on top of the priced plan; None = not priced (see unpriced)"
    )
    cost_basis: str
    fees: list[PlatformFee] = Field(default_factory=list)
    unpriced: list[str] = Field(default_factory=list, description="cost items without a sourced figure")


class PlatformChoice(Output):
    chosen: Option
    platform: str
    name: str
    options: list[PlatformOption]
    criteria: list[PlatformCriterion]
    reasons: list[str]


class TrainingSizing(Output):
    workload: str
    in_plan: bool = Field(description="False: implied by ai_ml.training_frequency, not in the priced plan")
    runs_per_month: float
    gpu_hours_per_run: float
    gpus_per_run: int
    gpu_memory_gib: float = Field(description="training state of one run (weights, gradients, optimiser)")
    gpu_hours_per_month: float
    gpu_hours_per_month_24m: float = Field(description="at 24 months, with run time growing with data size")
    data_size_gb: float
    data_size_gb_24m: float
    instance_sku: str | None
    gpu_model: str | None
    instances_per_run: int
    instance_hours_per_month: float
    monthly_usd: float | None
    basis: list[str]


class ServingSizing(Output):
    workload: str
    workload_type: str
    hardware: Literal["gpu", "cpu"]
    peak_rps: float
    peak_tokens_per_s: float = 0
    latency_target_ms: int | None
    replicas: int = Field(description="model copies at peak (GPU) or 0 for CPU serving")
    gpus_per_replica: int
    gpu_count: int
    gpu_memory_gib: float
    vcpu: float = Field(description="vCPU at peak for CPU serving")
    instance_sku: str | None
    instance_count: int
    monthly_usd: float | None
    latency_note: str
    latency_within_rule: bool | None = Field(
        default=None,
        description="GPU ML inference: the target is no tighter than the latency the GPU rate rule is stated "
        "for; None where no rule states a latency",
    )
    basis: list[str]


class MlopsProduct(Output):
    capability: str
    platform: str
    product: str
    detail: str
    drift_detection: bool
    available: bool = Field(description="open to new customers")
    needed: bool
    why: str
    source: str
    as_of: date


class MlopsOutput(Output):
    kind: Literal["mlops"] = "mlops"
    applicable: bool = Field(description="False: no AI/ML workloads and ai_ml.maturity none")
    provider: str | None = None
    region: str | None = None
    platform: PlatformChoice | None = None
    training: list[TrainingSizing] = Field(default_factory=list)
    serving: list[ServingSizing] = Field(default_factory=list)
    products: list[MlopsProduct] = Field(default_factory=list)
    ml_monthly_usd: float = Field(default=0, description="ML serving and training lines of the priced plan")
    unpriced_ml: list[str] = Field(default_factory=list, description="ML items the plan could not price")
    assumptions: list[Assumption] = Field(default_factory=list)
