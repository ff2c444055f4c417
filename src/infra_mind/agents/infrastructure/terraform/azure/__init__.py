"""The Azure skeleton: VNet, AKS or scale sets, flexible servers, Application Gateway with WAF, DR."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.azure.compute import compute
from infra_mind.agents.infrastructure.terraform.azure.data import (
    MYSQL_VERSION,
    SERVER,
    database,
    dns_zone,
    read_replicas,
    storage,
)
from infra_mind.agents.infrastructure.terraform.azure.network import (
    front_door,
    gateway,
    network,
    traffic_manager,
)
from infra_mind.agents.infrastructure.terraform.common import common_variables, output, preamble, variable
from infra_mind.agents.infrastructure.terraform.design import TerraformDesign
from infra_mind.agents.infrastructure.terraform.hcl import Block, Comment, Expr, block, ref, render


def render_azure(d: TerraformDesign) -> str:
    blocks: list[Block | Comment] = [*_settings(d), *_variables(d)]
    blocks += [dns_zone(engine) for engine in d.engines]
    for site in d.sites:
        blocks += network(d, site)
        if d.runs_compute(site):
            if d.served:
                blocks += gateway(d, site)
            blocks += compute(d, site)
        for db in d.databases:
            blocks += [database(d, db, site), *read_replicas(db, site)]
    if d.secondary and d.runs_compute(d.secondary) and d.served:
        blocks += traffic_manager(d)
    if d.cdn and d.served:
        blocks += front_door(d)
    blocks += [*storage(), *_outputs(d)]
    return render(blocks)


def _settings(d: TerraformDesign) -> list[Block | Comment]:
    return [
        *preamble(d, "Azure", "azurerm", "~> 4.0"),
        block(
            "provider", "azurerm", body=[block("features"), ("subscription_id", Expr("var.subscription_id"))]
        ),
        block("locals", body=[("zones", Expr('slice(["1", "2", "3"], 0, var.zone_count)'))]),
    ]


def _variables(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = list(
        common_variables(d, cidr_name="VNet", versions={"mysql": MYSQL_VERSION})
    )
    blocks.append(variable("subscription_id", "string", "Azure subscription to deploy into"))
    if d.served:
        blocks += [
            variable("certificate_pfx_path", "string", "PFX file of the HTTPS listener certificate"),
            variable("certificate_password", "string", "Password of the PFX file", sensitive=True),
        ]
    if d.databases:
        blocks.append(
            variable(
                "db_admin_password",
                "string",
                "Administrator password of the flexible servers",
                sensitive=True,
            )
        )
    if not d.kubernetes and d.groups:
        blocks.append(variable("ssh_public_key", "string", "SSH public key of the scale-set administrator"))
    return blocks


def _outputs(d: TerraformDesign) -> list[Block | Comment]:
    blocks = [output("vnet_id", ref("azurerm_virtual_network", "main", "id"), "Primary VNet")]
    if d.served:
        blocks.append(
            output("gateway_fqdn", ref("azurerm_public_ip", "gateway", "fqdn"), "Public entry point")
        )
    if d.kubernetes:
        blocks.append(
            output("cluster_name", ref("azurerm_kubernetes_cluster", "main", "name"), "AKS cluster")
        )
    blocks += [
        output(f"{db.name}_fqdn", ref(SERVER[db.engine], db.name, "fqdn"), f"{db.workload} endpoint")
        for db in d.databases
    ]
    return [
        *blocks,
        output("storage_account", ref("azurerm_storage_account", "data", "name"), "Encrypted storage"),
    ]
