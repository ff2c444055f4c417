"""AWS compute: EKS managed node groups or EC2 Auto Scaling groups with target tracking."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.aws.network import SECONDARY
from infra_mind.agents.infrastructure.terraform.common import (
    provider_meta,
    scaling_comment,
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


def compute(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    if d.kubernetes:
        return [_eks(d, site)]
    s = site.suffix
    ami = block(
        "data",
        "aws_ami",
        f"al2023{s}",
        body=[
            provider_meta(site, SECONDARY),
            ("most_recent", True),
            ("owners", ["amazon"]),
            block("filter", body=[("name", "name"), ("values", ["al2023-ami-*-x86_64"])]),
        ],
    )
    return [ami, *[b for g in d.groups for b in _auto_scaling_group(d, g, site)]]


def _eks(d: TerraformDesign, site: Site) -> Block:
    groups: dict[str, Value] = {
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
    return block(
        "module",
        f"eks{site.suffix}",
        body=[
            ("source", "terraform-aws-modules/eks/aws"),
            ("version", "~> 20.0"),
            None if site.primary else ("providers", {"aws": Expr(SECONDARY)}),
            ("cluster_name", template("${var.project}" + site.suffix.replace("_", "-"))),
            ("vpc_id", ref(f"module.vpc{site.suffix}", "vpc_id")),
            ("subnet_ids", ref(f"module.vpc{site.suffix}", "private_subnets")),
            ("cluster_endpoint_public_access", False),
            ("enable_cluster_creator_admin_permissions", True),
            Comment(scaling_comment(d)),
            ("eks_managed_node_groups", groups),
        ],
    )


def _auto_scaling_group(d: TerraformDesign, g: ComputeGroup, site: Site) -> list[Block | Comment]:
    name = f"{g.name}{site.suffix}"
    minimum = site.min_instances(g)
    template_block = block(
        "resource",
        "aws_launch_template",
        name,
        body=[
            provider_meta(site, SECONDARY),
            ("name_prefix", f"{g.workload}-"),
            ("image_id", ref(f"data.aws_ami.al2023{site.suffix}", "id")),
            ("instance_type", g.sku),
            ("vpc_security_group_ids", [ref("aws_security_group", f"app{site.suffix}", "id")]),
            block("metadata_options", body=[("http_tokens", "required")]),
            block(
                "block_device_mappings",
                body=[
                    ("device_name", "/dev/xvda"),
                    block(
                        "ebs",
                        body=[("volume_size", d.boot_volume_gb), ("volume_type", "gp3"), ("encrypted", True)],
                    ),
                ],
            ),
        ],
    )
    group = block(
        "resource",
        "aws_autoscaling_group",
        name,
        body=[
            provider_meta(site, SECONDARY),
            ("name_prefix", f"{g.workload}-"),
            ("min_size", minimum),
            ("max_size", g.max_instances),
            ("desired_capacity", minimum),
            ("vpc_zone_identifier", ref(f"module.vpc{site.suffix}", "private_subnets")),
            ("target_group_arns", [ref("aws_lb_target_group", name, "arn")]) if g.served else None,
            ("health_check_type", "ELB" if g.served else "EC2"),
            block(
                "launch_template",
                body=[("id", ref("aws_launch_template", name, "id")), ("version", "$Latest")],
            ),
        ],
    )
    if g.gpu:
        return [
            template_block,
            group,
            Comment(
                f"{g.workload}: scale on the model server's {g.metric}, "
                "published as a custom CloudWatch metric"
            ),
        ]
    policy = block(
        "resource",
        "aws_autoscaling_policy",
        f"{name}_cpu",
        body=[
            provider_meta(site, SECONDARY),
            ("name", f"{g.workload}-cpu"),
            ("autoscaling_group_name", ref("aws_autoscaling_group", name, "name")),
            ("policy_type", "TargetTrackingScaling"),
            block(
                "target_tracking_configuration",
                body=[
                    block(
                        "predefined_metric_specification",
                        body=[("predefined_metric_type", "ASGAverageCPUUtilization")],
                    ),
                    ("target_value", d.target_cpu_pct),
                ],
            ),
        ],
    )
    return [template_block, group, policy]
