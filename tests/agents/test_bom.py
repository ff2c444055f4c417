from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from infra_mind.agents.bom import BomBuilder
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.recovery import price_standby
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.pricing import BomLine, MissingPrice, ProviderQuote, Site
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import InstanceCategory, Provider, ServiceKind

MakeContext = Callable[[dict[str, Any]], AssessmentContext]
HOURS = 730


def _quote(
    knowledge: Knowledge, ctx: AssessmentContext, provider: Provider = Provider.AWS, **kwargs: Any
) -> ProviderQuote:
    region = ctx.constraints.home_regions[next(p for p in ctx.constraints.providers if p.value == provider)]
    return BomBuilder(knowledge).quote(ctx, provider, region, **kwargs)


def _line(quote: ProviderQuote, key: str) -> BomLine:
    return next(line for line in quote.lines if line.key == key)


def _missing(quote: ProviderQuote, key: str) -> MissingPrice:
    return next(m for m in quote.missing if m.key == key)


def _only(raw: dict[str, Any], *workloads: dict[str, Any]) -> dict[str, Any]:
    raw["workloads"] = list(workloads)
    return raw


WEB = {"name": "site", "type": "web_app", "requests_per_second": 40, "peak_multiplier": 3}


def test_an_always_on_fleet_is_billed_per_instance_hour_across_the_zones(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(_only(healthtech, WEB | {"criticality": "business_critical"}))
    quote = _quote(knowledge, ctx)

    line = _line(quote, "site:compute")
    demand = ctx.profile.demands[0]
    instance = knowledge.instance(Provider.AWS, line.sku)
    assert instance is not None
    count = max(ctx.constraints.zones_required, math.ceil(demand.vcpu / instance.vcpu))
    assert (line.unit, line.quantity) == ("instance-hour", count * HOURS)
    assert line.monthly_usd == pytest.approx(line.quantity * line.unit_price_usd, abs=0.01)
    boot = _line(quote, "shared:block_storage")
    assert (boot.unit, boot.quantity) == ("gb_month", count * knowledge.sizing("boot_volume_gb").value)


@pytest.mark.parametrize(
    ("criticality", "rps", "burstable"),
    [
        ("standard", 2, True),  # 0.13 vCPU at peak: well inside half of two burstable instances
        ("business_critical", 2, False),  # critical workloads never run on burstable instances
        ("standard", 40, False),  # 4 vCPU at peak: more than half of what burstables at the minimum give
    ],
)
def test_burstable_instances_only_for_small_non_critical_peaks(
    knowledge: Knowledge,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    criticality: str,
    rps: float,
    burstable: bool,
) -> None:
    web = WEB | {"criticality": criticality, "requests_per_second": rps, "peak_multiplier": 2}
    quote = _quote(knowledge, make_context(_only(healthtech, web)))

    line = _line(quote, "site:compute")
    instance = knowledge.instance(Provider.AWS, line.sku)
    assert instance is not None
    assert (instance.category is InstanceCategory.BURSTABLE) is burstable


def test_a_database_past_the_largest_class_adds_read_replicas_instead_of_shards(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    db = {
        "name": "big-db",
        "type": "database",
        "data_size_gb": 500,
        "read_qps": 4000,
        "write_qps": 500,
        "peak_multiplier": 2,
        "high_availability": True,
    }
    ctx = make_context(_only(healthtech, db))
    quote = _quote(knowledge, ctx)

    demand = ctx.profile.demands[0]  # 9,000 q/s ÷ 500 ÷ 60 % = 30 vCPU; the catalog tops out at 8
    primary = _line(quote, "big-db:database")
    replicas = _line(quote, "big-db:read_replicas")
    assert primary.sku == replicas.sku == "db.m6i.2xlarge"
    assert primary.quantity == 2 * HOURS  # primary + its standby in a second zone
    expected = math.ceil((demand.vcpu - 8) / 8)
    assert replicas.quantity == expected * HOURS
    assert _line(quote, "big-db:database_storage").quantity == 500 * (2 + expected)
    assert "target utilisation" in primary.assumption
    assert not [m for m in quote.missing if m.workload == "big-db"]


def test_a_write_load_beyond_the_largest_class_is_reported_missing(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    db = {"name": "ledger", "type": "database", "read_qps": 1000, "write_qps": 3000, "peak_multiplier": 1}
    quote = _quote(knowledge, make_context(_only(healthtech, db)))

    missing = _missing(quote, "ledger:database_write_capacity")
    # writes need 3,000 ÷ 500 ÷ 0.6 = 10 vCPU; the largest class has 8
    assert missing.quantity == pytest.approx(2, abs=0.01)
    assert "read replicas add no write capacity" in missing.reason
    assert _line(quote, "ledger:read_replicas").quantity == math.ceil(1000 / 500 / 0.6 / 8) * HOURS


def test_the_load_balancer_processes_the_origin_traffic_after_the_cdn(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    quote = _quote(knowledge, ctx, Provider.GCP)

    served = sum(d.egress_gb_per_month for d in ctx.profile.demands if d.type in {"web_app", "api"})
    cdn = _line(quote, "shared:cdn")
    capacity = _line(quote, "shared:load_balancer_capacity")
    assert capacity.unit == "gb"
    assert capacity.quantity == pytest.approx(served - cdn.quantity, abs=0.1)


@pytest.mark.parametrize(
    ("provider", "sku", "per"),
    [
        (Provider.AWS, "nat-gateway-hour", "zone"),  # a NAT gateway lives in one zone
        (Provider.AZURE, "nat-gateway-standard-hour", "gateway"),  # one gateway for the region
        (Provider.GCP, "cloud-nat-gateway-per-vm", "vm"),  # Cloud NAT bills per VM using it
    ],
)
def test_nat_gateways_are_billed_in_the_unit_of_their_record(
    knowledge: Knowledge,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    provider: Provider,
    sku: str,
    per: str,
) -> None:
    ctx = make_context(healthtech)
    quote = _quote(knowledge, ctx, provider)

    nat = _line(quote, "shared:nat_gateway")
    always_on = _line(quote, "shared:block_storage").quantity / knowledge.sizing("boot_volume_gb").value
    units = {"zone": ctx.constraints.zones_required, "gateway": 1, "vm": always_on}[per]
    assert (nat.sku, nat.unit, nat.quantity) == (sku, "hour", units * HOURS)


def test_managed_llm_tokens_are_missing_with_their_monthly_volume(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    assistant = {
        "name": "assistant",
        "type": "llm_application",
        "requests_per_day": 20000,
        "input_tokens_per_request": 1500,
        "output_tokens_per_request": 400,
        "hosting": "managed_api",
    }
    quote = _quote(knowledge, make_context(_only(healthtech, assistant)))

    days = HOURS / 24
    tokens_in = _missing(quote, "assistant:llm_input_tokens")
    tokens_out = _missing(quote, "assistant:llm_output_tokens")
    assert (tokens_in.unit, tokens_out.unit) == ("million tokens", "million tokens")
    assert tokens_in.quantity == pytest.approx(20000 * 1500 * days / 1e6, abs=0.01)
    assert tokens_out.quantity == pytest.approx(20000 * 400 * days / 1e6, abs=0.01)
    assert "≈912 million input tokens/month" in tokens_in.reason
    assert not any(line.workload == "assistant" for line in quote.lines)


def test_named_design_elements_without_a_price_kind_are_missing_not_absent(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    quote = _quote(knowledge, ctx)

    waf = _missing(quote, "shared:waf")
    served_rps = sum(
        w.requests_per_second for w in ctx.requirements.workloads if w.type in {"web_app", "api"}
    )
    assert waf.quantity == pytest.approx(served_rps * HOURS * 3600 / 1e6, abs=0.01)
    assert waf.unit == "million requests"
    assert {"shared:dns", "shared:kms", "shared:monitoring"} <= {m.key for m in quote.missing}
    assert quote.monthly_usd == pytest.approx(sum(line.monthly_usd for line in quote.lines), abs=0.01)


def test_training_larger_than_one_gpu_is_sharded_across_the_run_gpus(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    training = {
        "name": "fine-tuning",
        "type": "ml_training",
        "runs_per_month": 4,
        "hours_per_run": 10,
        "gpus_per_run": 8,
        "model_size_b_params": 8,
    }
    ctx = make_context(_only(healthtech, training))

    for provider in (Provider.AWS, Provider.AZURE, Provider.GCP):
        quote = _quote(knowledge, ctx, provider)
        line = _line(quote, "fine-tuning:compute")
        instance = knowledge.instance(provider, line.sku)
        assert instance is not None
        per_run = math.ceil(8 / instance.gpu_count)
        assert line.quantity == 4 * 10 * per_run
        assert per_run * instance.gpu_count * instance.gpu_memory_gib >= ctx.profile.demands[0].gpu_memory_gib
        if instance.gpu_memory_gib < ctx.profile.demands[0].gpu_memory_gib:
            assert "sharded across 8 GPUs" in line.assumption
        assert not [m for m in quote.missing if m.workload == "fine-tuning"]


def test_a_pilot_light_keeps_only_the_data_and_never_duplicates_traffic(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    option = priced_plan(ctx, knowledge).option("aws")
    assert option is not None
    assert option.recovery.strategy.strategy.value == "pilot_light"
    standby = option.standby
    assert standby is not None

    assert {line.kind for line in standby.lines} <= {
        "managed_postgresql",
        "database_storage",
        "object_storage",
    }
    assert all(line.site is Site.DR and line.region == option.recovery.secondary for line in standby.lines)
    db = next(line for line in standby.lines if line.kind == "managed_postgresql")
    assert db.quantity == HOURS  # one replica, no zone standby in the recovery region
    transfer = next(m for m in standby.missing if m.sku == "inter_region_transfer")
    assert transfer.quantity == 25  # clinical-db grows 25 GB a month
    assert option.total.monthly_usd == pytest.approx(
        option.primary.monthly_usd + standby.monthly_usd, abs=0.01
    )


def test_a_warm_standby_runs_one_instance_per_group_and_no_jobs(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    raw = healthtech
    raw["performance"].update(uptime_target_pct=99.9, rto_minutes=15, rpo_minutes=5)
    raw["workloads"].append({"name": "nightly", "type": "batch", "jobs_per_day": 10, "avg_job_minutes": 30})
    ctx = make_context(raw)
    option = priced_plan(ctx, knowledge).option("aws")
    assert option is not None
    assert option.recovery.strategy.strategy.value == "warm_standby"
    standby = price_standby(ctx, knowledge, Provider.AWS, option.recovery)
    assert standby is not None

    compute = [line for line in standby.lines if line.kind == "compute"]
    assert {line.workload for line in compute} == {"patient-portal", "fhir-api", "triage-model"}
    assert all(line.quantity == HOURS for line in compute)
    traffic = {ServiceKind.CDN, ServiceKind.EGRESS, ServiceKind.NAT_DATA, ServiceKind.LOAD_BALANCER_CAPACITY}
    assert not {line.kind for line in standby.lines} & {k.value for k in traffic}
