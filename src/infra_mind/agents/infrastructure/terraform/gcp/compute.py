"""GCP compute: GKE node pools or regional managed instance groups with autoscalers."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.common import (
    HEALTH_PATH,
    scaling_comment,
)
from infra_mind.agents.infrastructure.terraform.design import (
    ComputeGroup,
    Site,
    TerraformDesign,
)
from infra_mind.agents.infrastructure.terraform.gcp.network import NETWORK, region, zones
from infra_mind.agents.infrastructure.terraform.hcl import (
    Block,
    Comment,
    Expr,
    Item,
    block,
    ref,
    template,
)


def compute(d: TerraformDesign, site: Site, index: int) -> list[Block | Comment]:
    if d.kubernetes:
        return _gke(d, site, index)
    blocks: list[Block | Comment] = []
    if site.primary:
        blocks.append(
            block(
                "resource",
                "google_compute_health_check",
                "app",
                body=[
                    ("name", template("${var.project}-app")),
                    block(
                        "http_health_check",
                        body=[("port", Expr("var.app_port")), ("request_path", HEALTH_PATH)],
                    ),
                ],
            )
        )
    return blocks + [b for g in d.groups for b in _instance_group(d, g, site)]


def _gke(d: TerraformDesign, site: Site, index: int) -> list[Block | Comment]:
    s = site.suffix
    cluster = block(
        "resource",
        "google_container_cluster",
        f"main{s}",
        body=[
            ("name", template("${var.project}" + s.replace("_", "-"))),
            ("location", region(site)),
            ("node_locations", zones(site)),
            ("network", NETWORK),
            ("subnetwork", ref("google_compute_subnetwork", f"app{s}", "id")),
            ("remove_default_node_pool", True),
            ("initial_node_count", 1),
            ("deletion_protection", True),
            block("release_channel", body=[("channel", "REGULAR")]),
            block(
                "ip_allocation_policy",
                body=[
                    ("cluster_secondary_range_name", "pods"),
                    ("services_secondary_range_name", "services"),
                ],
            ),
            block(
                "private_cluster_config",
                body=[
                    ("enable_private_nodes", True),
                    ("enable_private_endpoint", False),
                    ("master_ipv4_cidr_block", Expr(f"cidrsubnet(var.control_plane_cidr, 4, {index})")),
                ],
            ),
            block(
                "workload_identity_config",
                body=[("workload_pool", template("${var.project_id}.svc.id.goog"))],
            ),
        ],
    )
    pools = [
        block(
            "resource",
            "google_container_node_pool",
            f"{g.name}{s}",
            body=[
                ("name", g.workload),
                ("cluster", ref("google_container_cluster", f"main{s}", "id")),
                ("location", region(site)),
                ("node_locations", zones(site)),
                Comment(scaling_comment(d)),
                block(
                    "autoscaling",
                    body=[
                        ("total_min_node_count", site.min_instances(g)),
                        ("total_max_node_count", g.max_instances),
                    ],
                ),
                block("management", body=[("auto_repair", True), ("auto_upgrade", True)]),
                block(
                    "node_config",
                    body=[
                        ("machine_type", g.sku),
                        ("disk_size_gb", d.boot_volume_gb),
                        ("oauth_scopes", ["https://www.googleapis.com/auth/cloud-platform"]),
                        ("labels", {"workload": g.workload}),
                        block("shielded_instance_config", body=[("enable_secure_boot", True)]),
                    ],
                ),
            ],
        )
        for g in d.groups
    ]
    return [cluster, *pools]


def _instance_group(d: TerraformDesign, g: ComputeGroup, site: Site) -> list[Block | Comment]:
    s = site.suffix
    name = f"{g.name}{s}"
    instance_template = block(
        "resource",
        "google_compute_instance_template",
        name,
        body=[
            ("name_prefix", f"{g.workload}-"),
            ("machine_type", g.sku),
            ("region", region(site)),
            ("tags", ["app"]),
            block(
                "disk",
                body=[
                    ("source_image", "debian-cloud/debian-12"),
                    ("disk_size_gb", d.boot_volume_gb),
                    ("boot", True),
                    ("auto_delete", True),
                ],
            ),
            block(
                "network_interface", body=[("subnetwork", ref("google_compute_subnetwork", f"app{s}", "id"))]
            ),
            block("scheduling", body=[("on_host_maintenance", "TERMINATE")]) if g.gpu else None,
            block("shielded_instance_config", body=[("enable_secure_boot", True)]),
            block("lifecycle", body=[("create_before_destroy", True)]),
        ],
    )
    manager = block(
        "resource",
        "google_compute_region_instance_group_manager",
        name,
        body=[
            ("name", g.workload + s.replace("_", "-")),
            ("base_instance_name", g.workload),
            ("region", region(site)),
            ("distribution_policy_zones", zones(site)),
            block(
                "version",
                body=[
                    ("instance_template", ref("google_compute_instance_template", name, "self_link_unique"))
                ],
            ),
            block("named_port", body=[("name", "http"), ("port", Expr("var.app_port"))]),
            block(
                "auto_healing_policies",
                body=[
                    ("health_check", ref("google_compute_health_check", "app", "id")),
                    ("initial_delay_sec", 300),
                ],
            ),
        ],
    )
    policy: list[Item | Block] = [("min_replicas", site.min_instances(g)), ("max_replicas", g.max_instances)]
    if g.gpu:
        policy.append(Comment(f"scale on the model server's {g.metric}, exported as a custom metric"))
    else:
        policy.append(block("cpu_utilization", body=[("target", d.target_cpu_pct / 100)]))
    autoscaler = block(
        "resource",
        "google_compute_region_autoscaler",
        name,
        body=[
            ("name", f"{g.workload}{s.replace('_', '-')}-autoscaler"),
            ("region", region(site)),
            ("target", ref("google_compute_region_instance_group_manager", name, "id")),
            block("autoscaling_policy", body=policy),
        ],
    )
    return [instance_template, manager, autoscaler]
