from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.research import ResearchAgent
from infra_mind.agents.research.compare import band_standing, practice_standing
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import EvidenceKind, Priority, Recommendation
from infra_mind.domain.outputs.research import BenchmarkComparison, ResearchOutput
from infra_mind.domain.requirements import CompanySize, Industry
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.benchmarks import Benchmark, BenchmarkCatalog, Metric
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from tests.agents.helpers import run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def benchmarks() -> BenchmarkCatalog:
    return BenchmarkCatalog.load(packaged_data_dir())


async def _run(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, ctx: AssessmentContext
) -> tuple[AgentReport, ResearchOutput]:
    return await run_agent(ResearchAgent(knowledge, benchmarks), ctx, ResearchOutput)


def _get(output: ResearchOutput, metric: str, basis: str = "current") -> BenchmarkComparison:
    return next(c for c in output.comparisons if c.metric == metric and c.basis == basis)


def _gaps(output: ResearchOutput, metric: str) -> dict[str, str]:
    return {g.basis: g.reason for g in output.not_compared if g.metric == metric}


def _keys(report: AgentReport) -> dict[str, Recommendation]:
    return {r.key: r for r in report.recommendations}


def _without_ai(raw: dict[str, Any]) -> dict[str, Any]:
    raw["workloads"] = [w for w in raw["workloads"] if w["type"] not in {"ml_inference", "ml_training"}]
    raw["ai_ml"] = {}
    raw["team"]["ml_engineers"] = 0
    return raw


async def test_healthtech_spend_is_below_the_saas_norm_and_the_data_team_is_thin(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, benchmarks, make_context(healthtech))

    share = _get(output, "cloud_spend_share_of_revenue")
    assert share.value == pytest.approx(4200 * 12 / 4_000_000 * 100)
    assert (share.low, share.high, share.standing, share.outlier) == (6, 12, "below", True)
    assert share.norm_key == "cloud_spend_share_of_revenue:saas_tech_upto_1000"
    planned = _get(output, "cloud_spend_share_of_revenue", "planned")
    assert planned.lower_bound
    assert planned.standing == "below"
    assert not planned.outlier, "a lower bound below the band is not decided"
    per_user = _get(output, "cloud_spend_per_user_month")
    assert per_user.value == pytest.approx(0.21)
    assert per_user.low == pytest.approx(1.0)
    assert per_user.high == pytest.approx(2.0)
    assert per_user.estimate
    assert "revenue per user-month" in per_user.estimate

    data = _get(output, "data_engineers_per_ml_engineer")
    assert (data.value, data.standing, data.outlier) == (0.5, "below", True)
    recs = _keys(report)
    assert set(recs) == {"benchmark:data_engineers_per_ml_engineer"}, (
        "spend below the norm asks for no action"
    )
    assert recs["benchmark:data_engineers_per_ml_engineer"].title.startswith("Add 3 data engineer(s)")

    kubernetes = _get(output, "kubernetes_production_share", "planned")
    assert (kubernetes.standing, kubernetes.outlier) == ("minority", True)
    assert "kubernetes_expertise 2/5" in kubernetes.company
    assert output.outliers == sum(c.outlier for c in output.comparisons)
    assert output.not_compared == []


async def test_every_figure_carries_its_norm_source_and_date(
    knowledge: Knowledge,
    benchmarks: BenchmarkCatalog,
    example_inputs: dict[str, Any],
    make_context: MakeContext,
) -> None:
    for raw in example_inputs.values():
        report, output = await _run(knowledge, benchmarks, make_context(raw))

        assert output.comparisons
        for c in output.comparisons:
            assert c.source
            assert c.as_of <= TODAY
            assert c.detail
        for finding in report.findings:
            if finding.id == "benchmark-not-compared":
                continue
            records = [e for e in finding.evidence if e.kind is EvidenceKind.CATALOG_RECORD]
            assert records, finding.id
            assert all(e.source and e.as_of for e in records), finding.id
        for rec in report.recommendations:
            assert rec.key.startswith("benchmark:")
            assert rec.best_practices
            assert all(knowledge.best_practice(bp) for bp in rec.best_practices)
            assert rec.actions
            assert rec.evidence
            assert rec.agents == ["research"]
            assert 1 <= rec.impact <= 5
            assert 1 <= rec.effort <= 5


async def test_spend_above_the_band_is_an_outlier_with_a_cost_recommendation(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["current_infrastructure"]["monthly_spend_usd"] = 70_000

    report, output = await _run(knowledge, benchmarks, make_context(healthtech))

    share = _get(output, "cloud_spend_share_of_revenue")
    assert share.value == pytest.approx(21.0)
    assert (share.standing, share.outlier) == ("above", True)
    rec = _keys(report)["benchmark:cloud_spend_share_of_revenue"]
    assert rec.pillar is Pillar.COST
    assert rec.priority is Priority.HIGH, "21 % is more than 1.5 × the 12 % top of the band"
    assert "$30,000/month above the top of the band" in rec.rationale
    assert any(e.ref == "benchmark:cloud_spend_share_of_revenue:saas_tech_upto_1000" for e in rec.evidence)
    finding = next(f for f in report.findings if f.id == "benchmark-spend-current")
    assert finding.severity.value == "medium"
    assert finding.title.startswith("Cloud spend today: 21.00 % of revenue, above the norm of 6–12")


async def test_tiny_revenue_puts_the_plan_above_the_norm_and_no_current_spend_is_said(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["annual_revenue_usd"] = 50_000
    healthtech["budget"]["monthly_limit_usd"] = 50
    healthtech["budget"].pop("total_min_usd")
    healthtech["budget"].pop("total_max_usd")
    healthtech["current_infrastructure"] = {}

    report, output = await _run(knowledge, benchmarks, make_context(healthtech))

    planned = _get(output, "cloud_spend_share_of_revenue", "planned")
    assert planned.lower_bound
    assert planned.standing == "above"
    assert planned.outlier
    rec = _keys(report)["benchmark:cloud_spend_share_of_revenue"]
    assert any("the plan, not today's estate" in a for a in rec.actions)
    for metric in ("cloud_spend_share_of_revenue", "cloud_spend_per_user_month"):
        assert "monthly_spend_usd is 0" in _gaps(output, metric)["current"]


async def test_missing_revenue_and_no_users_say_which_comparison_cannot_be_made(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"].pop("annual_revenue_usd")
    healthtech["growth"]["current_users"] = 0

    report, output = await _run(knowledge, benchmarks, make_context(healthtech))

    share_gaps = _gaps(output, "cloud_spend_share_of_revenue")
    assert set(share_gaps) == {"current", "planned"}
    assert all("annual_revenue_usd is not given" in r for r in share_gaps.values())
    user_gaps = _gaps(output, "cloud_spend_per_user_month")
    assert all("no users yet" in r for r in user_gaps.values())
    assert not [c for c in output.comparisons if c.area == "spend"]
    assert "benchmark:cloud_spend_share_of_revenue" not in _keys(report)
    assert "could not be made" in report.summary
    assert next(f for f in report.findings if f.id == "benchmark-not-compared").detail


async def test_zero_revenue_is_named_as_pre_revenue(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["annual_revenue_usd"] = 0

    _, output = await _run(knowledge, benchmarks, make_context(healthtech))

    assert "no revenue yet" in _gaps(output, "cloud_spend_share_of_revenue")["current"]
    per_user = _gaps(output, "cloud_spend_per_user_month")["current"]
    assert "spend per user ($0.2100 per user-month" in per_user


async def test_no_ai_workloads_compares_no_data_ratio_and_recommends_nothing_ai(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, benchmarks, make_context(_without_ai(healthtech)))

    assert "no ML engineers" in _gaps(output, "data_engineers_per_ml_engineer")["current"]
    assert not any("data_engineers" in r.key for r in report.recommendations)


async def test_ml_engineers_without_ai_work_are_compared_but_not_acted_on(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    raw = _without_ai(healthtech)
    raw["team"]["ml_engineers"] = 2

    report, output = await _run(knowledge, benchmarks, make_context(raw))

    assert _get(output, "data_engineers_per_ml_engineer").outlier
    assert report.recommendations == []


@pytest.mark.parametrize(
    ("size", "devops", "standing", "key"),
    [
        (40, 0, "above", "benchmark:engineers_per_devops"),
        (4, 0, "within", None),
        (12, 4, "below", None),
    ],
)
async def test_devops_ratio(
    knowledge: Knowledge,
    benchmarks: BenchmarkCatalog,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    size: int,
    devops: int,
    standing: str,
    key: str | None,
) -> None:
    healthtech["team"].update(size=size, devops_engineers=devops, data_engineers=1, ml_engineers=1)

    report, output = await _run(knowledge, benchmarks, make_context(healthtech))

    ratio = _get(output, "engineers_per_devops")
    assert ratio.standing == standing
    assert (ratio.value is None) == (devops == 0)
    recs = _keys(report)
    if key:
        assert recs[key].title.startswith("Add 3 DevOps/SRE engineer(s)"), "40 engineers ÷ 15 per DevOps"
        assert recs[key].pillar is Pillar.OPERATIONAL_EXCELLENCE
    else:
        assert "benchmark:engineers_per_devops" not in recs


async def test_huge_enterprise_uses_enterprise_norms(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"].update(size="enterprise", employees=40_000, annual_revenue_usd=9_000_000_000)
    healthtech["growth"] = {
        "current_users": 40_000_000,
        "users_6m": 45_000_000,
        "users_12m": 50_000_000,
        "users_24m": 60_000_000,
    }
    healthtech["current_infrastructure"]["monthly_spend_usd"] = 9_000_000
    healthtech["team"].update(size=900, devops_engineers=60, data_engineers=80, ml_engineers=20)

    report, output = await _run(knowledge, benchmarks, make_context(healthtech))

    share = _get(output, "cloud_spend_share_of_revenue")
    assert share.norm_key == "cloud_spend_share_of_revenue:enterprise_all_industries"
    assert share.value == pytest.approx(1.2)
    assert share.standing == "within"
    assert share.estimate
    assert "Infra Mind assumption" in share.estimate
    multi = _get(output, "multi_cloud_share", "planned")
    assert multi.norm_key == "multi_cloud_share:flexera_enterprise_2021"
    assert (multi.standing, multi.outlier) == ("minority", True)
    assert not [r for r in report.recommendations if "multi_cloud" in r.key], "architecture is reported only"


async def test_large_software_company_has_no_spend_norm_and_says_why(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"].update(size="large", industry="technology", employees=5_000)

    _, output = await _run(knowledge, benchmarks, make_context(healthtech))

    assert "no cloud-spend norm" in _gaps(output, "cloud_spend_share_of_revenue")["current"]
    context = _gaps(output, "cloud_share_of_cost_of_revenue")["current"]
    assert "cost of revenue" in context
    assert "2021-05-27" in context


async def test_serverless_in_the_plan_is_detected(
    knowledge: Knowledge,
    benchmarks: BenchmarkCatalog,
    example_inputs: dict[str, Any],
    make_context: MakeContext,
) -> None:
    _, output = await _run(knowledge, benchmarks, make_context(example_inputs["llm-scaleup"]))

    serverless = _get(output, "serverless_share", "planned")
    assert serverless.standing == "majority"
    assert "AWS Lambda" in serverless.company
    assert _get(output, "kubernetes_production_share").company == "today's services include EKS"


async def test_runs_are_deterministic(
    knowledge: Knowledge, benchmarks: BenchmarkCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    first, second = [await _run(knowledge, benchmarks, ctx) for _ in range(2)]
    assert first[1].model_dump() == second[1].model_dump()
    assert first[0].summary == second[0].summary


def test_band_and_practice_standing(benchmarks: BenchmarkCatalog) -> None:
    assert [band_standing(v, 2, 5) for v in (1.9, 2, 5, 5.1)] == ["below", "within", "within", "above"]
    kubernetes = benchmarks.norm(Metric.KUBERNETES_PRODUCTION_SHARE, CompanySize.SMALL, Industry.RETAIL, 50)
    assert kubernetes is not None
    assert practice_standing(kubernetes, True).standing == "majority"
    against = practice_standing(kubernetes, False)
    assert (against.standing, against.outlier, against.peers) == ("minority", True, "18 %")
    serverless = benchmarks.norm(Metric.SERVERLESS_SHARE, CompanySize.SMALL, Industry.RETAIL, 50)
    assert serverless is not None
    assert not practice_standing(serverless, False).outlier, "a lower bound cannot prove a small minority"


def test_catalog_picks_the_most_specific_norm(benchmarks: BenchmarkCatalog) -> None:
    share = Metric.CLOUD_SPEND_SHARE_OF_REVENUE
    finance = benchmarks.norm(share, CompanySize.ENTERPRISE, Industry.FINANCE, 10_000)
    retail = benchmarks.norm(share, CompanySize.ENTERPRISE, Industry.RETAIL, None)
    small = benchmarks.norm(share, CompanySize.LARGE, Industry.RETAIL, 1_500)
    assert finance
    assert finance.key.endswith("enterprise_financial_services")
    assert retail
    assert retail.key.endswith("enterprise_all_industries")
    assert small is None, "the enterprise survey starts at 2,000 employees"
    for record in benchmarks.records():
        assert record.as_of <= TODAY
        assert record.source


def _record(**changes: Any) -> dict[str, Any]:
    base = {
        "key": "engineers_per_devops:test",
        "metric": "engineers_per_devops",
        "segment": "test teams",
        "unit": "engineers",
        "low": 5,
        "high": 15,
        "band": "stated_range",
        "sample": "a test",
        "source": "https://example.org/survey",
        "as_of": "2025-01-01",
    }
    return base | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"band": "assumed_range"},
        {"value": 3},
        {"low": 20},
        {"low": None, "high": None, "band": None},
        {"low": None, "high": None, "band": None, "value": 10, "statistic": "median"},
        {"metric": "serverless_share", "key": "serverless_share:test", "value": 50, "statistic": "mean"},
    ],
)
def test_invalid_records_are_rejected(tmp_path: Path, changes: dict[str, Any]) -> None:
    (tmp_path / "benchmarks.json").write_text(json.dumps({"records": [_record(**changes)]}))
    with pytest.raises(CatalogInvalid):
        BenchmarkCatalog.load(tmp_path)


def test_duplicate_keys_are_rejected() -> None:
    record = Benchmark.model_validate(_record())
    with pytest.raises(CatalogInvalid):
        BenchmarkCatalog([record, record])
