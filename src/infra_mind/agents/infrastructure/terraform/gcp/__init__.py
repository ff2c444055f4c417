"""The GCP skeleton: VPC network, GKE or regional MIGs, Cloud SQL, global load balancer, Cloud Armor, DR."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.common import common_variables, output, preamble, variable
from infra_mind.agents.infrastructure.terraform.design import TerraformDesign
from infra_mind.agents.infrastructure.terraform.gcp.compute import compute
from infra_mind.agents.infrastructure.terraform.gcp.data import bucket, database, read_replicas
from infra_mind.agents.infrastructure.terraform.gcp.network import NETWORK, edge, shared_network, site_network
from infra_mind.agents.infrastructure.terraform.hcl import Block, Comment, Expr, block, ref, render


def render_gcp(d: TerraformDesign) -> str:
    blocks: list[Block | Comment] = [*_settings(d), *_variables(d), *shared_network(d)]
    for index, site in enumerate(d.sites):
        blocks += site_network(d, site, index)
        if d.runs_compute(site):
            blocks += compute(d, site, index)
        for db in d.databases:
            blocks += [database(d, db, site), *read_replicas(db, site)]
    if d.served:
        blocks += edge(d)
    blocks += [*bucket(), *_outputs(d)]
    return render(blocks)


def _settings(d: TerraformDesign) -> list[Block | Comment]:
    return [
        *preamble(d, "Google Cloud", "google", "~> 6.0"),
        block(
            "provider", "google", body=[("project", Expr("var.project_id")), ("region", Expr("var.region"))]
        ),
    ]


def _variables(d: TerraformDesign) -> list[Block | Comment]:
    blocks: list[Block | Comment] = list(common_variables(d, needs_domain=bool(d.served)))
    blocks.append(variable("project_id", "string", "Google Cloud project to deploy into"))
    if d.kubernetes:
        blocks += [
            variable("pods_cidr", "string", "Pod address space; one /14 per region", "10.64.0.0/12"),
            variable("services_cidr", "string", "Service address space; one /20 per region", "10.96.0.0/16"),
            variable(
                "control_plane_cidr",
                "string",
                "GKE control-plane ranges; one /28 per region",
                "172.16.0.0/24",
            ),
        ]
    return blocks


def _outputs(d: TerraformDesign) -> list[Block | Comment]:
    blocks = [output("network_id", NETWORK, "VPC network")]
    if d.served:
        blocks.append(
            output(
                "web_address", ref("google_compute_global_address", "web", "address"), "Public entry point"
            )
        )
    if d.kubernetes:
        blocks.append(output("cluster_name", ref("google_container_cluster", "main", "name"), "GKE cluster"))
    blocks += [
        output(
            f"{db.name}_connection",
            ref("google_sql_database_instance", db.name, "connection_name"),
            f"{db.workload} connection name",
        )
        for db in d.databases
    ]
    return [
        *blocks,
        output("data_bucket", ref("google_storage_bucket", "data", "name"), "Encrypted data bucket"),
    ]
