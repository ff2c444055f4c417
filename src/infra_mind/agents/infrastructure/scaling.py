"""Autoscaling bounds per always-on workload and the capacity plan over the horizon."""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.bom import gpus_per_replica, instances_for_replicas, serving_replicas
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
    horizon = f"{factor:.2f} × today's load: {_users_basis(growth)} → {growth.users_24m:,} users"
    if fleet.gpu:
        minimum, maximum, basis = _gpu_bounds(fleet, factor, per_zone, horizon)
    else:
        average = math.ceil(fleet.count / fleet.workload.peak_multiplier)
        minimum = max(per_zone, average)
        needed = _instances_for(fleet, factor)
        maximum = max(minimum, fleet.count, needed)
        basis = (
            f"min {minimum}: the larger of one instance per zone ({per_zone}) and today's average load "
            f"({fleet.count} at peak ÷ peak multiplier {fleet.workload.peak_multiplier:g} → {average}); "
            f"max {maximum}: {needed} × {fleet.instance.sku} carry the {SCALING_HORIZON_MONTHS}-month peak "
            f"({horizon}), never fewer than today's {fleet.count}"
        )
    metric, target = _metric(knowledge, fleet)
    return ScalingPolicy(
        workload=fleet.workload.name,
        min_instances=minimum,
        max_instances=maximum,
        metric=metric,
        target=target,
        instance_sku=fleet.instance.sku,
        basis=basis,
    )


def _gpu_bounds(fleet: Fleet, factor: float, per_zone: int, horizon: str) -> tuple[int, int, str]:
    """Bounds in whole model replicas, from the replicas the profile sized for the workload.

    The profile sizes each model's replicas from its size and its load (requests or tokens); the floor
    keeps today's sized replicas running, the ceiling holds them × the 24-month demand factor. A replica
    never spans instances, so the bounds are the instances that hold those replicas.
    """
    d, instance = fleet.demand, fleet.instance
    today = serving_replicas(d)
    later = _replicas_at(d, factor)
    today_instances = instances_for_replicas(d, instance, today)
    later_instances = instances_for_replicas(d, instance, later)
    minimum = max(per_zone, today_instances)
    maximum = max(minimum, fleet.count, later_instances)
    span = gpus_per_replica(d, instance)
    layout = f"{instance.gpu_count // span} replica(s) per {instance.sku}" + (
        f", {span} GPUs each" if span > 1 else ""
    )
    basis = (
        f"min {minimum}: the larger of one instance per zone ({per_zone}) and the {today} model replica(s) "
        f"sized for today's peak ({today_instances} instance(s) at {layout}); max {maximum}: {later} "
        f"replica(s) = {today} × {factor:.2f}, rounded up, carry the {SCALING_HORIZON_MONTHS}-month peak "
        f"({horizon}) on {later_instances} × {instance.sku}, never fewer than today's {fleet.count}"
    )
    return minimum, maximum, basis


def _replicas_at(d: WorkloadDemand, factor: float) -> int:
    """Whole replicas for the sized load × `factor` (the tolerance keeps 11 × 5.0 at 55)."""
    return max(1, math.ceil(serving_replicas(d) * factor - 1e-9))


def _users_basis(growth: GrowthProjection) -> str:
    """demand_factor measures growth from today's users, or from the 6-month projection before launch."""
    if growth.current_users:
        return f"{growth.current_users:,}"
    return f"{growth.users_6m:,} (6-month projection; no users yet)"


def _instances_for(fleet: Fleet, factor: float) -> int:
    d, instance = fleet.demand, fleet.instance
    return max(
        math.ceil(d.vcpu * factor / instance.vcpu), math.ceil(d.memory_gib * factor / instance.memory_gib)
    )


def _metric(knowledge: Knowledge, fleet: Fleet) -> tuple[str, str]:
    utilisation = knowledge.sizing("target_utilisation").value
    if fleet.gpu and fleet.workload.type == "ml_inference":
        d = fleet.demand
        replicas = serving_replicas(d)
        return (
            "requests per model replica",
            f"{d.peak_rps / replicas:.3g} req/s per replica (today's peak {d.peak_rps:g} req/s ÷ "
            f"{replicas} replica(s) sized at {utilisation:.0%} utilisation)",
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
                    _replicas_at(d, factor) * max(d.gpus_per_replica, 1)
                    if d.gpu_count and d.type in _GPU_SCALED_TYPES
                    else d.gpu_count
                    for d in demands
                ),
            )
        )
    return points
