from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from itertools import pairwise
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.cto import CtoAgent
from infra_mind.agents.cto.roadmap import phase_spans
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.tco import growth_series, interpolate, scaled_context, scaled_workload
from infra_mind.domain.agent_result import AgentResult, AgentStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import EvidenceKind
from infra_mind.domain.outputs import CtoOutput
from infra_mind.domain.outputs.cto import ProviderTco
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.requirements import GrowthProjection, Urgency
from infra_mind.domain.workloads import Database
from infra_mind.engine.profile import Sizer
from infra_mind.knowledge.catalog import Knowledge
from tests.agents.helpers import run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


async def _run(knowledge: Knowledge, ctx: AssessmentContext) -> tuple[AgentReport, CtoOutput]:
    return await run_agent(CtoAgent(knowledge), ctx, CtoOutput)


def _chosen(output: CtoOutput) -> ProviderTco:
    return next(t for t in output.tco if t.provider == output.recommended_provider)


# +100 users a month through every segment of the projection, so users grow 10 % of today's per month
LINEAR_GROWTH = GrowthProjection(current_users=1000, users_6m=1600, users_12m=2200, users_24m=3400)


def _quote(cost: float) -> ProviderQuote:
    return ProviderQuote(provider="aws", region="us-east-1", lines=[], monthly_usd=cost)


def test_interpolation_is_linear_between_priced_months_and_flat_beyond_the_last() -> None:
    points = {0: _quote(100), 6: _quote(160), 12: _quote(160), 24: _quote(400)}

    series = interpolate(points, 30)

    assert series[0] == 100
    assert series[3] == pytest.approx(130)
    assert series[6] == 160
    assert series[9] == 160
    assert series[18] == pytest.approx(280)
    assert series[24:] == [400] * 6


def test_scaled_workload_multiplies_the_load_figures_and_adds_the_data_growth() -> None:
    db = Database(type="database", name="db", data_size_gb=100, data_growth_gb_per_month=10, read_qps=200)

    grown = scaled_workload(db, 1.5, 60)

    assert isinstance(grown, Database)
    assert (grown.read_qps, grown.write_qps, grown.data_size_gb) == (300, 30, 160)
    assert grown.high_availability == db.high_availability


def _flat(raw: dict[str, Any]) -> dict[str, Any]:
    users = raw["growth"]["current_users"]
    raw["growth"] = {"current_users": users, "users_6m": users, "users_12m": users, "users_24m": users}
    for workload in raw["workloads"]:
        workload.pop("data_growth_gb_per_month", None)
    return raw


async def test_flat_growth_tco_is_36_months_of_the_quote_plus_migration(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, output = await _run(knowledge, make_context(_flat(healthtech)))
    months = knowledge.sizing("migration_cost_months").value

    for tco in output.tco:
        assert tco.run_36m_usd == pytest.approx(36 * tco.monthly_run_usd, abs=0.01)
        assert tco.migration_one_off_usd == pytest.approx(months * tco.monthly_run_usd, abs=0.01)
        assert tco.tco_36m_usd == pytest.approx(tco.run_36m_usd + tco.migration_one_off_usd, abs=0.01)
        assert "migration_cost_months" in tco.migration_basis
        assert "clinical-db 400 GB" in tco.migration_basis


async def test_growth_raises_the_tco_above_flat_and_the_series_is_the_plan_re_priced(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    _, output = await _run(knowledge, ctx)
    plan = priced_plan(ctx, knowledge)
    series = growth_series(ctx, knowledge, plan)

    for tco in output.tco:
        quote = plan.quote(tco.provider)
        assert quote is not None
        assert tco.monthly_run_usd == quote.monthly_usd == tco.monthly_usd[0]
        assert tco.monthly_run_usd == pytest.approx(tco.primary_usd + tco.dr_usd, abs=0.01)
        assert tco.monthly_usd == pytest.approx([round(c, 2) for c in series[tco.provider].monthly_usd])
        assert tco.run_36m_usd > 36 * tco.monthly_run_usd
        assert "months after 24 extrapolate the 12→24" in tco.series_basis
    assert any(r.id == "growth_forecast" for r in output.risks)


async def test_month_24_of_the_tco_is_the_plan_priced_at_the_month_24_load(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    _, output = await _run(knowledge, ctx)
    grown = scaled_context(ctx, Sizer(knowledge), 24)
    chosen = _chosen(output)
    plan = priced_plan(ctx, knowledge)
    option = plan.option(chosen.provider)
    assert option is not None

    # the same design (regions, DR strategy) re-priced at the month-24 load, not today's bill × 3
    direct = priced_plan(grown, knowledge).quote(chosen.provider)
    assert direct is not None
    assert direct.dr is not None
    assert option.total.dr is not None
    assert direct.dr.strategy == option.total.dr.strategy
    assert chosen.monthly_usd[24] == pytest.approx(direct.monthly_usd, abs=0.01)
    assert chosen.monthly_usd[24] < chosen.monthly_usd[0] * ctx.profile.growth_factor_24m


async def test_no_current_infrastructure_means_no_migration_cost(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    del healthtech["current_infrastructure"]
    _, output = await _run(knowledge, make_context(healthtech))

    for tco in output.tco:
        assert tco.migration_one_off_usd == 0
        assert tco.migration_basis.startswith("greenfield")
    assert output.roadmap[1].name == "Build"
    assert "migration_cutover" not in {r.id for r in output.risks}
    assert output.roi is not None
    assert output.roi.current_36m_usd is None
    assert "No current spend" in output.roi_note


async def test_roi_compares_with_current_spend_and_invents_no_revenue(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, output = await _run(knowledge, make_context(healthtech))
    spend = healthtech["current_infrastructure"]["monthly_spend_usd"]
    roi = output.roi

    assert roi is not None
    assert roi.current_36m_usd == pytest.approx(36 * spend)
    assert roi.difference_36m_usd == pytest.approx(_chosen(output).tco_36m_usd - 36 * spend, abs=0.01)
    assert "Revenue uplift is not estimated" in output.roi_note


async def test_tiny_budget_raises_the_budget_gap_and_a_budget_risk(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["budget"] = {"monthly_limit_usd": 500, "flexibility": "strict"}
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, ctx)
    chosen = priced_plan(ctx, knowledge).chosen

    assert chosen is not None
    assert chosen.monthly_usd > ctx.constraints.budget_ceiling_usd_month
    gap = next(r for r in report.recommendations if r.key == "cost:budget_gap")
    assert gap.agents == ["cto"]
    assert {e.kind for e in gap.evidence} >= {EvidenceKind.DERIVED, EvidenceKind.INPUT}
    budget = next(r for r in output.risks if r.id == "budget_gap")
    assert (budget.likelihood, budget.impact, budget.owner) == ("high", "high", "CFO")
    assert not any(t.within_budget for t in output.tco)


async def test_budget_within_ceiling_gives_no_budget_gap(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["budget"] = {"monthly_limit_usd": 1_000_000}
    report, output = await _run(knowledge, make_context(_flat(healthtech)))

    assert "cost:budget_gap" not in {r.key for r in report.recommendations}
    # the plans list unpriced items (WAF, DNS, KMS, monitoring): fitting is not stated as a fact
    assert all(not t.complete and t.within_budget is None for t in output.tco)
    assert all(t.first_month_over_ceiling is None for t in output.tco)
    assert all("cannot be confirmed until they are priced" in t.budget_note for t in output.tco)
    assert not {"budget_gap", "budget_growth", "budget_total"} & {r.id for r in output.risks}


@pytest.mark.parametrize(
    ("months", "urgency", "spans"),
    [
        (12, Urgency.MEDIUM, [(1, 2), (3, 7), (8, 10), (11, 12)]),
        (12, Urgency.HIGH, [(1, 2), (2, 6), (6, 8), (8, 12)]),
        (9, Urgency.HIGH, [(1, 2), (2, 4), (4, 5), (5, 9)]),
        (18, Urgency.MEDIUM, [(1, 4), (5, 11), (12, 15), (16, 18)]),
        (4, Urgency.MEDIUM, [(1, 1), (2, 2), (3, 3), (4, 4)]),
        (2, Urgency.CRITICAL, [(1, 1), (2, 2), (3, 3), (4, 4)]),
    ],
)
def test_phase_spans_share_the_timeline_and_fast_track_when_urgent(
    months: int, urgency: Urgency, spans: list[tuple[int, int]]
) -> None:
    assert phase_spans(months, urgency) == spans


@pytest.mark.parametrize("urgency", list(Urgency))
@pytest.mark.parametrize("months", range(8, 61))
def test_phases_last_at_least_two_months_and_overlap_only_when_urgent(months: int, urgency: Urgency) -> None:
    spans = phase_spans(months, urgency)
    starts = [first for first, _ in spans]

    assert spans[0][0] == 1
    assert spans[-1][1] == months
    assert all(last - first + 1 >= 2 for first, last in spans)
    assert starts == sorted(set(starts))
    overlapping = any(nxt[0] <= prev[1] for prev, nxt in pairwise(spans))
    assert overlapping is (urgency in {Urgency.HIGH, Urgency.CRITICAL})


async def test_overlapping_phases_say_so_and_why(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, urgent = await _run(knowledge, make_context(healthtech))  # 12 months, urgency high
    healthtech["timeline"]["urgency"] = "medium"
    _, calm = await _run(knowledge, make_context(healthtech))

    migrate = urgent.roadmap[1]
    assert migrate.start_month <= urgent.roadmap[0].end_month
    assert migrate.deliverables[0].startswith(f"Starts in month {migrate.start_month}, overlapping")
    assert "urgency is high" in migrate.deliverables[0]
    assert not any(d.startswith("Starts in month") for p in calm.roadmap for d in p.deliverables)


async def test_roadmap_names_the_chosen_platform_not_price_lines(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext
) -> None:
    _, output = await _run(knowledge, make_context(example_inputs["llm-scaleup"]))
    deliver = output.roadmap[1].deliverables

    assert output.recommended_provider == "aws"
    assert any(d.startswith("Migrate workspace-web, public-api onto Amazon EKS") for d in deliver)
    assert any("app-db (900 GB: copy, verify, cut over) onto Amazon RDS (PostgreSQL)" in d for d in deliver)
    assert any("summariser-8b onto EC2 GPU instances (self-hosted model)" in d for d in deliver)
    assert any(
        d.startswith("Migrate fine-tuning (500 GB: copy, verify, cut over) onto EC2 GPU") for d in deliver
    )
    assert not any("Amazon RDS, Amazon RDS" in d for d in deliver)


async def test_global_expansion_is_judged_from_the_serving_regions(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext
) -> None:
    _, output = await _run(knowledge, make_context(example_inputs["llm-scaleup"]))
    goal = next(g for g in output.goals if g.category == "global_expansion")

    # EU customers are served from us-east-1; eu-central-1 holds only the disaster-recovery standby
    assert not goal.addressed
    assert not goal.fits_timeline
    assert "europe" in goal.how_addressed
    assert "eu-central-1" in goal.how_addressed


async def test_global_expansion_within_one_geography_is_addressed(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext
) -> None:
    raw = deepcopy(example_inputs["llm-scaleup"])
    raw["company"]["customer_markets"] = ["europe", "uk"]
    raw["compliance"]["data_residency"] = ["EU"]
    raw["providers"]["preferred_regions"] = ["eu-central-1"]
    _, output = await _run(knowledge, make_context(raw))
    goal = next(g for g in output.goals if g.category == "global_expansion")

    assert goal.addressed, goal.how_addressed
    region = next(t.region for t in output.tco if t.provider == output.recommended_provider)
    assert f"europe from {region}; uk from {region}" in goal.how_addressed


async def test_ml_platform_names_where_models_are_served(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext
) -> None:
    def option(name: str) -> str:
        return next(d.option for d in output.build_vs_buy if d.capability == "ml_platform")

    _, output = await _run(knowledge, make_context(example_inputs["eu-fintech-pci"]))
    fintech = option("eu-fintech-pci")  # fraud-scoring runs on CPU: the plan has no GPU
    _, output = await _run(knowledge, make_context(example_inputs["healthtech-hipaa"]))
    health = option("healthtech-hipaa")

    assert "CPU instances" in fintech
    assert "GPU" not in fintech
    assert "the plan's GPU instances (" in health


async def test_self_hosted_llm_decision_states_its_gpus(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext
) -> None:
    ctx = make_context(example_inputs["llm-scaleup"])
    _, output = await _run(knowledge, ctx)
    llm = next(d for d in output.build_vs_buy if d.capability == "llm")
    gpus = next(d.gpu_count for d in ctx.profile.demands if d.name == "summariser-8b")

    assert f"summariser-8b ({gpus} GPU(s) at peak)" in llm.option


async def test_short_timeline_compresses_the_roadmap_and_flags_late_goals(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, regular = await _run(knowledge, make_context(healthtech))
    healthtech["timeline"] = {"target_months": 4, "urgency": "critical"}
    healthtech["goals"][0]["timeline_months"] = 2
    _, short = await _run(knowledge, make_context(healthtech))

    assert short.roadmap[-1].end_month == 4 < regular.roadmap[-1].end_month
    assert short.roadmap_fits_timeline
    audit = short.goals[0]
    assert audit.category == "security_compliance"
    assert (audit.delivered_by_month, audit.fits_timeline) == (3, False)
    assert "schedule" in {r.id for r in short.risks}
    assert all(g.fits_timeline for g in short.goals[1:])


async def test_timeline_shorter_than_four_phases_does_not_fit(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["timeline"] = {"target_months": 2, "urgency": "critical"}
    report, output = await _run(knowledge, make_context(healthtech))

    assert not output.roadmap_fits_timeline
    schedule = next(r for r in output.risks if r.id == "schedule")
    assert "needs 4 months against a 2-month timeline" in schedule.title
    assert "overruns" in report.summary


async def test_every_recommendation_has_evidence_and_known_best_practices(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, _ = await _run(knowledge, make_context(healthtech))
    keys = [r.key for r in report.recommendations]

    assert len(keys) == len(set(keys))
    assert {"strategy:tco", "strategy:roadmap", "strategy:build_vs_buy:database"} <= set(keys)
    assert any(key.startswith("risk:") for key in keys)
    for rec in report.recommendations:
        assert [e for e in rec.evidence if e.kind is not EvidenceKind.BEST_PRACTICE], rec.key
        assert rec.best_practices, rec.key
        assert all(knowledge.best_practice(bp) is not None for bp in rec.best_practices)
        assert rec.agents == ["cto"]
    for finding in report.findings:
        assert finding.evidence, finding.id


async def test_build_vs_buy_follows_the_team(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, small = await _run(knowledge, make_context(healthtech))
    healthtech["team"] |= {"ml_engineers": 3, "devops_engineers": 3, "kubernetes_expertise": 4}
    _, strong = await _run(knowledge, make_context(healthtech))

    def decisions(output: CtoOutput) -> dict[str, str]:
        return {d.capability: d.decision for d in output.build_vs_buy}

    assert decisions(small) == {
        "database": "buy",
        "container_platform": "buy",
        "ml_platform": "buy",
        "observability": "buy",
        "identity": "buy",
    }
    assert decisions(strong)["ml_platform"] == "build"
    assert decisions(strong)["observability"] == "build"
    assert decisions(strong)["identity"] == "buy"
    assert "3 ML engineers" in next(d.reason for d in strong.build_vs_buy if d.capability == "ml_platform")


async def test_skills_gaps_become_risks_and_team_recommendations(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["team"] |= {"cloud_expertise": 1, "devops_engineers": 0, "ml_engineers": 0}
    report, output = await _run(knowledge, make_context(healthtech))
    keys = {r.key for r in report.recommendations}

    assert {"team:skills:cloud", "team:skills:devops", "team:skills:ml"} <= keys
    assert {"skills:cloud", "skills:devops", "skills:ml"} <= {r.id for r in output.risks}
    assert not {"risk:skills:cloud", "risk:skills:devops"} & keys


async def test_risk_register_is_derived_and_ordered(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, single = await _run(knowledge, make_context(healthtech))
    healthtech["providers"]["multi_cloud_acceptable"] = True
    _, multi = await _run(knowledge, make_context(healthtech))

    ids = {r.id for r in single.risks}
    assert {"compliance_scope", "vendor_lock_in", "migration_cutover"} <= ids
    assert "vendor_lock_in" not in {r.id for r in multi.risks}
    score = {"high": 3, "medium": 2, "low": 1}
    scores = [score[r.likelihood] * score[r.impact] for r in single.risks]
    assert scores == sorted(scores, reverse=True)
    assert all(r.owner and r.mitigation and r.source for r in single.risks)


async def test_unpriced_lines_make_the_tco_incomplete(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"].append(
        {"name": "assistant", "type": "llm_application", "requests_per_day": 20000, "hosting": "managed_api"}
    )
    _, output = await _run(knowledge, make_context(healthtech))
    tco = _chosen(output)

    assert not tco.complete
    assert tco.missing_prices >= 1
    assert "understated" in tco.budget_note
    assert "understates" in output.roi_note
    assert "missing_prices" in {r.id for r in output.risks}
    assert "llm" in {d.capability for d in output.build_vs_buy}


async def test_goal_without_a_workload_is_not_addressed(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"] = [w for w in healthtech["workloads"] if w["type"] != "ml_inference"]
    _, output = await _run(knowledge, make_context(healthtech))
    ai = next(g for g in output.goals if g.category == "ai_adoption")

    assert not ai.addressed
    assert not ai.fits_timeline
    assert "goals_unaddressed" in {r.id for r in output.risks}


async def test_agent_reports_progress_and_a_valid_result(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    calls: list[tuple[float, str]] = []

    async def progress(pct: float, message: str) -> None:
        calls.append((pct, message))

    agent = CtoAgent(knowledge)
    report = await agent.run(make_context(healthtech), progress)

    assert (agent.name, agent.timeout_s) == ("cto", 20.0)
    assert [pct for pct, _ in calls] == sorted(pct for pct, _ in calls)
    assert 1 <= len(calls) <= 2
    result = AgentResult(
        agent="cto",
        status=AgentStatus.COMPLETED,
        attempts=1,
        summary=report.summary,
        findings=report.findings,
        recommendations=report.recommendations,
        output=report.output,
    )
    assert AgentResult.model_validate_json(result.model_dump_json()) == result
    assert "36-month TCO" in report.summary
