"""Phase 1: requirements → constraints, frameworks, warnings and the workload profile."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra_mind.domain.context import REQUEST_TYPES, AssessmentContext
from infra_mind.domain.enums import Framework
from infra_mind.domain.input_rules import parse_input
from infra_mind.domain.requirements import CloudProvider
from infra_mind.engine.validation import build_context
from infra_mind.errors import InvalidInput
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import Provider

Raw = dict[str, Any]
MakeContext = Callable[[Raw], AssessmentContext]
AWS, AZURE, GCP = CloudProvider.AWS, CloudProvider.AZURE, CloudProvider.GCP


def jurisdictions(ctx: AssessmentContext, knowledge: Knowledge) -> set[str]:
    return {
        region.jurisdiction
        for provider, codes in ctx.constraints.allowed_regions.items()
        for code in codes
        if (region := knowledge.region(Provider(provider.value), code))
    }


def warning_codes(ctx: AssessmentContext) -> set[str]:
    return {w.code for w in ctx.warnings}


def frameworks(ctx: AssessmentContext) -> set[Framework]:
    return set(ctx.framework_ids)


def knowledge_without_regions(tmp_path: Path, drop: Callable[[Raw], bool]) -> Knowledge:
    """The packaged knowledge base minus the regions `drop` selects."""
    data = tmp_path / "data"
    shutil.copytree(packaged_data_dir(), data)
    regions = json.loads((data / "regions.json").read_text())
    regions["records"] = [r for r in regions["records"] if not drop(r)]
    (data / "regions.json").write_text(json.dumps(regions))
    return Knowledge.load(data)


# --- regions and providers -------------------------------------------------------------------------


def test_eu_residency_allows_only_eu_regions(
    healthtech: Raw, make_context: MakeContext, knowledge: Knowledge
) -> None:
    healthtech["compliance"]["data_residency"] = ["EU"]
    ctx = make_context(healthtech)

    assert jurisdictions(ctx, knowledge) == {"EU"}
    assert set(ctx.constraints.allowed_regions) == {AWS, AZURE, GCP}
    assert ctx.constraints.residency == ("EU",)


def test_uk_residency_allows_only_uk_regions(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["compliance"]["data_residency"] = ["UK"]
    ctx = make_context(healthtech)

    assert ctx.constraints.allowed_regions == {
        AWS: ("eu-west-2",),
        AZURE: ("uksouth", "ukwest"),
        GCP: ("europe-west2",),
    }


def test_no_residency_allows_every_catalogued_region(
    healthtech: Raw, make_context: MakeContext, knowledge: Knowledge
) -> None:
    healthtech["compliance"]["data_residency"] = []
    ctx = make_context(healthtech)

    for provider, codes in ctx.constraints.allowed_regions.items():
        assert set(codes) == {r.code for r in knowledge.regions(Provider(provider.value))}


def test_regions_nearest_the_main_market_come_first(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["compliance"]["data_residency"] = []
    ctx = make_context(healthtech)

    assert ctx.constraints.home_regions == {AWS: "us-east-1", AZURE: "eastus", GCP: "us-east1"}


def test_excluded_provider_is_absent(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["providers"]["excluded"] = ["azure"]
    ctx = make_context(healthtech)

    assert AZURE not in ctx.constraints.providers
    assert AZURE not in ctx.constraints.allowed_regions
    assert AZURE not in ctx.constraints.home_regions


def test_preferred_provider_comes_first(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["providers"]["preferred"] = ["gcp"]
    ctx = make_context(healthtech)

    assert ctx.constraints.providers[0] is GCP
    assert set(ctx.constraints.providers) == {AWS, AZURE, GCP}


def test_current_provider_comes_before_the_others(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["current_infrastructure"]["providers"] = ["on_premises", "azure"]
    assert make_context(healthtech).constraints.providers[0] is AZURE


def test_preferred_region_comes_first_when_allowed(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["providers"]["preferred_regions"] = ["us-west-2"]
    ctx = make_context(healthtech)

    assert ctx.constraints.allowed_regions[AWS][0] == "us-west-2"
    assert ctx.constraints.home_regions[AWS] == "us-west-2"
    assert "preferred_region_breaks_residency" not in warning_codes(ctx)


def test_preferred_region_outside_residency_is_ignored_with_a_warning(
    healthtech: Raw, make_context: MakeContext
) -> None:
    healthtech["compliance"]["data_residency"] = ["EU"]
    healthtech["providers"]["preferred_regions"] = ["us-east-1"]
    ctx = make_context(healthtech)

    assert all("us-east-1" not in codes for codes in ctx.constraints.allowed_regions.values())
    warning = next(w for w in ctx.warnings if w.code == "preferred_region_breaks_residency")
    assert warning.field == "providers.preferred_regions"
    assert "us-east-1" in warning.message


def test_unknown_preferred_region_is_invalid_input(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["providers"]["preferred_regions"] = ["us-east-1", "mars-north-1"]
    with pytest.raises(InvalidInput) as caught:
        make_context(healthtech)

    assert [e.path for e in caught.value.errors] == ["providers.preferred_regions[1]"]
    assert "mars-north-1" in caught.value.errors[0].message


def test_residency_that_leaves_no_provider_is_invalid_input(healthtech: Raw, tmp_path: Path) -> None:
    no_uk = knowledge_without_regions(tmp_path, lambda r: r["jurisdiction"] == "UK")
    healthtech["compliance"]["data_residency"] = ["UK"]

    with pytest.raises(InvalidInput) as caught:
        build_context(parse_input(healthtech), no_uk)
    assert [e.path for e in caught.value.errors] == ["compliance.data_residency"]


def test_provider_without_a_resident_region_is_dropped_with_a_warning(
    healthtech: Raw, tmp_path: Path
) -> None:
    no_aws_uk = knowledge_without_regions(
        tmp_path, lambda r: (r["provider"], r["jurisdiction"]) == ("aws", "UK")
    )
    healthtech["compliance"]["data_residency"] = ["UK"]
    ctx = build_context(parse_input(healthtech), no_aws_uk)

    assert AWS not in ctx.constraints.providers
    assert "provider_excluded_by_residency" in warning_codes(ctx)


# --- frameworks --------------------------------------------------------------------------------------


def test_health_data_brings_hipaa_with_a_reason(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["compliance"]["frameworks"] = []
    (hipaa,) = [f for f in make_context(healthtech).constraints.frameworks if f.framework is Framework.HIPAA]

    assert not hipaa.declared
    assert any("health" in reason for reason in hipaa.reasons)


def test_declared_framework_says_so(healthtech: Raw, make_context: MakeContext) -> None:
    (hipaa,) = make_context(healthtech).constraints.frameworks
    assert hipaa.declared
    assert "declared in compliance.frameworks" in hipaa.reasons


def test_card_data_brings_pci_dss(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["security"]["data_types"] = ["payment_card"]
    assert Framework.PCI_DSS in frameworks(make_context(healthtech))


def test_eu_customers_with_personal_data_bring_gdpr(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["company"]["customer_markets"] = ["north_america", "europe"]
    assert Framework.GDPR in frameworks(make_context(healthtech))


def test_eu_customers_without_personal_data_do_not_bring_gdpr(
    healthtech: Raw, make_context: MakeContext
) -> None:
    healthtech["company"]["customer_markets"] = ["north_america", "europe"]
    healthtech["security"]["data_types"] = ["intellectual_property"]
    assert Framework.GDPR not in frameworks(make_context(healthtech))


@pytest.mark.parametrize(
    ("users_12m", "revenue", "applies"),
    [(90_000, 4_000_000, False), (100_000, 4_000_000, True), (90_000, 30_000_000, True)],
    ids=["below-both", "consumer-threshold", "revenue-threshold"],
)
def test_ccpa_above_its_thresholds(
    healthtech: Raw, make_context: MakeContext, users_12m: int, revenue: int, applies: bool
) -> None:
    healthtech["growth"].update(users_12m=users_12m, users_24m=max(users_12m, 200_000))
    healthtech["company"]["annual_revenue_usd"] = revenue
    assert (Framework.CCPA in frameworks(make_context(healthtech))) is applies


def test_government_brings_fedramp(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["company"]["industry"] = "government"
    assert Framework.FEDRAMP in frameworks(make_context(healthtech))


def test_frameworks_come_in_a_stable_order(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["company"]["customer_markets"] = ["north_america", "europe"]
    healthtech["security"]["data_types"] = ["health", "personal", "payment_card"]
    ids = make_context(healthtech).framework_ids
    assert list(ids) == sorted(ids, key=list(Framework).index)


def test_hipaa_needs_us_patients(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["company"]["customer_markets"] = ["europe"]
    healthtech["compliance"].update(frameworks=[], data_residency=["EU"])
    assert Framework.HIPAA not in frameworks(make_context(healthtech))


# --- redundancy and budget ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uptime", "global_distribution", "zones", "regions"),
    [
        (99.0, False, 1, 1),
        (99.5, False, 2, 1),
        (99.9, False, 2, 1),
        (99.95, False, 3, 1),
        (99.99, False, 3, 2),
        (99.9, True, 2, 2),
    ],
)
def test_uptime_sets_zones_and_regions(
    healthtech: Raw,
    make_context: MakeContext,
    uptime: float,
    global_distribution: bool,
    zones: int,
    regions: int,
) -> None:
    healthtech["company"]["customer_markets"] = ["north_america", "europe"]
    healthtech["performance"].update(uptime_target_pct=uptime, global_distribution=global_distribution)
    constraints = make_context(healthtech).constraints

    assert (constraints.zones_required, constraints.regions_required) == (zones, regions)


@pytest.mark.parametrize(
    ("flexibility", "ceiling"), [("strict", 9000), ("moderate", 9900), ("flexible", 11250)]
)
def test_budget_ceiling_follows_flexibility(
    healthtech: Raw, make_context: MakeContext, flexibility: str, ceiling: float
) -> None:
    healthtech["budget"]["flexibility"] = flexibility
    assert make_context(healthtech).constraints.budget_ceiling_usd_month == pytest.approx(ceiling)


# --- warnings ----------------------------------------------------------------------------------------


def test_a_plausible_input_has_no_warnings(healthtech: Raw, make_context: MakeContext) -> None:
    assert make_context(healthtech).warnings == ()


def test_high_uptime_in_a_single_allowed_region_warns(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["compliance"]["data_residency"] = ["UK"]
    healthtech["providers"]["excluded"] = ["azure"]  # Azure has two UK regions (UK South, UK West)
    healthtech["performance"]["uptime_target_pct"] = 99.99
    warning = next(w for w in make_context(healthtech).warnings if w.code == "single_region_high_uptime")
    assert warning.field == "performance.uptime_target_pct"


def test_high_uptime_with_two_allowed_regions_does_not_warn(
    healthtech: Raw, make_context: MakeContext
) -> None:
    healthtech["performance"]["uptime_target_pct"] = 99.99
    assert "single_region_high_uptime" not in warning_codes(make_context(healthtech))


def test_zero_rpo_warns(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["performance"]["rpo_minutes"] = 0
    assert "zero_rpo" in warning_codes(make_context(healthtech))


def test_residency_far_from_customers_warns(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["compliance"]["data_residency"] = ["EU"]
    assert "residency_far_from_customers" in warning_codes(make_context(healthtech))


def test_implausible_growth_warns(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["growth"]["users_24m"] = 101 * healthtech["growth"]["current_users"]
    assert "implausible_growth" in warning_codes(make_context(healthtech))


def test_a_jump_in_one_step_of_the_projection_warns_on_that_step(
    healthtech: Raw, make_context: MakeContext
) -> None:
    # 20,000 → 200,000 in 6 months, then flat: 10× overall, below the 100× of the 24-month check
    healthtech["growth"].update(users_6m=200_000, users_12m=200_000, users_24m=200_000)
    (warning,) = [w for w in make_context(healthtech).warnings if w.code == "implausible_growth"]

    assert warning.field == "growth.users_6m"
    assert "current_users" in warning.message


def test_steady_growth_within_the_rate_does_not_warn(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["growth"].update(users_6m=60_000, users_12m=180_000, users_24m=1_000_000)
    assert "implausible_growth" not in warning_codes(make_context(healthtech))


@pytest.mark.parametrize(("total", "warns"), [(100_000, True), (200_000, False), (None, False)])
def test_a_total_budget_far_below_36_monthly_limits_warns(
    healthtech: Raw, make_context: MakeContext, total: float | None, warns: bool
) -> None:
    # monthly limit $9,000 → 36 months = $324,000; the warning fires below half of it ($162,000)
    healthtech["budget"].update(total_min_usd=None, total_max_usd=total)
    warning = next(
        (w for w in make_context(healthtech).warnings if w.code == "total_budget_below_monthly"), None
    )
    assert (warning is not None) is warns
    if warning:
        assert warning.field == "budget.total_max_usd"
        assert "$2,778/month" in warning.message


def test_budget_below_the_priced_minimum_warns(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["budget"]["monthly_limit_usd"] = 100
    warning = next(w for w in make_context(healthtech).warnings if w.code == "budget_below_minimum")
    assert warning.field == "budget.monthly_limit_usd"


# --- workload profile --------------------------------------------------------------------------------


def demand(ctx: AssessmentContext, name: str) -> Any:
    return next(d for d in ctx.profile.demands if d.name == name)


def test_web_app_vcpu_from_peak_rps(healthtech: Raw, make_context: MakeContext, knowledge: Knowledge) -> None:
    # patient-portal: 40 req/s × peak 3 = 120 req/s; 120 ÷ 50 req/s per vCPU ÷ 0.6 utilisation = 4 vCPU
    assert knowledge.sizing("web_rps_per_vcpu").value == 50
    assert knowledge.sizing("target_utilisation").value == 0.6
    portal = demand(make_context(healthtech), "patient-portal")

    assert portal.peak_rps == 120
    assert portal.vcpu == pytest.approx(4.0)
    assert portal.memory_gib == pytest.approx(16.0)
    assert any("120" in a for a in portal.assumptions)


def test_api_vcpu_from_peak_rps(healthtech: Raw, make_context: MakeContext) -> None:
    # fhir-api: 80 × 2.5 = 200 req/s; 200 ÷ 100 ÷ 0.6 = 3.33 vCPU
    assert demand(make_context(healthtech), "fhir-api").vcpu == pytest.approx(3.33)


def test_small_database_gets_the_minimum_vcpu(
    healthtech: Raw, make_context: MakeContext, knowledge: Knowledge
) -> None:
    healthtech["workloads"][2].update(read_qps=10, write_qps=5)
    assert demand(make_context(healthtech), "clinical-db").vcpu == knowledge.sizing("db_min_vcpu").value


def test_gpu_inference_count_and_hours(healthtech: Raw, make_context: MakeContext) -> None:
    # 40 req/s × peak 3 = 120; 120 ÷ 40 req/s per GPU ÷ 0.6 = 5 GPUs, always on for 730 h
    healthtech["workloads"][3]["requests_per_second"] = 40
    triage = demand(make_context(healthtech), "triage-model")

    assert triage.gpu_count == 5
    assert triage.gpu_hours_per_month == pytest.approx(5 * 730)


def test_light_gpu_inference_still_needs_one_gpu(healthtech: Raw, make_context: MakeContext) -> None:
    assert demand(make_context(healthtech), "triage-model").gpu_count == 1


def test_cpu_inference_needs_no_gpu(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["workloads"][3]["gpu_required"] = False
    triage = demand(make_context(healthtech), "triage-model")
    assert triage.gpu_count == 0
    assert triage.vcpu > 0


def test_training_gpu_hours(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["workloads"].append(
        {
            "name": "retrain",
            "type": "ml_training",
            "runs_per_month": 4,
            "hours_per_run": 10,
            "gpus_per_run": 8,
        }
    )
    ctx = make_context(healthtech)
    retrain = demand(ctx, "retrain")

    assert retrain.gpu_hours_per_month == pytest.approx(320)
    assert retrain.interruptible
    assert ctx.profile.gpu_hours_per_month == pytest.approx(730 + 320)


def test_profile_totals_add_up(healthtech: Raw, make_context: MakeContext) -> None:
    profile = make_context(healthtech).profile
    assert profile.vcpu == pytest.approx(sum(d.vcpu for d in profile.demands), abs=0.01)
    assert profile.storage_gb == 400
    assert profile.storage_gb_24m == 400 + 24 * 25
    assert profile.growth_factor_24m == pytest.approx(3)


def _self_hosted(requests_per_day: int, size: float | None = 14) -> dict[str, Any]:
    llm: dict[str, Any] = {
        "name": "assistant",
        "type": "llm_application",
        "requests_per_day": requests_per_day,
        "hosting": "self_hosted",
    }
    if size is not None:
        llm["model_size_b_params"] = size
    return llm


def test_self_hosted_llm_replicas_follow_peak_tokens(
    healthtech: Raw, make_context: MakeContext, knowledge: Knowledge
) -> None:
    # 864,000 requests/day = 10 req/s × peak 2 (default) = 20 req/s × (1,000 + 300 default tokens)
    # = 26,000 tokens/s. A 14 B model: 1,460 × 7 ÷ 14 = 730 tokens/s per GPU; 14 × 2 × 1.3 = 36.4 GiB
    # → 2 GPUs of 24 GiB per replica → 1,460 tokens/s per replica; 26,000 ÷ 1,460 ÷ 0.6 = 29.7 → 30
    assert knowledge.sizing("llm_tokens_per_s_per_gpu").value == 1460
    assert knowledge.sizing("llm_reference_model_b_params").value == 7
    assert knowledge.sizing("inference_gpu_memory_gib").value == 24
    healthtech["workloads"].append(_self_hosted(864_000))
    ctx = make_context(healthtech)
    assistant = demand(ctx, "assistant")

    assert assistant.peak_tokens_per_s == pytest.approx(26_000)
    assert (assistant.gpu_replicas, assistant.gpus_per_replica, assistant.gpu_count) == (30, 2, 60)
    assert assistant.gpu_memory_gib == pytest.approx(36.4)
    assert assistant.gpu_hours_per_month == pytest.approx(60 * 730)
    assert {"llm_tokens_per_s_per_gpu", "llm_reference_model_b_params", "inference_gpu_memory_gib"} <= set(
        assistant.rules
    )
    assert any("26,000 tokens/s" in a for a in assistant.assumptions)
    assert any("(default: not in the input)" in a for a in assistant.assumptions)
    # 1,000 input per 300 output tokens is prompt-heavier than the 2:1 of the measurement
    assert any("3.3 input tokens per output token" in a and "errs high" in a for a in assistant.assumptions)


def test_self_hosted_llm_gpus_grow_with_traffic(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["workloads"].append(_self_hosted(100_000, size=8))
    light = demand(make_context(healthtech), "assistant")
    healthtech["workloads"][-1]["requests_per_day"] = 1_000_000
    heavy = demand(make_context(healthtech), "assistant")

    assert light.gpu_count >= 1
    assert heavy.gpu_count > 5 * light.gpu_count


def test_self_hosted_llm_of_unknown_size_is_sized_as_the_reference_model(
    healthtech: Raw, make_context: MakeContext
) -> None:
    healthtech["workloads"].append(_self_hosted(86_400, size=None))
    assistant = demand(make_context(healthtech), "assistant")

    # 7 × 2 × 1.3 = 18.2 GiB; 1 req/s × 2 × 1,300 tokens = 2,600 tokens/s ÷ 1,460 ÷ 0.6 = 2.97 → 3
    assert assistant.gpu_memory_gib == pytest.approx(18.2)
    assert (assistant.gpu_replicas, assistant.gpu_count) == (3, 3)
    assert any("model size not given" in a for a in assistant.assumptions)


def test_managed_llm_needs_no_gpus_but_counts_its_tokens(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["workloads"].append(_self_hosted(864_000) | {"hosting": "managed_api"})
    assistant = demand(make_context(healthtech), "assistant")
    assert assistant.gpu_count == 0
    assert assistant.peak_tokens_per_s == pytest.approx(26_000)


def test_ml_inference_above_the_rule_band_is_scaled_by_model_size(
    healthtech: Raw, make_context: MakeContext, knowledge: Knowledge
) -> None:
    # the 40 req/s per GPU rule holds up to 1 B parameters; a 4 B model gets 40 × 1 ÷ 4 = 10 req/s per GPU
    # 40 req/s × peak 3 = 120 req/s ÷ 10 ÷ 0.6 = 20 GPUs (10.4 GiB fits one 24 GiB GPU)
    assert knowledge.sizing("inference_rps_per_gpu_max_b_params").value == 1
    healthtech["workloads"][3].update(requests_per_second=40, model_size_b_params=4)
    triage = demand(make_context(healthtech), "triage-model")

    assert (triage.gpu_replicas, triage.gpus_per_replica, triage.gpu_count) == (20, 1, 20)
    assert any("above the 1 B band" in a for a in triage.assumptions)


def test_ml_inference_of_unknown_size_uses_the_default_gpu_memory_record(
    healthtech: Raw, make_context: MakeContext
) -> None:
    healthtech["workloads"][3].pop("model_size_b_params")
    ctx = make_context(healthtech)
    triage = demand(ctx, "triage-model")

    assert triage.gpu_memory_gib == 24
    assert "inference_gpu_memory_gib" in triage.rules
    assert "workloads[3].model_size_b_params" in {d.field for d in ctx.defaults}


def test_serving_gpus_and_training_gpu_hours_are_separate(
    example_inputs: dict[str, Raw], make_context: MakeContext
) -> None:
    profile = make_context(example_inputs["llm-scaleup"]).profile
    summariser = next(d for d in profile.demands if d.name == "summariser-8b")
    training = next(d for d in profile.demands if d.name == "fine-tuning")

    assert profile.serving_gpu_count == summariser.gpu_count  # the 8 training GPUs are not serving GPUs
    assert profile.training_gpu_hours_per_month == pytest.approx(training.gpu_hours_per_month) == 320
    assert profile.serving_gpu_hours_per_month == pytest.approx(summariser.gpu_count * 730)
    assert profile.gpu_hours_per_month == pytest.approx(
        profile.serving_gpu_hours_per_month + profile.training_gpu_hours_per_month
    )


def test_average_and_peak_requests_cover_the_same_workloads(
    example_inputs: dict[str, Raw], make_context: MakeContext
) -> None:
    profile = make_context(example_inputs["llm-scaleup"]).profile
    serving = [d for d in profile.demands if d.type in REQUEST_TYPES]

    assert {d.type for d in serving} == {"web_app", "api", "llm_application"}
    assert profile.average_rps == pytest.approx(sum(d.average_rps for d in serving), abs=0.01)
    assert profile.peak_rps == pytest.approx(sum(d.peak_rps for d in serving), abs=0.01)
    # 220 + 350 req/s of web and API plus 900,000 + 250,000 LLM requests a day
    assert profile.average_rps == pytest.approx(570 + 1_150_000 / 86_400, abs=0.01)


def test_the_profile_lists_the_sizing_rules_it_used_with_their_sources(
    healthtech: Raw, make_context: MakeContext
) -> None:
    rules = {a.key: a for a in make_context(healthtech).profile.rules}

    assert {"web_rps_per_vcpu", "inference_rps_per_gpu", "target_utilisation"} <= set(rules)
    assert "llm_tokens_per_s_per_gpu" not in rules  # no LLM workload
    assert all(a.source and a.rationale for a in rules.values())


def test_defaults_that_feed_sizing_are_in_the_context_and_the_assumptions(
    healthtech: Raw, make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    defaults = {d.field: d.value for d in ctx.defaults}

    assert defaults["workloads[1].avg_response_kb"] == "10"
    assert "workloads[0].avg_response_kb" not in defaults
    api = demand(ctx, "fhir-api")
    assert any("10 KB per response (default: not in the input)" in a for a in api.assumptions)
    assert ctx.warnings == ()  # defaults are listed, not raised as warnings


def test_allowed_regions_carry_their_geography(healthtech: Raw, make_context: MakeContext) -> None:
    constraints = make_context(healthtech).constraints
    codes = {code for regions in constraints.allowed_regions.values() for code in regions}

    assert set(constraints.region_geography) == codes
    assert constraints.region_geography["us-east-1"] == "north_america"


def test_self_hosted_llm_needs_gpus(healthtech: Raw, make_context: MakeContext) -> None:
    healthtech["workloads"].append(
        {
            "name": "assistant",
            "type": "llm_application",
            "requests_per_day": 500_000,
            "hosting": "self_hosted",
            "model_size_b_params": 8,
        }
    )
    assistant = demand(make_context(healthtech), "assistant")
    assert assistant.gpu_count >= 1
    assert assistant.gpu_hours_per_month > 0


# --- the examples and determinism --------------------------------------------------------------------


def test_examples_give_different_plans(example_inputs: dict[str, Raw], make_context: MakeContext) -> None:
    contexts = {name: make_context(raw) for name, raw in example_inputs.items()}
    fintech, llm, health = contexts["eu-fintech-pci"], contexts["llm-scaleup"], contexts["healthtech-hipaa"]

    assert {Framework.PCI_DSS, Framework.GDPR} <= frameworks(fintech)
    assert Framework.HIPAA in frameworks(health)
    assert {Framework.SOC2, Framework.GDPR, Framework.CCPA} <= frameworks(llm)
    assert fintech.constraints.providers[0] is GCP
    assert fintech.constraints.home_regions[GCP] == "europe-west3"
    assert fintech.constraints.zones_required == 3
    assert llm.constraints.regions_required == 2
    assert llm.profile.gpu_hours_per_month > 0
    assert len({c.constraints.residency for c in contexts.values()}) == len(contexts)


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("healthtech-hipaa", set()),
        # $90,000 over 36 months is 38 % of 36 × the $6,500 monthly limit: the two budget figures disagree
        ("eu-fintech-pci", {"total_budget_below_monthly"}),
        ("llm-scaleup", set()),
    ],
)
def test_examples_raise_only_the_warnings_their_figures_call_for(
    example_inputs: dict[str, Raw], make_context: MakeContext, name: str, codes: set[str]
) -> None:
    assert warning_codes(make_context(example_inputs[name])) == codes


def test_same_input_gives_an_equal_context(healthtech: Raw, knowledge: Knowledge) -> None:
    healthtech["compliance"]["data_residency"] = ["EU"]
    healthtech["providers"]["preferred_regions"] = ["us-east-1"]
    first = build_context(parse_input(healthtech), knowledge)
    second = build_context(parse_input(healthtech), Knowledge.load())

    assert first == second
    assert first.model_dump_json() == second.model_dump_json()
