from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.simulation import SimulationAgent
from infra_mind.agents.simulation.backbone import Backbone, Part, build_backbone
from infra_mind.agents.simulation.montecarlo import Noise, SpotPolicy, demand_noise, simulate
from infra_mind.agents.simulation.queueing import (
    erlang_b,
    erlang_c,
    fewest_meeting,
    mean_wait,
    response_quantile,
    stable_minimum,
)
from infra_mind.agents.tco import growth_series
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.simulation import SimulationOutput, StrategyResult
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.commitments import CommitmentCatalog, CommitmentDiscount, SpotDiscount
from infra_mind.knowledge.models import InstanceCategory, Provider
from tests.agents.helpers import run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]
MONTHS = 36


@pytest.fixture(scope="module")
def catalog() -> CommitmentCatalog:
    return CommitmentCatalog.load(packaged_data_dir())


async def _run(
    knowledge: Knowledge, catalog: CommitmentCatalog, ctx: AssessmentContext, seed: int = 7
) -> tuple[AgentReport, SimulationOutput]:
    return await run_agent(SimulationAgent(knowledge, catalog, runs=2000, seed=seed), ctx, SimulationOutput)


def _strategy(output: SimulationOutput, provider: str, name: str) -> StrategyResult:
    sim = next(p for p in output.providers if p.provider == provider)
    return next(s for s in sim.strategies if s.strategy == name)


# --- the catalog -------------------------------------------------------------------------------------------


def test_every_discount_is_sourced_dated_and_looked_up_from_family_to_category_to_any(
    catalog: CommitmentCatalog,
) -> None:
    n2 = catalog.commitment(Provider.GCP, "n2", InstanceCategory.GENERAL)
    assert n2 is not None
    assert (n2.discount_1y, n2.discount_3y) == (0.37, 0.55)  # Google's published general-purpose CUD rates
    assert n2.source.startswith("https://")
    assert n2.estimate
    assert catalog.spot(Provider.AWS, "g5", InstanceCategory.GPU) == catalog.spot(
        Provider.AWS, "p4d", InstanceCategory.GPU
    )
    any_family = catalog.commitment(Provider.AWS, "m6i", InstanceCategory.GENERAL)
    assert any_family is not None
    assert any_family.family is None
    assert any_family.category is None
    assert catalog.spot(Provider.AWS, "m6i", InstanceCategory.GENERAL) is None
    for key in ("growth_volatility_annual", "spot_share_interruptible", "sensitivity_swing"):
        assert "Infra Mind simulation model v1" in catalog.assumption(key).source


# --- M/M/c against closed forms -----------------------------------------------------------------------------


def test_mm1_matches_its_closed_forms() -> None:
    arrival, service = 8.0, 10.0
    rho = arrival / service

    assert erlang_c(1, rho) == pytest.approx(rho)
    assert mean_wait(1, arrival, service) == pytest.approx(rho / (service - arrival))
    # M/M/1 response time is exponential at μ − λ
    assert response_quantile(1, arrival, service) == pytest.approx(
        math.log(20) / (service - arrival), rel=1e-9
    )


def test_erlang_c_for_two_servers_by_hand_and_erlang_b_against_the_recursion() -> None:
    arrival, service = 1.2, 1.0
    rho = arrival / (2 * service)
    # C(2, a) = 2ρ² / (1 + ρ)
    assert erlang_c(2, arrival / service) == pytest.approx(2 * rho**2 / (1 + rho))
    assert mean_wait(2, arrival, service) == pytest.approx((2 * rho**2 / (1 + rho)) / (2 * service - arrival))

    for servers, load in [(1, 0.5), (5, 3.7), (50, 40.2), (300, 250.0), (2000, 1900.5), (3, 0.001)]:
        blocking = 1.0
        for k in range(1, servers + 1):
            blocking = load * blocking / (k + load * blocking)
        assert erlang_b(servers, load) == pytest.approx(blocking, rel=1e-9)


def test_more_instances_never_slow_the_p95_and_the_fewest_meeting_the_target_is_the_first_that_does() -> None:
    arrival, service, target = 200.0, 200.0, 0.016
    p95 = [response_quantile(c, arrival, service) for c in range(2, 8)]

    assert p95 == sorted(p95, reverse=True)
    fewest = fewest_meeting(arrival, service, target)
    assert fewest == 3
    assert (
        response_quantile(fewest, arrival, service)
        <= target
        < response_quantile(fewest - 1, arrival, service)
    )
    assert stable_minimum(arrival, service) == 2
    # the service time alone has a p95 of ln(20)/μ ≈ 15 ms: a 14 ms target cannot be met at any count
    assert fewest_meeting(arrival, service, 0.014) is None


def test_a_million_instance_queue_is_solved_fast() -> None:
    started = time.perf_counter()
    pooled = fewest_meeting(1.2e9, 800.0, 0.3)
    tight = fewest_meeting(1.2e9, 800.0, 0.0038)  # the service time alone has a p95 of 3.74 ms
    elapsed = time.perf_counter() - started

    # a million servers pool so well that one above the stable minimum meets a loose target
    assert pooled == stable_minimum(1.2e9, 800.0) == 1_500_001
    assert tight is not None
    assert tight > pooled
    assert response_quantile(tight, 1.2e9, 800.0) <= 0.0038 < response_quantile(tight - 1, 1.2e9, 800.0)
    assert elapsed < 0.5


# --- Monte-Carlo mechanics on hand-made backbones -----------------------------------------------------------


def _flat_backbone(part: Part) -> Backbone:
    zero = np.zeros(MONTHS)
    return Backbone(
        provider="aws",
        quote=ProviderQuote(provider="aws", region="us-east-1", lines=[], monthly_usd=100),
        commit=[part] if part.role == "commit" else [],
        spot=[part] if part.role == "spot" else [],
        rest=Part("rest", zero, zero),
        gpu_usd=zero,
        uncovered=[],
        priced={},
    )


def _no_noise(runs: int = 50) -> Noise:
    return Noise(np.ones((runs, MONTHS)), np.ones((3, MONTHS)))


def test_a_steady_baseline_commits_all_of_it_and_saves_exactly_the_discount(
    catalog: CommitmentCatalog,
) -> None:
    record = catalog.commitment(Provider.GCP, "n2", InstanceCategory.GENERAL)
    assert isinstance(record, CommitmentDiscount)
    part = Part("commit", np.full(MONTHS, 100.0), np.zeros(MONTHS), record=record, instances=("web: n2",))

    result = simulate(_flat_backbone(part), _no_noise(), np.random.default_rng(1), SpotPolicy(0.8, 0.1))
    by_name = {s.strategy: s for s in result.strategies}

    assert by_name["on_demand"].total_36m_usd.p50 == pytest.approx(3600)
    assert by_name["commit_1y"].saving_36m_usd.p50 == pytest.approx(0.37 * 3600)
    assert by_name["commit_3y"].saving_36m_usd.p50 == pytest.approx(0.55 * 3600)
    assert by_name["commit_3y"].committed_share == 1.0
    assert by_name["commit_3y"].monthly_usd.p50 == pytest.approx([45.0] * MONTHS)


def test_spot_saves_the_share_net_of_rework() -> None:
    record = SpotDiscount(
        provider=Provider.AWS,
        discount_low=0.6,
        discount_high=0.6,
        source="https://example.test/spot",
        as_of="2026-01-01",
    )
    part = Part("spot", np.zeros(MONTHS), np.full(MONTHS, 100.0), record=record, workload="nightly")

    result = simulate(_flat_backbone(part), _no_noise(), np.random.default_rng(1), SpotPolicy(0.8, 0.1))
    spot = next(s for s in result.strategies if s.strategy == "spot")

    expected = 0.8 * (1 - 0.4 * 1.1) * 3600
    assert spot.saving_36m_usd.p50 == pytest.approx(expected)
    assert float(np.median(result.spot_savings["nightly"])) == pytest.approx(expected)


def test_growth_noise_starts_at_today_and_is_centred_on_the_projection() -> None:
    noise = demand_noise(np.random.default_rng(3), 4000, MONTHS, 0.3)

    assert np.all(noise.runs[:, 0] == 1)
    assert noise.bands[1] == pytest.approx(np.ones(MONTHS), abs=0.03)
    spread = noise.bands[2] - noise.bands[0]
    assert spread[-1] > spread[12] > spread[1] > 0
    # log-noise after 36 months has σ = 0.3 × √3
    assert np.std(np.log(noise.runs[:, -1])) == pytest.approx(0.3 * math.sqrt(35 / 12), rel=0.05)


# --- the agent on real contexts -----------------------------------------------------------------------------


def test_the_backbone_splits_the_re_priced_series_without_losing_a_dollar(
    knowledge: Knowledge,
    catalog: CommitmentCatalog,
    example_inputs: dict[str, Any],
    make_context: MakeContext,
) -> None:
    ctx = make_context(example_inputs["llm-scaleup"])
    plan = priced_plan(ctx, knowledge)
    series = growth_series(ctx, knowledge, plan)

    for provider, cost in series.items():
        backbone = build_backbone(cost, list(ctx.requirements.workloads), knowledge, catalog)
        assert backbone.monthly_usd == pytest.approx(cost.monthly_usd, abs=0.05)
        assert {p.workload for p in backbone.spot} == {
            "fine-tuning"
        }  # training; the streaming pipeline is not
        assert all("(DR)" not in i for p in backbone.spot for i in p.instances)
        assert any("embedding-pipeline" in i for p in backbone.commit for i in p.instances), provider


async def test_a_fixed_seed_reproduces_the_simulation_and_another_seed_does_not(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    _, first = await _run(knowledge, catalog, ctx, seed=11)
    _, again = await _run(knowledge, catalog, ctx, seed=11)
    _, other = await _run(knowledge, catalog, ctx, seed=12)

    assert first == again
    assert first.providers != other.providers
    chosen = first.recommended_provider or ""
    p50 = _strategy(first, chosen, "on_demand").total_36m_usd.p50
    assert _strategy(other, chosen, "on_demand").total_36m_usd.p50 == pytest.approx(p50, rel=0.03)


async def test_percentiles_are_ordered_and_the_median_path_is_the_re_priced_plan(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, catalog, ctx)
    series = growth_series(ctx, knowledge, priced_plan(ctx, knowledge))

    for sim in output.providers:
        on_demand = _strategy(output, sim.provider, "on_demand")
        assert on_demand.monthly_usd.p50[0] == pytest.approx(series[sim.provider].monthly_usd[0], abs=0.01)
        assert on_demand.monthly_usd.p50 == pytest.approx(series[sim.provider].monthly_usd, rel=0.04)
        for strategy in sim.strategies:
            band = strategy.monthly_usd
            assert all(a <= b <= c for a, b, c in zip(band.p10, band.p50, band.p90, strict=True))
            total = strategy.total_36m_usd
            assert total.p10 <= total.p50 <= total.p90
            assert strategy.saving_36m_usd.p10 >= 0
        assert _strategy(output, sim.provider, "commit_3y").saving_36m_usd.p50 > 0
    assert output.users.month_36.p10 < output.users.projection[-1] < output.users.month_36.p90
    assert len(output.users.simulated.p50) == output.months == MONTHS
    assert "over 36 months" in report.summary


async def test_recommendations_carry_evidence_and_existing_best_practices(
    knowledge: Knowledge,
    catalog: CommitmentCatalog,
    example_inputs: dict[str, Any],
    make_context: MakeContext,
) -> None:
    report, output = await _run(knowledge, catalog, make_context(example_inputs["llm-scaleup"]))
    keys = {r.key for r in report.recommendations}

    assert {
        "cost:commitments",
        "cost:spot:fine-tuning",
        "capacity:workspace-web",
        "capacity:public-api",
    } <= keys
    for rec in report.recommendations:
        assert rec.agents == ["simulation"]
        assert rec.evidence
        assert rec.best_practices
        assert rec.actions
        assert all(knowledge.best_practice(bp) for bp in rec.best_practices)
    commit = next(r for r in report.recommendations if r.key == "cost:commitments")
    assert commit.monthly_cost_delta is not None
    assert commit.monthly_cost_delta < 0
    sources = [e for e in commit.evidence if e.ref.startswith("discount:")]
    assert sources
    assert all(e.source and e.as_of for e in sources)
    assert output.sensitivity is not None
    swings = [d.swing_usd for d in output.sensitivity.drivers]
    assert swings == sorted(swings, reverse=True)


async def test_sensitivity_moves_each_driver_alone(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, output = await _run(knowledge, catalog, make_context(healthtech))
    assert output.sensitivity is not None
    drivers = {d.driver: d for d in output.sensitivity.drivers}
    base = output.sensitivity.base_total_usd

    assert set(drivers) == {
        "users_growth", "peak_multiplier", "data_growth", "egress_per_request", "gpu_hours", "unit_prices"
    }  # fmt: skip
    assert drivers["unit_prices"].low_total_usd == pytest.approx(0.8 * base, abs=0.02)
    assert drivers["unit_prices"].high_total_usd == pytest.approx(1.2 * base, abs=0.02)
    for name in ("users_growth", "data_growth", "egress_per_request", "gpu_hours"):
        assert drivers[name].low_total_usd < base < drivers[name].high_total_usd, name


async def test_a_tight_latency_target_asks_for_more_instances_and_an_impossible_one_for_a_faster_instance(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"][1]["latency_target_ms"] = 16  # fhir-api: 200 req/s at peak, μ = 200 req/s per VM
    healthtech["workloads"][0]["latency_target_ms"] = 5  # patient-portal: below its own service time
    report, output = await _run(knowledge, catalog, make_context(healthtech))
    recs = {r.key: r for r in report.recommendations}

    api = next(q for q in output.queues if q.workload == "fhir-api")
    assert api.recommended_instances == 3 > api.planned_instances
    assert recs["capacity:fhir-api"].monthly_cost_delta is not None
    assert recs["capacity:fhir-api"].monthly_cost_delta > 0
    portal = next(q for q in output.queues if q.workload == "patient-portal")
    assert portal.recommended_instances is None
    assert "faster instance" in recs["capacity:patient-portal"].title


# --- edge cases ---------------------------------------------------------------------------------------------


async def test_no_ai_workloads_leaves_gpu_hours_out_of_the_tornado(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"] = [w for w in healthtech["workloads"] if w["type"] != "ml_inference"]
    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert output.sensitivity is not None
    gpu = next(d for d in output.sensitivity.drivers if d.driver == "gpu_hours")
    assert not gpu.applies
    assert gpu.swing_usd == 0
    assert {q.workload for q in output.queues} == {"patient-portal", "fhir-api"}
    assert not any(r.key.startswith("cost:spot:") for r in report.recommendations)


async def test_no_compliance_duties_and_flat_growth(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}
    healthtech["security"]["data_types"] = []
    users = healthtech["growth"]["current_users"]
    healthtech["growth"] = {"current_users": users, "users_6m": users, "users_12m": users, "users_24m": users}
    _, output = await _run(knowledge, catalog, make_context(healthtech))

    assert output.sensitivity is not None
    growth = next(d for d in output.sensitivity.drivers if d.driver == "users_growth")
    assert not growth.applies
    assert output.users.projection == [float(users)] * MONTHS


async def test_a_tiny_budget_still_simulates_every_provider(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["budget"] = {"monthly_limit_usd": 100, "flexibility": "strict"}
    report, output = await _run(knowledge, catalog, make_context(healthtech))

    assert len(output.providers) == 3
    assert any(r.key == "cost:commitments" for r in report.recommendations)


async def test_huge_scale_with_interruptible_batch_stays_fast_and_finite(
    knowledge: Knowledge, catalog: CommitmentCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"][1]["requests_per_second"] = 2_000_000
    healthtech["workloads"].append(
        {
            "name": "nightly-etl",
            "type": "batch",
            "jobs_per_day": 5000,
            "avg_job_minutes": 30,
            "interruptible": True,
        }
    )
    started = time.perf_counter()
    report, output = await _run(knowledge, catalog, make_context(healthtech))
    elapsed = time.perf_counter() - started

    api = next(q for q in output.queues if q.workload == "fhir-api")
    assert api.stable_minimum > 10_000
    assert api.recommended_instances is not None
    assert api.recommended_instances >= api.stable_minimum
    assert all(math.isfinite(r.p95_response_ms) for r in api.rows)
    assert "cost:spot:nightly-etl" in {r.key for r in report.recommendations}
    assert elapsed < 2.0
