from __future__ import annotations

import json
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.cloud_engineer import CloudEngineerAgent
from infra_mind.agents.mlops import MlopsAgent
from infra_mind.agents.mlops.platform import PlatformAdvisor
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.mlops import MlopsOutput
from infra_mind.engine.synthesis import merge
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.ml_platforms import MlPlatformCatalog
from infra_mind.knowledge.models import InstanceCategory, Provider, ServiceKind
from tests.agents.helpers import quiet, run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


@pytest.fixture(scope="module")
def catalog() -> MlPlatformCatalog:
    return MlPlatformCatalog.load(packaged_data_dir())


async def _run(
    knowledge: Knowledge, catalog: MlPlatformCatalog, ctx: AssessmentContext
) -> tuple[AgentReport, MlopsOutput]:
    return await run_agent(MlopsAgent(knowledge, catalog), ctx, MlopsOutput)


def _workload(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(w for w in raw["workloads"] if w["name"] == name)


async def test_no_ai_workloads_completes_says_so_and_recommends_nothing(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"] = [w for w in healthtech["workloads"] if w["type"] != "ml_inference"]
    healthtech["ai_ml"] = {"maturity": "none"}

    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert "No AI/ML workloads" in report.summary
    assert [f.id for f in report.findings] == ["mlops-not-applicable"]
    assert report.recommendations == []
    assert not output.applicable
    assert output.platform is None
    assert output.training == []
    assert output.serving == []


async def test_training_sizing_is_the_profile_and_the_plan_line(
    knowledge: Knowledge, catalog: MlPlatformCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(scaleup)
    _, output = await _run(knowledge, catalog, ctx)
    demand = next(d for d in ctx.profile.demands if d.name == "fine-tuning")
    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    line = next(x for x in chosen.primary_lines if x.key == "fine-tuning:compute")

    sizing = next(t for t in output.training if t.workload == "fine-tuning")

    assert sizing.in_plan
    assert sizing.gpu_hours_per_month == demand.gpu_hours_per_month == 4 * 10 * 8
    assert (sizing.gpus_per_run, sizing.gpu_memory_gib) == (demand.gpu_count, demand.gpu_memory_gib)
    assert (sizing.instance_sku, sizing.monthly_usd) == (line.sku, line.monthly_usd)
    assert sizing.instances_per_run == 8
    assert sizing.gpu_model == "NVIDIA L4"
    assert sizing.gpu_hours_per_month_24m == pytest.approx(320 * (500 + 24 * 40) / 500, abs=0.01)


async def test_serving_sizing_is_the_profile_and_the_plan_line(
    knowledge: Knowledge, catalog: MlPlatformCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(scaleup)
    _, output = await _run(knowledge, catalog, ctx)
    demand = next(d for d in ctx.profile.demands if d.name == "summariser-8b")
    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    line = next(x for x in chosen.primary_lines if x.key == "summariser-8b:compute")

    serving = {s.workload: s for s in output.serving}

    assert set(serving) == {"summariser-8b"}  # writing-assistant calls a managed API: nothing to serve
    s = serving["summariser-8b"]
    assert (s.replicas, s.gpu_count, s.gpu_memory_gib) == (demand.gpu_replicas, demand.gpu_count, 20.8)
    assert s.peak_tokens_per_s == demand.peak_tokens_per_s
    assert (s.instance_sku, s.instance_count, s.monthly_usd) == (line.sku, 11, line.monthly_usd)
    assert s.latency_target_ms == 800
    assert output.ml_monthly_usd == pytest.approx(
        sum(
            x.monthly_usd
            for x in chosen.lines
            if x.workload in {"summariser-8b", "fine-tuning"} and x.kind == "compute"
        )
    )


async def test_training_sharded_across_separate_instances_is_questioned_not_endorsed(
    knowledge: Knowledge, catalog: MlPlatformCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    report, _ = await _run(knowledge, catalog, make_context(scaleup))

    keys = {r.key for r in report.recommendations}
    assert "gpu:fine-tuning" not in keys
    assert "gpu:summariser-8b" in keys
    review = next(f for f in report.findings if f.id == "gpu-review-fine-tuning")
    rate = knowledge.instance_price(Provider.AWS, "p4d.24xlarge", "us-east-1")
    assert rate is not None
    assert "p4d.24xlarge" in review.detail
    assert f"${4 * 10 * rate.usd_per_hour:,.2f}/month" in review.detail
    assert review.evidence


async def test_agreeing_gpu_choice_merges_with_the_cloud_engineer(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    mlops, _ = await _run(knowledge, catalog, ctx)
    cloud = await CloudEngineerAgent(knowledge).run(ctx, quiet)

    group = [r for r in [*cloud.recommendations, *mlops.recommendations] if r.key == "gpu:triage-model"]

    assert len(group) == 2
    merged = merge(group)
    assert merged.agents == ["cloud_engineer", "mlops"]
    assert merged.confidence > max(r.confidence for r in group)
    assert {r.monthly_cost_in_plan for r in group} == {group[0].monthly_cost_in_plan}


async def test_a_latency_target_tighter_than_the_gpu_rule_withholds_agreement(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _workload(healthtech, "triage-model")["latency_target_ms"] = 100

    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert "gpu:triage-model" not in {r.key for r in report.recommendations}
    assert output.serving[0].latency_within_rule is False
    finding = next(f for f in report.findings if f.id == "gpu-review-triage-model")
    assert "tighter than the 500 ms" in finding.detail


async def test_a_thin_team_gets_the_managed_platform_and_unsourced_fees_stay_unpriced(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert output.platform is not None
    assert (output.platform.chosen, output.platform.platform) == ("managed", "sagemaker")
    managed, open_source = output.platform.options
    assert not open_source.feasible
    assert managed.monthly_usd is None  # no SageMaker rate for g6.xlarge is sourced: never $0
    assert any("g6.xlarge" in u for u in managed.unpriced)
    platform = next(r for r in report.recommendations if r.key == "mlops:platform")
    assert platform.monthly_cost_delta is None
    assert "not priced" in platform.rationale
    assert any(f.id == "ml-platform-unpriced" for f in report.findings)
    assert "platform cost not priced" in report.summary


async def test_a_strong_scaled_team_runs_open_source_priced_from_the_footprint(
    knowledge: Knowledge, catalog: MlPlatformCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, catalog, make_context(scaleup))
    footprint = catalog.footprint("kubeflow")
    assert footprint is not None
    utilisation = knowledge.sizing("target_utilisation").value
    node = knowledge.cheapest_instance(
        Provider.AWS,
        "us-east-1",
        InstanceCategory.GENERAL,
        min_vcpu=footprint.vcpu / utilisation,
        min_memory_gib=footprint.memory_gib / utilisation,
    )
    volume = knowledge.service_price(Provider.AWS, ServiceKind.BLOCK_STORAGE, "us-east-1")
    assert node is not None
    assert volume is not None
    expected = node.price.usd_per_hour * 730 + footprint.storage_gb * volume.usd_per_unit

    assert output.platform is not None
    assert (output.platform.chosen, output.platform.platform) == ("open_source", "kubeflow")
    chosen = output.platform.options[1]
    assert chosen.monthly_usd == pytest.approx(expected, abs=0.01)
    assert "shares the plan's" in chosen.cost_basis  # the plan already runs an EKS cluster
    platform = next(r for r in report.recommendations if r.key == "mlops:platform")
    assert platform.monthly_cost_delta == chosen.monthly_usd
    assert platform.effort == 4
    registry = next(r for r in report.recommendations if r.key == "mlops:registry")
    assert "Kubeflow Model Registry" in registry.title


def test_a_sourced_platform_rate_gives_the_fee_over_the_instance_price(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    quote = priced_plan(ctx, knowledge).chosen
    assert quote is not None
    assert quote.region == "us-east-1"
    ec2 = knowledge.instance_price(Provider.AWS, "g5.xlarge", "us-east-1")
    assert ec2 is not None
    line = quote.primary_lines[0].model_copy(
        update={
            "sku": "g5.xlarge",
            "component": "GPU inference",
            "quantity": 730,
            "unit_price_usd": ec2.usd_per_hour,
        }
    )

    decision = PlatformAdvisor(ctx, knowledge, catalog).decide(quote, [line])

    assert decision is not None
    managed = decision.choice.options[0]
    assert managed.unpriced == []
    assert len(managed.fees) == 1
    fee = managed.fees[0]
    assert fee.platform_sku == "ml.g5.xlarge"
    assert fee.monthly_usd == round(730 * (1.4084 - ec2.usd_per_hour), 2)
    assert managed.monthly_usd == fee.monthly_usd
    assert "sagemaker/pricing" in fee.source


async def test_azure_machine_learning_adds_a_sourced_zero(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["current_infrastructure"]["providers"] = []
    healthtech["providers"]["excluded"] = ["aws", "gcp"]

    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert output.platform is not None
    assert output.platform.platform == "azure_ml"
    managed = output.platform.options[0]
    assert managed.unpriced == []
    assert managed.monthly_usd == 0
    assert managed.fees
    assert all(f.monthly_usd == 0 and "machine-learning" in f.source for f in managed.fees)
    platform = next(r for r in report.recommendations if r.key == "mlops:platform")
    assert platform.monthly_cost_delta == 0


async def test_model_monitor_closed_to_new_customers_is_replaced_unless_already_used(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, catalog, make_context(healthtech))
    monitoring = next(r for r in report.recommendations if r.key == "mlops:monitoring")
    assert "Evidently" in monitoring.title
    closed = next(p for p in output.products if p.product == "Amazon SageMaker Model Monitor")
    assert not closed.available
    assert not closed.needed

    healthtech["current_infrastructure"]["services"].append("SageMaker")
    report, _ = await _run(knowledge, catalog, make_context(healthtech))
    monitoring = next(r for r in report.recommendations if r.key == "mlops:monitoring")
    assert "Amazon SageMaker Model Monitor" in monitoring.title


async def test_training_implied_by_the_frequency_is_sized_and_priced_outside_the_plan(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _workload(healthtech, "triage-model")["data_size_gb"] = 200

    report, output = await _run(knowledge, catalog, make_context(healthtech))

    (implied,) = output.training
    assert not implied.in_plan
    assert implied.runs_per_month == 1  # monthly
    assert implied.gpu_hours_per_month == pytest.approx(200 / 25)  # 200 GB ÷ 25 GB per GPU-hour
    assert implied.instance_sku is not None
    assert implied.monthly_usd
    price = knowledge.instance_price(Provider.AWS, implied.instance_sku, "us-east-1")
    assert price is not None
    assert implied.monthly_usd == pytest.approx(8 * price.usd_per_hour, abs=0.01)
    finding = next(f for f in report.findings if f.id == f"training-{implied.workload}")
    assert "not in the priced plan" in finding.title
    assert "implied by ai_ml.training_frequency 'monthly'" in finding.detail
    assert "1 implied by the training frequency" in report.summary


async def test_training_of_cpu_models_is_flagged_not_assumed_on_gpus(
    knowledge: Knowledge,
    catalog: MlPlatformCatalog,
    example_inputs: dict[str, dict[str, Any]],
    make_context: MakeContext,
) -> None:
    report, output = await _run(knowledge, catalog, make_context(deepcopy(example_inputs["eu-fintech-pci"])))

    assert output.training == []
    assert any(f.id == "training-not-sized" for f in report.findings)
    assert output.serving[0].hardware == "cpu"
    assert all(not r.key.startswith("gpu:") for r in report.recommendations)


async def test_runs_that_disagree_with_the_training_frequency_are_reported(
    knowledge: Knowledge, catalog: MlPlatformCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    report, _ = await _run(knowledge, catalog, make_context(scaleup))
    assert not any(f.id.startswith("training-frequency") for f in report.findings)  # 4 runs ≈ weekly

    _workload(scaleup, "fine-tuning")["runs_per_month"] = 30
    report, _ = await _run(knowledge, catalog, make_context(scaleup))
    assert any(f.id == "training-frequency-fine-tuning" for f in report.findings)


async def test_a_tiny_budget_brings_the_budget_into_the_platform_choice(
    knowledge: Knowledge, catalog: MlPlatformCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    scaleup["budget"].update({"monthly_limit_usd": 500, "flexibility": "strict", "total_min_usd": None})
    scaleup["budget"].pop("total_max_usd")

    report, output = await _run(knowledge, catalog, make_context(scaleup))

    assert output.platform is not None
    budget = next(c for c in output.platform.criteria if c.criterion == "budget")
    assert "over the monthly budget" in budget.detail
    assert any(r.key == "mlops:platform" for r in report.recommendations)


async def test_huge_scale_keeps_the_sizing_of_the_profile(
    knowledge: Knowledge, catalog: MlPlatformCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    _workload(scaleup, "summariser-8b")["requests_per_day"] = 250_000_000
    ctx = make_context(scaleup)

    report, output = await _run(knowledge, catalog, ctx)

    demand = next(d for d in ctx.profile.demands if d.name == "summariser-8b")
    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    line = next(x for x in chosen.primary_lines if x.key == "summariser-8b:compute")
    serving = output.serving[0]
    assert serving.replicas == demand.gpu_replicas > 1000
    assert serving.instance_count * 730 == pytest.approx(line.quantity)
    assert serving.monthly_usd == line.monthly_usd
    assert f"{demand.gpu_count} GPU(s)" in report.summary


async def test_no_compliance_duties_change_nothing_in_the_ml_plan(
    knowledge: Knowledge, catalog: MlPlatformCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, before = await _run(knowledge, catalog, make_context(deepcopy(healthtech)))
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}
    healthtech["security"]["data_types"] = []

    _, after = await _run(knowledge, catalog, make_context(healthtech))

    assert after.platform is not None
    assert before.platform is not None
    assert after.platform.platform == before.platform.platform
    assert after.serving == before.serving


async def test_every_recommendation_carries_evidence_and_known_best_practices(
    knowledge: Knowledge,
    catalog: MlPlatformCatalog,
    example_inputs: dict[str, dict[str, Any]],
    make_context: MakeContext,
) -> None:
    for raw in example_inputs.values():
        report, output = await _run(knowledge, catalog, make_context(deepcopy(raw)))
        assert MlopsOutput.model_validate(output.model_dump()) == output
        for rec in report.recommendations:
            assert rec.key.split(":")[0] in {"mlops", "gpu"}
            assert rec.agents == ["mlops"]
            assert rec.evidence
            assert rec.best_practices
            assert all(knowledge.best_practice(bp) for bp in rec.best_practices)
            assert 1 <= rec.impact <= 5
            assert 1 <= rec.effort <= 5


def test_every_catalog_record_is_sourced_and_dated(catalog: MlPlatformCatalog) -> None:
    platforms = [catalog.managed(p) for p in Provider] + [catalog.open_source()]
    assert all(p is not None for p in platforms)
    records = [p for p in platforms if p is not None]
    records += [x for p in records for x in catalog.products(p.id)]
    records += catalog.rules()
    for record in records:
        assert record.source
        assert record.as_of
    for rule in catalog.rules():
        assert rule.assumption().source == rule.source


def test_a_record_naming_an_unknown_platform_is_rejected(tmp_path: Path) -> None:
    raw = json.loads((packaged_data_dir() / "ml_platforms.json").read_text())
    next(r for r in raw["records"] if r["record"] == "product")["platform"] = "no-such-platform"
    (tmp_path / "ml_platforms.json").write_text(json.dumps(raw))

    with pytest.raises(CatalogInvalid, match="no-such-platform"):
        MlPlatformCatalog.load(tmp_path)
