"""Latency against instance count at peak for the request-serving workloads (M/M/c, see queueing).

One server is one instance of the priced SKU: arrivals are the workload's peak requests per second, and an
instance serves what the sizing rules say its vCPUs (or GPUs) carry at full load. The p95 response time is
set against the workload's latency target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.bom import gpus_per_replica
from infra_mind.agents.simulation.queueing import (
    erlang_c,
    fewest_meeting,
    mean_wait,
    response_quantile,
    stable_minimum,
)
from infra_mind.domain.context import AssessmentContext, WorkloadDemand
from infra_mind.domain.outputs.simulation import QueueModel, QueueRow
from infra_mind.domain.pricing import BomLine, ProviderQuote
from infra_mind.domain.workloads import Api, LlmApplication, LlmHosting, MlInference, WebApp, Workload
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import InstanceType, Provider

ROWS = 8
"""Instance counts shown from the stable minimum up."""
QUANTILE = 0.95


@dataclass(frozen=True)
class Served:
    """A request-serving workload on its priced instances."""

    workload: WebApp | Api | MlInference | LlmApplication
    demand: WorkloadDemand
    line: BomLine
    instance: InstanceType
    planned: int


def queue_models(
    ctx: AssessmentContext, knowledge: Knowledge, quote: ProviderQuote | None
) -> list[QueueModel]:
    if quote is None:
        return []
    hours = knowledge.sizing("hours_per_month").value
    demands = {d.name: d for d in ctx.profile.demands}
    models = []
    for w in ctx.requirements.workloads:
        served = _served(w, demands[w.name], quote, knowledge, hours)
        if served is None or served.demand.peak_rps <= 0:
            continue
        rate = _service_rate(served, knowledge)
        if rate is None:
            continue
        models.append(_model(served, quote.provider, *rate))
    return models


def _served(
    w: Workload, d: WorkloadDemand, quote: ProviderQuote, knowledge: Knowledge, hours: float
) -> Served | None:
    if not isinstance(w, WebApp | Api | MlInference | LlmApplication):
        return None
    line = next((x for x in quote.primary_lines if x.workload == w.name and x.kind == "compute"), None)
    if line is None:
        return None
    instance = knowledge.instance(Provider(quote.provider), line.sku)
    if instance is None:
        return None
    return Served(w, d, line, instance, max(1, round(line.quantity / hours)))


def _service_rate(s: Served, knowledge: Knowledge) -> tuple[float, str] | None:
    """Requests per second one instance serves at full load, and how that was derived."""
    w, d, instance = s.workload, s.demand, s.instance
    rule = {WebApp: "web_rps_per_vcpu", Api: "api_rps_per_vcpu", MlInference: "inference_rps_per_vcpu"}
    if isinstance(w, WebApp | Api) or (isinstance(w, MlInference) and not instance.gpu_count):
        per_vcpu = knowledge.sizing(rule[type(w)]).value
        return per_vcpu * instance.vcpu, (
            f"{per_vcpu:g} req/s per vCPU (sizing:{rule[type(w)]}) × {instance.vcpu} vCPU of {instance.sku}"
        )
    if not instance.gpu_count:
        return None
    span = gpus_per_replica(d, instance)
    replicas = max(1, instance.gpu_count // span)
    if isinstance(w, MlInference):
        per_gpu = knowledge.sizing("inference_rps_per_gpu").value
        band = knowledge.sizing("inference_rps_per_gpu_max_b_params").value
        size = w.model_size_b_params
        if size is not None and size > band:
            per_gpu *= band / size
        return per_gpu * span * replicas, (
            f"{per_gpu:.3g} req/s per GPU (sizing:inference_rps_per_gpu) × {span} GPU(s) per replica × "
            f"{replicas} replica(s) per {instance.sku}"
        )
    if w.hosting is not LlmHosting.SELF_HOSTED:
        return None
    reference = knowledge.sizing("llm_reference_model_b_params").value
    scaled = max(w.model_size_b_params or reference, knowledge.sizing("llm_scaling_min_b_params").value)
    tokens = knowledge.sizing("llm_tokens_per_s_per_gpu").value * reference / scaled
    per_request = w.input_tokens_per_request + w.output_tokens_per_request
    return tokens * span * replicas / per_request, (
        f"{tokens:,.0f} tokens/s per GPU (sizing:llm_tokens_per_s_per_gpu scaled to {scaled:g} B) × {span} "
        f"GPU(s) per replica × {replicas} replica(s) per {instance.sku} ÷ {per_request:,} tokens per request"
    )


def _model(s: Served, provider: str, service: float, basis: str) -> QueueModel:
    arrival = s.demand.peak_rps
    target = getattr(s.workload, "latency_target_ms", None)
    target_s = target / 1000 if target else None
    minimum = stable_minimum(arrival, service)
    fewest = fewest_meeting(arrival, service, target_s, QUANTILE) if target_s else None
    counts = sorted({*range(minimum, minimum + ROWS), s.planned, *([fewest] if fewest else [])})
    rows = [_row(c, arrival, service, target_s) for c in counts if c >= minimum]
    return QueueModel(
        workload=s.workload.name,
        type=s.workload.type,
        provider=provider,
        sku=s.instance.sku,
        arrival_rps=round(arrival, 3),
        service_rps_per_instance=round(service, 3),
        service_basis=basis,
        planned_instances=s.planned,
        stable_minimum=minimum,
        latency_target_ms=target,
        recommended_instances=fewest,
        rows=rows,
        note=_note(s, service, target, fewest),
    )


def _row(servers: int, arrival: float, service: float, target_s: float | None) -> QueueRow:
    p95 = response_quantile(servers, arrival, service, QUANTILE)
    return QueueRow(
        instances=servers,
        utilisation=round(arrival / (servers * service), 4),
        p_wait=round(erlang_c(servers, arrival / service), 6),
        mean_wait_ms=round(mean_wait(servers, arrival, service) * 1000, 3),
        p95_response_ms=round(p95 * 1000, 3),
        meets_target=None if target_s is None else p95 <= target_s,
    )


def _note(s: Served, service: float, target: int | None, fewest: int | None) -> str:
    head = (
        f"{s.demand.peak_rps:,.4g} req/s at peak on {s.instance.sku} serving {service:,.4g} req/s each "
        f"(mean service time {1000 / service:,.4g} ms)"
    )
    if target is None:
        return f"{head}; the workload states no latency target"
    if fewest is None:
        floor = -math.log(1 - QUANTILE) / service * 1000
        return (
            f"{head}; no instance count meets the {target} ms p95 target: the service time alone has a "
            f"p95 of {floor:,.4g} ms on this instance"
        )
    verdict = "meets" if s.planned >= fewest else "misses"
    return (
        f"{head}; {fewest} instance(s) meet the {target} ms p95 target; the plan's {s.planned} {verdict} it"
    )
