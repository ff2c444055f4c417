"""The priced plan every agent reasons from: per allowed provider, the primary-region quote plus the
disaster-recovery footprint in the recovery region, their total, and the recommended provider."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.bom import BomBuilder
from infra_mind.agents.comparison import Comparison, compare
from infra_mind.agents.recovery import (
    Recovery,
    candidate_secondary,
    choose_recovery,
    footprint,
    price_standby,
)
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider

PREFERENCE_TOLERANCE = 0.10
INCUMBENT_TOLERANCE = 0.15


@dataclass(frozen=True)
class ProviderPlan:
    """One provider's plan: the parts and their total."""

    primary: ProviderQuote
    """The primary region at the design's load."""
    recovery: Recovery
    """The DR strategy and recovery region (agents.recovery), decided once for every agent."""
    standby: ProviderQuote | None
    """The DR footprint in the recovery region; None when nothing is kept in a second region."""
    total: ProviderQuote
    """Primary and DR lines together: the figure every cost, comparison and budget check uses."""

    @property
    def provider(self) -> str:
        return self.primary.provider


@dataclass(frozen=True)
class PricedPlan:
    options: list[ProviderPlan]
    provider: str | None
    reasons: list[str]
    comparison: Comparison

    @property
    def quotes(self) -> list[ProviderQuote]:
        """Each provider's total (primary + DR)."""
        return [o.total for o in self.options]

    def option(self, provider: str | None) -> ProviderPlan | None:
        return next((o for o in self.options if o.provider == provider), None)

    def quote(self, provider: str | None) -> ProviderQuote | None:
        option = self.option(provider)
        return option.total if option else None

    @property
    def chosen_option(self) -> ProviderPlan | None:
        return self.option(self.provider)

    @property
    def chosen(self) -> ProviderQuote | None:
        return self.quote(self.provider)


def priced_plan(ctx: AssessmentContext, knowledge: Knowledge) -> PricedPlan:
    """The plan every agent reasons from; priced once per run (memoised on the run's context)."""
    return ctx.memo(("priced_plan", id(knowledge)), lambda: _price(ctx, knowledge))


def _price(ctx: AssessmentContext, knowledge: Knowledge) -> PricedPlan:
    builder = BomBuilder(knowledge)
    options = [
        plan_provider(ctx, knowledge, builder, Provider(p.value), ctx.constraints.home_regions[p])
        for p in ctx.constraints.providers
    ]
    comparison = compare([o.total for o in options])
    provider, reasons = choose_provider(ctx, options, comparison)
    return PricedPlan(options, provider, reasons, comparison)


def plan_provider(
    ctx: AssessmentContext, knowledge: Knowledge, builder: BomBuilder, provider: Provider, region: str
) -> ProviderPlan:
    """The primary quote, the DR strategy its single-region uptime and the objectives call for, and the
    priced DR footprint."""
    # Imported here: the infrastructure package imports this module when it loads.
    from infra_mind.agents.infrastructure.resilience import single_region_uptime

    primary = builder.quote(ctx, provider, region)
    recovery = choose_recovery(
        ctx,
        knowledge,
        single_region_uptime(ctx, knowledge, primary),
        candidate_secondary(ctx, provider, region),
    )
    standby = price_standby(ctx, knowledge, provider, recovery, builder)
    return ProviderPlan(primary, recovery, standby, combine(primary, recovery, standby))


def reprice(
    ctx: AssessmentContext, knowledge: Knowledge, builder: BomBuilder, option: ProviderPlan
) -> ProviderQuote:
    """The option's design (same regions, same DR strategy) priced at the context's load."""
    provider = Provider(option.provider)
    primary = builder.quote(ctx, provider, option.primary.region)
    standby = price_standby(ctx, knowledge, provider, option.recovery, builder)
    return combine(primary, option.recovery, standby)


def combine(primary: ProviderQuote, recovery: Recovery, standby: ProviderQuote | None) -> ProviderQuote:
    lines = primary.lines + (standby.lines if standby else [])
    missing = primary.missing + (standby.missing if standby else [])
    return ProviderQuote(
        provider=primary.provider,
        region=primary.region,
        lines=lines,
        missing=missing,
        monthly_usd=round(sum(line.monthly_usd for line in lines), 2),
        dr=footprint(recovery, standby, primary.region),
    )


def choose_provider(
    ctx: AssessmentContext, options: list[ProviderPlan], comparison: Comparison
) -> tuple[str | None, list[str]]:
    """Cheapest plan (primary + DR) on the comparable basis, unless a preferred or incumbent provider is
    close enough to it."""
    if not options:
        return None, ["no provider is allowed by the constraints"]
    cost = comparison.basis_usd
    cheapest = min(options, key=lambda o: (cost[o.provider], o.provider))
    reasons = [_cheapest_reason(cheapest, comparison)]
    if not comparison.like_for_like and len(options) > 1:
        reasons.append(comparison.note())
    spec = ctx.requirements
    incumbents = [p.value for p in spec.current_infrastructure.providers]
    for tolerance, names, why in (
        (PREFERENCE_TOLERANCE, [p.value for p in spec.providers.preferred], "preferred"),
        (INCUMBENT_TOLERANCE, incumbents, "already in use (skills, tooling and contracts carry over)"),
    ):
        for name in names:
            option = next((o for o in options if o.provider == name), None)
            if option is None or option is cheapest:
                continue
            if cost[name] <= cost[cheapest.provider] * (1 + tolerance):
                premium = cost[name] - cost[cheapest.provider]
                return name, [
                    f"{name} is {why} and within {tolerance:.0%} of the cheapest plan "
                    f"(+${premium:,.2f}/month over {cheapest.provider}"
                    + ("" if comparison.like_for_like else " on the compared components")
                    + ")",
                    *reasons,
                ]
        if cheapest.provider in names:
            reasons.append(f"{cheapest.provider} is also {why}")
    return cheapest.provider, reasons


def _cheapest_reason(option: ProviderPlan, comparison: Comparison) -> str:
    total = option.total
    parts = f"{total.region} ${total.primary_usd:,.2f}"
    if total.dr and total.dr.region:
        parts += f" + {total.dr.strategy} DR in {total.dr.region} ${total.dr_usd:,.2f}"
    if len(comparison.basis_usd) < 2:
        bound = "" if total.complete else ", a lower bound"
        return (
            f"{option.provider} is the only provider the constraints allow: ${total.monthly_usd:,.2f}/month "
            f"({parts}{bound})"
        )
    if comparison.like_for_like:
        cost = f"${total.monthly_usd:,.2f}/month"
        return f"{option.provider} is the cheapest like-for-like plan at {cost} ({parts})"
    return (
        f"{option.provider} is the cheapest on the compared components at "
        f"${comparison.basis_usd[option.provider]:,.2f}/month (priced total {parts}, a lower bound)"
    )
