"""AWS data: RDS instances and cross-region replicas, backup replication, the encrypted S3 bucket."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.aws.network import SECONDARY
from infra_mind.agents.infrastructure.terraform.common import (
    provider_meta,
)
from infra_mind.agents.infrastructure.terraform.design import (
    DatabaseSpec,
    Site,
    TerraformDesign,
)
from infra_mind.agents.infrastructure.terraform.hcl import (
    Block,
    Comment,
    Expr,
    Item,
    block,
    ref,
    template,
)
from infra_mind.knowledge.sla import Standby

_ENGINE = {"postgresql": "postgres", "mysql": "mysql"}


def database(d: TerraformDesign, db: DatabaseSpec, site: Site) -> Block:
    s = site.suffix
    common: list[Item | None] = [
        provider_meta(site, SECONDARY),
        ("identifier", db.workload + s.replace("_", "-")),
        ("instance_class", db.sku),
        ("storage_encrypted", True),
        ("db_subnet_group_name", ref(f"module.vpc{s}", "database_subnet_group_name")),
        ("vpc_security_group_ids", [ref("aws_security_group", f"db_{db.engine}{s}", "id")]),
        ("backup_retention_period", Expr("var.backup_retention_days")),
    ]
    if not site.primary:
        return block(
            "resource",
            "aws_db_instance",
            f"{db.name}{s}",
            body=[
                *common,
                ("replicate_source_db", ref("aws_db_instance", db.name, "arn")),
                ("kms_key_id", Expr("var.secondary_kms_key_arn")),
                ("multi_az", db.high_availability and site.standby is Standby.FULL),
                ("skip_final_snapshot", True),
            ],
        )
    return block(
        "resource",
        "aws_db_instance",
        db.name,
        body=[
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
        ],
    )


def read_replicas(db: DatabaseSpec, site: Site) -> list[Block | Comment]:
    """The priced read replicas of the site's database: same class, reads only, one zone each.

    In the recovery region they replicate from the regional copy (cascading), so they follow it when it is
    promoted at failover.
    """
    count = db.replicas_at(site)
    if not count:
        return []
    s = site.suffix
    return [
        Comment(f"{count} read replica(s) of {db.workload}: the reads beyond what one {db.sku} carries"),
        block(
            "resource",
            "aws_db_instance",
            f"{db.name}_replica{s}",
            body=[
                ("count", count),
                provider_meta(site, SECONDARY),
                ("identifier", template(f"{db.workload}-replica{s.replace('_', '-')}-${{count.index + 1}}")),
                ("instance_class", db.sku),
                ("replicate_source_db", ref("aws_db_instance", f"{db.name}{s}", "arn")),
                ("storage_encrypted", True),
                ("db_subnet_group_name", ref(f"module.vpc{s}", "database_subnet_group_name")),
                ("vpc_security_group_ids", [ref("aws_security_group", f"db_{db.engine}{s}", "id")]),
                ("multi_az", False),
                ("skip_final_snapshot", True),
            ],
        ),
    ]


def backup_copies(d: TerraformDesign) -> list[Block | Comment]:
    if d.backup_region is None:
        return []
    return [
        block(
            "resource",
            "aws_db_instance_automated_backups_replication",
            db.name,
            body=[
                ("provider", Expr(SECONDARY)),
                ("source_db_instance_arn", ref("aws_db_instance", db.name, "arn")),
                ("kms_key_id", Expr("var.secondary_kms_key_arn")),
                ("retention_period", Expr("var.backup_retention_days")),
            ],
        )
        for db in d.databases
    ]


def bucket() -> list[Block | Comment]:
    bucket = ref("aws_s3_bucket", "data", "id")
    return [
        block(
            "resource", "aws_s3_bucket", "data", body=[("bucket_prefix", template("${var.project}-data-"))]
        ),
        block(
            "resource",
            "aws_s3_bucket_server_side_encryption_configuration",
            "data",
            body=[
                ("bucket", bucket),
                block(
                    "rule",
                    body=[
                        block("apply_server_side_encryption_by_default", body=[("sse_algorithm", "aws:kms")]),
                        ("bucket_key_enabled", True),
                    ],
                ),
            ],
        ),
        block(
            "resource",
            "aws_s3_bucket_versioning",
            "data",
            body=[("bucket", bucket), block("versioning_configuration", body=[("status", "Enabled")])],
        ),
        block(
            "resource",
            "aws_s3_bucket_public_access_block",
            "data",
            body=[
                ("bucket", bucket),
                ("block_public_acls", True),
                ("block_public_policy", True),
                ("ignore_public_acls", True),
                ("restrict_public_buckets", True),
            ],
        ),
    ]
