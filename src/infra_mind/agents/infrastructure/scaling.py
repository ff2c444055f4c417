"""Autoscaling bounds per always-on workload and the capacity plan over the horizon."""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.domain.context import AssessmentContext, WorkloadDemand
from infra_mind.domain.growth import demand_factor, users_at
from infra_mind.domain.outputs.infrastructure import CapacityPoint, ScalingPolicy
from infra_mind.domain.pricing import BomLine, ProviderQuote
from infra_mind.domain.requirements import GrowthProjection
from infra_mind.domain.workloads import (
    Batch,
    Database,
    DataProcessing,
    LlmApplication,
    LlmHosting,
    MlTraining,
    Workload,
)
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import InstanceType, Provider

PLAN_MONTHS = (0, 6, 12, 24, 36)
SCALING_HORIZON_MONTHS = 24
SERVED_TYPES = frozenset({"web_app", "api"})
_GPU_SCALED_TYPES = frozenset({"ml_inference", "llm_application"})


@dataclass(frozen=True)
class Fleet:
    """An always-on instance group of the priced plan."""

    workload: Workload
    demand: WorkloadDemand
    line: BomLine
    instance: InstanceType
    count: int

    @property
    def served(self) -> bool:
        return self.workload.type in SERVED_TYPES

    @property
    def gpu(self) -> bool:
        return self.instance.gpu_count > 0


def always_on(w: Workload) -> bool:
    match w:
        case Batch() | MlTraining() | Database():
            return False
        case DataProcessing():
            return w.streaming
        case LlmApplication():
            return w.hosting is LlmHosting.SELF_HOSTED
    return True


def fleets(ctx: AssessmentContext, knowledge: Knowledge, quote: ProviderQuote) -> list[Fleet]:
    hours = knowledge.sizing("hours_per_month").value
    demands = {d.name: d for d in ctx.profile.demands}
    provider = Provider(quote.provider)
    found = []
    for w in ctx.requirements.workloads:
        line = next((x for x in quote.lines if x.workload == w.name and x.kind == "compute"), None)
        instance = knowledge.instance(provider, line.sku) if line else None
        if line and instance and always_on(w):
            found.append(Fleet(w, demands[w.name], line, instance, max(1, round(line.quantity / hours))))
    return found


def scaling_policy(ctx: AssessmentContext, knowledge: Knowledge, fleet: Fleet) -> ScalingPolicy:
    growth = ctx.requirements.growth
    factor = demand_factor(growth, SCALING_HORIZON_MONTHS)
    zones = ctx.constraints.zones_required
    per_zone = min(fleet.count, zones)
    average = math.ceil(fleet.count / fleet.workload.peak_multiplier)
    minimum = max(per_zone, average)
    needed = _instances_for(fleet, factor)
    maximum = max(minimum, fleet.count, needed)
    metric, target = _metric(knowledge, fleet)
    basis = (
        f"min {minimum}: the larger of one instance per zone ({per_zone}) and today's average load "
        f"({fleet.count} at peak ÷ peak multiplier {fleet.workload.peak_multiplier:g} → {average}); "
        f"max {maximum}: {needed} × {fleet.instance.sku} carry the {SCALING_HORIZON_MONTHS}-month peak "
        f"({factor:.2f} × today's load: {_users_basis(growth)} → {growth.users_24m:,} users), never fewer "
        f"than today's {fleet.count}"
    )
    return ScalingPolicy(
        workload=fleet.workload.name,
        min_instances=minimum,
        max_instances=maximum,
        metric=metric,
        target=target,
        instance_sku=fleet.instance.sku,
        basis=basis,
    )


def _users_basis(growth: GrowthProjection) -> str:
    """demand_factor measures growth from today's users, or from the 6-month projection before launch."""
    if growth.current_users:
        return f"{growth.current_users:,}"
    return f"{growth.users_6m:,} (6-month projection; no users yet)"


def _instances_for(fleet: Fleet, factor: float) -> int:
    d, instance = fleet.demand, fleet.instance
    if fleet.gpu:
        return math.ceil(max(d.gpu_count, 1) * factor / instance.gpu_count)
    return max(
        math.ceil(d.vcpu * factor / instance.vcpu), math.ceil(d.memory_gib * factor / instance.memory_gib)
    )


def _metric(knowledge: Knowledge, fleet: Fleet) -> tuple[str, str]:
    utilisation = knowledge.sizing("target_utilisation").value
    if fleet.gpu and fleet.workload.type == "ml_inference":
        per_gpu = knowledge.sizing("inference_rps_per_gpu").value
        return (
            "requests per GPU",
            f"{per_gpu * utilisation:g} req/s per GPU ({utilisation:.0%} of {per_gpu:g})",
        )
    if fleet.gpu:
        return "GPU utilisation", f"{utilisation:.0%}"
    return "average CPU utilisation", f"{utilisation:.0%}"


def capacity_plan(ctx: AssessmentContext) -> list[CapacityPoint]:
    """Load grows with users (demand_factor); storage grows by each workload's monthly data growth."""
    growth = ctx.requirements.growth
    points = []
    for month in PLAN_MONTHS:
        factor = demand_factor(growth, month)
        demands = ctx.profile.demands
        points.append(
            CapacityPoint(
                month=month,
                users=round(users_at(growth, month)),
                vcpu=round(sum(d.vcpu for d in demands) * factor, 2),
                memory_gib=round(sum(d.memory_gib for d in demands) * factor, 2),
                storage_gb=round(
                    sum(
                        w.data_size_gb + w.data_growth_gb_per_month * month
                        for w in ctx.requirements.workloads
                    ),
                    1,
                ),
                gpu_count=sum(
                    math.ceil(d.gpu_count * factor) if d.type in _GPU_SCALED_TYPES else d.gpu_count
                    for d in demands
                ),
            )
        )
    return points
