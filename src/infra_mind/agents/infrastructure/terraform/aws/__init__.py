"""The AWS skeleton: VPC module, EKS or Auto Scaling groups, RDS, ALB with WAF, CloudFront, S3, DR."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.aws.compute import compute
from infra_mind.agents.infrastructure.terraform.aws.data import (
    backup_copies,
    bucket,
    database,
    read_replicas,
)
from infra_mind.agents.infrastructure.terraform.aws.network import (
    cdn,
    failover_records,
    load_balancer,
    network,
)
from infra_mind.agents.infrastructure.terraform.common import common_variables, output, preamble, variable
from infra_mind.agents.infrastructure.terraform.design import TerraformDesign
from infra_mind.agents.infrastructure.terraform.hcl import Block, Comment, Expr, block, ref, render


def render_aws(d: TerraformDesign) -> str:
    blocks: list[Block | Comment] = [*_settings(d), *_variables(d)]
    for site in d.sites:
        blocks += network(d, site)
        if d.runs_compute(site):
            blocks += compute(d, site)
            if d.served:
                blocks += load_balancer(d, site)
        for db in d.databases:
            blocks += [database(d, db, site), *read_replicas(db, site)]
    blocks += backup_copies(d)
    if d.secondary and d.runs_compute(d.secondary) and d.served:
        blocks += failover_records(d)
    if d.cdn and d.served:
        blocks += cdn(d)
    blocks += [*bucket(), *_outputs(d)]
    return render(blocks)


def _settings(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = [
        *preamble(d, "AWS", "aws", "~> 5.0"),
        block(
            "provider",
            "aws",
            body=[
                ("region", Expr("var.region")),
                block(
                    "default_tags",
                    body=[("tags", {"project": Expr("var.project"), "managed_by": "terraform"})],
                ),
            ],
        ),
    ]
    if d.secondary_region:
        blocks.append(
            block("provider", "aws", body=[("alias", "secondary"), ("region", Expr("var.secondary_region"))])
        )
    return blocks


def _variables(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = list(common_variables(d))
    if d.served:
        blocks.append(
            variable("certificate_arn", "string", "ACM certificate of the HTTPS listener (primary region)")
        )
    if d.secondary and d.runs_compute(d.secondary) and d.served:
        blocks += [
            variable("secondary_certificate_arn", "string", "ACM certificate in the secondary region"),
            variable("zone_id", "string", "Route 53 hosted zone of var.domain_name"),
        ]
    if d.secondary_region and d.databases:
        blocks.append(
            variable(
                "secondary_kms_key_arn",
                "string",
                "KMS key in the secondary region for encrypted replicas and backup copies",
            )
        )
    return blocks


def _outputs(d: TerraformDesign) -> list[Block | Comment]:
    blocks = [output("vpc_id", ref("module.vpc", "vpc_id"), "Primary VPC")]
    if d.served:
        blocks.append(output("load_balancer_dns", ref("aws_lb", "web", "dns_name"), "Public entry point"))
    if d.kubernetes:
        blocks.append(output("cluster_name", ref("module.eks", "cluster_name"), "EKS cluster"))
    blocks += [
        output(f"{db.name}_endpoint", ref("aws_db_instance", db.name, "endpoint"), f"{db.workload} endpoint")
        for db in d.databases
    ]
    return [*blocks, output("data_bucket", ref("aws_s3_bucket", "data", "bucket"), "Encrypted data bucket")]
