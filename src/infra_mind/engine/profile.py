"""Derive each workload's peak demand from its load figures and the stated sizing rules."""

from __future__ import annotations

import math

from infra_mind.domain.context import WorkloadDemand, WorkloadProfile
from infra_mind.domain.growth import demand_factor
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.domain.workloads import (
    Analytics,
    Api,
    Batch,
    Database,
    DataProcessing,
    IoT,
    LlmApplication,
    LlmHosting,
    MlInference,
    MlTraining,
    WebApp,
    Workload,
)
from infra_mind.knowledge.catalog import Knowledge

_SECONDS_PER_MONTH = 730 * 3600
_TYPICAL_INFERENCE_GPU_GIB = 24


class Sizer:
    def __init__(self, knowledge: Knowledge) -> None:
        self._rule = {key: knowledge.sizing(key).value for key in _RULES}

    def profile(self, spec: AssessmentInput) -> WorkloadProfile:
        demands = tuple(self.demand(w) for w in spec.workloads)
        average_rps = sum(getattr(w, "requests_per_second", 0.0) for w in spec.workloads)
        growth = spec.growth
        models = [m for w in spec.workloads if (m := getattr(w, "model_size_b_params", None))]
        models += spec.ai_ml.model_sizes_b_params
        return WorkloadProfile(
            peak_rps=round(sum(d.peak_rps for d in demands if d.type in _REQUEST_TYPES), 2),
            average_rps=round(average_rps, 2),
            vcpu=round(sum(d.vcpu for d in demands), 2),
            memory_gib=round(sum(d.memory_gib for d in demands), 2),
            storage_gb=round(sum(d.storage_gb for d in demands), 2),
            storage_gb_24m=round(sum(d.storage_gb_24m for d in demands), 2),
            gpu_count=sum(d.gpu_count for d in demands),
            gpu_hours_per_month=round(sum(d.gpu_hours_per_month for d in demands), 2),
            largest_model_b_params=max(models, default=None),
            egress_gb_per_month=round(sum(d.egress_gb_per_month for d in demands), 2),
            growth_factor_24m=round(demand_factor(growth, 24), 3),
            demands=demands,
        )

    def demand(self, workload: Workload) -> WorkloadDemand:
        r = self._rule
        storage = {
            "storage_gb": workload.data_size_gb,
            "storage_gb_24m": workload.data_size_gb + 24 * workload.data_growth_gb_per_month,
        }
        headroom = 1 / r["target_utilisation"]
        match workload:
            case WebApp() | Api():
                per_vcpu = r["web_rps_per_vcpu"] if isinstance(workload, WebApp) else r["api_rps_per_vcpu"]
                peak = workload.requests_per_second * workload.peak_multiplier
                vcpu = peak / per_vcpu * headroom
                egress = workload.requests_per_second * workload.avg_response_kb * _SECONDS_PER_MONTH / 1e6
                return WorkloadDemand(
                    name=workload.name,
                    type=workload.type,
                    peak_rps=peak,
                    vcpu=round(vcpu, 2),
                    memory_gib=round(vcpu * r["memory_gib_per_vcpu"], 2),
                    egress_gb_per_month=round(egress, 1),
                    assumptions=(
                        f"peak {peak:g} req/s = {workload.requests_per_second:g} × peak multiplier "
                        f"{workload.peak_multiplier:g}",
                        f"{per_vcpu:g} req/s per vCPU at {r['target_utilisation']:.0%} target utilisation",
                        f"egress = average req/s × {workload.avg_response_kb:g} KB × 730 h",
                    ),
                    **storage,
                )
            case DataProcessing():
                hours = 24 if workload.streaming else r["processing_hours_per_day"]
                vcpu = workload.data_processed_gb_per_day / hours / r["processing_gb_per_vcpu_hour"]
                return self._cpu(
                    workload,
                    vcpu * workload.peak_multiplier,
                    storage,
                    (
                        f"{workload.data_processed_gb_per_day:g} GB/day over {hours:g} h at "
                        f"{r['processing_gb_per_vcpu_hour']:g} GB per vCPU-hour, "
                        f"× peak {workload.peak_multiplier:g}",
                    ),
                )
            case IoT():
                peak = workload.messages_per_second * workload.peak_multiplier
                return self._cpu(
                    workload,
                    peak / r["iot_messages_per_vcpu"] * headroom,
                    storage,
                    (f"{peak:g} msg/s at peak ÷ {r['iot_messages_per_vcpu']:g} msg/s per vCPU",),
                    peak_rps=peak,
                )
            case Analytics():
                gb_per_hour = workload.queries_per_day * workload.scanned_gb_per_query / 24
                return self._cpu(
                    workload,
                    gb_per_hour / r["analytics_gb_per_vcpu_hour"] * workload.peak_multiplier,
                    storage,
                    (
                        f"{gb_per_hour:g} GB scanned per hour ÷ "
                        f"{r['analytics_gb_per_vcpu_hour']:g} GB per vCPU-hour",
                    ),
                )
            case Batch():
                concurrent = workload.jobs_per_day * workload.avg_job_minutes / (24 * 60)
                vcpu = concurrent * workload.vcpu_per_job * workload.peak_multiplier
                return self._cpu(
                    workload,
                    vcpu,
                    storage,
                    (
                        f"{concurrent:.2f} jobs running on average × {workload.vcpu_per_job:g} vCPU × peak "
                        f"{workload.peak_multiplier:g}",
                    ),
                    interruptible=workload.interruptible,
                )
            case Database():
                qps = (workload.read_qps + workload.write_qps) * workload.peak_multiplier
                vcpu = max(r["db_min_vcpu"], qps / r["db_qps_per_vcpu"] * headroom)
                return self._cpu(
                    workload,
                    vcpu,
                    storage,
                    (
                        f"{qps:g} queries/s at peak ÷ {r['db_qps_per_vcpu']:g} per vCPU, at least "
                        f"{r['db_min_vcpu']:g} vCPU",
                    ),
                    peak_rps=qps,
                )
            case MlInference():
                peak = workload.requests_per_second * workload.peak_multiplier
                if not workload.gpu_required:
                    return self._cpu(
                        workload,
                        peak / r["inference_rps_per_vcpu"] * headroom,
                        storage,
                        (f"{peak:g} req/s at peak ÷ {r['inference_rps_per_vcpu']:g} req/s per vCPU",),
                        peak_rps=peak,
                    )
                gpus = max(1, math.ceil(peak / r["inference_rps_per_gpu"] * headroom))
                return WorkloadDemand(
                    name=workload.name,
                    type=workload.type,
                    peak_rps=peak,
                    gpu_count=gpus,
                    gpu_memory_gib=self.model_memory_gib(workload.model_size_b_params),
                    gpu_hours_per_month=gpus * r["hours_per_month"],
                    assumptions=(f"{peak:g} req/s at peak ÷ {r['inference_rps_per_gpu']:g} req/s per GPU",),
                    **storage,
                )
            case MlTraining():
                gpu_hours = workload.runs_per_month * workload.hours_per_run * workload.gpus_per_run
                return WorkloadDemand(
                    name=workload.name,
                    type=workload.type,
                    gpu_count=workload.gpus_per_run,
                    gpu_memory_gib=self.model_memory_gib(workload.model_size_b_params, training=True),
                    gpu_hours_per_month=gpu_hours,
                    interruptible=True,
                    assumptions=(
                        f"{workload.runs_per_month:g} runs × {workload.hours_per_run:g} h × "
                        f"{workload.gpus_per_run} GPU",
                    ),
                    **storage,
                )
            case LlmApplication():
                peak = workload.requests_per_day / 86400 * workload.peak_multiplier
                if workload.hosting is not LlmHosting.SELF_HOSTED:
                    return WorkloadDemand(
                        name=workload.name,
                        type=workload.type,
                        peak_rps=round(peak, 3),
                        assumptions=(
                            f"{workload.requests_per_day:g} requests/day through a managed LLM API",
                        ),
                        **storage,
                    )
                return WorkloadDemand(
                    name=workload.name,
                    type=workload.type,
                    peak_rps=round(peak, 3),
                    gpu_count=1,
                    gpu_memory_gib=self.model_memory_gib(workload.model_size_b_params),
                    gpu_hours_per_month=r["hours_per_month"],
                    assumptions=(
                        f"{workload.requests_per_day:g} requests/day on one self-hosted model replica "
                        "sized to the model's memory",
                    ),
                    **storage,
                )
        raise TypeError(f"no sizing rule for workload type {workload.type}")

    def model_memory_gib(self, params_b: float | None, *, training: bool = False) -> float:
        if params_b is None:
            return float(_TYPICAL_INFERENCE_GPU_GIB) if not training else 0.0
        factor = self._rule["gpu_memory_overhead"] * (4 if training else 1)
        return round(params_b * self._rule["bytes_per_param_fp16"] * factor, 1)

    def _cpu(
        self,
        workload: Workload,
        vcpu: float,
        storage: dict[str, float],
        assumptions: tuple[str, ...],
        *,
        peak_rps: float = 0,
        interruptible: bool = False,
    ) -> WorkloadDemand:
        return WorkloadDemand(
            name=workload.name,
            type=workload.type,
            peak_rps=peak_rps,
            vcpu=round(vcpu, 2),
            memory_gib=round(vcpu * self._rule["memory_gib_per_vcpu"], 2),
            interruptible=interruptible,
            assumptions=assumptions,
            **storage,
        )


_REQUEST_TYPES = frozenset({"web_app", "api", "ml_inference", "llm_application"})
_RULES = (
    "hours_per_month",
    "web_rps_per_vcpu",
    "api_rps_per_vcpu",
    "memory_gib_per_vcpu",
    "target_utilisation",
    "processing_gb_per_vcpu_hour",
    "processing_hours_per_day",
    "iot_messages_per_vcpu",
    "analytics_gb_per_vcpu_hour",
    "db_qps_per_vcpu",
    "db_min_vcpu",
    "inference_rps_per_gpu",
    "inference_rps_per_vcpu",
    "bytes_per_param_fp16",
    "gpu_memory_overhead",
)
