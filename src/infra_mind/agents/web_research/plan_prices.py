"""How old the prices are that the recommended plan rests on."""

from __future__ import annotations

from datetime import date

from infra_mind.agents.web_research.policy import PRICE_THRESHOLD_DAYS
from infra_mind.domain.outputs.web_research import PlanPriceAge
from infra_mind.domain.pricing import BomLine, ProviderQuote


def price_kind(line_kind: str) -> str:
    """The catalog kind a bill-of-materials line of this kind takes its price from."""
    return "instance_prices" if line_kind == "compute" else "service_prices"


def line_is_stale(line: BomLine, reference: date) -> bool:
    return (reference - line.as_of).days > PRICE_THRESHOLD_DAYS


def stale_lines(quote: ProviderQuote, reference: date) -> list[BomLine]:
    """The quote's lines priced from records older than the price threshold, oldest first."""
    return sorted(
        (line for line in quote.lines if line_is_stale(line, reference)), key=lambda line: line.as_of
    )


def plan_price_age(quote: ProviderQuote, reference: date) -> PlanPriceAge:
    stale = stale_lines(quote, reference)
    return PlanPriceAge(
        provider=quote.provider,
        lines=len(quote.lines),
        stale_lines=len(stale),
        monthly_usd=quote.monthly_usd,
        stale_monthly_usd=round(sum(line.monthly_usd for line in stale), 2),
        threshold_days=PRICE_THRESHOLD_DAYS,
        oldest_as_of=min((line.as_of for line in quote.lines), default=None),
    )
