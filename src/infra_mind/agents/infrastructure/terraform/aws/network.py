"""AWS network: VPC module, security groups, ALB with WAF, Route 53 failover, CloudFront."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.common import (
    ENGINE_PORT,
    HEALTH_PATH,
    provider_meta,
    zonal_cidrs,
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
    Value,
    block,
    ref,
    template,
)
from infra_mind.knowledge.sla import Standby

SECONDARY = "aws.secondary"


_ANYWHERE: list[Value] = ["0.0.0.0/0"]


def network(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    s = site.suffix
    cidr = "var.vpc_cidr" if site.primary else "var.secondary_vpc_cidr"
    return [
        block(
            "data",
            "aws_availability_zones",
            f"available{s}",
            body=[provider_meta(site, SECONDARY), ("state", "available")],
        ),
        block(
            "module",
            f"vpc{s}",
            body=[
                ("source", "terraform-aws-modules/vpc/aws"),
                ("version", "~> 5.0"),
                None if site.primary else ("providers", {"aws": Expr(SECONDARY)}),
                ("name", template("${var.project}" + s.replace("_", "-"))),
                ("cidr", Expr(cidr)),
                ("azs", Expr(f"slice(data.aws_availability_zones.available{s}.names, 0, var.zone_count)")),
                ("public_subnets", zonal_cidrs(site, "public")),
                ("private_subnets", zonal_cidrs(site, "app")),
                ("database_subnets", zonal_cidrs(site, "data")),
                ("create_database_subnet_group", True),
                ("enable_nat_gateway", d.runs_compute(site)),
                ("one_nat_gateway_per_az", d.runs_compute(site)),
                ("enable_dns_hostnames", True),
            ],
        ),
        *(
            [_security_group("alb", site, 443, [("cidr_blocks", _ANYWHERE)])]
            if d.served and d.runs_compute(site)
            else []
        ),
        *([] if d.kubernetes or not d.runs_compute(site) else [_app_security_group(d, site)]),
        *[
            _security_group(f"db_{engine}", site, ENGINE_PORT[engine], _app_source(d, site))
            for engine in d.engines
        ],
    ]


def _app_source(d: TerraformDesign, site: Site) -> list[tuple[str, Value]]:
    """Where database traffic may come from: the app tier, or the whole VPC where no app tier runs yet."""
    if not d.runs_compute(site):
        return [("cidr_blocks", [ref(f"module.vpc{site.suffix}", "vpc_cidr_block")])]
    if d.kubernetes:
        return [("security_groups", [ref(f"module.eks{site.suffix}", "node_security_group_id")])]
    return [("security_groups", [ref("aws_security_group", f"app{site.suffix}", "id")])]


def _app_security_group(d: TerraformDesign, site: Site) -> Block:
    source: list[tuple[str, Value]] = (
        [("security_groups", [ref("aws_security_group", f"alb{site.suffix}", "id")])]
        if d.served
        else [("cidr_blocks", [ref(f"module.vpc{site.suffix}", "vpc_cidr_block")])]
    )
    return _security_group("app", site, Expr("var.app_port"), source)


def _security_group(role: str, site: Site, port: int | Expr, source: list[tuple[str, Value]]) -> Block:
    s = site.suffix
    return block(
        "resource",
        "aws_security_group",
        f"{role}{s}",
        body=[
            provider_meta(site, SECONDARY),
            ("name_prefix", template("${var.project}-" + role.replace("_", "-") + "-")),
            ("vpc_id", ref(f"module.vpc{s}", "vpc_id")),
            block(
                "ingress",
                body=[
                    ("description", f"{role} traffic"),
                    ("from_port", port),
                    ("to_port", port),
                    ("protocol", "tcp"),
                    *source,
                ],
            ),
            block(
                "egress",
                body=[("from_port", 0), ("to_port", 0), ("protocol", "-1"), ("cidr_blocks", _ANYWHERE)],
            ),
        ],
    )


def load_balancer(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    s = site.suffix
    first = d.served[0]
    blocks: list[Block | Comment] = [
        block(
            "resource",
            "aws_lb",
            f"web{s}",
            body=[
                provider_meta(site, SECONDARY),
                ("load_balancer_type", "application"),
                ("internal", False),
                ("subnets", ref(f"module.vpc{s}", "public_subnets")),
                ("security_groups", [ref("aws_security_group", f"alb{s}", "id")]),
                ("drop_invalid_header_fields", True),
            ],
        ),
        *[_target_group(d, g, site) for g in d.served],
        block(
            "resource",
            "aws_lb_listener",
            f"https{s}",
            body=[
                provider_meta(site, SECONDARY),
                ("load_balancer_arn", ref("aws_lb", f"web{s}", "arn")),
                ("port", 443),
                ("protocol", "HTTPS"),
                ("ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
                (
                    "certificate_arn",
                    Expr("var.certificate_arn" if site.primary else "var.secondary_certificate_arn"),
                ),
                block(
                    "default_action",
                    body=[
                        ("type", "forward"),
                        ("target_group_arn", ref("aws_lb_target_group", f"{first.name}{s}", "arn")),
                    ],
                ),
            ],
        ),
    ]
    for priority, g in enumerate(d.served[1:], start=100):
        blocks.append(
            block(
                "resource",
                "aws_lb_listener_rule",
                f"{g.name}{s}",
                body=[
                    provider_meta(site, SECONDARY),
                    ("listener_arn", ref("aws_lb_listener", f"https{s}", "arn")),
                    ("priority", priority),
                    block(
                        "action",
                        body=[
                            ("type", "forward"),
                            ("target_group_arn", ref("aws_lb_target_group", f"{g.name}{s}", "arn")),
                        ],
                    ),
                    block(
                        "condition",
                        body=[
                            block(
                                "host_header",
                                body=[("values", [template(g.workload + ".${var.domain_name}")])],
                            )
                        ],
                    ),
                ],
            )
        )
    return [*blocks, *_waf(site)]


def _target_group(d: TerraformDesign, g: ComputeGroup, site: Site) -> Block:
    return block(
        "resource",
        "aws_lb_target_group",
        f"{g.name}{site.suffix}",
        body=[
            provider_meta(site, SECONDARY),
            ("port", Expr("var.app_port")),
            ("protocol", "HTTP"),
            ("target_type", "ip" if d.kubernetes else "instance"),
            ("vpc_id", ref(f"module.vpc{site.suffix}", "vpc_id")),
            block("health_check", body=[("path", HEALTH_PATH), ("matcher", "200")]),
        ],
    )


def _waf(site: Site) -> list[Block | Comment]:
    s = site.suffix
    visibility = block(
        "visibility_config",
        body=[
            ("cloudwatch_metrics_enabled", True),
            ("metric_name", f"edge{s}"),
            ("sampled_requests_enabled", True),
        ],
    )
    return [
        block(
            "resource",
            "aws_wafv2_web_acl",
            f"edge{s}",
            body=[
                provider_meta(site, SECONDARY),
                ("name", template("${var.project}-edge" + s.replace("_", "-"))),
                ("scope", "REGIONAL"),
                block("default_action", body=[block("allow")]),
                block(
                    "rule",
                    body=[
                        ("name", "aws-common-rules"),
                        ("priority", 1),
                        block("override_action", body=[block("none")]),
                        block(
                            "statement",
                            body=[
                                block(
                                    "managed_rule_group_statement",
                                    body=[("name", "AWSManagedRulesCommonRuleSet"), ("vendor_name", "AWS")],
                                )
                            ],
                        ),
                        block(
                            "visibility_config",
                            body=[
                                ("cloudwatch_metrics_enabled", True),
                                ("metric_name", "aws-common-rules"),
                                ("sampled_requests_enabled", True),
                            ],
                        ),
                    ],
                ),
                visibility,
            ],
        ),
        block(
            "resource",
            "aws_wafv2_web_acl_association",
            f"web{s}",
            body=[
                provider_meta(site, SECONDARY),
                ("resource_arn", ref("aws_lb", f"web{s}", "arn")),
                ("web_acl_arn", ref("aws_wafv2_web_acl", f"edge{s}", "arn")),
            ],
        ),
    ]


def failover_records(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = []
    for site in d.sites:
        s = site.suffix
        blocks.append(
            block(
                "resource",
                "aws_route53_health_check",
                f"web{s}",
                body=[
                    ("fqdn", ref("aws_lb", f"web{s}", "dns_name")),
                    ("port", 443),
                    ("type", "HTTPS"),
                    ("resource_path", HEALTH_PATH),
                    ("failure_threshold", 3),
                    ("request_interval", 30),
                ],
            )
        )
        routing = (
            block(
                "latency_routing_policy",
                body=[("region", Expr("var.region" if site.primary else "var.secondary_region"))],
            )
            if d.standby is Standby.FULL
            else block("failover_routing_policy", body=[("type", "PRIMARY" if site.primary else "SECONDARY")])
        )
        blocks.append(
            block(
                "resource",
                "aws_route53_record",
                f"app{s}",
                body=[
                    ("zone_id", Expr("var.zone_id")),
                    ("name", template("app.${var.domain_name}")),
                    ("type", "A"),
                    ("set_identifier", "primary" if site.primary else "secondary"),
                    ("health_check_id", ref("aws_route53_health_check", f"web{s}", "id")),
                    routing,
                    block(
                        "alias",
                        body=[
                            ("name", ref("aws_lb", f"web{s}", "dns_name")),
                            ("zone_id", ref("aws_lb", f"web{s}", "zone_id")),
                            ("evaluate_target_health", True),
                        ],
                    ),
                ],
            )
        )
    return blocks


def cdn(d: TerraformDesign) -> list[Block | Comment]:
    failover = d.secondary is not None and d.runs_compute(d.secondary)
    origin = template("app.${var.domain_name}") if failover else ref("aws_lb", "web", "dns_name")
    return [
        block(
            "data", "aws_cloudfront_cache_policy", "optimized", body=[("name", "Managed-CachingOptimized")]
        ),
        block(
            "data", "aws_cloudfront_origin_request_policy", "all_viewer", body=[("name", "Managed-AllViewer")]
        ),
        block(
            "resource",
            "aws_cloudfront_distribution",
            "web",
            body=[
                ("enabled", True),
                ("comment", d.served[0].workload),
                block(
                    "origin",
                    body=[
                        ("domain_name", origin),
                        ("origin_id", "web"),
                        block(
                            "custom_origin_config",
                            body=[
                                ("http_port", 80),
                                ("https_port", 443),
                                ("origin_protocol_policy", "https-only"),
                                ("origin_ssl_protocols", ["TLSv1.2"]),
                            ],
                        ),
                    ],
                ),
                block(
                    "default_cache_behavior",
                    body=[
                        ("target_origin_id", "web"),
                        ("viewer_protocol_policy", "redirect-to-https"),
                        ("allowed_methods", ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]),
                        ("cached_methods", ["GET", "HEAD"]),
                        ("cache_policy_id", ref("data.aws_cloudfront_cache_policy.optimized", "id")),
                        (
                            "origin_request_policy_id",
                            ref("data.aws_cloudfront_origin_request_policy.all_viewer", "id"),
                        ),
                    ],
                ),
                block("restrictions", body=[block("geo_restriction", body=[("restriction_type", "none")])]),
                block("viewer_certificate", body=[("cloudfront_default_certificate", True)]),
            ],
        ),
    ]
