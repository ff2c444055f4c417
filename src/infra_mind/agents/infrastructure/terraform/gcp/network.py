"""GCP network: VPC, regional subnets, Cloud NAT, private services, global load balancer, Cloud Armor."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.common import (
    regional_cidr,
)
from infra_mind.agents.infrastructure.terraform.design import (
    SUBNET_NEWBITS,
    TIER_OFFSET,
    ComputeGroup,
    Site,
    TerraformDesign,
)
from infra_mind.agents.infrastructure.terraform.hcl import (
    Block,
    Comment,
    Expr,
    Item,
    Value,
    block,
    ref,
    template,
)
from infra_mind.knowledge.sla import Standby

_HEALTH_CHECK_RANGES: list[Value] = ["35.191.0.0/16", "130.211.0.0/22"]
"""Google's documented source ranges of load-balancer health checks."""


NETWORK = ref("google_compute_network", "main", "id")


def region(site: Site) -> Expr:
    return Expr("var.region" if site.primary else "var.secondary_region")


def zones(site: Site) -> Expr:
    return Expr(f"slice(data.google_compute_zones.available{site.suffix}.names, 0, var.zone_count)")


def shared_network(d: TerraformDesign) -> list[Block | Comment]:
    data_range = f"cidrsubnet(var.vpc_cidr, {SUBNET_NEWBITS}, {TIER_OFFSET['data']})"
    blocks: list[Block | Comment] = [
        Comment("a VPC network is global; subnets are regional and span the region's zones"),
        block(
            "resource",
            "google_compute_network",
            "main",
            body=[("name", Expr("var.project")), ("auto_create_subnetworks", False)],
        ),
    ]
    if d.databases:
        blocks += [
            block(
                "resource",
                "google_compute_global_address",
                "private_services",
                body=[
                    ("name", template("${var.project}-private-services")),
                    ("purpose", "VPC_PEERING"),
                    ("address_type", "INTERNAL"),
                    ("address", Expr(f"cidrhost({data_range}, 0)")),
                    ("prefix_length", 16 + SUBNET_NEWBITS),
                    ("network", NETWORK),
                ],
            ),
            block(
                "resource",
                "google_service_networking_connection",
                "private_services",
                body=[
                    ("network", NETWORK),
                    ("service", "servicenetworking.googleapis.com"),
                    (
                        "reserved_peering_ranges",
                        [ref("google_compute_global_address", "private_services", "name")],
                    ),
                ],
            ),
        ]
    if d.groups:
        blocks.append(
            block(
                "resource",
                "google_compute_firewall",
                "health_checks",
                body=[
                    ("name", template("${var.project}-allow-health-checks")),
                    ("network", NETWORK),
                    ("source_ranges", _HEALTH_CHECK_RANGES),
                    ("target_tags", ["app"]),
                    block("allow", body=[("protocol", "tcp"), ("ports", [Expr("tostring(var.app_port)")])]),
                ],
            )
        )
    return blocks


def site_network(d: TerraformDesign, site: Site, index: int) -> list[Block | Comment]:
    s = site.suffix
    if not d.runs_compute(site):
        return []
    ranges: list[Item | Block] = (
        [
            block(
                "secondary_ip_range",
                body=[
                    ("range_name", "pods"),
                    ("ip_cidr_range", Expr(f"cidrsubnet(var.pods_cidr, 2, {index})")),
                ],
            ),
            block(
                "secondary_ip_range",
                body=[
                    ("range_name", "services"),
                    ("ip_cidr_range", Expr(f"cidrsubnet(var.services_cidr, 4, {index})")),
                ],
            ),
        ]
        if d.kubernetes
        else []
    )
    return [
        block("data", "google_compute_zones", f"available{s}", body=[("region", region(site))]),
        block(
            "resource",
            "google_compute_subnetwork",
            f"app{s}",
            body=[
                ("name", template("${var.project}-app" + s.replace("_", "-"))),
                ("region", region(site)),
                ("network", NETWORK),
                ("ip_cidr_range", regional_cidr(site, "app")),
                ("private_ip_google_access", True),
                *ranges,
            ],
        ),
        block(
            "resource",
            "google_compute_router",
            f"main{s}",
            body=[
                ("name", template("${var.project}-router" + s.replace("_", "-"))),
                ("region", region(site)),
                ("network", NETWORK),
            ],
        ),
        block(
            "resource",
            "google_compute_router_nat",
            f"main{s}",
            body=[
                ("name", template("${var.project}-nat" + s.replace("_", "-"))),
                ("region", region(site)),
                ("router", ref("google_compute_router", f"main{s}", "name")),
                ("nat_ip_allocate_option", "AUTO_ONLY"),
                ("source_subnetwork_ip_ranges_to_nat", "ALL_SUBNETWORKS_ALL_IP_RANGES"),
            ],
        ),
    ]


def edge(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = [
        block(
            "resource",
            "google_compute_global_address",
            "web",
            body=[("name", template("${var.project}-web"))],
        ),
        block(
            "resource",
            "google_compute_security_policy",
            "edge",
            body=[
                ("name", template("${var.project}-edge")),
                block(
                    "rule",
                    body=[
                        ("action", "deny(403)"),
                        ("priority", 1000),
                        ("description", "OWASP SQL injection signatures"),
                        block(
                            "match",
                            body=[
                                block(
                                    "expr",
                                    body=[("expression", "evaluatePreconfiguredWaf('sqli-v33-stable')")],
                                )
                            ],
                        ),
                    ],
                ),
                block(
                    "rule",
                    body=[
                        ("action", "allow"),
                        ("priority", 2147483647),
                        ("description", "default"),
                        block(
                            "match",
                            body=[
                                ("versioned_expr", "SRC_IPS_V1"),
                                block("config", body=[("src_ip_ranges", ["*"])]),
                            ],
                        ),
                    ],
                ),
                block(
                    "adaptive_protection_config",
                    body=[block("layer_7_ddos_defense_config", body=[("enable", True)])],
                ),
            ],
        ),
    ]
    if d.kubernetes:
        return [
            *blocks,
            Comment(
                "the GKE Ingress creates the load balancer: annotate it with "
                "kubernetes.io/ingress.global-static-ip-name = google_compute_global_address.web.name "
                "and attach google_compute_security_policy.edge through a BackendConfig"
            ),
        ]
    return blocks + _load_balancer(d)


def _load_balancer(d: TerraformDesign) -> list[Block | Comment]:
    first, *others = d.served
    hosts = [template(g.workload + ".${var.domain_name}") for g in others]
    blocks: list[Block | Comment] = [_backend_service(d, g) for g in d.served]
    blocks += [
        block(
            "resource",
            "google_compute_url_map",
            "web",
            body=[
                ("name", template("${var.project}-web")),
                ("default_service", ref("google_compute_backend_service", first.name, "id")),
                *[
                    block("host_rule", body=[("hosts", [host]), ("path_matcher", g.name)])
                    for g, host in zip(others, hosts, strict=True)
                ],
                *[
                    block(
                        "path_matcher",
                        body=[
                            ("name", g.name),
                            ("default_service", ref("google_compute_backend_service", g.name, "id")),
                        ],
                    )
                    for g in others
                ],
            ],
        ),
        block(
            "resource",
            "google_compute_managed_ssl_certificate",
            "web",
            body=[
                ("name", template("${var.project}-web")),
                block("managed", body=[("domains", [Expr("var.domain_name"), *hosts])]),
            ],
        ),
        block(
            "resource",
            "google_compute_target_https_proxy",
            "web",
            body=[
                ("name", template("${var.project}-web")),
                ("url_map", ref("google_compute_url_map", "web", "id")),
                ("ssl_certificates", [ref("google_compute_managed_ssl_certificate", "web", "id")]),
            ],
        ),
        block(
            "resource",
            "google_compute_global_forwarding_rule",
            "web",
            body=[
                ("name", template("${var.project}-web")),
                ("target", ref("google_compute_target_https_proxy", "web", "id")),
                ("ip_address", ref("google_compute_global_address", "web", "id")),
                ("port_range", "443"),
                ("load_balancing_scheme", "EXTERNAL_MANAGED"),
            ],
        ),
    ]
    return blocks


def _backend_service(d: TerraformDesign, g: ComputeGroup) -> Block:
    cdn = d.cdn and g.workload_type == "web_app"
    backends = [
        block(
            "backend",
            body=[
                (
                    "group",
                    ref(
                        "google_compute_region_instance_group_manager",
                        f"{g.name}{site.suffix}",
                        "instance_group",
                    ),
                ),
                ("balancing_mode", "UTILIZATION"),
                Comment("drained standby: set capacity_scaler to 1 at failover")
                if site.standby is Standby.SCALED_DOWN
                else None,
                ("capacity_scaler", 0 if site.standby is Standby.SCALED_DOWN else 1),
            ],
        )
        for site in d.sites
        if d.runs_compute(site)
    ]
    return block(
        "resource",
        "google_compute_backend_service",
        g.name,
        body=[
            ("name", template("${var.project}-" + g.workload)),
            ("protocol", "HTTP"),
            ("port_name", "http"),
            ("load_balancing_scheme", "EXTERNAL_MANAGED"),
            ("health_checks", [ref("google_compute_health_check", "app", "id")]),
            ("security_policy", ref("google_compute_security_policy", "edge", "id")),
            ("enable_cdn", cdn),
            block("cdn_policy", body=[("cache_mode", "CACHE_ALL_STATIC")]) if cdn else None,
            *backends,
        ],
    )
