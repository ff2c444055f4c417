"""Network topology: regions, zones, tiered subnets, load balancing and edge."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Literal

from infra_mind.agents.infrastructure.terraform.common import APP_PORT, ENGINE_PORT
from infra_mind.agents.infrastructure.terraform.design import (
    PRIMARY_CIDR,
    SECONDARY_CIDR,
    SUBNET_NEWBITS,
    TIER_OFFSET,
    TerraformDesign,
)
from infra_mind.agents.products import PRODUCTS, Products
from infra_mind.domain.outputs.infrastructure import Subnet, Topology
from infra_mind.knowledge.models import Provider

Tier = Literal["public", "app", "data"]
_TIERS: tuple[Tier, ...] = ("public", "app", "data")


def build_topology(design: TerraformDesign) -> Topology:
    products = PRODUCTS[design.provider]
    subnets = [
        s
        for site in design.sites
        for s in _subnets(design, products, site.region, site.cidr, compute=design.runs_compute(site))
    ]
    secondary = design.secondary
    return Topology(
        provider=design.provider.value,
        primary_region=design.region,
        secondary_region=secondary.region if secondary else None,
        zones=design.zones,
        network=_network_lines(design, products, subnets),
        load_balancing=_load_balancing(design, products),
        cdn=design.cdn,
        edge_protection=f"{products.waf} on the public entry point; {products.ddos}"
        if design.served
        else "no public entry point: nothing is exposed to the internet",
        platform=(products.kubernetes if design.kubernetes else products.vm_group)
        if design.groups
        else "managed services only",
        subnets=subnets,
    )


def _subnets(
    design: TerraformDesign, products: Products, region: str, cidr: str, *, compute: bool
) -> list[Subnet]:
    """The subnets the Terraform skeleton declares in one region, with their CIDRs."""
    slots = list(IPv4Network(cidr).subnets(prefixlen_diff=SUBNET_NEWBITS))

    def subnet(name: str, tier: Tier, index: int, zone: int | None = None) -> Subnet:
        return Subnet(
            name=name, tier=tier, region=region, zone=zone, cidr=str(slots[TIER_OFFSET[tier] + index])
        )

    if products.zonal_subnets:
        return [
            subnet(f"{tier}-{zone + 1}", tier, zone, zone) for tier in _TIERS for zone in range(design.zones)
        ]
    subnets = []
    if compute and design.served and design.provider is Provider.AZURE:
        subnets.append(subnet("public", "public", 0))
    if compute:
        subnets.append(subnet("app", "app", 0))
    if design.provider is Provider.AZURE:
        subnets += [subnet(f"data-{engine}", "data", i) for i, engine in enumerate(design.engines)]
    elif design.databases:
        subnets.append(subnet("private-services", "data", 0))
    return subnets


def _network_lines(design: TerraformDesign, products: Products, subnets: list[Subnet]) -> list[str]:
    zones = f"{design.zones} availability zones" if design.zones > 1 else "a single availability zone"
    lines = [f"{products.network} {PRIMARY_CIDR} in {design.region}, spread over {zones}"]
    for tier, role in (
        ("public", "load balancer and NAT only"),
        ("app", "application tier, no public addresses"),
        ("data", "managed databases, reachable from the application tier only"),
    ):
        cidrs = [s.cidr for s in subnets if s.tier == tier and s.region == design.region]
        if cidrs:
            lines.append(f"{tier} subnets ({role}): {', '.join(cidrs)}")
    if not products.zonal_subnets:
        lines.append(
            f"{design.provider.value} subnets are regional: each spans every zone and zonal resources "
            "choose their zones"
        )
    if design.groups:
        ports = ", ".join(f"{engine} :{ENGINE_PORT[engine]}" for engine in design.engines) or "no database"
        entry = "internet :443 → load balancer → " if design.served else ""
        lines.append(
            f"traffic: {entry}application tier :{APP_PORT} → data tier ({ports}); each hop admits only "
            "the tier before it"
        )
        lines.append(f"outbound traffic from private subnets leaves through {products.nat}")
    if design.secondary:
        lines.append(
            f"secondary {products.network} {SECONDARY_CIDR} in {design.secondary.region} (does not overlap "
            "the primary, so the two can be peered for replication)"
        )
    return lines


def _load_balancing(design: TerraformDesign, products: Products) -> str:
    if not design.served:
        return "none: no workload serves traffic from the internet"
    names = ", ".join(g.workload for g in design.served)
    text = (
        f"{products.load_balancer} across {design.zones} zone(s) in front of {names}, TLS terminated at :443"
    )
    if design.secondary and design.runs_compute(design.secondary):
        text += f"; regional failover through {products.failover_routing}"
    return text
