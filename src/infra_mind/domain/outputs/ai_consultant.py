"""ai_consultant: AI use cases, readiness, and managed LLM API versus self-hosted GPU cost."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output
from infra_mind.domain.pricing import Assumption


class UseCaseFit(Output):
    id: str
    title: str
    industry_specific: bool
    value: str
    evidence: str | None = Field(description="the published figure; None = qualitative value")
    data_needed: list[str]
    model_type: str
    score: int = Field(description="fit points under AiConsultantOutput.fit_rule")
    reasons: list[str]
    already_planned: bool = Field(description="named in ai_ml.use_cases")
    sensitive_data: list[str] = Field(description="regulated data types it touches that the company holds")
    source: str
    as_of: date


class ReadinessComponent(Output):
    name: Literal["data", "team", "maturity"]
    points: float
    max_points: float
    basis: list[str]


ReadinessBand = Literal["early", "developing", "ready", "advanced"]


class Readiness(Output):
    score: int = Field(ge=0, le=100)
    band: ReadinessBand
    rule: str
    components: list[ReadinessComponent]
    gaps: list[str]


class ManagedApiCost(Output):
    cloud: str
    model: str = Field(description="the model id the provider's API takes")
    name: str
    tier: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    usd_per_request: float
    monthly_usd: float
    source: str
    as_of: date


class SelfHostedOption(Output):
    model: str
    params_b: float
    architecture: str = Field(description="published config, or how the KV cache size was approximated")
    precision: Literal["fp16", "int8", "int4"]
    weights_gib: float
    kv_cache_gib_per_sequence: float
    context_tokens: int
    concurrent_sequences_at_peak: float
    instance_sku: str | None = Field(description="None = no catalogued GPU instance in the region holds it")
    gpus_per_replica: int = 0
    sequences_per_replica: int = 0
    replica_capacity_requests_per_day: float = 0
    replicas: int = 0
    gpu_count: int = 0
    instance_usd_per_hour: float | None = None
    monthly_usd: float | None = Field(default=None, description="None = not priced (see missing_reason)")
    basis: list[str]
    missing_reason: str | None = None
    price_source: str | None = None
    price_as_of: date | None = None


class BreakEven(Output):
    self_hosted: str = Field(description="model and precision")
    managed_model: str
    like_for_like: bool = Field(description="the managed model is the same open-weights model size")
    requests_per_day: float | None = Field(
        description="above this volume self-hosting stays cheaper; None = never cheaper at list prices"
    )
    note: str


class LlmHostingComparison(Output):
    workload: str
    hosting: str = Field(description="the input's hosting preference")
    model_size_b_params: float | None = Field(description="the input's model size; None = not given")
    requests_per_day: int
    input_tokens_per_month: float
    output_tokens_per_month: float
    managed: list[ManagedApiCost]
    self_hosted: list[SelfHostedOption]
    break_even: list[BreakEven]
    choice: Literal["managed_api", "self_hosted", "undetermined"]
    reason: str
    choice_monthly_usd: float | None = None
    reference_model: str | None = Field(
        default=None, description="id of the managed model the choice was weighed against"
    )
    reference_self_hosted: str | None = Field(
        default=None,
        description="the self-hosted option (model and precision) the choice was weighed against",
    )
    like_for_like: bool = Field(
        default=False, description="the managed model is the self-hosted one's open-weights size"
    )
    monthly_cost_in_plan: float | None = Field(
        default=None, description="what the priced plan already spends on this workload's GPUs"
    )


class AiConsultantOutput(Output):
    kind: Literal["ai_consultant"] = "ai_consultant"
    ai_engaged: bool = Field(description="AI workloads in the input or AI maturity above none")
    provider: str | None = Field(description="the plan's provider the prices are for")
    region: str | None
    use_cases: list[UseCaseFit]
    fit_rule: str
    readiness: Readiness
    llm_hosting: list[LlmHostingComparison] = Field(default_factory=list)
    price_snapshot: str
    assumptions: list[Assumption] = Field(default_factory=list)
