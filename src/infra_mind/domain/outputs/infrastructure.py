"""infrastructure: topology, HA/DR, autoscaling, capacity and a Terraform skeleton."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output


class Subnet(Output):
    name: str
    tier: Literal["public", "app", "data"]
    region: str
    zone: int | None = Field(
        description="zone index for zonal subnets; None where subnets span the region's zones"
    )
    cidr: str


class Topology(Output):
    provider: str
    primary_region: str
    secondary_region: str | None
    zones: int
    network: list[str]
    load_balancing: str
    cdn: bool
    edge_protection: str
    platform: str = Field(default="", description="managed Kubernetes or autoscaling VM groups")
    subnets: list[Subnet] = Field(default_factory=list)


class ComponentAvailability(Output):
    component: str
    service: str
    region_scope: str = Field(description="regional: repeated in each active region; global: shared")
    sla_pct: float | None = Field(description="None = no SLA covers this configuration")
    source: str


class DisasterRecovery(Output):
    strategy: str = Field(description="backup_restore | pilot_light | warm_standby | multi_site_active")
    target_uptime_pct: float
    design_uptime_pct: float | None = Field(
        description="composed from the SLAs; None = nothing runs continuously"
    )
    rto_minutes: int
    rpo_minutes: int
    achievable_rto_minutes: int
    achievable_rpo_minutes: int
    backup: str
    notes: list[str]
    secondary_region: str | None = None
    active_regions: int = 1
    components: list[ComponentAvailability] = Field(default_factory=list)
    monthly_cost_usd: float | None = Field(default=None, description="DR footprint; None = not priced")


class ScalingPolicy(Output):
    workload: str
    min_instances: int
    max_instances: int
    metric: str
    target: str
    instance_sku: str | None = None
    basis: str = Field(default="", description="how min and max were derived")


class CapacityPoint(Output):
    month: int
    users: int
    vcpu: float
    memory_gib: float
    storage_gb: float
    gpu_count: int = 0


class InfrastructureOutput(Output):
    kind: Literal["infrastructure"] = "infrastructure"
    topology: Topology
    disaster_recovery: DisasterRecovery
    autoscaling: list[ScalingPolicy]
    capacity_plan: list[CapacityPoint]
    terraform: str
