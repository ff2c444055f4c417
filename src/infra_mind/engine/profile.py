"""Derive each workload's peak demand from its load figures and the stated sizing rules.

Every figure comes from the input and a sizing record (knowledge/data/sizing.json); each demand lists the
records it used (`rules`) and says in its assumptions how the figure was derived, naming every input value
that was a default rather than given.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

from infra_mind.domain.context import REQUEST_TYPES, WorkloadDemand, WorkloadProfile
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
from infra_mind.knowledge.sizing import SizingRule

_SECONDS_PER_DAY = 86400
MIX_TOLERANCE = 1.5
"""A prompt-to-output mix within this factor of the measured one is called close to it."""
_SECONDS_PER_MONTH = 730 * 3600


class _Rules:
    """Sizing values by key, remembering which keys one demand read."""

    def __init__(self, records: dict[str, SizingRule]) -> None:
        self._records = records
        self.used: list[str] = []

    def __getitem__(self, key: str) -> float:
        if key not in self.used:
            self.used.append(key)
        return self._records[key].value


class Sizer:
    def __init__(self, knowledge: Knowledge) -> None:
        self._records = {key: knowledge.sizing(key) for key in _RULES}

    def profile(self, spec: AssessmentInput) -> WorkloadProfile:
        demands = tuple(self.demand(w) for w in spec.workloads)
        requests = [d for d in demands if d.type in REQUEST_TYPES]
        serving = [d for d in demands if d.type != "ml_training"]
        training = [d for d in demands if d.type == "ml_training"]
        models = [m for w in spec.workloads if (m := getattr(w, "model_size_b_params", None))]
        models += spec.ai_ml.model_sizes_b_params
        used = {key for d in demands for key in d.rules}
        return WorkloadProfile(
            peak_rps=round(sum(d.peak_rps for d in requests), 2),
            average_rps=round(sum(d.average_rps for d in requests), 2),
            vcpu=round(sum(d.vcpu for d in demands), 2),
            memory_gib=round(sum(d.memory_gib for d in demands), 2),
            storage_gb=round(sum(d.storage_gb for d in demands), 2),
            storage_gb_24m=round(sum(d.storage_gb_24m for d in demands), 2),
            serving_gpu_count=sum(d.gpu_count for d in serving),
            serving_gpu_hours_per_month=round(sum(d.gpu_hours_per_month for d in serving), 2),
            training_gpu_hours_per_month=round(sum(d.gpu_hours_per_month for d in training), 2),
            gpu_hours_per_month=round(sum(d.gpu_hours_per_month for d in demands), 2),
            largest_model_b_params=max(models, default=None),
            egress_gb_per_month=round(sum(d.egress_gb_per_month for d in demands), 2),
            growth_factor_24m=round(demand_factor(spec.growth, 24), 3),
            demands=demands,
            rules=tuple(self._records[key].assumption() for key in _RULES if key in used),
        )

    def demand(self, workload: Workload) -> WorkloadDemand:
        r = _Rules(self._records)
        demand = self._demand(workload, r)
        return demand.model_copy(update={"rules": tuple(r.used)})

    def _demand(self, workload: Workload, r: _Rules) -> WorkloadDemand:
        storage = {
            "storage_gb": workload.data_size_gb,
            "storage_gb_24m": workload.data_size_gb + 24 * workload.data_growth_gb_per_month,
        }
        peak_note = f"peak multiplier {workload.peak_multiplier:g}{_default(workload, 'peak_multiplier')}"
        match workload:
            case WebApp() | Api():
                per_vcpu = r["web_rps_per_vcpu"] if isinstance(workload, WebApp) else r["api_rps_per_vcpu"]
                utilisation = r["target_utilisation"]
                peak = workload.requests_per_second * workload.peak_multiplier
                vcpu = peak / per_vcpu / utilisation
                egress = workload.requests_per_second * workload.avg_response_kb * _SECONDS_PER_MONTH / 1e6
                return WorkloadDemand(
                    name=workload.name,
                    type=workload.type,
                    average_rps=workload.requests_per_second,
                    peak_rps=peak,
                    vcpu=round(vcpu, 2),
                    memory_gib=round(vcpu * r["memory_gib_per_vcpu"], 2),
                    egress_gb_per_month=round(egress, 1),
                    assumptions=(
                        f"peak {peak:g} req/s = {workload.requests_per_second:g} × {peak_note}",
                        f"{per_vcpu:g} req/s per vCPU at {utilisation:.0%} target utilisation",
                        f"egress = average req/s × {workload.avg_response_kb:g} KB per response"
                        f"{_default(workload, 'avg_response_kb')} × 730 h",
                    ),
                    **storage,
                )
            case DataProcessing():
                hours = 24 if workload.streaming else r["processing_hours_per_day"]
                rate = r["processing_gb_per_vcpu_hour"]
                vcpu = workload.data_processed_gb_per_day / hours / rate
                return self._cpu(
                    workload,
                    r,
                    vcpu * workload.peak_multiplier,
                    storage,
                    (
                        f"{workload.data_processed_gb_per_day:g} GB/day over {hours:g} h"
                        f"{_default(workload, 'streaming')} at {rate:g} GB per vCPU-hour, × {peak_note}",
                    ),
                )
            case IoT():
                peak = workload.messages_per_second * workload.peak_multiplier
                return self._cpu(
                    workload,
                    r,
                    peak / r["iot_messages_per_vcpu"] / r["target_utilisation"],
                    storage,
                    (
                        f"{peak:g} msg/s at peak ({peak_note}) ÷ {r['iot_messages_per_vcpu']:g} msg/s "
                        f"per vCPU at {r['target_utilisation']:.0%} target utilisation",
                    ),
                    peak_rps=peak,
                    average_rps=workload.messages_per_second,
                )
            case Analytics():
                gb_per_hour = workload.queries_per_day * workload.scanned_gb_per_query / 24
                return self._cpu(
                    workload,
                    r,
                    gb_per_hour / r["analytics_gb_per_vcpu_hour"] * workload.peak_multiplier,
                    storage,
                    (
                        f"{gb_per_hour:.4g} GB scanned per hour ({workload.queries_per_day:g} queries/day × "
                        f"{workload.scanned_gb_per_query:g} GB"
                        f"{_default(workload, 'scanned_gb_per_query')}) ÷ "
                        f"{r['analytics_gb_per_vcpu_hour']:g} GB per vCPU-hour, × {peak_note}",
                    ),
                )
            case Batch():
                concurrent = workload.jobs_per_day * workload.avg_job_minutes / (24 * 60)
                vcpu = concurrent * workload.vcpu_per_job * workload.peak_multiplier
                return self._cpu(
                    workload,
                    r,
                    vcpu,
                    storage,
                    (
                        f"{concurrent:.2f} jobs running on average × {workload.vcpu_per_job:g} vCPU"
                        f"{_default(workload, 'vcpu_per_job')} × {peak_note}",
                    ),
                    interruptible=workload.interruptible,
                )
            case Database():
                qps = (workload.read_qps + workload.write_qps) * workload.peak_multiplier
                vcpu = max(r["db_min_vcpu"], qps / r["db_qps_per_vcpu"] / r["target_utilisation"])
                return self._cpu(
                    workload,
                    r,
                    vcpu,
                    storage,
                    (
                        f"{qps:g} queries/s at peak = ({workload.read_qps:g} reads"
                        f"{_default(workload, 'read_qps')} + {workload.write_qps:g} writes"
                        f"{_default(workload, 'write_qps')}) × {peak_note}",
                        f"{r['db_qps_per_vcpu']:g} queries/s per vCPU at "
                        f"{r['target_utilisation']:.0%} target utilisation, "
                        f"at least {r['db_min_vcpu']:g} vCPU",
                    ),
                    peak_rps=qps,
                    average_rps=workload.read_qps + workload.write_qps,
                )
            case MlInference():
                return self._ml_inference(workload, r, storage, peak_note)
            case MlTraining():
                gpu_hours = workload.runs_per_month * workload.hours_per_run * workload.gpus_per_run
                memory, memory_note = self._model_memory(workload.model_size_b_params, r, training=True)
                return WorkloadDemand(
                    name=workload.name,
                    type=workload.type,
                    gpu_count=workload.gpus_per_run,
                    gpu_memory_gib=memory,
                    gpu_hours_per_month=gpu_hours,
                    interruptible=True,
                    assumptions=(
                        f"{workload.runs_per_month:g} runs × {workload.hours_per_run:g} h × "
                        f"{workload.gpus_per_run} GPU{_default(workload, 'gpus_per_run')}",
                        memory_note,
                    ),
                    **storage,
                )
            case LlmApplication():
                return self._llm(workload, r, storage, peak_note)
        raise TypeError(f"no sizing rule for workload type {workload.type}")

    def _ml_inference(
        self, w: MlInference, r: _Rules, storage: dict[str, float], peak_note: str
    ) -> WorkloadDemand:
        peak = w.requests_per_second * w.peak_multiplier
        utilisation = r["target_utilisation"]
        if not w.gpu_required:
            return self._cpu(
                w,
                r,
                peak / r["inference_rps_per_vcpu"] / utilisation,
                storage,
                (
                    f"{peak:g} req/s at peak ({peak_note}) ÷ {r['inference_rps_per_vcpu']:g} req/s per vCPU "
                    f"at {utilisation:.0%} target utilisation (CPU serving{_default(w, 'gpu_required')})",
                ),
                peak_rps=peak,
                average_rps=w.requests_per_second,
            )
        per_gpu = r["inference_rps_per_gpu"]
        band = r["inference_rps_per_gpu_max_b_params"]
        size = w.model_size_b_params
        memory, memory_note = self._model_memory(size, r)
        per_replica_gpus = self._gpus_per_replica(memory, r)
        if size is None:
            rate_note = (
                f"{per_gpu:g} req/s per GPU (model size not given: assumed within the rule's band of up to "
                f"{band:g} B parameters)"
            )
        elif size <= band:
            rate_note = f"{per_gpu:g} req/s per GPU (a {size:g} B model, within the rule's {band:g} B band)"
        else:
            rate_note = (
                f"{per_gpu * band / size:.3g} req/s per GPU = {per_gpu:g} × {band:g} B ÷ {size:g} B "
                f"(above the {band:g} B band, compute per request grows with the parameter count)"
            )
            per_gpu = per_gpu * band / size
        per_replica = per_gpu * per_replica_gpus
        replicas = max(1, _whole(peak / per_replica / utilisation))
        gpus = replicas * per_replica_gpus
        return WorkloadDemand(
            name=w.name,
            type=w.type,
            average_rps=w.requests_per_second,
            peak_rps=peak,
            gpu_count=gpus,
            gpu_replicas=replicas,
            gpus_per_replica=per_replica_gpus,
            gpu_memory_gib=memory,
            gpu_hours_per_month=gpus * r["hours_per_month"],
            assumptions=(
                f"peak {peak:g} req/s = {w.requests_per_second:g} × {peak_note}",
                f"{replicas} replica(s) = {peak:g} req/s ÷ {per_replica:.3g} req/s per replica "
                f"÷ {utilisation:.0%} target utilisation, rounded up; {rate_note}",
                memory_note,
            ),
            **storage,
        )

    def _llm(self, w: LlmApplication, r: _Rules, storage: dict[str, float], peak_note: str) -> WorkloadDemand:
        average = w.requests_per_day / _SECONDS_PER_DAY
        peak = average * w.peak_multiplier
        tokens = w.input_tokens_per_request + w.output_tokens_per_request
        peak_tokens = peak * tokens
        traffic = (
            f"{w.requests_per_day:,} requests/day ÷ 86,400 s × {peak_note} = {peak:.3g} req/s at peak × "
            f"({w.input_tokens_per_request:,} input{_default(w, 'input_tokens_per_request')} + "
            f"{w.output_tokens_per_request:,} output{_default(w, 'output_tokens_per_request')} tokens) "
            f"= {peak_tokens:,.0f} tokens/s at peak"
        )
        base = {
            "name": w.name,
            "type": w.type,
            "average_rps": round(average, 3),
            "peak_rps": round(peak, 3),
            "peak_tokens_per_s": round(peak_tokens, 1),
        }
        if w.hosting is not LlmHosting.SELF_HOSTED:
            return WorkloadDemand(
                **base,
                assumptions=(traffic, f"served through a managed LLM API{_default(w, 'hosting')}: no GPUs"),
                **storage,
            )
        reference = r["llm_reference_model_b_params"]
        size = w.model_size_b_params
        sized_as = size if size is not None else reference
        scaled = max(sized_as, r["llm_scaling_min_b_params"])
        per_gpu = r["llm_tokens_per_s_per_gpu"] * reference / scaled
        memory, memory_note = self._model_memory(sized_as, r)
        if size is None:
            memory_note = (
                f"model size not given: sized as the {reference:g} B reference model; " + memory_note
            )
        per_replica_gpus = self._gpus_per_replica(memory, r)
        per_replica = per_gpu * per_replica_gpus
        utilisation = r["target_utilisation"]
        replicas = max(1, _whole(peak_tokens / per_replica / utilisation))
        gpus = replicas * per_replica_gpus
        return WorkloadDemand(
            **base,
            gpu_count=gpus,
            gpu_replicas=replicas,
            gpus_per_replica=per_replica_gpus,
            gpu_memory_gib=memory,
            gpu_hours_per_month=gpus * r["hours_per_month"],
            assumptions=(
                traffic,
                f"{replicas} self-hosted replica(s) = {peak_tokens:,.0f} tokens/s ÷ "
                f"{per_replica:,.0f} tokens/s per replica ÷ {utilisation:.0%} target utilisation, "
                "rounded up; "
                f"{per_gpu:,.0f} tokens/s per GPU = {r['llm_tokens_per_s_per_gpu']:g} (measured on a "
                f"{reference:g} B model) × {reference:g} B ÷ {scaled:g} B",
                memory_note,
                _mix_note(w, r["llm_reference_input_tokens_per_output_token"]),
            ),
            **storage,
        )

    def _model_memory(
        self, params_b: float | None, r: _Rules, *, training: bool = False
    ) -> tuple[float, str]:
        if params_b is None:
            if training:
                return 0.0, "model size not given: any GPU is taken to hold it"
            gib = r["inference_gpu_memory_gib"]
            return gib, f"model size not given: one {gib:g} GiB inference GPU per replica"
        factor = r["gpu_memory_overhead"] * (4 if training else 1)
        gib = round(params_b * r["bytes_per_param_fp16"] * factor, 1)
        what = (
            "weights, gradients and optimiser state"
            if training
            else "weights plus activations, cache and runtime"
        )
        return gib, (
            f"{gib:g} GiB of GPU memory = {params_b:g} B parameters × {r['bytes_per_param_fp16']:g} bytes × "
            f"{factor:g} ({what})"
        )

    def _gpus_per_replica(self, memory_gib: float, r: _Rules) -> int:
        return max(1, _whole(memory_gib / r["inference_gpu_memory_gib"]))

    def _cpu(
        self,
        workload: Workload,
        r: _Rules,
        vcpu: float,
        storage: dict[str, float],
        assumptions: tuple[str, ...],
        *,
        peak_rps: float = 0,
        average_rps: float = 0,
        interruptible: bool = False,
    ) -> WorkloadDemand:
        return WorkloadDemand(
            name=workload.name,
            type=workload.type,
            average_rps=average_rps,
            peak_rps=peak_rps,
            vcpu=round(vcpu, 2),
            memory_gib=round(vcpu * r["memory_gib_per_vcpu"], 2),
            interruptible=interruptible,
            assumptions=assumptions,
            **storage,
        )


def _mix_note(w: LlmApplication, reference: float) -> str:
    """Which way counting input and output tokens alike errs for this workload's prompt-to-output mix."""
    mix = w.input_tokens_per_request / w.output_tokens_per_request
    measured = f"{mix:.2g} input tokens per output token against {reference:g} in the throughput measurement"
    if mix > MIX_TOLERANCE * reference:
        return (
            f"{measured}: prompts take less GPU time per token than generation, so the GPU count errs high; "
            "a load test with the real prompts will lower it"
        )
    if mix * MIX_TOLERANCE < reference:
        return (
            f"{measured}: generation takes more GPU time per token than prompts, so the GPU count may err "
            "low; load-test with the real prompts before committing"
        )
    return f"{measured}: close to the measured mix"


def _whole(units: float) -> int:
    """Rounds up to whole units, ignoring float noise (3 ÷ 0.6 must be 5, not 6)."""
    return math.ceil(round(units, 9))


def _default(model: BaseModel, field: str) -> str:
    """Marks a value the input did not give, so every figure built on a default says so."""
    return "" if field in model.model_fields_set else " (default: not in the input)"


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
    "inference_rps_per_gpu_max_b_params",
    "inference_rps_per_vcpu",
    "inference_gpu_memory_gib",
    "llm_tokens_per_s_per_gpu",
    "llm_reference_model_b_params",
    "llm_scaling_min_b_params",
    "llm_reference_input_tokens_per_output_token",
    "bytes_per_param_fp16",
    "gpu_memory_overhead",
)
