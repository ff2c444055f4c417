"""The AWS skeleton: VPC module, EKS or Auto Scaling groups, RDS, ALB with WAF, CloudFront, S3, DR."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.common import (
    ENGINE_PORT,
    HEALTH_PATH,
    common_variables,
    output,
    provider_meta,
    scaling_comment,
    variable,
    zonal_cidrs,
)
from infra_mind.agents.infrastructure.terraform.design import ComputeGroup, DatabaseSpec, Site, TerraformDesign
from infra_mind.agents.infrastructure.terraform.hcl import Block, Comment, Expr, block, ref, render, template
from infra_mind.knowledge.sla import Standby

_SECONDARY = "aws.secondary"
_ENGINE = {"postgresql": "postgres", "mysql": "mysql"}
_ANYWHERE = ["0.0.0.0/0"]


def render_aws(d: TerraformDesign) -> str:
    blocks: list[Block | Comment] = [*_settings(d), *_variables(d)]
    for site in d.sites:
        blocks += _network(d, site)
        if site.runs_compute:
            blocks += _compute(d, site)
            if d.served:
                blocks += _load_balancer(d, site)
        blocks += [_database(d, db, site) for db in d.databases]
    blocks += _backup_copies(d)
    if d.secondary and d.secondary.runs_compute and d.served:
        blocks += _failover_records(d)
    if d.cdn and d.served:
        blocks += _cdn(d)
    blocks += [*_bucket(), *_outputs(d)]
    return render(blocks)


def _settings(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = [
        Comment(f"{d.project}: generated skeleton of the recommended AWS design; review before applying."),
        block("terraform", body=[
            ("required_version", ">= 1.5"),
            block("required_providers", body=[("aws", {"source": "hashicorp/aws", "version": "~> 5.0"})]),
        ]),
        block("provider", "aws", body=[
            ("region", Expr("var.region")),
            block("default_tags", body=[("tags", {"project": Expr("var.project"), "managed_by": "terraform"})]),
        ]),
    ]
    if d.secondary_region:
        blocks.append(block("provider", "aws", body=[("alias", "secondary"), ("region", Expr("var.secondary_region"))]))
    return blocks


def _variables(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = list(common_variables(d))
    if d.served:
        blocks.append(variable("certificate_arn", "string", "ACM certificate of the HTTPS listener (primary region)"))
    if d.secondary and d.secondary.runs_compute and d.served:
        blocks += [variable("secondary_certificate_arn", "string", "ACM certificate in the secondary region"),
                   variable("zone_id", "string", "Route 53 hosted zone of var.domain_name")]
    if d.secondary_region and d.databases:
        blocks.append(variable("secondary_kms_key_arn", "string",
                               "KMS key in the secondary region for encrypted replicas and backup copies"))
    return blocks


def _network(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    s = site.suffix
    cidr = "var.vpc_cidr" if site.primary else "var.secondary_vpc_cidr"
    return [
        block("data", "aws_availability_zones", f"available{s}",
              body=[provider_meta(site, _SECONDARY), ("state", "available")]),
        block("module", f"vpc{s}", body=[
            ("source", "terraform-aws-modules/vpc/aws"),
            ("version", "~> 5.0"),
            None if site.primary else ("providers", {"aws": Expr(_SECONDARY)}),
            ("name", template("${var.project}" + s.replace("_", "-"))),
            ("cidr", Expr(cidr)),
            ("azs", Expr(f"slice(data.aws_availability_zones.available{s}.names, 0, var.zone_count)")),
            ("public_subnets", zonal_cidrs(site, "public")),
            ("private_subnets", zonal_cidrs(site, "app")),
            ("database_subnets", zonal_cidrs(site, "data")),
            ("create_database_subnet_group", True),
            ("enable_nat_gateway", site.runs_compute),
            ("one_nat_gateway_per_az", site.runs_compute),
            ("enable_dns_hostnames", True),
        ]),
        *([_security_group("alb", site, 443, [("cidr_blocks", _ANYWHERE)])] if d.served and site.runs_compute else []),
        *([] if d.kubernetes or not site.runs_compute else [_app_security_group(d, site)]),
        *[_security_group(f"db_{engine}", site, ENGINE_PORT[engine], [("security_groups", [_app_sg(d, site)])])
          for engine in d.engines],
    ]


def _app_sg(d: TerraformDesign, site: Site) -> Expr:
    if d.kubernetes:
        return ref(f"module.eks{site.suffix}", "node_security_group_id")
    return ref("aws_security_group", f"app{site.suffix}", "id")


def _app_security_group(d: TerraformDesign, site: Site) -> Block:
    source = [("security_groups", [ref("aws_security_group", f"alb{site.suffix}", "id")])] if d.served else [
        ("cidr_blocks", [Expr("module.vpc" + site.suffix + ".vpc_cidr_block")])]
    return _security_group("app", site, Expr("var.app_port"), source)


def _security_group(role: str, site: Site, port: int | Expr, source: list[tuple[str, list[str] | list[Expr]]]
                    ) -> Block:
    s = site.suffix
    return block("resource", "aws_security_group", f"{role}{s}", body=[
        provider_meta(site, _SECONDARY),
        ("name_prefix", template("${var.project}-" + role.replace("_", "-") + "-")),
        ("vpc_id", ref(f"module.vpc{s}", "vpc_id")),
        block("ingress", body=[("description", f"{role} traffic"), ("from_port", port), ("to_port", port),
                               ("protocol", "tcp"), *source]),
        block("egress", body=[("from_port", 0), ("to_port", 0), ("protocol", "-1"), ("cidr_blocks", _ANYWHERE)]),
    ])


def _compute(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    if d.kubernetes:
        return [_eks(d, site)]
    s = site.suffix
    ami = block("data", "aws_ami", f"al2023{s}", body=[
        provider_meta(site, _SECONDARY), ("most_recent", True), ("owners", ["amazon"]),
        block("filter", body=[("name", "name"), ("values", ["al2023-ami-*-x86_64"])]),
    ])
    return [ami, *[b for g in d.groups for b in _auto_scaling_group(d, g, site)]]


def _eks(d: TerraformDesign, site: Site) -> Block:
    groups = {
        g.name: {
            "ami_type": "AL2023_x86_64_NVIDIA" if g.gpu else "AL2023_x86_64_STANDARD",
            "instance_types": [g.sku],
            "min_size": site.min_instances(g),
            "max_size": g.max_instances,
            "desired_size": site.min_instances(g),
            "labels": {"workload": g.workload},
        }
        for g in d.groups
    }
    return block("module", f"eks{site.suffix}", body=[
        ("source", "terraform-aws-modules/eks/aws"),
        ("version", "~> 20.0"),
        None if site.primary else ("providers", {"aws": Expr(_SECONDARY)}),
        ("cluster_name", template("${var.project}" + site.suffix.replace("_", "-"))),
        ("vpc_id", ref(f"module.vpc{site.suffix}", "vpc_id")),
        ("subnet_ids", ref(f"module.vpc{site.suffix}", "private_subnets")),
        ("cluster_endpoint_public_access", False),
        ("enable_cluster_creator_admin_permissions", True),
        Comment(scaling_comment(d)),
        ("eks_managed_node_groups", groups),
    ])


def _auto_scaling_group(d: TerraformDesign, g: ComputeGroup, site: Site) -> list[Block | Comment]:
    name = f"{g.name}{site.suffix}"
    minimum = site.min_instances(g)
    template_block = block("resource", "aws_launch_template", name, body=[
        provider_meta(site, _SECONDARY),
        ("name_prefix", f"{g.workload}-"),
        ("image_id", ref(f"data.aws_ami.al2023{site.suffix}", "id")),
        ("instance_type", g.sku),
        ("vpc_security_group_ids", [ref("aws_security_group", f"app{site.suffix}", "id")]),
        block("metadata_options", body=[("http_tokens", "required")]),
        block("block_device_mappings", body=[
            ("device_name", "/dev/xvda"),
            block("ebs", body=[("volume_size", d.boot_volume_gb), ("volume_type", "gp3"), ("encrypted", True)]),
        ]),
    ])
    group = block("resource", "aws_autoscaling_group", name, body=[
        provider_meta(site, _SECONDARY),
        ("name_prefix", f"{g.workload}-"),
        ("min_size", minimum),
        ("max_size", g.max_instances),
        ("desired_capacity", minimum),
        ("vpc_zone_identifier", ref(f"module.vpc{site.suffix}", "private_subnets")),
        ("target_group_arns", [ref("aws_lb_target_group", name, "arn")]) if g.served else None,
        ("health_check_type", "ELB" if g.served else "EC2"),
        block("launch_template", body=[("id", ref("aws_launch_template", name, "id")), ("version", "$Latest")]),
    ])
    if g.gpu:
        return [template_block, group, Comment(f"{g.workload}: scale on the model server's requests per GPU, "
                                               "published as a custom CloudWatch metric")]
    policy = block("resource", "aws_autoscaling_policy", f"{name}_cpu", body=[
        provider_meta(site, _SECONDARY),
        ("name", f"{g.workload}-cpu"),
        ("autoscaling_group_name", ref("aws_autoscaling_group", name, "name")),
        ("policy_type", "TargetTrackingScaling"),
        block("target_tracking_configuration", body=[
            block("predefined_metric_specification", body=[("predefined_metric_type", "ASGAverageCPUUtilization")]),
            ("target_value", d.target_cpu_pct),
        ]),
    ])
    return [template_block, group, policy]


def _load_balancer(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    s = site.suffix
    first = d.served[0]
    blocks: list[Block | Comment] = [
        block("resource", "aws_lb", f"web{s}", body=[
            provider_meta(site, _SECONDARY),
            ("load_balancer_type", "application"),
            ("internal", False),
            ("subnets", ref(f"module.vpc{s}", "public_subnets")),
            ("security_groups", [ref("aws_security_group", f"alb{s}", "id")]),
            ("drop_invalid_header_fields", True),
        ]),
        *[_target_group(d, g, site) for g in d.served],
        block("resource", "aws_lb_listener", f"https{s}", body=[
            provider_meta(site, _SECONDARY),
            ("load_balancer_arn", ref("aws_lb", f"web{s}", "arn")),
            ("port", 443),
            ("protocol", "HTTPS"),
            ("ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
            ("certificate_arn", Expr("var.certificate_arn" if site.primary else "var.secondary_certificate_arn")),
            block("default_action", body=[("type", "forward"),
                                          ("target_group_arn", ref("aws_lb_target_group", f"{first.name}{s}", "arn"))]),
        ]),
    ]
    for priority, g in enumerate(d.served[1:], start=100):
        blocks.append(block("resource", "aws_lb_listener_rule", f"{g.name}{s}", body=[
            provider_meta(site, _SECONDARY),
            ("listener_arn", ref("aws_lb_listener", f"https{s}", "arn")),
            ("priority", priority),
            block("action", body=[("type", "forward"), ("target_group_arn", ref("aws_lb_target_group", f"{g.name}{s}",
                                                                                 "arn"))]),
            block("condition", body=[block("host_header", body=[
                ("values", [template(g.workload + ".${var.domain_name}")])])]),
        ]))
    return [*blocks, *_waf(site)]


def _target_group(d: TerraformDesign, g: ComputeGroup, site: Site) -> Block:
    return block("resource", "aws_lb_target_group", f"{g.name}{site.suffix}", body=[
        provider_meta(site, _SECONDARY),
        ("port", Expr("var.app_port")),
        ("protocol", "HTTP"),
        ("target_type", "ip" if d.kubernetes else "instance"),
        ("vpc_id", ref(f"module.vpc{site.suffix}", "vpc_id")),
        block("health_check", body=[("path", HEALTH_PATH), ("matcher", "200")]),
    ])


def _waf(site: Site) -> list[Block | Comment]:
    s = site.suffix
    visibility = block("visibility_config", body=[("cloudwatch_metrics_enabled", True),
                                                  ("metric_name", f"edge{s}"), ("sampled_requests_enabled", True)])
    return [
        block("resource", "aws_wafv2_web_acl", f"edge{s}", body=[
            provider_meta(site, _SECONDARY),
            ("name", template("${var.project}-edge" + s.replace("_", "-"))),
            ("scope", "REGIONAL"),
            block("default_action", body=[block("allow")]),
            block("rule", body=[
                ("name", "aws-common-rules"),
                ("priority", 1),
                block("override_action", body=[block("none")]),
                block("statement", body=[block("managed_rule_group_statement", body=[
                    ("name", "AWSManagedRulesCommonRuleSet"), ("vendor_name", "AWS")])]),
                block("visibility_config", body=[("cloudwatch_metrics_enabled", True),
                                                 ("metric_name", "aws-common-rules"),
                                                 ("sampled_requests_enabled", True)]),
            ]),
            visibility,
        ]),
        block("resource", "aws_wafv2_web_acl_association", f"web{s}", body=[
            provider_meta(site, _SECONDARY),
            ("resource_arn", ref("aws_lb", f"web{s}", "arn")),
            ("web_acl_arn", ref("aws_wafv2_web_acl", f"edge{s}", "arn")),
        ]),
    ]


def _database(d: TerraformDesign, db: DatabaseSpec, site: Site) -> Block:
    s = site.suffix
    common = [
        provider_meta(site, _SECONDARY),
        ("identifier", db.workload + s.replace("_", "-")),
        ("instance_class", db.sku),
        ("storage_encrypted", True),
        ("db_subnet_group_name", ref(f"module.vpc{s}", "database_subnet_group_name")),
        ("vpc_security_group_ids", [ref("aws_security_group", f"db_{db.engine}{s}", "id")]),
        ("backup_retention_period", Expr("var.backup_retention_days")),
    ]
    if not site.primary:
        return block("resource", "aws_db_instance", f"{db.name}{s}", body=[
            *common,
            ("replicate_source_db", ref("aws_db_instance", db.name, "arn")),
            ("kms_key_id", Expr("var.secondary_kms_key_arn")),
            ("multi_az", db.high_availability and site.standby is Standby.FULL),
            ("skip_final_snapshot", True),
        ])
    return block("resource", "aws_db_instance", db.name, body=[
        *common,
        ("engine", _ENGINE[db.engine]),
        ("engine_version", Expr(f"var.{db.engine}_version")),
        ("allocated_storage", db.storage_gb),
        ("max_allocated_storage", db.max_storage_gb),
        ("storage_type", db.storage_type),
        ("multi_az", db.high_availability),
        ("username", "app_admin"),
        ("manage_master_user_password", True),
        ("deletion_protection", True),
        ("copy_tags_to_snapshot", True),
        ("final_snapshot_identifier", f"{db.workload}-final"),
    ])


def _backup_copies(d: TerraformDesign) -> list[Block | Comment]:
    if d.backup_region is None:
        return []
    return [block("resource", "aws_db_instance_automated_backups_replication", db.name, body=[
        ("provider", Expr(_SECONDARY)),
        ("source_db_instance_arn", ref("aws_db_instance", db.name, "arn")),
        ("kms_key_id", Expr("var.secondary_kms_key_arn")),
        ("retention_period", Expr("var.backup_retention_days")),
    ]) for db in d.databases]


def _failover_records(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = []
    for site in d.sites:
        s = site.suffix
        blocks.append(block("resource", "aws_route53_health_check", f"web{s}", body=[
            ("fqdn", ref("aws_lb", f"web{s}", "dns_name")), ("port", 443), ("type", "HTTPS"),
            ("resource_path", HEALTH_PATH), ("failure_threshold", 3), ("request_interval", 30),
        ]))
        routing = (block("latency_routing_policy", body=[("region", Expr("var.region" if site.primary
                                                                          else "var.secondary_region"))])
                   if d.standby is Standby.FULL else
                   block("failover_routing_policy", body=[("type", "PRIMARY" if site.primary else "SECONDARY")]))
        blocks.append(block("resource", "aws_route53_record", f"app{s}", body=[
            ("zone_id", Expr("var.zone_id")),
            ("name", template("app.${var.domain_name}")),
            ("type", "A"),
            ("set_identifier", "primary" if site.primary else "secondary"),
            ("health_check_id", ref("aws_route53_health_check", f"web{s}", "id")),
            routing,
            block("alias", body=[("name", ref("aws_lb", f"web{s}", "dns_name")),
                                 ("zone_id", ref("aws_lb", f"web{s}", "zone_id")),
                                 ("evaluate_target_health", True)]),
        ]))
    return blocks


def _cdn(d: TerraformDesign) -> list[Block | Comment]:
    failover = d.secondary is not None and d.secondary.runs_compute
    origin = template("app.${var.domain_name}") if failover else ref("aws_lb", "web", "dns_name")
    return [
        block("data", "aws_cloudfront_cache_policy", "optimized", body=[("name", "Managed-CachingOptimized")]),
        block("data", "aws_cloudfront_origin_request_policy", "all_viewer", body=[("name", "Managed-AllViewer")]),
        block("resource", "aws_cloudfront_distribution", "web", body=[
            ("enabled", True),
            ("comment", d.served[0].workload),
            block("origin", body=[
                ("domain_name", origin),
                ("origin_id", "web"),
                block("custom_origin_config", body=[
                    ("http_port", 80), ("https_port", 443), ("origin_protocol_policy", "https-only"),
                    ("origin_ssl_protocols", ["TLSv1.2"])]),
            ]),
            block("default_cache_behavior", body=[
                ("target_origin_id", "web"),
                ("viewer_protocol_policy", "redirect-to-https"),
                ("allowed_methods", ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]),
                ("cached_methods", ["GET", "HEAD"]),
                ("cache_policy_id", ref("data.aws_cloudfront_cache_policy.optimized", "id")),
                ("origin_request_policy_id", ref("data.aws_cloudfront_origin_request_policy.all_viewer", "id")),
            ]),
            block("restrictions", body=[block("geo_restriction", body=[("restriction_type", "none")])]),
            block("viewer_certificate", body=[("cloudfront_default_certificate", True)]),
        ]),
    ]


def _bucket() -> list[Block | Comment]:
    bucket = ref("aws_s3_bucket", "data", "id")
    return [
        block("resource", "aws_s3_bucket", "data", body=[("bucket_prefix", template("${var.project}-data-"))]),
        block("resource", "aws_s3_bucket_server_side_encryption_configuration", "data", body=[
            ("bucket", bucket),
            block("rule", body=[
                block("apply_server_side_encryption_by_default", body=[("sse_algorithm", "aws:kms")]),
                ("bucket_key_enabled", True),
            ]),
        ]),
        block("resource", "aws_s3_bucket_versioning", "data", body=[
            ("bucket", bucket), block("versioning_configuration", body=[("status", "Enabled")])]),
        block("resource", "aws_s3_bucket_public_access_block", "data", body=[
            ("bucket", bucket), ("block_public_acls", True), ("block_public_policy", True),
            ("ignore_public_acls", True), ("restrict_public_buckets", True)]),
    ]


def _outputs(d: TerraformDesign) -> list[Block | Comment]:
    blocks = [output("vpc_id", ref("module.vpc", "vpc_id"), "Primary VPC")]
    if d.served:
        blocks.append(output("load_balancer_dns", ref("aws_lb", "web", "dns_name"), "Public entry point"))
    if d.kubernetes:
        blocks.append(output("cluster_name", ref("module.eks", "cluster_name"), "EKS cluster"))
    blocks += [output(f"{db.name}_endpoint", ref("aws_db_instance", db.name, "endpoint"), f"{db.workload} endpoint")
               for db in d.databases]
    return [*blocks, output("data_bucket", ref("aws_s3_bucket", "data", "bucket"), "Encrypted data bucket")]
