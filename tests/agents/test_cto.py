from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.cto import CtoAgent
from infra_mind.agents.cto.roadmap import phase_spans
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.tco import monthly_series
from infra_mind.domain.agent_result import AgentResult, AgentStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import EvidenceKind
from infra_mind.domain.outputs import CtoOutput
from infra_mind.domain.outputs.cto import ProviderTco
from infra_mind.domain.pricing import BomLine, ProviderQuote, ScalesWith
from infra_mind.domain.requirements import GrowthProjection, Urgency
from infra_mind.domain.workloads import Database, Workload
from infra_mind.knowledge.catalog import Knowledge

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


async def _quiet(pct: float, message: str) -> None:
    return None


async def _run(knowledge: Knowledge, ctx: AssessmentContext) -> tuple[AgentReport, CtoOutput]:
    report = await CtoAgent(knowledge).run(ctx, _quiet)
    assert isinstance(report.output, CtoOutput)
    return report, report.output


def _chosen(output: CtoOutput) -> ProviderTco:
    return next(t for t in output.tco if t.provider == output.recommended_provider)


def _line(cost: float, scales_with: ScalesWith, workload: str | None = None, quantity: float = 1) -> BomLine:
    return BomLine(
        component=scales_with.value,
        workload=workload,
        provider="aws",
        service="svc",
        kind="k",
        sku="sku",
        region="us-east-1",
        quantity=quantity,
        unit="unit",
        unit_price_usd=1,
        monthly_usd=cost,
        source="test",
        as_of=date(2026, 1, 1),
        assumption="test",
        scales_with=scales_with,
    )


def _tiny_quote() -> ProviderQuote:
    lines = [
        _line(100, ScalesWith.FIXED),
        _line(200, ScalesWith.USERS),
        _line(50, ScalesWith.DATA, "db", 100),
    ]
    return ProviderQuote(provider="aws", region="us-east-1", lines=lines, monthly_usd=350)


# +100 users a month through every segment of the projection, so users grow 10 % of today's per month
LINEAR_GROWTH = GrowthProjection(current_users=1000, users_6m=1600, users_12m=2200, users_24m=3400)
DB: list[Workload] = [Database(type="database", name="db", data_size_gb=100, data_growth_gb_per_month=10)]


def test_monthly_series_scales_each_line_by_its_driver() -> None:
    series = monthly_series(_tiny_quote(), LINEAR_GROWTH, DB)

    # month m: fixed 100 + users 200 × (1 + 0.1 m) + data 50 × (100 + 10 m) / 100 = 350 + 25 m
    assert len(series) == 36
    assert series[0] == pytest.approx(350)
    assert series[12] == pytest.approx(650)
    assert series[35] == pytest.approx(1225)
    assert sum(series) == pytest.approx(350 * 36 + 25 * sum(range(36)))  # 28,350


def test_monthly_series_without_growth_is_flat() -> None:
    series = monthly_series(_tiny_quote(), LINEAR_GROWTH, DB, months=12, growth_scale=0)

    assert series == pytest.approx([350.0] * 12)


def test_shared_data_line_follows_all_workloads_and_empty_workload_grows_from_billed_quantity() -> None:
    workloads: list[Workload] = [
        Database(type="database", name="a", data_size_gb=100, data_growth_gb_per_month=10),
        Database(type="database", name="b", data_size_gb=0, data_growth_gb_per_month=5),
    ]
    quote = ProviderQuote(
        provider="aws",
        region="us-east-1",
        monthly_usd=30,
        lines=[_line(10, ScalesWith.DATA, None), _line(20, ScalesWith.DATA, "b", quantity=20)],
    )

    month_4 = monthly_series(quote, LINEAR_GROWTH, workloads, months=5)[4]

    # shared: 10 × (100 + 15 × 4) / 100 = 16; b: 20 × (20 + 5 × 4) / 20 = 40
    assert month_4 == pytest.approx(56)


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


async def test_growth_raises_the_tco_above_flat_and_the_monthly_series_follows_the_quote(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    _, output = await _run(knowledge, ctx)
    plan = priced_plan(ctx, knowledge)

    for tco in output.tco:
        quote = plan.quote(tco.provider)
        assert quote is not None
        assert tco.monthly_usd == pytest.approx(
            [round(c, 2) for c in monthly_series(quote, ctx.requirements.growth, ctx.requirements.workloads)]
        )
        assert tco.run_36m_usd > 36 * tco.monthly_run_usd
    assert any(r.id == "growth_forecast" for r in output.risks)


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
    assert all(t.within_budget and t.first_month_over_ceiling is None for t in output.tco)
    assert not {"budget_gap", "budget_growth", "budget_total"} & {r.id for r in output.risks}


@pytest.mark.parametrize(
    ("months", "urgency", "spans"),
    [
        (12, Urgency.MEDIUM, [(1, 2), (3, 7), (8, 10), (11, 12)]),
        (12, Urgency.HIGH, [(1, 2), (3, 7), (7, 9), (10, 12)]),
        (4, Urgency.MEDIUM, [(1, 1), (2, 2), (3, 3), (4, 4)]),
        (2, Urgency.CRITICAL, [(1, 1), (2, 2), (3, 3), (4, 4)]),
    ],
)
def test_phase_spans_share_the_timeline_and_fast_track_when_urgent(
    months: int, urgency: Urgency, spans: list[tuple[int, int]]
) -> None:
    assert phase_spans(months, urgency) == spans


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
