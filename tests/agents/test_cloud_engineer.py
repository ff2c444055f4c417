from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import deepcopy
from datetime import date
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.budget import monthly_check
from infra_mind.agents.cloud_engineer import CloudEngineerAgent
from infra_mind.agents.comparison import compare
from infra_mind.agents.plan import ProviderPlan, choose_provider, priced_plan
from infra_mind.agents.recovery import Recovery
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs import CloudEngineerOutput
from infra_mind.domain.pricing import BomLine, MissingPrice, ProviderQuote
from infra_mind.knowledge.catalog import Knowledge
from tests.agents.helpers import run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


async def _run(knowledge: Knowledge, ctx: AssessmentContext) -> tuple[AgentReport, CloudEngineerOutput]:
    return await run_agent(CloudEngineerAgent(knowledge), ctx, CloudEngineerOutput)


def _line(provider: str, key: str, cost: float) -> BomLine:
    return BomLine(
        component=key.rsplit(":", maxsplit=1)[-1],
        workload=None,
        provider=provider,
        service="svc",
        kind="k",
        sku="sku",
        region="r",
        quantity=1,
        unit="unit",
        unit_price_usd=cost,
        monthly_usd=cost,
        source="test",
        as_of=date(2026, 1, 1),
        assumption="test",
        key=key,
    )


def _missing(provider: str, key: str) -> MissingPrice:
    component = key.rsplit(":", maxsplit=1)[-1]
    return MissingPrice(
        component=component, provider=provider, sku="x", region="r", reason="no price", key=key
    )


def _quote(provider: str, lines: list[BomLine], missing: Sequence[MissingPrice] = ()) -> ProviderQuote:
    return ProviderQuote(
        provider=provider,
        region="r",
        lines=lines,
        missing=list(missing),
        monthly_usd=round(sum(line.monthly_usd for line in lines), 2),
    )


def test_quotes_with_unequal_missing_lines_are_compared_on_what_all_of_them_price(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["current_infrastructure"]["providers"] = []
    ctx = make_context(healthtech)
    # aws has no GPU price, so its total looks cheapest; gcp prices everything
    aws = _quote(
        "aws",
        [_line("aws", "web:compute", 300), _line("aws", "db:database", 500)],
        [_missing("aws", "gpu:compute")],
    )
    gcp = _quote(
        "gcp",
        [
            _line("gcp", "web:compute", 280),
            _line("gcp", "db:database", 480),
            _line("gcp", "gpu:compute", 900),
        ],
    )
    comparison = compare([aws, gcp])
    recovery = Recovery(knowledge.sla.strategies()[0], None, [], objectives_met=True)
    options = [ProviderPlan(q, recovery, None, q) for q in (aws, gcp)]

    provider, reasons = choose_provider(ctx, options, comparison)

    assert not comparison.like_for_like
    assert comparison.basis_usd == {"aws": 800, "gcp": 760}
    assert comparison.components == 2
    assert comparison.excluded == ["compute: no price on aws"]
    assert provider == "gcp"
    assert "compared components" in reasons[0]
    assert "lower bound" in comparison.note()


def test_complete_quotes_are_compared_on_their_totals() -> None:
    comparison = compare([_quote("aws", [_line("aws", "a", 10)]), _quote("gcp", [_line("gcp", "a", 12)])])

    assert comparison.like_for_like
    assert comparison.basis_usd == {"aws": 10, "gcp": 12}
    assert comparison.excluded == []


async def test_the_dr_footprint_is_in_the_total_the_comparison_and_the_provider_cost(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, ctx)
    plan = priced_plan(ctx, knowledge)

    assert output.quotes == plan.quotes
    for quote in output.quotes:
        assert quote.dr is not None
        assert quote.dr.region is not None  # RTO 60 / RPO 15 min: pilot light in a second region
        assert quote.dr_usd > 0
        assert quote.monthly_usd == pytest.approx(quote.primary_usd + quote.dr_usd, abs=0.01)
        assert all(line.region == quote.dr.region for line in quote.dr_lines)
    assert output.comparison is not None
    assert output.comparison.compared_usd == {q.provider: q.monthly_usd for q in output.quotes}
    chosen = next(q for q in output.quotes if q.provider == output.recommended_provider)
    provider = next(r for r in report.recommendations if r.key.startswith("provider:"))
    assert provider.monthly_cost_in_plan == chosen.monthly_usd
    assert chosen.dr is not None
    assert chosen.dr.region in provider.regions
    assert output.budget is not None
    assert output.budget.monthly_usd == chosen.monthly_usd
    assert f"${chosen.monthly_usd:,.2f}" in report.summary
    assert "DR" in report.summary


async def test_cpu_inference_is_not_described_as_gpu(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, make_context(deepcopy(example_inputs["eu-fintech-pci"])))

    choice = next(c for c in output.service_choices if c.workload == "fraud-scoring")
    assert "CPU" in choice.pattern
    assert "GPU" not in " ".join(choice.services.values())
    keys = {r.key for r in report.recommendations}
    assert "gpu:fraud-scoring" not in keys
    rec = next(r for r in report.recommendations if r.key == "inference:fraud-scoring")
    assert "CPU instances (no GPU)" in rec.title
    assert "GPU" not in " ".join(rec.actions)


async def test_missing_prices_make_a_lower_bound_with_their_volume(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"].append(
        {"name": "assistant", "type": "llm_application", "requests_per_day": 20000, "hosting": "managed_api"}
    )
    report, output = await _run(knowledge, make_context(healthtech))

    for quote in output.quotes:
        tokens = [m for m in quote.missing if m.workload == "assistant"]
        assert {m.key for m in tokens} == {"assistant:llm_input_tokens", "assistant:llm_output_tokens"}
        assert all(m.quantity and m.unit == "million tokens" for m in tokens)
    assert "lower bound" in report.summary
    finding = next(f for f in report.findings if f.id == "missing-prices")
    assert "million tokens" in finding.detail
    assert output.budget is not None
    assert output.budget.status == "undetermined"
    assert "cannot be confirmed" in output.budget.note


def _complete(cost: float) -> ProviderQuote:
    return _quote("aws", [_line("aws", "a", cost)])


@pytest.mark.parametrize(
    ("cost", "status", "words"),
    [
        (8_000, "within_limit", ["within the monthly budget of $9,000.00", "$1,000.00/month of headroom"]),
        (
            9_500,
            "over_limit",
            ["$500.00 over the monthly budget", "within the ceiling of $9,900.00", "× 1.1"],
        ),
        (12_000, "over_ceiling", ["$3,000.00 over the monthly budget", "over the ceiling of $9,900.00"]),
    ],
)
def test_the_budget_verdict_compares_with_the_limit_and_names_the_ceiling(
    healthtech: dict[str, Any], make_context: MakeContext, cost: float, status: str, words: list[str]
) -> None:
    ctx = make_context(healthtech)  # $9,000 a month, moderate flexibility
    check = monthly_check(ctx, _complete(cost))

    assert check.status == status
    assert all(w in check.note for w in words), check.note
    assert "$-" not in check.note


def test_an_incomplete_quote_is_never_called_within_budget(
    healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    cheap = _quote("aws", [_line("aws", "a", 100)], [_missing("aws", "b")])
    dear = _quote("aws", [_line("aws", "a", 20_000)], [_missing("aws", "b")])

    assert monthly_check(ctx, cheap).status == "undetermined"
    assert "within" not in monthly_check(ctx, cheap).note
    assert monthly_check(ctx, dear).status == "over_ceiling"  # a lower bound already over is over


async def test_a_plan_between_limit_and_ceiling_prints_no_negative_headroom(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    total = priced_plan(ctx, knowledge).chosen
    assert total is not None
    healthtech["budget"] = {
        "monthly_limit_usd": round(total.monthly_usd / 1.05, 2),
        "flexibility": "moderate",
    }
    report, output = await _run(knowledge, make_context(healthtech))

    rec = next(r for r in report.recommendations if r.key.startswith("cost:"))
    assert rec.key == "cost:budget_guardrails"
    assert "over the monthly budget" in rec.rationale
    assert "$-" not in rec.rationale
    assert output.budget is not None
    assert output.budget.status == "over_limit"
