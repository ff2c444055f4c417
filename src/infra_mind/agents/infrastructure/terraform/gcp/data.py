"""GCP data: Cloud SQL (regional HA, cross-region replicas) and the CMEK-encrypted bucket."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.design import (
    DatabaseSpec,
    Site,
    TerraformDesign,
)
from infra_mind.agents.infrastructure.terraform.gcp.network import NETWORK, region
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


def database(d: TerraformDesign, db: DatabaseSpec, site: Site) -> Block:
    s = site.suffix
    replica = not site.primary
    regional = db.high_availability and (site.primary or site.standby is Standby.FULL)
    backup: list[Item | None] = [
        ("enabled", True),
        ("point_in_time_recovery_enabled", True)
        if db.engine == "postgresql"
        else ("binary_log_enabled", True),
        ("location", Expr("var.secondary_region")) if d.backup_region else None,
        block("backup_retention_settings", body=[("retained_backups", Expr("var.backup_retention_days"))]),
    ]
    return block(
        "resource",
        "google_sql_database_instance",
        f"{db.name}{s}",
        body=[
            ("name", template("${var.project}-" + db.workload + s.replace("_", "-"))),
            ("region", region(site)),
            ("database_version", _version(db.engine)),
            ("master_instance_name", ref("google_sql_database_instance", db.name, "name"))
            if replica
            else None,
            block("replica_configuration", body=[("failover_target", False)]) if replica else None,
            ("deletion_protection", True),
            _settings(db, regional=regional, backup=None if replica else backup),
            ("depends_on", [ref("google_service_networking_connection", "private_services")]),
        ],
    )


def read_replicas(db: DatabaseSpec, site: Site) -> list[Block | Comment]:
    """The priced read replicas of the site's instance: same tier, reads only, zonal.

    In the recovery region they replicate from the regional copy (cascading replicas), so they follow it
    when it is promoted at failover.
    """
    count = db.replicas_at(site)
    if not count:
        return []
    s = site.suffix
    return [
        Comment(f"{count} read replica(s) of {db.workload}: the reads beyond what one {db.sku} carries"),
        block(
            "resource",
            "google_sql_database_instance",
            f"{db.name}_replica{s}",
            body=[
                ("count", count),
                (
                    "name",
                    template(
                        "${var.project}-"
                        + db.workload
                        + "-replica"
                        + s.replace("_", "-")
                        + "-${count.index + 1}"
                    ),
                ),
                ("region", region(site)),
                ("database_version", _version(db.engine)),
                ("master_instance_name", ref("google_sql_database_instance", f"{db.name}{s}", "name")),
                block("replica_configuration", body=[("failover_target", False)]),
                ("deletion_protection", False),
                _settings(db, regional=False, backup=None),
                ("depends_on", [ref("google_service_networking_connection", "private_services")]),
            ],
        ),
    ]


def _settings(db: DatabaseSpec, *, regional: bool, backup: list[Item | None] | None) -> Block:
    return block(
        "settings",
        body=[
            ("tier", db.sku),
            ("edition", "ENTERPRISE"),
            ("availability_type", "REGIONAL" if regional else "ZONAL"),
            ("disk_type", "PD_SSD"),
            ("disk_size", db.storage_gb),
            ("disk_autoresize", True),
            ("disk_autoresize_limit", db.max_storage_gb),
            block(
                "ip_configuration",
                body=[("ipv4_enabled", False), ("private_network", NETWORK), ("ssl_mode", "ENCRYPTED_ONLY")],
            ),
            None if backup is None else block("backup_configuration", body=backup),
        ],
    )


def _version(engine: str) -> Expr:
    return (
        template("POSTGRES_${var.postgresql_version}")
        if engine == "postgresql"
        else template('MYSQL_${replace(var.mysql_version, ".", "_")}')
    )


def bucket() -> list[Block | Comment]:
    return [
        block("data", "google_storage_project_service_account", "gcs"),
        block(
            "resource",
            "google_kms_key_ring",
            "data",
            body=[("name", template("${var.project}-data")), ("location", Expr("var.region"))],
        ),
        block(
            "resource",
            "google_kms_crypto_key",
            "data",
            body=[("name", "data"), ("key_ring", ref("google_kms_key_ring", "data", "id"))],
        ),
        block(
            "resource",
            "google_kms_crypto_key_iam_member",
            "gcs",
            body=[
                ("crypto_key_id", ref("google_kms_crypto_key", "data", "id")),
                ("role", "roles/cloudkms.cryptoKeyEncrypterDecrypter"),
                (
                    "member",
                    template(
                        "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
                    ),
                ),
            ],
        ),
        block(
            "resource",
            "google_storage_bucket",
            "data",
            body=[
                ("name", template("${var.project_id}-${var.project}-data")),
                ("location", Expr("upper(var.region)")),
                ("storage_class", "STANDARD"),
                ("uniform_bucket_level_access", True),
                ("public_access_prevention", "enforced"),
                block("versioning", body=[("enabled", True)]),
                block(
                    "encryption", body=[("default_kms_key_name", ref("google_kms_crypto_key", "data", "id"))]
                ),
                ("depends_on", [ref("google_kms_crypto_key_iam_member", "gcs")]),
            ],
        ),
    ]
