"""The priced plan every agent reasons from: one quote per allowed provider and the recommended one."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.bom import BomBuilder
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider

PREFERENCE_TOLERANCE = 0.10
INCUMBENT_TOLERANCE = 0.15


@dataclass(frozen=True)
class PricedPlan:
    quotes: list[ProviderQuote]
    provider: str | None
    reasons: list[str]

    def quote(self, provider: str | None) -> ProviderQuote | None:
        return next((q for q in self.quotes if q.provider == provider), None)

    @property
    def chosen(self) -> ProviderQuote | None:
        return self.quote(self.provider)


def priced_plan(ctx: AssessmentContext, knowledge: Knowledge) -> PricedPlan:
    builder = BomBuilder(knowledge)
    quotes = [
        builder.quote(ctx, Provider(p.value), ctx.constraints.home_regions[p])
        for p in ctx.constraints.providers
    ]
    provider, reasons = choose_provider(ctx, quotes)
    return PricedPlan(quotes, provider, reasons)


def choose_provider(ctx: AssessmentContext, quotes: list[ProviderQuote]) -> tuple[str | None, list[str]]:
    """Cheapest complete quote, unless a preferred or incumbent provider is close enough to it."""
    complete = [q for q in quotes if q.complete] or quotes
    if not complete:
        return None, ["no provider is allowed by the constraints"]
    cheapest = min(complete, key=lambda q: (q.monthly_usd, q.provider))
    reasons = [
        f"{cheapest.provider} is the cheapest like-for-like quote at ${cheapest.monthly_usd:,.2f}/month "
        f"in {cheapest.region}"
    ]
    if len(complete) < len(quotes):
        partial = ", ".join(q.provider for q in quotes if not q.complete)
        reasons.append(f"quotes with missing prices were not compared on total ({partial})")
    spec = ctx.requirements
    incumbents = [p.value for p in spec.current_infrastructure.providers]
    for tolerance, names, why in (
        (PREFERENCE_TOLERANCE, [p.value for p in spec.providers.preferred], "preferred"),
        (INCUMBENT_TOLERANCE, incumbents, "already in use (skills, tooling and contracts carry over)"),
    ):
        for name in names:
            quote = next((q for q in complete if q.provider == name), None)
            if quote is None or quote is cheapest:
                continue
            if quote.monthly_usd <= cheapest.monthly_usd * (1 + tolerance):
                premium = quote.monthly_usd - cheapest.monthly_usd
                return quote.provider, [
                    f"{quote.provider} is {why} and within {tolerance:.0%} of the cheapest quote "
                    f"(+${premium:,.2f}/month over {cheapest.provider})",
                    *reasons[1:],
                ]
        if any(q.provider in names and q is cheapest for q in complete):
            reasons.append(f"{cheapest.provider} is also {why}")
    return cheapest.provider, reasons
