"""The provider-neutral design a Terraform skeleton is generated from."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.infrastructure.terraform.hcl import identifier
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.sla import Standby

PRIMARY_CIDR = "10.0.0.0/16"
SECONDARY_CIDR = "10.1.0.0/16"
SUBNET_NEWBITS = 4
TIER_OFFSET = {"public": 0, "app": 4, "data": 8}
"""Subnet index of each tier's first zone: /20 subnets carved from the /16, four slots per tier."""


@dataclass(frozen=True)
class ComputeGroup:
    workload: str
    workload_type: str
    sku: str
    min_instances: int
    max_instances: int
    gpu: bool
    served: bool
    metric: str = "average CPU utilisation"
    """What the group scales on (the autoscaling policy's metric)."""

    @property
    def name(self) -> str:
        return identifier(self.workload)


@dataclass(frozen=True)
class DatabaseSpec:
    workload: str
    engine: str
    sku: str
    storage_gb: int
    max_storage_gb: int
    high_availability: bool
    storage_type: str
    read_replicas: int = 0
    """Read replicas of `sku` beside the primary, as the bill of materials prices them."""
    dr_read_replicas: int = 0
    """Read replicas in the recovery region (only an active second region prices any)."""

    @property
    def name(self) -> str:
        return identifier(self.workload)

    def replicas_at(self, site: Site) -> int:
        return self.read_replicas if site.primary else self.dr_read_replicas


@dataclass(frozen=True)
class Site:
    region: str
    cidr: str
    standby: Standby | None = None

    @property
    def primary(self) -> bool:
        return self.standby is None

    @property
    def suffix(self) -> str:
        return "" if self.primary else "_secondary"

    @property
    def runs_compute(self) -> bool:
        return self.standby in {None, Standby.SCALED_DOWN, Standby.FULL}

    def min_instances(self, group: ComputeGroup) -> int:
        return 1 if self.standby is Standby.SCALED_DOWN else group.min_instances


@dataclass(frozen=True)
class TerraformDesign:
    provider: Provider
    project: str
    region: str
    zones: int
    kubernetes: bool
    groups: tuple[ComputeGroup, ...]
    databases: tuple[DatabaseSpec, ...]
    cdn: bool
    standby: Standby
    secondary_region: str | None
    boot_volume_gb: int
    target_cpu_pct: int

    @property
    def primary(self) -> Site:
        return Site(self.region, PRIMARY_CIDR)

    @property
    def secondary(self) -> Site | None:
        if self.secondary_region is None or self.standby is Standby.BACKUPS:
            return None
        return Site(self.secondary_region, SECONDARY_CIDR, self.standby)

    @property
    def sites(self) -> list[Site]:
        return [self.primary] + ([self.secondary] if self.secondary else [])

    @property
    def backup_region(self) -> str | None:
        return self.secondary_region if self.standby is Standby.BACKUPS else None

    def runs_compute(self, site: Site) -> bool:
        return bool(self.groups) and site.runs_compute

    @property
    def served(self) -> list[ComputeGroup]:
        return [g for g in self.groups if g.served]

    @property
    def engines(self) -> list[str]:
        return sorted({d.engine for d in self.databases})
