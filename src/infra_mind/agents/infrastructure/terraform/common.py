"""Blocks every provider's skeleton shares: the header, variables, outputs, subnet CIDR expressions."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.design import (
    SUBNET_NEWBITS,
    TIER_OFFSET,
    Site,
    TerraformDesign,
)
from infra_mind.agents.infrastructure.terraform.hcl import Block, Comment, Expr, Item, Value, block

APP_PORT = 8080
HEALTH_PATH = "/healthz"
BACKUP_RETENTION_DAYS = 35
"""The longest automated-backup retention RDS and Azure flexible servers allow."""
ENGINE_VERSION = {"postgresql": "16", "mysql": "8.0"}
ENGINE_PORT = {"postgresql": 5432, "mysql": 3306}


def preamble(d: TerraformDesign, cloud: str, provider: str, version: str) -> list[Block | Comment]:
    """The header comment and the terraform block pinning Terraform and the provider plugin."""
    return [
        Comment(
            f"{d.project}: generated skeleton of the recommended {cloud} design; review before applying."
        ),
        block(
            "terraform",
            body=[
                ("required_version", ">= 1.5"),
                block(
                    "required_providers",
                    body=[(provider, {"source": f"hashicorp/{provider}", "version": version})],
                ),
            ],
        ),
    ]


def variable(
    name: str, type_: str, description: str, default: Value | None = None, *, sensitive: bool = False
) -> Block:
    return block(
        "variable",
        name,
        body=[
            ("description", description),
            ("type", Expr(type_)),
            ("default", default) if default is not None else None,
            ("sensitive", True) if sensitive else None,
        ],
    )


def output(name: str, value: Expr, description: str) -> Block:
    return block("output", name, body=[("description", description), ("value", value)])


def cidr_var(site: Site) -> str:
    return "var.vpc_cidr" if site.primary else "var.secondary_vpc_cidr"


def region_var(site: Site) -> str:
    return "var.region" if site.primary else "var.secondary_region"


def zonal_cidrs(site: Site, tier: str) -> Expr:
    """One /20 per zone for `tier`, as a for-expression over var.zone_count."""
    offset = TIER_OFFSET[tier]
    index = f"i + {offset}" if offset else "i"
    return Expr(f"[for i in range(var.zone_count) : cidrsubnet({cidr_var(site)}, {SUBNET_NEWBITS}, {index})]")


def regional_cidr(site: Site, tier: str, extra: int = 0) -> Expr:
    return Expr(f"cidrsubnet({cidr_var(site)}, {SUBNET_NEWBITS}, {TIER_OFFSET[tier] + extra})")


def common_variables(
    d: TerraformDesign,
    *,
    cidr_name: str = "VPC",
    versions: dict[str, str] | None = None,
    needs_domain: bool = False,
) -> list[Block]:
    engine_versions = ENGINE_VERSION | (versions or {})
    blocks = [
        variable("project", "string", "Name prefix of every resource", d.project),
        variable("region", "string", "Primary region", d.region),
        variable("zone_count", "number", "Availability zones the primary region spreads over", d.zones),
        variable("vpc_cidr", "string", f"Address space of the primary {cidr_name}", d.primary.cidr),
        variable("app_port", "number", "Port the application listens on behind the load balancer", APP_PORT),
        variable(
            "backup_retention_days", "number", "Days of automated database backups", BACKUP_RETENTION_DAYS
        ),
    ]
    if d.secondary_region:
        blocks.append(variable("secondary_region", "string", "Disaster-recovery region", d.secondary_region))
    if d.secondary:
        blocks.append(
            variable(
                "secondary_vpc_cidr",
                "string",
                f"Address space of the secondary {cidr_name}",
                d.secondary.cidr,
            )
        )
    blocks += [
        variable(f"{engine}_version", "string", f"{engine} version", engine_versions[engine])
        for engine in d.engines
    ]
    if needs_domain or len(d.served) > 1 or d.secondary:
        blocks.append(variable("domain_name", "string", "DNS domain the services are published under"))
    return blocks


def provider_meta(site: Site, alias: str) -> Item | None:
    return None if site.primary else ("provider", Expr(alias))


def scaling_comment(d: TerraformDesign) -> str:
    return (
        f"pods scale with a HorizontalPodAutoscaler at {d.target_cpu_pct}% CPU; the cluster autoscaler adds "
        "nodes within each pool's min and max"
    )
