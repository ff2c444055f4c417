"""Training and serving sizing, read from the profile's demands and the priced plan's lines.

The profile already sized every ML workload and the bill of materials priced it; this module reports those
figures per workload (GPU type, count, hours, cost) instead of deriving them again. Training implied by
ai_ml.training_frequency without an ml_training workload is sized by the same Sizer and BomBuilder, from a
run built out of the stated frequency, the models' data size and the mlops rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.bom import BomBuilder
from infra_mind.domain.context import AssessmentContext, WorkloadDemand
from infra_mind.domain.outputs.mlops import ServingSizing, TrainingSizing
from infra_mind.domain.pricing import BomLine, MissingPrice, ProviderQuote
from infra_mind.domain.requirements import TrainingFrequency
from infra_mind.domain.workloads import LlmApplication, LlmHosting, MlInference, MlTraining, Workload
from infra_mind.engine.profile import Sizer
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.ml_platforms import MlPlatformCatalog
from infra_mind.knowledge.models import InstanceType, Provider

ML_TYPES = frozenset({"ml_training", "ml_inference", "llm_application"})
RUNS_PER_MONTH = {
    TrainingFrequency.QUARTERLY: 1 / 3,
    TrainingFrequency.MONTHLY: 1.0,
    TrainingFrequency.WEEKLY: 52 / 12,
    TrainingFrequency.DAILY: 365 / 12,
}
MAX_RUN_HOURS = 2000.0
"""The longest run an ml_training workload may state (its hours_per_run bound)."""
IMPLIED_TRAINING = "model-retraining"


def is_served(w: Workload) -> bool:
    """A model the plan serves on its own instances: ML inference or a self-hosted LLM."""
    return isinstance(w, MlInference) or (
        isinstance(w, LlmApplication) and w.hosting is LlmHosting.SELF_HOSTED
    )


def compute_line(quote: ProviderQuote | None, workload: str) -> BomLine | None:
    if quote is None:
        return None
    return next((line for line in quote.primary_lines if line.key == f"{workload}:compute"), None)


def compute_missing(quote: ProviderQuote | None, workload: str) -> MissingPrice | None:
    if quote is None:
        return None
    return next((m for m in quote.missing if m.key == f"{workload}:compute"), None)


@dataclass(frozen=True)
class Training:
    sizing: TrainingSizing
    demand: WorkloadDemand
    line: BomLine | None
    instance: InstanceType | None


class SizingReader:
    def __init__(self, ctx: AssessmentContext, knowledge: Knowledge, catalog: MlPlatformCatalog) -> None:
        self._ctx = ctx
        self._k = knowledge
        self._catalog = catalog
        self._hours = knowledge.sizing("hours_per_month").value
        self._demands = {d.name: d for d in ctx.profile.demands}

    def training(self, quote: ProviderQuote | None) -> list[Training]:
        workloads = [w for w in self._ctx.requirements.workloads if isinstance(w, MlTraining)]
        sized = [self._training(w, self._demands[w.name], quote, in_plan=True) for w in workloads]
        frequency = self._ctx.requirements.ai_ml.training_frequency
        if not workloads and frequency in RUNS_PER_MONTH and quote is not None and self._gpu_models():
            sized.append(self._implied(frequency, quote))
        return sized

    def unsized_training(self) -> str | None:
        """Why training the input implies is not sized: its models are served on CPU, size unknown."""
        spec = self._ctx.requirements
        frequency = spec.ai_ml.training_frequency
        if frequency not in RUNS_PER_MONTH or any(isinstance(w, MlTraining) for w in spec.workloads):
            return None
        if self._gpu_models():
            return None
        return (
            f"ai_ml.training_frequency is '{frequency.value}' but no ml_training workload says how long a "
            "run takes, and the models are served on CPU with no model size given, so GPU training is not "
            "assumed; add an ml_training workload (or a batch workload for CPU training) to size and price it"
        )

    def _gpu_models(self) -> bool:
        return self._ctx.profile.serving_gpu_count > 0 or self._ctx.profile.largest_model_b_params is not None

    def serving(self, quote: ProviderQuote | None) -> list[ServingSizing]:
        return [self._serving(w, quote) for w in self._ctx.requirements.workloads if is_served(w)]

    def _training(
        self, w: MlTraining, d: WorkloadDemand, quote: ProviderQuote | None, *, in_plan: bool
    ) -> Training:
        line = compute_line(quote, w.name)
        instance = self._k.instance(Provider(line.provider), line.sku) if line else None
        per_run = (
            max(1, math.floor(line.quantity / (w.runs_per_month * w.hours_per_run) + 1e-9)) if line else 0
        )
        growth = d.storage_gb_24m / d.storage_gb if d.storage_gb else 1.0
        basis = [line.assumption] if line else list(d.assumptions)
        missing = compute_missing(quote, w.name)
        if missing:
            basis.append(f"not priced: {missing.reason}")
        basis.append(
            f"GPU-hours at 24 months grow with the data ({d.storage_gb:,.0f} → {d.storage_gb_24m:,.0f} GB)"
            if d.storage_gb
            else "no data size given: run time held at today's"
        )
        sizing = TrainingSizing(
            workload=w.name,
            in_plan=in_plan,
            runs_per_month=round(w.runs_per_month, 3),
            gpu_hours_per_run=round(w.hours_per_run * w.gpus_per_run, 2),
            gpus_per_run=d.gpu_count,
            gpu_memory_gib=d.gpu_memory_gib,
            gpu_hours_per_month=round(d.gpu_hours_per_month, 2),
            gpu_hours_per_month_24m=round(d.gpu_hours_per_month * growth, 2),
            data_size_gb=d.storage_gb,
            data_size_gb_24m=d.storage_gb_24m,
            instance_sku=line.sku if line else None,
            gpu_model=instance.gpu_model if instance else None,
            instances_per_run=per_run,
            instance_hours_per_month=line.quantity if line else 0,
            monthly_usd=line.monthly_usd if line else None,
            basis=basis,
        )
        return Training(sizing, d, line, instance)

    def _implied(self, frequency: TrainingFrequency, quote: ProviderQuote) -> Training:
        """A run from the stated frequency and the models' data, priced like an ml_training workload."""
        run = self._implied_run(frequency)
        spec = self._ctx.requirements.model_copy(update={"workloads": [run]})
        ctx = self._ctx.model_copy(update={"requirements": spec, "profile": Sizer(self._k).profile(spec)})
        alone = BomBuilder(self._k).quote(ctx, Provider(quote.provider), quote.region)
        training = self._training(run, ctx.profile.demands[0], alone, in_plan=False)
        data_rule = self._catalog.rule("training_gb_per_gpu_hour")
        floor = self._catalog.rule("training_min_gpu_hours_per_run")
        how = (
            f"implied by ai_ml.training_frequency '{frequency.value}' "
            f"({RUNS_PER_MONTH[frequency]:.3g} runs/month); "
            f"{run.hours_per_run * run.gpus_per_run:g} GPU-hours per run = the larger of {floor.value:g} "
            f"GPU-hours and {run.data_size_gb:,.0f} GB of model data ÷ {data_rule.value:g} GB per GPU-hour"
        )
        sizing = training.sizing.model_copy(update={"basis": [how, *training.sizing.basis]})
        return Training(sizing, training.demand, training.line, training.instance)

    def _implied_run(self, frequency: TrainingFrequency) -> MlTraining:
        workloads = self._ctx.requirements.workloads
        ml = [w for w in workloads if w.type in ML_TYPES]
        data = sum(w.data_size_gb for w in ml)
        gpu_hours = max(
            self._catalog.rule("training_min_gpu_hours_per_run").value,
            data / self._catalog.rule("training_gb_per_gpu_hour").value,
        )
        runs = RUNS_PER_MONTH[frequency]
        window = min(MAX_RUN_HOURS, self._hours / runs)
        gpus = max(1, math.ceil(gpu_hours / window))
        names = {w.name for w in workloads}
        name, suffix = IMPLIED_TRAINING, 1
        while name in names:
            name, suffix = f"{IMPLIED_TRAINING}-{suffix}", suffix + 1
        return MlTraining(
            type="ml_training",
            name=name,
            runs_per_month=runs,
            hours_per_run=round(gpu_hours / gpus, 2),
            gpus_per_run=gpus,
            model_size_b_params=self._ctx.profile.largest_model_b_params,
            data_size_gb=data,
            data_growth_gb_per_month=sum(w.data_growth_gb_per_month for w in ml),
        )

    def _serving(self, w: Workload, quote: ProviderQuote | None) -> ServingSizing:
        d = self._demands[w.name]
        line = compute_line(quote, w.name)
        missing = compute_missing(quote, w.name)
        gpu = d.gpu_count > 0
        target = (
            w.latency_target_ms
            if isinstance(w, MlInference)
            else self._ctx.requirements.performance.p95_latency_ms
        )
        basis = [line.assumption] if line else list(d.assumptions)
        if missing:
            basis.append(f"not priced: {missing.reason}")
        return ServingSizing(
            workload=w.name,
            workload_type=w.type,
            hardware="gpu" if gpu else "cpu",
            peak_rps=round(d.peak_rps, 3),
            peak_tokens_per_s=d.peak_tokens_per_s,
            latency_target_ms=target,
            replicas=d.gpu_replicas,
            gpus_per_replica=d.gpus_per_replica,
            gpu_count=d.gpu_count,
            gpu_memory_gib=d.gpu_memory_gib,
            vcpu=d.vcpu,
            instance_sku=line.sku if line else None,
            instance_count=round(line.quantity / self._hours) if line else 0,
            monthly_usd=line.monthly_usd if line else None,
            latency_note=self._latency_note(w, gpu, target),
            latency_within_rule=self._within_rule(w, gpu, target),
            basis=basis,
        )

    def _within_rule(self, w: Workload, gpu: bool, target: int | None) -> bool | None:
        if not (gpu and isinstance(w, MlInference)) or target is None:
            return None
        return target >= self._catalog.rule("gpu_rate_latency_ms").value

    def _latency_note(self, w: Workload, gpu: bool, target: int | None) -> str:
        if isinstance(w, LlmApplication):
            if target is None:
                return (
                    "sized by token throughput at peak; no latency target given (performance.p95_latency_ms)"
                )
            return (
                f"sized by token throughput at peak; the p95 target of {target} ms "
                "(performance.p95_latency_ms) is not modelled: load-test time to first token and time per "
                "output token before committing"
            )
        if not gpu:
            return (
                f"CPU serving sized by request rate; the rule states no latency, so load-test against the "
                f"{target} ms target"
            )
        rule = self._catalog.rule("gpu_rate_latency_ms").value
        if target is not None and target < rule:
            return (
                f"the {target} ms target is tighter than the {rule:g} ms the per-GPU request rate is stated "
                "for: smaller batches mean fewer requests per GPU, so the GPU count may be low"
            )
        return f"the {target} ms target is no tighter than the {rule:g} ms the per-GPU request rate assumes"
