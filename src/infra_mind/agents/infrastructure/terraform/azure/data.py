"""Azure data: flexible servers (zone-redundant HA, cross-region replicas), private DNS, storage."""

from __future__ import annotations

import math

from infra_mind.agents.infrastructure.terraform.azure.network import placed
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

MYSQL_VERSION = "8.0.21"
"""azurerm accepts 5.7 or 8.0.21 for MySQL flexible servers."""


_DNS_ZONE = {"postgresql": "postgres.database.azure.com", "mysql": "mysql.database.azure.com"}


SERVER = {"postgresql": "azurerm_postgresql_flexible_server", "mysql": "azurerm_mysql_flexible_server"}


def dns_zone(engine: str) -> Block:
    return block(
        "resource",
        "azurerm_private_dns_zone",
        engine,
        body=[
            ("name", template("${var.project}." + _DNS_ZONE[engine])),
            ("resource_group_name", ref("azurerm_resource_group", "main", "name")),
        ],
    )


def _server(db: DatabaseSpec, site: Site, name: str) -> list[Item | Block]:
    """What every flexible server of `db` in `site` shares: placement, class, private network, storage."""
    s = site.suffix
    body: list[Item | Block] = [
        *placed(site, template("${var.project}-" + name)),
        ("sku_name", f"GP_{db.sku}"),
        ("delegated_subnet_id", ref("azurerm_subnet", f"data_{db.engine}{s}", "id")),
        ("private_dns_zone_id", ref("azurerm_private_dns_zone", db.engine, "id")),
    ]
    if db.engine == "postgresql":
        body += [
            ("storage_mb", _storage_mb(db.storage_gb)),
            ("auto_grow_enabled", True),
            ("public_network_access_enabled", False),
        ]
    else:
        body.append(block("storage", body=[("size_gb", db.storage_gb), ("auto_grow_enabled", True)]))
    return body


def _replica_of(db: DatabaseSpec) -> list[Item]:
    return [("create_mode", "Replica"), ("source_server_id", ref(SERVER[db.engine], db.name, "id"))]


def _depends(db: DatabaseSpec, site: Site) -> Item:
    return ("depends_on", [ref("azurerm_private_dns_zone_virtual_network_link", f"{db.engine}{site.suffix}")])


def database(d: TerraformDesign, db: DatabaseSpec, site: Site) -> Block:
    s = site.suffix
    body = _server(db, site, db.workload + s.replace("_", "-"))
    if not site.primary:
        body += _replica_of(db)
    else:
        body += [
            ("version", Expr(f"var.{db.engine}_version")),
            ("zone", "1"),
            ("administrator_login", "app_admin"),
            ("administrator_password", Expr("var.db_admin_password")),
            ("backup_retention_days", Expr("var.backup_retention_days")),
            Comment("geo-redundant backups are kept in the region's Azure paired region"),
            ("geo_redundant_backup_enabled", d.backup_region is not None),
        ]
        if db.high_availability:
            mode = "ZoneRedundant" if d.zones > 1 else "SameZone"
            body.append(
                block(
                    "high_availability",
                    body=[("mode", mode), ("standby_availability_zone", "2" if d.zones > 1 else "1")],
                )
            )
    body.append(_depends(db, site))
    return block("resource", SERVER[db.engine], f"{db.name}{s}", body=body)


def read_replicas(db: DatabaseSpec, site: Site) -> list[Block | Comment]:
    """The priced read replicas of `db` in `site`: same class, reads only.

    Flexible servers replicate from a primary server only (no replica of a replica), so the replicas in a
    recovery region replicate from the primary too.
    """
    count = db.replicas_at(site)
    if not count:
        return []
    s = site.suffix
    name = db.workload + "-replica" + s.replace("_", "-") + "-${count.index + 1}"
    return [
        Comment(f"{count} read replica(s) of {db.workload}: the reads beyond what one {db.sku} carries"),
        block(
            "resource",
            SERVER[db.engine],
            f"{db.name}_replica{s}",
            body=[("count", count), *_server(db, site, name), *_replica_of(db), _depends(db, site)],
        ),
    ]


def _storage_mb(gb: int) -> int:
    """Flexible-server storage comes in power-of-two sizes from 32 GiB."""
    return int(2 ** math.ceil(math.log2(max(gb, 32)))) * 1024


def storage() -> list[Block | Comment]:
    return [
        block(
            "resource",
            "azurerm_storage_account",
            "data",
            body=[
                ("name", Expr('substr(replace("${var.project}data", "-", ""), 0, 24)')),
                ("resource_group_name", ref("azurerm_resource_group", "main", "name")),
                ("location", ref("azurerm_resource_group", "main", "location")),
                ("account_tier", "Standard"),
                ("account_replication_type", "LRS"),
                ("min_tls_version", "TLS1_2"),
                ("https_traffic_only_enabled", True),
                ("allow_nested_items_to_be_public", False),
                ("infrastructure_encryption_enabled", True),
                block("blob_properties", body=[("versioning_enabled", True)]),
            ],
        ),
        block(
            "resource",
            "azurerm_storage_container",
            "backups",
            body=[
                ("name", "backups"),
                ("storage_account_id", ref("azurerm_storage_account", "data", "id")),
                ("container_access_type", "private"),
            ],
        ),
    ]
