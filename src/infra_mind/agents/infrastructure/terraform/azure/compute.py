"""Azure compute: AKS node pools or Linux scale sets with CPU autoscale rules."""

from __future__ import annotations

from infra_mind.agents.infrastructure.terraform.azure.network import placed
from infra_mind.agents.infrastructure.terraform.common import (
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
    Item,
    block,
    ref,
    template,
)

_ADMIN = "azureuser"


def compute(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    if d.kubernetes:
        return _aks(d, site)
    return [b for g in d.groups for b in _scale_set(d, g, site)]


def _aks(d: TerraformDesign, site: Site) -> list[Block | Comment]:
    s = site.suffix
    subnet = ref("azurerm_subnet", f"app{s}", "id")
    first, *others = d.groups
    cluster = block(
        "resource",
        "azurerm_kubernetes_cluster",
        f"main{s}",
        body=[
            *placed(site, template("${var.project}" + s.replace("_", "-"))),
            ("dns_prefix", template("${var.project}" + s.replace("_", "-"))),
            ("sku_tier", "Standard"),
            ("private_cluster_enabled", True),
            Comment(scaling_comment(d)),
            block("default_node_pool", body=_pool(first, site, subnet, _pool_name(first, 0))),
            block("identity", body=[("type", "SystemAssigned")]),
            block("network_profile", body=[("network_plugin", "azure"), ("network_plugin_mode", "overlay")]),
            block(
                "ingress_application_gateway",
                body=[("gateway_id", ref("azurerm_application_gateway", f"web{s}", "id"))],
            )
            if d.served
            else None,
        ],
    )
    pools = [
        block(
            "resource",
            "azurerm_kubernetes_cluster_node_pool",
            f"{g.name}{s}",
            body=[
                ("kubernetes_cluster_id", ref("azurerm_kubernetes_cluster", f"main{s}", "id")),
                *_pool(g, site, subnet, _pool_name(g, index)),
                ("node_labels", {"workload": g.workload}),
                ("node_taints", ["nvidia.com/gpu=present:NoSchedule"]) if g.gpu else None,
            ],
        )
        for index, g in enumerate(others, start=1)
    ]
    return [cluster, *pools]


def _pool_name(g: ComputeGroup, index: int) -> str:
    """Linux pool names: at most 12 lower-case letters and digits, starting with a letter."""
    letters = "".join(c for c in g.workload.lower() if c.isascii() and c.isalnum())
    stem = letters if letters[:1].isalpha() else f"p{letters}"
    return f"{stem[:10]}{index}"


def _pool(g: ComputeGroup, site: Site, subnet: Expr, name: str) -> list[Item]:
    return [
        ("name", name),
        ("vm_size", g.sku),
        ("vnet_subnet_id", subnet),
        ("zones", Expr("local.zones")),
        ("auto_scaling_enabled", True),
        ("min_count", site.min_instances(g)),
        ("max_count", g.max_instances),
    ]


def _scale_set(d: TerraformDesign, g: ComputeGroup, site: Site) -> list[Block | Comment]:
    s = site.suffix
    name = f"{g.name}{s}"
    pools = (
        f"[for pool in azurerm_application_gateway.web{s}.backend_address_pool : pool.id "
        f'if pool.name == "{g.workload}"]'
    )
    scale_set = block(
        "resource",
        "azurerm_linux_virtual_machine_scale_set",
        name,
        body=[
            *placed(site, g.workload + s.replace("_", "-")),
            ("sku", g.sku),
            ("instances", site.min_instances(g)),
            ("zones", Expr("local.zones")),
            ("zone_balance", True),
            ("admin_username", _ADMIN),
            block("admin_ssh_key", body=[("username", _ADMIN), ("public_key", Expr("var.ssh_public_key"))]),
            block(
                "source_image_reference",
                body=[
                    ("publisher", "Canonical"),
                    ("offer", "ubuntu-24_04-lts"),
                    ("sku", "server"),
                    ("version", "latest"),
                ],
            ),
            block(
                "os_disk",
                body=[
                    ("caching", "ReadWrite"),
                    ("storage_account_type", "Premium_LRS"),
                    ("disk_size_gb", d.boot_volume_gb),
                ],
            ),
            block(
                "network_interface",
                body=[
                    ("name", "nic"),
                    ("primary", True),
                    block(
                        "ip_configuration",
                        body=[
                            ("name", "internal"),
                            ("primary", True),
                            ("subnet_id", ref("azurerm_subnet", f"app{s}", "id")),
                            ("application_gateway_backend_address_pool_ids", Expr(pools))
                            if g.served
                            else None,
                        ],
                    ),
                ],
            ),
        ],
    )
    return [scale_set, _autoscale(d, g, site)]


def _autoscale(d: TerraformDesign, g: ComputeGroup, site: Site) -> Block:
    s = site.suffix
    target = ref("azurerm_linux_virtual_machine_scale_set", f"{g.name}{s}", "id")

    def rule(operator: str, threshold: int, direction: str) -> Block:
        return block(
            "rule",
            body=[
                block(
                    "metric_trigger",
                    body=[
                        ("metric_name", "Percentage CPU"),
                        ("metric_resource_id", target),
                        ("time_grain", "PT1M"),
                        ("statistic", "Average"),
                        ("time_window", "PT5M"),
                        ("time_aggregation", "Average"),
                        ("operator", operator),
                        ("threshold", threshold),
                    ],
                ),
                block(
                    "scale_action",
                    body=[
                        ("direction", direction),
                        ("type", "ChangeCount"),
                        ("value", 1),
                        ("cooldown", "PT5M"),
                    ],
                ),
            ],
        )

    minimum = site.min_instances(g)
    return block(
        "resource",
        "azurerm_monitor_autoscale_setting",
        f"{g.name}{s}",
        body=[
            *placed(site, f"{g.workload}-cpu{s.replace('_', '-')}"),
            ("target_resource_id", target),
            block(
                "profile",
                body=[
                    ("name", "cpu"),
                    block(
                        "capacity",
                        body=[("default", minimum), ("minimum", minimum), ("maximum", g.max_instances)],
                    ),
                    Comment(
                        f"scale out above {d.target_cpu_pct}% CPU, scale in below half of it (no flapping)"
                    ),
                    rule("GreaterThan", d.target_cpu_pct, "Increase"),
                    rule("LessThan", d.target_cpu_pct // 2, "Decrease"),
                ],
            ),
        ],
    )
