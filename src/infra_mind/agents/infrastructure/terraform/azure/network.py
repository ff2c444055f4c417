"""Azure network: VNet, subnets, NSGs, NAT, Application Gateway, Traffic Manager, Front Door."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.common import (
    ENGINE_PORT,
    HEALTH_PATH,
    regional_cidr,
)
from infra_mind.agents.infrastructure.terraform.design import (
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

_PROBE_DEFAULTS: list[Item] = [("interval", 30), ("timeout", 30), ("unhealthy_threshold", 3)]
"""Application Gateway's documented probe defaults, written out because azurerm requires them."""


_LAST_RULE_PRIORITY = 1000


_DELEGATION = {
    "postgresql": "Microsoft.DBforPostgreSQL/flexibleServers",
    "mysql": "Microsoft.DBforMySQL/flexibleServers",
}


def resource_group(site: Site) -> tuple[Expr, Expr]:
    return (
        ref("azurerm_resource_group", f"main{site.suffix}", "name"),
        ref("azurerm_resource_group", f"main{site.suffix}", "location"),
    )


def placed(site: Site, name: Value) -> list[Item]:
    group, location = resource_group(site)
    return [("name", name), ("resource_group_name", group), ("location", location)]


def network(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    s = site.suffix
    group, _ = resource_group(site)
    vnet = ref("azurerm_virtual_network", f"main{s}", "name")
    region = "var.region" if site.primary else "var.secondary_region"
    cidr = "var.vpc_cidr" if site.primary else "var.secondary_vpc_cidr"
    blocks: list[Block | Comment] = [
        block(
            "resource",
            "azurerm_resource_group",
            f"main{s}",
            body=[("name", template("${var.project}" + s.replace("_", "-"))), ("location", Expr(region))],
        ),
        block(
            "resource",
            "azurerm_virtual_network",
            f"main{s}",
            body=[
                *placed(site, template("${var.project}" + s.replace("_", "-"))),
                ("address_space", [Expr(cidr)]),
            ],
        ),
        Comment("Azure subnets span every zone of the region; zonal resources pick their zones"),
    ]

    def subnet(name: str, tier: str, extra: int = 0, *body: Item | Block) -> Block:
        return block(
            "resource",
            "azurerm_subnet",
            f"{name}{s}",
            body=[
                ("name", name),
                ("resource_group_name", group),
                ("virtual_network_name", vnet),
                ("address_prefixes", [regional_cidr(site, tier, extra)]),
                *body,
            ],
        )

    if d.runs_compute(site):
        if d.served:
            blocks.append(subnet("public", "public"))
        blocks += [
            subnet("app", "app"),
            *_nat(site),
            *_nsg(site, "app", "public" if d.served else None, Expr("var.app_port")),
        ]
    for index, engine in enumerate(d.engines):
        blocks.append(
            subnet(
                f"data_{engine}",
                "data",
                index,
                block(
                    "delegation",
                    body=[
                        ("name", engine),
                        block(
                            "service_delegation",
                            body=[
                                ("name", _DELEGATION[engine]),
                                ("actions", ["Microsoft.Network/virtualNetworks/subnets/join/action"]),
                            ],
                        ),
                    ],
                ),
            )
        )
        blocks += _nsg(site, f"data_{engine}", "app" if d.runs_compute(site) else None, ENGINE_PORT[engine])
        blocks.append(
            block(
                "resource",
                "azurerm_private_dns_zone_virtual_network_link",
                f"{engine}{s}",
                body=[
                    ("name", f"{engine}{s.replace('_', '-')}"),
                    ("resource_group_name", ref("azurerm_resource_group", "main", "name")),
                    ("private_dns_zone_name", ref("azurerm_private_dns_zone", engine, "name")),
                    ("virtual_network_id", ref("azurerm_virtual_network", f"main{s}", "id")),
                ],
            )
        )
    return blocks


def _nat(site: Site) -> list[Block | Comment]:
    s = site.suffix
    return [
        block(
            "resource",
            "azurerm_public_ip",
            f"nat{s}",
            body=[
                *placed(site, template("${var.project}-nat" + s.replace("_", "-"))),
                ("allocation_method", "Static"),
                ("sku", "Standard"),
            ],
        ),
        block(
            "resource",
            "azurerm_nat_gateway",
            f"main{s}",
            body=[
                *placed(site, template("${var.project}-nat" + s.replace("_", "-"))),
                ("sku_name", "Standard"),
            ],
        ),
        block(
            "resource",
            "azurerm_nat_gateway_public_ip_association",
            f"main{s}",
            body=[
                ("nat_gateway_id", ref("azurerm_nat_gateway", f"main{s}", "id")),
                ("public_ip_address_id", ref("azurerm_public_ip", f"nat{s}", "id")),
            ],
        ),
        block(
            "resource",
            "azurerm_subnet_nat_gateway_association",
            f"app{s}",
            body=[
                ("subnet_id", ref("azurerm_subnet", f"app{s}", "id")),
                ("nat_gateway_id", ref("azurerm_nat_gateway", f"main{s}", "id")),
            ],
        ),
    ]


def _nsg(site: Site, subnet: str, source: str | None, port: int | Expr) -> list[Block | Comment]:
    """An NSG letting `port` in from the `source` subnet only (from the whole VNet when there is none)."""
    s = site.suffix
    source_prefix = (
        ref("azurerm_subnet", f"{source}{s}", "address_prefixes[0]")
        if source
        else Expr("var.vpc_cidr" if site.primary else "var.secondary_vpc_cidr")
    )
    return [
        block(
            "resource",
            "azurerm_network_security_group",
            f"{subnet}{s}",
            body=[
                *placed(site, template("${var.project}-" + subnet.replace("_", "-") + s.replace("_", "-"))),
                block(
                    "security_rule",
                    body=[
                        ("name", f"allow-{source or 'vnet'}"),
                        ("priority", 100),
                        ("direction", "Inbound"),
                        ("access", "Allow"),
                        ("protocol", "Tcp"),
                        ("source_port_range", "*"),
                        ("destination_port_range", port),
                        ("source_address_prefix", source_prefix),
                        ("destination_address_prefix", "*"),
                    ],
                ),
            ],
        ),
        block(
            "resource",
            "azurerm_subnet_network_security_group_association",
            f"{subnet}{s}",
            body=[
                ("subnet_id", ref("azurerm_subnet", f"{subnet}{s}", "id")),
                ("network_security_group_id", ref("azurerm_network_security_group", f"{subnet}{s}", "id")),
            ],
        ),
    ]


def gateway(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    s = site.suffix
    served = d.served
    parts: list[Item | Block] = [
        *placed(site, template("${var.project}-web" + s.replace("_", "-"))),
        ("zones", Expr("local.zones")),
        ("firewall_policy_id", ref("azurerm_web_application_firewall_policy", f"edge{s}", "id")),
        block("sku", body=[("name", "WAF_v2"), ("tier", "WAF_v2")]),
        block("autoscale_configuration", body=[("min_capacity", Expr("var.zone_count"))]),
        block(
            "gateway_ip_configuration",
            body=[("name", "gateway"), ("subnet_id", ref("azurerm_subnet", f"public{s}", "id"))],
        ),
        block("frontend_port", body=[("name", "https"), ("port", 443)]),
        block(
            "frontend_ip_configuration",
            body=[
                ("name", "public"),
                ("public_ip_address_id", ref("azurerm_public_ip", f"gateway{s}", "id")),
            ],
        ),
        block(
            "ssl_certificate",
            body=[
                ("name", "tls"),
                ("data", Expr("filebase64(var.certificate_pfx_path)")),
                ("password", Expr("var.certificate_password")),
            ],
        ),
    ]
    for index, g in enumerate(served):
        parts += _gateway_route(g, index)
    if d.kubernetes:
        parts.append(
            block(
                "lifecycle",
                body=[
                    Comment("the AKS ingress controller (AGIC) owns routing from here on"),
                    (
                        "ignore_changes",
                        [
                            Expr(a)
                            for a in (
                                "backend_address_pool",
                                "backend_http_settings",
                                "http_listener",
                                "probe",
                                "request_routing_rule",
                                "tags",
                                "url_path_map",
                            )
                        ],
                    ),
                ],
            )
        )
    return [
        block(
            "resource",
            "azurerm_public_ip",
            f"gateway{s}",
            body=[
                *placed(site, template("${var.project}-web" + s.replace("_", "-"))),
                ("allocation_method", "Static"),
                ("sku", "Standard"),
                ("zones", Expr("local.zones")),
                ("domain_name_label", template("${var.project}" + s.replace("_", "-"))),
            ],
        ),
        block(
            "resource",
            "azurerm_web_application_firewall_policy",
            f"edge{s}",
            body=[
                *placed(site, template("${var.project}-edge" + s.replace("_", "-"))),
                block("policy_settings", body=[("enabled", True), ("mode", "Prevention")]),
                block(
                    "managed_rules",
                    body=[block("managed_rule_set", body=[("type", "OWASP"), ("version", "3.2")])],
                ),
            ],
        ),
        block("resource", "azurerm_application_gateway", f"web{s}", body=parts),
    ]


def _gateway_route(g: ComputeGroup, index: int) -> list[Item | Block]:
    host = None if index == 0 else ("host_name", template(g.workload + ".${var.domain_name}"))
    return [
        block("backend_address_pool", body=[("name", g.workload)]),
        block(
            "probe",
            body=[
                ("name", g.workload),
                ("protocol", "Http"),
                ("path", HEALTH_PATH),
                ("host", "127.0.0.1"),
                *_PROBE_DEFAULTS,
            ],
        ),
        block(
            "backend_http_settings",
            body=[
                ("name", g.workload),
                ("cookie_based_affinity", "Disabled"),
                ("port", Expr("var.app_port")),
                ("protocol", "Http"),
                ("probe_name", g.workload),
            ],
        ),
        block(
            "http_listener",
            body=[
                ("name", g.workload),
                ("frontend_ip_configuration_name", "public"),
                ("frontend_port_name", "https"),
                ("protocol", "Https"),
                ("ssl_certificate_name", "tls"),
                host,
            ],
        ),
        block(
            "request_routing_rule",
            body=[
                ("name", g.workload),
                ("rule_type", "Basic"),
                ("http_listener_name", g.workload),
                ("backend_address_pool_name", g.workload),
                ("backend_http_settings_name", g.workload),
                ("priority", _LAST_RULE_PRIORITY if index == 0 else 100 + index),
            ],
        ),
    ]


def traffic_manager(d: TerraformDesign) -> list[Block | Comment]:
    full = d.standby is Standby.FULL
    blocks: list[Block | Comment] = [
        block(
            "resource",
            "azurerm_traffic_manager_profile",
            "web",
            body=[
                ("name", template("${var.project}-web")),
                ("resource_group_name", ref("azurerm_resource_group", "main", "name")),
                ("traffic_routing_method", "Performance" if full else "Priority"),
                block("dns_config", body=[("relative_name", Expr("var.project")), ("ttl", 30)]),
                block("monitor_config", body=[("protocol", "HTTPS"), ("port", 443), ("path", HEALTH_PATH)]),
            ],
        )
    ]
    for priority, site in enumerate(d.sites, start=1):
        blocks.append(
            block(
                "resource",
                "azurerm_traffic_manager_azure_endpoint",
                f"web{site.suffix}",
                body=[
                    ("name", "primary" if site.primary else "secondary"),
                    ("profile_id", ref("azurerm_traffic_manager_profile", "web", "id")),
                    ("target_resource_id", ref("azurerm_public_ip", f"gateway{site.suffix}", "id")),
                    None if full else ("priority", priority),
                ],
            )
        )
    return blocks


def front_door(d: TerraformDesign) -> list[Block | Comment]:
    failover = d.secondary is not None and d.runs_compute(d.secondary)
    origin = (
        ref("azurerm_traffic_manager_profile", "web", "fqdn")
        if failover
        else ref("azurerm_public_ip", "gateway", "fqdn")
    )
    profile = ref("azurerm_cdn_frontdoor_profile", "web", "id")
    return [
        block(
            "resource",
            "azurerm_cdn_frontdoor_profile",
            "web",
            body=[
                ("name", template("${var.project}-edge")),
                ("resource_group_name", ref("azurerm_resource_group", "main", "name")),
                ("sku_name", "Standard_AzureFrontDoor"),
            ],
        ),
        block(
            "resource",
            "azurerm_cdn_frontdoor_endpoint",
            "web",
            body=[("name", Expr("var.project")), ("cdn_frontdoor_profile_id", profile)],
        ),
        block(
            "resource",
            "azurerm_cdn_frontdoor_origin_group",
            "web",
            body=[("name", "web"), ("cdn_frontdoor_profile_id", profile), block("load_balancing")],
        ),
        block(
            "resource",
            "azurerm_cdn_frontdoor_origin",
            "web",
            body=[
                ("name", "gateway"),
                ("cdn_frontdoor_origin_group_id", ref("azurerm_cdn_frontdoor_origin_group", "web", "id")),
                ("host_name", origin),
                ("origin_host_header", origin),
                ("certificate_name_check_enabled", True),
                ("enabled", True),
            ],
        ),
        block(
            "resource",
            "azurerm_cdn_frontdoor_route",
            "web",
            body=[
                ("name", "web"),
                ("cdn_frontdoor_endpoint_id", ref("azurerm_cdn_frontdoor_endpoint", "web", "id")),
                ("cdn_frontdoor_origin_group_id", ref("azurerm_cdn_frontdoor_origin_group", "web", "id")),
                ("cdn_frontdoor_origin_ids", [ref("azurerm_cdn_frontdoor_origin", "web", "id")]),
                ("supported_protocols", ["Http", "Https"]),
                ("patterns_to_match", ["/*"]),
                ("forwarding_protocol", "HttpsOnly"),
                ("https_redirect_enabled", True),
                block(
                    "cache",
                    body=[
                        ("query_string_caching_behavior", "UseQueryString"),
                        ("compression_enabled", True),
                        ("content_types_to_compress", ["text/html", "text/css", "application/javascript"]),
                    ],
                ),
            ],
        ),
    ]
