from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Callable
from copy import deepcopy
from itertools import pairwise
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.infrastructure import InfrastructureAgent
from infra_mind.agents.infrastructure.analysis import analyse
from infra_mind.agents.infrastructure.terraform.hcl import Comment, Expr, block, render, template
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import EvidenceKind, Severity
from infra_mind.domain.growth import demand_factor
from infra_mind.domain.outputs import InfrastructureOutput
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.sla import Component, DrStrategyName

MakeContext = Callable[[dict[str, Any]], AssessmentContext]
TERRAFORM = shutil.which("terraform")


async def _no_progress(pct: float, message: str) -> None:
    return None


async def _run(knowledge: Knowledge, ctx: AssessmentContext) -> tuple[AgentReport, InfrastructureOutput]:
    report = await InfrastructureAgent(knowledge).run(ctx, _no_progress)
    assert isinstance(report.output, InfrastructureOutput)
    return report, report.output


def _with(raw: dict[str, Any], *, uptime: float, rto: int, rpo: int) -> dict[str, Any]:
    raw["performance"].update(uptime_target_pct=uptime, rto_minutes=rto, rpo_minutes=rpo)
    return raw


def _on(raw: dict[str, Any], provider: str, *, kubernetes: bool = False) -> dict[str, Any]:
    raw["providers"]["preferred"] = [provider]
    raw["providers"]["excluded"] = [p for p in ("aws", "azure", "gcp") if p != provider]
    raw["current_infrastructure"]["providers"] = []
    raw["team"]["kubernetes_expertise"] = 4 if kubernetes else 1
    return raw


def _assert_valid_hcl(text: str) -> None:
    assert text.count("{") == text.count("}")
    assert text.count("[") == text.count("]")
    if TERRAFORM:
        result = subprocess.run(
            [TERRAFORM, "fmt", "-check", "-"], input=text, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


async def test_three_nines_spreads_over_two_zones_without_a_second_region(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, out = await _run(knowledge, make_context(_with(healthtech, uptime=99.9, rto=1440, rpo=1440)))

    assert out.topology.zones == 2
    assert out.topology.secondary_region is None
    assert {s.zone for s in out.topology.subnets if s.tier == "app"} <= {0, 1, None}


async def test_a_day_of_rto_is_met_by_backup_and_restore(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, out = await _run(knowledge, make_context(_with(healthtech, uptime=99.9, rto=1440, rpo=1440)))

    assert out.disaster_recovery.strategy == "backup_restore"
    assert out.disaster_recovery.achievable_rto_minutes <= 1440
    assert "dr:backup_restore" in {r.key for r in report.recommendations}


async def test_four_nines_adds_a_priced_secondary_region(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(_with(healthtech, uptime=99.99, rto=60, rpo=15))
    report, out = await _run(knowledge, ctx)

    dr = out.disaster_recovery
    secondary = out.topology.secondary_region
    allowed = next(
        regions for p, regions in ctx.constraints.allowed_regions.items() if p.value == out.topology.provider
    )
    assert secondary in allowed
    assert secondary != out.topology.primary_region
    assert dr.strategy in {"warm_standby", "multi_site_active"}
    rec = next(r for r in report.recommendations if r.key == f"dr:{dr.strategy}")
    # the DR footprint is part of the priced plan (its total), so it does not add on top of it
    assert rec.monthly_cost_delta is None
    assert rec.monthly_cost_in_plan is not None
    assert rec.monthly_cost_in_plan > 0
    assert rec.monthly_cost_in_plan == dr.monthly_cost_usd
    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    assert chosen.dr is not None
    assert chosen.dr.region == secondary
    assert chosen.dr_usd == pytest.approx(dr.monthly_cost_usd, abs=0.01)
    priced = [e for e in rec.evidence if e.kind is EvidenceKind.CATALOG_PRICE]
    assert priced
    assert all(e.ref.endswith(f"@{secondary}") for e in priced)


async def test_active_regions_compose_in_parallel(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, out = await _run(knowledge, make_context(_with(_on(healthtech, "aws"), uptime=99.99, rto=5, rpo=1)))

    dr = out.disaster_recovery
    regional = math.prod(c.sla_pct / 100 for c in dr.components if c.region_scope == "regional" and c.sla_pct)
    shared = math.prod(c.sla_pct / 100 for c in dr.components if c.region_scope == "global" and c.sla_pct)
    assert dr.active_regions == 2
    assert dr.design_uptime_pct is not None
    assert dr.design_uptime_pct == pytest.approx(shared * (1 - (1 - regional) ** 2) * 100, abs=1e-6)
    assert dr.design_uptime_pct > regional * 100


async def test_single_region_design_uptime_is_the_product_of_slas(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, out = await _run(knowledge, make_context(_with(_on(healthtech, "aws"), uptime=99.9, rto=60, rpo=15)))

    dr = out.disaster_recovery
    sla = knowledge.sla
    expected = [
        sla.availability(Provider.AWS, c)
        for c in (Component.LOAD_BALANCER, Component.MULTI_ZONE_COMPUTE, Component.DATABASE_HA)
    ]
    assert [c.sla_pct for c in dr.components] == [r.availability_pct for r in expected if r]
    assert dr.design_uptime_pct == pytest.approx(
        math.prod((c.sla_pct or 100) / 100 for c in dr.components) * 100
    )


async def test_residency_leaving_one_region_puts_the_target_at_risk(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    raw = _with(healthtech, uptime=99.99, rto=60, rpo=15)
    raw["company"]["customer_markets"] = ["uk"]
    raw["compliance"]["data_residency"] = ["UK"]
    raw["providers"]["excluded"] = ["azure"]  # Azure has two UK regions (UK South, UK West)
    report, out = await _run(knowledge, make_context(raw))

    risk = next(f for f in report.findings if f.id == "infra-single-region-risk")
    assert risk.severity is Severity.HIGH
    assert "at risk" in risk.title
    assert out.topology.secondary_region is None
    assert out.disaster_recovery.secondary_region is None


async def test_zero_rpo_is_reported_as_not_achievable(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, out = await _run(knowledge, make_context(_with(healthtech, uptime=99.9, rto=60, rpo=0)))

    finding = next(f for f in report.findings if f.id == "infra-recovery-objectives")
    assert finding.severity is Severity.HIGH
    assert out.disaster_recovery.achievable_rpo_minutes > 0
    assert out.disaster_recovery.strategy == DrStrategyName.MULTI_SITE_ACTIVE.value


async def test_a_plan_with_nothing_always_on_composes_no_uptime(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    raw = _with(healthtech, uptime=99.9, rto=1440, rpo=1440)
    raw["workloads"] = [
        {"name": "nightly-reports", "type": "batch", "jobs_per_day": 10, "avg_job_minutes": 30}
    ]
    report, out = await _run(knowledge, make_context(raw))

    assert out.disaster_recovery.design_uptime_pct is None
    assert out.disaster_recovery.components == []
    assert out.autoscaling == []
    assert "ha:multi_zone" not in {r.key for r in report.recommendations}
    _assert_valid_hcl(out.terraform)


async def test_capacity_plan_grows_with_users_and_data(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    _, out = await _run(knowledge, ctx)

    plan = out.capacity_plan
    assert [p.month for p in plan] == [0, 6, 12, 24, 36]
    assert plan[0].users == ctx.requirements.growth.current_users
    assert next(p for p in plan if p.month == 24).users == ctx.requirements.growth.users_24m
    assert all(
        a.users < b.users and a.vcpu < b.vcpu and a.memory_gib < b.memory_gib for a, b in pairwise(plan)
    )
    monthly_growth = sum(w.data_growth_gb_per_month for w in ctx.requirements.workloads)
    assert plan[-1].storage_gb == pytest.approx(plan[0].storage_gb + 36 * monthly_growth)


async def test_autoscaling_covers_every_always_on_workload_up_to_the_24_month_peak(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, out = await _run(knowledge, make_context(healthtech))

    policies = {p.workload: p for p in out.autoscaling}
    assert set(policies) == {"patient-portal", "fhir-api", "triage-model"}
    assert all(1 <= p.min_instances <= p.max_instances for p in policies.values())
    assert policies["patient-portal"].max_instances > policies["patient-portal"].min_instances
    assert policies["triage-model"].metric == "requests per model replica"
    keys = {r.key for r in report.recommendations}
    assert {f"autoscaling:{name}" for name in policies} <= keys


@pytest.mark.parametrize(
    "workload",
    [
        # above the req/s-per-GPU rule's model-size band: fewer req/s per GPU, so more replicas
        {"name": "triage-model", "requests_per_second": 20, "model_size_b_params": 30},
        {
            "name": "assistant",
            "type": "llm_application",
            "criticality": "business_critical",
            "hosting": "self_hosted",
            "requests_per_day": 400000,
            "peak_multiplier": 2,
            "model_size_b_params": 70,
        },
    ],
)
async def test_gpu_autoscaling_holds_the_sized_replicas_today_and_times_the_growth_at_24_months(
    knowledge: Knowledge,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    workload: dict[str, Any],
) -> None:
    raw = _on(healthtech, "aws")
    known = {w["name"]: w for w in raw["workloads"]}
    if workload["name"] in known:
        known[workload["name"]].update(workload)
    else:
        raw["workloads"].append(workload)
    ctx = make_context(raw)
    _, out = await _run(knowledge, ctx)

    policy = next(p for p in out.autoscaling if p.workload == workload["name"])
    demand = next(d for d in ctx.profile.demands if d.name == workload["name"])
    instance = knowledge.instance(Provider.AWS, policy.instance_sku)
    assert instance is not None
    assert demand.gpu_replicas > 1
    per_replica = max(1, math.ceil(demand.gpu_memory_gib / instance.gpu_memory_gib))
    per_instance = instance.gpu_count // per_replica
    factor = demand_factor(ctx.requirements.growth, 24)
    today = math.ceil(demand.gpu_replicas / per_instance)
    later = math.ceil(math.ceil(demand.gpu_replicas * factor - 1e-9) / per_instance)
    assert policy.min_instances == max(today, min(2, ctx.constraints.zones_required))
    assert policy.max_instances == later > policy.min_instances
    assert f"{demand.gpu_replicas} model replica(s) sized for today's peak" in policy.basis
    if workload.get("type") == "llm_application":
        assert policy.metric == "GPU utilisation"
    else:
        assert policy.metric == "requests per model replica"
        assert "24 req/s" not in policy.target  # not the 40 req/s-per-GPU rule at 60 %
        assert policy.target.startswith(f"{demand.peak_rps / demand.gpu_replicas:.3g} req/s per replica")
    gpus_24m = next(p.gpu_count for p in out.capacity_plan if p.month == 24)
    assert gpus_24m >= math.ceil(demand.gpu_replicas * factor - 1e-9) * demand.gpus_per_replica


async def test_terraform_declares_the_chosen_region_database_and_network(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, out = await _run(knowledge, make_context(_with(_on(healthtech, "aws"), uptime=99.9, rto=60, rpo=15)))

    tf = out.terraform
    assert f'default     = "{out.topology.primary_region}"' in tf
    assert 'resource "aws_db_instance" "clinical_db"' in tf
    assert "multi_az                    = true" in tf
    assert 'source                       = "terraform-aws-modules/vpc/aws"' in tf
    assert 'resource "aws_s3_bucket_server_side_encryption_configuration" "data"' in tf
    assert 'resource "aws_lb" "web"' in tf
    assert "replicate_source_db" in tf
    _assert_valid_hcl(tf)


@pytest.mark.parametrize(
    ("provider", "kubernetes", "markers"),
    [
        ("aws", True, ['module "eks"', "eks_managed_node_groups", 'resource "aws_wafv2_web_acl"']),
        ("aws", False, ['resource "aws_autoscaling_group" "patient_portal"', "TargetTrackingScaling"]),
        ("azure", True, ['resource "azurerm_kubernetes_cluster" "main"', "ZoneRedundant"]),
        (
            "azure",
            False,
            ['resource "azurerm_linux_virtual_machine_scale_set"', "azurerm_monitor_autoscale_setting"],
        ),
        (
            "gcp",
            True,
            [
                'resource "google_container_cluster" "main"',
                '"REGIONAL"',
                'resource "google_sql_database_instance"',
            ],
        ),
        ("gcp", False, ['resource "google_compute_region_autoscaler"', "google_compute_security_policy"]),
    ],
)
async def test_terraform_is_generated_for_each_provider_and_platform(
    knowledge: Knowledge,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    provider: str,
    kubernetes: bool,
    markers: list[str],
) -> None:
    raw = _with(_on(healthtech, provider, kubernetes=kubernetes), uptime=99.95, rto=10, rpo=5)
    _, out = await _run(knowledge, make_context(raw))

    assert out.topology.provider == provider
    assert all(marker in out.terraform for marker in markers)
    assert out.topology.secondary_region
    assert out.topology.secondary_region in out.terraform
    for policy in out.autoscaling:
        assert policy.instance_sku
        assert policy.instance_sku in out.terraform
    _assert_valid_hcl(out.terraform)


_REPLICA_SOURCE = {
    ("aws", "postgresql"): ("aws_db_instance", "replicate_source_db"),
    ("aws", "mysql"): ("aws_db_instance", "replicate_source_db"),
    ("azure", "postgresql"): ("azurerm_postgresql_flexible_server", "source_server_id"),
    ("azure", "mysql"): ("azurerm_mysql_flexible_server", "source_server_id"),
    ("gcp", "postgresql"): ("google_sql_database_instance", "master_instance_name"),
    ("gcp", "mysql"): ("google_sql_database_instance", "master_instance_name"),
}


def _resource(tf: str, type_: str, name: str) -> str:
    start = tf.index(f'resource "{type_}" "{name}" {{\n')
    return tf[start : tf.index("\n}\n", start)]


def _attributes(block: str) -> dict[str, str]:
    """The top-level attributes of one resource block, as written."""
    lines = block.splitlines()[1:]
    pairs = (line.strip().split(" = ", 1) for line in lines if line.startswith("  ") and line[2] != " ")
    return {pair[0].strip(): pair[1] for pair in pairs if len(pair) == 2}


def _past_the_largest_class(raw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    db = next(w for w in raw["workloads"] if w["name"] == "clinical-db")
    db.update({"read_qps": 6000, "write_qps": 300} | extra)
    return raw


@pytest.mark.parametrize(("provider", "engine"), sorted(_REPLICA_SOURCE))
async def test_terraform_declares_the_read_replicas_the_bill_of_materials_prices(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext, provider: str, engine: str
) -> None:
    raw = _with(_on(healthtech, provider), uptime=99.9, rto=60, rpo=15)
    ctx = make_context(_past_the_largest_class(raw, engine=engine))
    _, out = await _run(knowledge, ctx)

    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    lines = {line.key: line for line in chosen.lines}
    server, replicas = lines["clinical-db:database"], lines["clinical-db:read_replicas"]
    count = round(replicas.quantity / 730)
    assert count > 1
    type_, source = _REPLICA_SOURCE[(provider, engine)]
    block = _resource(out.terraform, type_, "clinical_db_replica")
    attributes = _attributes(block)
    assert attributes["count"] == str(count)
    assert server.sku == replicas.sku
    assert re.search(rf'(instance_class|sku_name|tier) += "(GP_)?{re.escape(replicas.sku)}"', block)
    assert attributes[source].startswith(f"{type_}.clinical_db.")
    if provider == "azure":
        assert attributes["create_mode"] == '"Replica"'
    assert "clinical_db_replica_secondary" not in out.terraform  # a standby region prices no read replicas
    _assert_valid_hcl(out.terraform)


def test_read_replicas_are_not_counted_as_the_cost_of_zone_redundancy(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    def premium(read_qps: int) -> tuple[float, int]:
        raw = _with(_on(deepcopy(healthtech), "aws"), uptime=99.9, rto=60, rpo=15)
        ctx = make_context(_past_the_largest_class(raw, read_qps=read_qps))
        analysis = analyse(ctx, knowledge, priced_plan(ctx, knowledge))
        assert analysis is not None
        assert not [line for line in analysis.ha_lines if line.key.endswith(":read_replicas")]
        replicas = next(line for line in analysis.quote.lines if line.key == "clinical-db:read_replicas")
        return analysis.ha_premium_usd, round(replicas.quantity / 730)

    fewer, more = premium(6000), premium(9000)
    assert fewer[1] < more[1]
    assert fewer[0] == more[0]  # more read replicas, same price of a second zone


async def test_an_active_second_region_declares_its_own_priced_read_replicas(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(_past_the_largest_class(_with(_on(healthtech, "aws"), uptime=99.99, rto=5, rpo=1)))
    _, out = await _run(knowledge, ctx)

    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    assert out.disaster_recovery.active_regions == 2
    dr = next(line for line in chosen.lines if line.key == "dr:clinical-db:read_replicas")
    attributes = _attributes(_resource(out.terraform, "aws_db_instance", "clinical_db_replica_secondary"))
    assert attributes["count"] == str(round(dr.quantity / 730))
    assert attributes["provider"] == "aws.secondary"
    # cascades from the regional copy, so the replicas follow it when it is promoted
    assert attributes["replicate_source_db"] == "aws_db_instance.clinical_db_secondary.arn"
    _assert_valid_hcl(out.terraform)


async def test_every_recommendation_carries_evidence_and_best_practices(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, _ = await _run(knowledge, make_context(healthtech))

    keys = {r.key for r in report.recommendations}
    assert {
        "ha:multi_zone",
        "iac:terraform",
        "network:segmentation",
        "control:ddos_protection",
        "edge:cdn",
    } <= keys
    assert any(key.startswith("dr:") for key in keys)
    for rec in report.recommendations:
        assert rec.evidence, rec.key
        assert rec.best_practices, rec.key
        assert rec.agents == ["infrastructure"]
    priced = [r for r in report.recommendations if r.monthly_cost_delta]
    assert all(any(e.kind is EvidenceKind.CATALOG_PRICE for e in r.evidence) for r in priced)


async def test_the_analysis_is_deterministic(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    first, _ = await _run(knowledge, ctx)
    second, _ = await _run(knowledge, ctx)

    assert first.summary == second.summary
    assert first.output == second.output
    assert [r.model_dump() for r in first.recommendations] == [r.model_dump() for r in second.recommendations]


def test_sla_catalog_covers_each_provider_with_sources(knowledge: Knowledge) -> None:
    for provider in Provider:
        for component in Component:
            record = knowledge.sla.availability(provider, component)
            assert record is not None, (provider, component)
            assert record.source.startswith("https://")
    strategies = knowledge.sla.strategies()
    assert [s.strategy for s in strategies] == list(DrStrategyName)
    assert [s.rto_minutes for s in strategies] == sorted((s.rto_minutes for s in strategies), reverse=True)


def test_hcl_writer_aligns_escapes_and_unwraps_lone_interpolations() -> None:
    text = render(
        [
            Comment("generated"),
            block(
                "resource",
                "x",
                "y",
                body=[
                    ("a", 1),
                    ("long_name", "say ${hi}"),
                    ("ref", template("${var.project}")),
                    ("flag", True),
                    block("empty"),
                    ("tags", {"k": "v", "longer-key": Expr("var.x")}),
                    None,
                ],
            ),
        ]
    )

    assert text == (
        "# generated\n\n"
        'resource "x" "y" {\n'
        "  a         = 1\n"
        '  long_name = "say $${hi}"\n'
        "  ref       = var.project\n"
        "  flag      = true\n"
        "  empty {}\n"
        "  tags = {\n"
        '    k          = "v"\n'
        "    longer-key = var.x\n"
        "  }\n"
        "}\n"
    )
    _assert_valid_hcl(text)
