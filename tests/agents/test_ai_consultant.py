from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from genai_prices import Usage, calc_price

from infra_mind.agents.ai_consultant import AiConsultantAgent
from infra_mind.agents.ai_consultant.serving import (
    GIB,
    architecture,
    break_even_requests_per_day,
    kv_cache_gib,
    replicas_for,
    weights_gib,
)
from infra_mind.agents.base import AgentReport
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Recommendation, Severity
from infra_mind.domain.outputs.ai_consultant import AiConsultantOutput, LlmHostingComparison
from infra_mind.domain.requirements import Industry
from infra_mind.knowledge.ai_use_cases import SERVING_RULES, AiCatalog
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.llm_prices import PRICED_ON, LlmPriceCatalog, ModelTier, TokenPrice
from infra_mind.knowledge.models import Provider
from tests.agents.helpers import run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]
DAYS = 30.4


@pytest.fixture(scope="module")
def catalog() -> AiCatalog:
    return AiCatalog.load(packaged_data_dir())


async def _run(
    knowledge: Knowledge, catalog: AiCatalog, ctx: AssessmentContext
) -> tuple[AgentReport, AiConsultantOutput]:
    return await run_agent(AiConsultantAgent(knowledge, catalog), ctx, AiConsultantOutput)


def _by_key(report: AgentReport) -> dict[str, Recommendation]:
    return {r.key: r for r in report.recommendations}


def _hosting(output: AiConsultantOutput, workload: str) -> LlmHostingComparison:
    return next(c for c in output.llm_hosting if c.workload == workload)


def _llm_workload(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "assistant",
        "type": "llm_application",
        "requests_per_day": 200_000,
        "input_tokens_per_request": 1000,
        "output_tokens_per_request": 200,
        **overrides,
    }


# --- break-even: a small pure function, checked against a hand-computed case -----------------------------


def test_break_even_matches_the_hand_computed_volume() -> None:
    # One replica: $1,000/month for 150,000 requests/day. API: $0.01 per daily request per month, so one
    # replica's cost buys u = 100,000 requests/day. With 1 replica self-hosting wins above 100,000; with 2
    # replicas (150,001–300,000 requests/day, $2,000) only above 200,000; from 3 replicas on (above
    # 300,000, $3,000 < $0.01 × 300,000) it wins throughout. So self-hosting stays cheaper above 200,000.
    volume = break_even_requests_per_day(1000, 150_000, 0.01 / DAYS, DAYS)

    assert volume == pytest.approx(200_000)


def test_break_even_is_where_self_hosting_stays_cheaper() -> None:
    replica, capacity, per_request = 1000.0, 150_000.0, 0.01 / DAYS
    volume = break_even_requests_per_day(replica, capacity, per_request, DAYS)
    assert volume is not None

    def self_cheaper(v: float) -> bool:
        return replicas_for(v, capacity) * replica < v * per_request * DAYS

    assert not self_cheaper(volume - 1)
    assert all(self_cheaper(volume + step) for step in (1, 50_000, 99_999, 100_001, 1_000_000, 10**9))
    assert self_cheaper(120_000)  # cheaper inside the one-replica band, but not for good: 150,001 flips back
    assert not self_cheaper(150_001)


def test_break_even_with_a_single_band_and_when_never_cheaper() -> None:
    assert break_even_requests_per_day(1000, 300_000, 0.01 / DAYS, DAYS) == pytest.approx(100_000)
    assert break_even_requests_per_day(1000, 100_000, 0.01 / DAYS, DAYS) is None
    assert break_even_requests_per_day(1000, 90_000, 0.01 / DAYS, DAYS) is None


# --- GPU memory: weights and KV cache from the published architectures ----------------------------------


def test_weights_by_precision() -> None:
    assert weights_gib(8, 2) == pytest.approx(8e9 * 2 / GIB)
    assert weights_gib(8, 2) == pytest.approx(14.90, abs=0.01)
    assert weights_gib(70, 0.5) == pytest.approx(70e9 * 0.5 / GIB)


def test_kv_cache_uses_the_published_llama_3_configs(catalog: AiCatalog) -> None:
    small = architecture(8, catalog.open_models)
    large = architecture(70, catalog.open_models)
    assert small is not None
    assert large is not None
    assert small.published is not None
    assert small.published.name == "Llama 3 8B"
    # 2 × 32 layers × (8 KV heads × 128) × 2 bytes = 128 KiB per token; 2 × 80 × 1024 × 2 = 320 KiB
    assert kv_cache_gib(small, 1, 2, 1) * GIB == 2 * 32 * 1024 * 2
    assert kv_cache_gib(large, 1, 2, 1) * GIB == 2 * 80 * 1024 * 2
    assert kv_cache_gib(small, 4096, 2, 10) == pytest.approx(128 * 1024 * 4096 * 10 / GIB)


def test_a_size_between_the_catalogued_models_is_approximated_and_says_so(catalog: AiCatalog) -> None:
    arch = architecture(30, catalog.open_models)
    assert arch is not None
    assert arch.published is None
    assert "approximated" in arch.basis
    assert 2 * 32 * 1024 < arch.kv_values_per_token < 2 * 80 * 1024
    assert architecture(8.3, catalog.open_models).published is not None  # type: ignore[union-attr]
    assert architecture(30, []) is None


# --- catalogs ---------------------------------------------------------------------------------------------


def test_every_use_case_is_sourced_dated_and_every_industry_has_candidates(catalog: AiCatalog) -> None:
    ids = [u.id for u in catalog.use_cases]
    assert len(ids) == len(set(ids))
    assert all(len(u.source) > 8 and u.as_of for u in catalog.use_cases)
    for industry in Industry:
        assert catalog.for_industry(industry)
    specific = {i for u in catalog.use_cases for i in u.industries}
    assert specific >= set(Industry) - {Industry.TECHNOLOGY, Industry.OTHER}
    assert catalog.complete


def test_token_prices_match_genai_prices_including_tiers(catalog: AiCatalog) -> None:
    prices = catalog.llm_prices
    assert "genai-prices" in prices.snapshot
    for cloud in Provider:
        assert prices.models(cloud), f"no representative model priced for {cloud}"
    when = datetime(PRICED_ON.year, PRICED_ON.month, PRICED_ON.day, tzinfo=UTC)
    for price in prices.all():
        assert price.as_of == PRICED_ON
        assert "genai-prices" in price.source
        for tokens_in, tokens_out in ((1000, 300), (250_000, 2000)):
            expected = calc_price(
                Usage(input_tokens=tokens_in, output_tokens=tokens_out),
                price.model,
                provider_id=price.vendor,
                genai_request_timestamp=when,
            )
            assert price.usd_per_request(tokens_in, tokens_out) == pytest.approx(float(expected.total_price))
    assert any(p.input_tiers for p in prices.all())


# --- the agent on the examples ----------------------------------------------------------------------------


async def test_healthtech_readiness_follows_the_stated_rule(
    knowledge: Knowledge, catalog: AiCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, catalog, make_context(healthtech))

    r = output.readiness
    points = {c.name: c.points for c in r.components}
    # data: 400 GB held → 15; restricted 4 − 3 for health data → 1. team: 2 ML engineers 15, 1 data
    # engineer 5, cloud expertise 3/5 → 5. maturity: piloting 12.
    assert points == {"data": 16, "team": 25, "maturity": 12}
    assert (r.score, r.band) == (53, "developing")
    assert any("health" in gap for gap in r.gaps)
    assert output.ai_engaged
    assert output.llm_hosting == []
    assert report.findings[0].id == "ai-readiness"


async def test_healthtech_use_cases_fit_the_industry_and_are_recommended_with_evidence(
    knowledge: Knowledge, catalog: AiCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert output.use_cases[0].id == "clinical_documentation"
    assert output.use_cases[0].sensitive_data == ["health", "personal"]
    recs = _by_key(report)
    scribe = recs["ai:use_case:clinical_documentation"]
    assert scribe.best_practices == ["SEC07-BP01"]
    assert any("de-identify" in a for a in scribe.actions)
    assert any(e.ref == "ai_use_case:clinical_documentation" and e.source for e in scribe.evidence)
    for rec in report.recommendations:
        assert rec.key.startswith("ai:use_case:")
        assert rec.evidence
        assert rec.actions
        assert 1 <= rec.effort <= 5
        assert all(knowledge.best_practice(bp) for bp in rec.best_practices)


async def test_llm_costs_tokens_per_month_and_the_managed_price(
    knowledge: Knowledge, catalog: AiCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, catalog, make_context(scaleup))

    assert (output.provider, output.region) == ("aws", "us-east-1")
    summariser = _hosting(output, "summariser-8b")
    assert summariser.input_tokens_per_month == pytest.approx(250_000 * 1200 * DAYS)
    assert summariser.output_tokens_per_month == pytest.approx(250_000 * 150 * DAYS)
    llama = next(m for m in summariser.managed if m.model == "meta.llama3-1-8b-instruct-v1:0")
    # $0.22 per million tokens in and out: 250,000 × 1,350 × 0.22e-6 × 30.4
    assert llama.monthly_usd == pytest.approx(250_000 * 1350 * 0.22e-6 * DAYS, abs=0.01)
    assert {o.precision for o in summariser.self_hosted} == {"fp16", "int8", "int4"}
    assert all(o.model == "Llama 3 8B" for o in summariser.self_hosted)
    fp16 = next(o for o in summariser.self_hosted if o.precision == "fp16")
    assert fp16.weights_gib == pytest.approx(14.9, abs=0.01)
    assert fp16.monthly_usd == pytest.approx(
        fp16.replicas * (fp16.instance_usd_per_hour or 0) * 730, abs=0.01
    )
    assert fp16.gpu_count == fp16.replicas * fp16.gpus_per_replica
    assert (summariser.monthly_cost_in_plan or 0) > 0
    assert summariser.like_for_like
    assert summariser.reference_model == llama.model

    recs = _by_key(report)
    assert {"llm:hosting:writing-assistant", "llm:hosting:summariser-8b"} <= set(recs)
    for rec in (recs["llm:hosting:writing-assistant"], recs["llm:hosting:summariser-8b"]):
        assert rec.pillar == "cost"
        assert rec.provider == "aws"
        assert any(e.kind == "catalog_price" and e.as_of for e in rec.evidence)
    assert output.assumptions


async def test_the_choice_follows_the_cheaper_option_and_the_team(
    knowledge: Knowledge, catalog: AiCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    scaleup["workloads"] = [w for w in scaleup["workloads"] if w["type"] != "llm_application"]
    scaleup["workloads"].append(_llm_workload(model_size_b_params=8))
    expensive = _priced_llama(catalog, usd_per_mtok=20.0)

    _, output = await _run(knowledge, expensive, make_context(scaleup))
    staffed = _hosting(output, "assistant")
    assert staffed.choice == "self_hosted"
    assert staffed.break_even
    assert staffed.break_even[0].like_for_like

    scaleup["team"]["ml_engineers"] = 0
    _, output = await _run(knowledge, expensive, make_context(scaleup))
    unstaffed = _hosting(output, "assistant")
    assert unstaffed.choice == "managed_api"
    assert "no ML engineer" in unstaffed.reason


def _priced_llama(catalog: AiCatalog, usd_per_mtok: float) -> AiCatalog:
    """The catalog with only a repriced managed Llama 3.1 8B, so that self-hosting becomes the cheaper."""
    llama = next(p for p in catalog.llm_prices.models(Provider.AWS) if p.open_weights_b_params == 8)
    test_price = TokenPrice.model_validate(
        {**llama.model_dump(), "input_usd_per_mtok": usd_per_mtok, "output_usd_per_mtok": usd_per_mtok}
    )
    assert test_price.tier is ModelTier.OPEN_WEIGHTS
    return AiCatalog(
        catalog.use_cases,
        catalog.open_models,
        [r for key in SERVING_RULES if (r := catalog.rule(key))],
        LlmPriceCatalog([test_price], "test prices"),
    )


# --- edge cases -------------------------------------------------------------------------------------------


async def test_no_ai_workloads_and_no_maturity_recommends_nothing_ai_specific(
    knowledge: Knowledge, catalog: AiCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"] = [w for w in healthtech["workloads"] if w["type"] != "ml_inference"]
    healthtech.pop("ai_ml")

    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert not output.ai_engaged
    assert report.recommendations == []
    assert [f.id for f in report.findings] == ["ai-readiness"]
    assert "No AI workloads" in report.findings[0].detail
    assert "nothing AI-specific" in report.summary
    assert output.llm_hosting == []
    assert output.readiness.components[2].points == 0


async def test_a_tiny_budget_is_flagged_by_the_llm_cost(
    knowledge: Knowledge, catalog: AiCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    scaleup["budget"] = {"monthly_limit_usd": 500}

    report, _ = await _run(knowledge, catalog, make_context(scaleup))

    over = next(f for f in report.findings if f.id == "llm-over-budget")
    assert over.severity is Severity.HIGH
    assert "$500" in over.title


async def test_huge_scale_completes_with_finite_figures(
    knowledge: Knowledge, catalog: AiCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    scaleup["workloads"].append(
        _llm_workload(
            name="firehose",
            requests_per_day=1_000_000_000,
            input_tokens_per_request=8000,
            model_size_b_params=70,
        )
    )

    report, output = await _run(knowledge, catalog, make_context(scaleup))

    firehose = _hosting(output, "firehose")
    assert all(math.isfinite(m.monthly_usd) for m in firehose.managed)
    priced = [o for o in firehose.self_hosted if o.monthly_usd is not None]
    assert priced
    assert all(o.replicas > 1000 for o in priced)
    assert any(f.id == "llm-hosting-firehose" for f in report.findings)


async def test_no_compliance_duties_and_no_sensitive_data(
    knowledge: Knowledge, catalog: AiCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}
    healthtech["security"] = {"data_classification": "internal", "data_types": []}

    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert all(f.sensitive_data == [] for f in output.use_cases)
    assert all("SEC07-BP01" not in r.best_practices for r in report.recommendations)
    assert output.readiness.components[0].points == 15 + 12


async def test_a_model_no_catalogued_instance_holds_is_reported_missing_never_free(
    knowledge: Knowledge, catalog: AiCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    scaleup["workloads"].append(_llm_workload(name="giant", model_size_b_params=1000))

    _, output = await _run(knowledge, catalog, make_context(scaleup))

    giant = _hosting(output, "giant")
    fp16 = next(o for o in giant.self_hosted if o.precision == "fp16")
    assert fp16.monthly_usd is None
    assert fp16.instance_sku is None
    assert fp16.missing_reason
    assert "approximated" in fp16.architecture


async def test_an_empty_catalog_completes_and_says_what_is_missing(
    knowledge: Knowledge, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, AiCatalog(), make_context(scaleup))

    assert output.use_cases == []
    assert output.llm_hosting == []
    assert any(f.id == "llm-hosting-unpriced" for f in report.findings)


async def test_a_provider_without_the_same_open_model_is_not_like_for_like(
    knowledge: Knowledge, catalog: AiCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    scaleup["providers"] = {"preferred": ["gcp"], "excluded": ["aws", "azure"], "preferred_regions": []}

    _, output = await _run(knowledge, catalog, make_context(scaleup))

    assert output.provider == "gcp"
    summariser = _hosting(output, "summariser-8b")
    assert summariser.managed
    assert all(m.cloud == "gcp" for m in summariser.managed)
    assert summariser.break_even
    assert all(not b.like_for_like and "not like-for-like" in b.note for b in summariser.break_even)


async def test_runs_are_deterministic(
    knowledge: Knowledge, catalog: AiCatalog, scaleup: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(scaleup)
    first, _ = await _run(knowledge, catalog, ctx)
    second, _ = await _run(knowledge, catalog, ctx)

    assert first.output == second.output
    assert [r.model_dump() for r in first.recommendations] == [r.model_dump() for r in second.recommendations]
