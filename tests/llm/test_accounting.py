from __future__ import annotations

import pytest

from infra_mind.llm.accounting import Accountant, Budget, CallRecord, ConfiguredPrice, Pricer
from infra_mind.llm.errors import BudgetExhausted
from infra_mind.llm.provider import TokenUsage


def ok(agent: str, tokens_in: int, tokens_out: int, cost: float | None, cached: bool = False) -> CallRecord:
    return CallRecord(
        agent=agent,
        purpose="narrative",
        model="m",
        outcome="ok",
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_usd=cost,
        cached=cached,
    )


def test_genai_prices_knows_a_listed_model() -> None:
    pricer = Pricer.with_genai_prices(base_url="https://api.openai.com/v1")

    cost = pricer.cost("gpt-4o-mini", TokenUsage(1_000_000, 1_000_000))

    assert cost == pytest.approx(0.15 + 0.60)  # USD per Mtok in/out in genai-prices 0.2.3's bundled data


def test_self_hosted_server_has_no_list_price() -> None:
    pricer = Pricer.with_genai_prices(base_url="http://127.0.0.1:8080/v1")

    assert pricer.cost("gpt-4o-mini", TokenUsage(1000, 1000)) is None


def test_unknown_model_has_no_price() -> None:
    pricer = Pricer.with_genai_prices(base_url="https://api.openai.com/v1")

    assert pricer.cost("no-such-model-xyz", TokenUsage(1000, 1000)) is None


def test_configured_price_is_used_first() -> None:
    pricer = Pricer(configured=ConfiguredPrice(1.0, 4.0))

    assert pricer.cost("anything", TokenUsage(500_000, 250_000)) == pytest.approx(1.5)


def test_unreported_usage_has_unknown_cost() -> None:
    assert Pricer(configured=ConfiguredPrice(1.0, 4.0)).cost("m", TokenUsage(reported=False)) is None


def test_no_price_source_means_unknown() -> None:
    assert Pricer().cost("gpt-4o-mini", TokenUsage(10, 10)) is None


def test_summary_per_agent_and_run() -> None:
    accountant = Accountant()
    accountant.record(ok("cto", 100, 20, 0.01))
    accountant.record(ok("cto", 0, 0, 0.0, cached=True))
    accountant.record(ok("security", 50, 10, None))
    accountant.record(CallRecord(agent="security", purpose="n", model="m", outcome="llm_timeout", attempts=3))

    summary = accountant.summary()

    assert (summary.calls, summary.cached_calls, summary.failed_calls) == (4, 1, 1)
    assert (summary.tokens_in, summary.tokens_out) == (150, 30)
    assert summary.cost_usd == pytest.approx(0.01)
    assert summary.unpriced_calls == 1
    assert summary.agents["cto"].calls == 2
    assert summary.agents["security"].unpriced_calls == 1
    assert summary.budget_exhausted is None


def test_budget_is_checked_before_the_call_and_the_refusal_recorded() -> None:
    accountant = Accountant(Budget(max_usd=0.02))
    accountant.ensure_budget("cto", "n", "m")
    accountant.record(ok("cto", 10, 10, 0.025))

    with pytest.raises(BudgetExhausted) as caught:
        accountant.ensure_budget("security", "n", "m")
    with pytest.raises(BudgetExhausted):
        accountant.ensure_budget("cto", "n", "m")

    assert caught.value.code == "llm_budget_exhausted"
    summary = accountant.summary()
    assert (summary.calls, summary.refused_calls) == (1, 2)
    assert summary.budget_exhausted == "$0.0250 spent of $0.0200"
    assert summary.budget_max_usd == 0.02


def test_no_budget_never_refuses() -> None:
    accountant = Accountant()
    accountant.record(ok("cto", 10**9, 10**9, 10**6))

    accountant.ensure_budget("cto", "n", "m")
