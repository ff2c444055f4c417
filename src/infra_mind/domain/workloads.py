"""Typed workloads, each with the load figures that size it. Discriminated by `type`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Criticality(StrEnum):
    MISSION_CRITICAL = "mission_critical"
    BUSINESS_CRITICAL = "business_critical"
    STANDARD = "standard"
    BEST_EFFORT = "best_effort"


class WorkloadBase(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=80)
    criticality: Criticality = Criticality.STANDARD
    data_size_gb: float = Field(default=0, ge=0, le=10_000_000)
    data_growth_gb_per_month: float = Field(default=0, ge=0, le=1_000_000)
    peak_multiplier: float = Field(default=2.0, ge=1, le=100, description="peak load ÷ average load")


class WebApp(WorkloadBase):
    type: Literal["web_app"]
    requests_per_second: float = Field(gt=0, le=10_000_000, description="average")
    concurrent_users: int = Field(default=0, ge=0)
    latency_target_ms: int = Field(default=300, ge=1, le=60_000)
    avg_response_kb: float = Field(default=50, gt=0, le=100_000)


class Api(WorkloadBase):
    type: Literal["api"]
    requests_per_second: float = Field(gt=0, le=10_000_000, description="average")
    latency_target_ms: int = Field(default=200, ge=1, le=60_000)
    avg_response_kb: float = Field(default=10, gt=0, le=100_000)


class DataProcessing(WorkloadBase):
    type: Literal["data_processing"]
    data_processed_gb_per_day: float = Field(gt=0, le=10_000_000)
    streaming: bool = False


class MlTraining(WorkloadBase):
    type: Literal["ml_training"]
    runs_per_month: float = Field(gt=0, le=10_000)
    hours_per_run: float = Field(gt=0, le=2_000, description="wall hours of one run on one GPU")
    gpus_per_run: int = Field(default=1, ge=1, le=1024)
    model_size_b_params: float | None = Field(default=None, gt=0, le=2000)


class MlInference(WorkloadBase):
    type: Literal["ml_inference"]
    requests_per_second: float = Field(gt=0, le=1_000_000, description="average")
    latency_target_ms: int = Field(default=500, ge=1, le=60_000)
    gpu_required: bool = True
    model_size_b_params: float | None = Field(default=None, gt=0, le=2000)


class LlmHosting(StrEnum):
    MANAGED_API = "managed_api"
    SELF_HOSTED = "self_hosted"
    EITHER = "either"


class LlmApplication(WorkloadBase):
    type: Literal["llm_application"]
    requests_per_day: int = Field(gt=0, le=1_000_000_000)
    input_tokens_per_request: int = Field(default=1000, gt=0, le=2_000_000)
    output_tokens_per_request: int = Field(default=300, gt=0, le=200_000)
    hosting: LlmHosting = LlmHosting.EITHER
    model_size_b_params: float | None = Field(default=None, gt=0, le=2000)


class DatabaseEngine(StrEnum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    DOCUMENT = "document"
    KEY_VALUE = "key_value"


class Database(WorkloadBase):
    type: Literal["database"]
    engine: DatabaseEngine = DatabaseEngine.POSTGRESQL
    read_qps: float = Field(default=100, ge=0, le=10_000_000)
    write_qps: float = Field(default=20, ge=0, le=10_000_000)
    high_availability: bool = True


class Analytics(WorkloadBase):
    type: Literal["analytics"]
    queries_per_day: int = Field(gt=0, le=100_000_000)
    scanned_gb_per_query: float = Field(default=1, gt=0, le=1_000_000)


class IoT(WorkloadBase):
    type: Literal["iot"]
    devices: int = Field(gt=0, le=1_000_000_000)
    messages_per_second: float = Field(gt=0, le=100_000_000)
    message_size_kb: float = Field(default=1, gt=0, le=256)


class Batch(WorkloadBase):
    type: Literal["batch"]
    jobs_per_day: float = Field(gt=0, le=10_000_000)
    avg_job_minutes: float = Field(gt=0, le=10_080)
    vcpu_per_job: float = Field(default=2, gt=0, le=512)
    interruptible: bool = True


Workload = Annotated[
    WebApp
    | Api
    | DataProcessing
    | MlTraining
    | MlInference
    | LlmApplication
    | Database
    | Analytics
    | IoT
    | Batch,
    Field(discriminator="type"),
]

WorkloadType = Literal[
    "web_app",
    "api",
    "data_processing",
    "ml_training",
    "ml_inference",
    "llm_application",
    "database",
    "analytics",
    "iot",
    "batch",
]
