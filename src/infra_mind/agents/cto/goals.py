"""How the plan addresses each business goal, and whether the roadmap delivers it in time."""

from __future__ import annotations

from infra_mind.agents.bom import kubernetes_line
from infra_mind.agents.cto.costs import load_factor_24m
from infra_mind.agents.cto.roadmap import (
    DELIVER,
    FOUNDATION,
    HARDEN,
    OPTIMISE,
    Roadmap,
    framework_name,
)
from infra_mind.agents.products import PRODUCTS
from infra_mind.agents.service_choice import service_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.cto import GoalFit, ProviderTco
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.requirements import Architecture, BusinessGoal, CloudProvider, GoalCategory, Market
from infra_mind.engine.constraints import MARKET_GEOGRAPHY
from infra_mind.knowledge.models import Provider

GOAL_PHASE = {
    GoalCategory.TIME_TO_MARKET: FOUNDATION,
    GoalCategory.SCALABILITY: DELIVER,
    GoalCategory.AI_ADOPTION: DELIVER,
    GoalCategory.MODERNIZATION: DELIVER,
    GoalCategory.GLOBAL_EXPANSION: DELIVER,
    GoalCategory.RELIABILITY: HARDEN,
    GoalCategory.SECURITY_COMPLIANCE: HARDEN,
    GoalCategory.COST_REDUCTION: OPTIMISE,
}
AI_WORKLOADS = {"ml_inference", "ml_training", "llm_application"}
ACTIVE_DR_STRATEGY = "multi_site_active"


def fit_goals(
    ctx: AssessmentContext, roadmap: Roadmap, quote: ProviderQuote | None, tco: ProviderTco | None
) -> list[GoalFit]:
    return [_fit(ctx, goal, roadmap, quote, tco) for goal in ctx.requirements.goals]


def _fit(
    ctx: AssessmentContext,
    goal: BusinessGoal,
    roadmap: Roadmap,
    quote: ProviderQuote | None,
    tco: ProviderTco | None,
) -> GoalFit:
    phase = roadmap.phases[GOAL_PHASE[goal.category]]
    how, addressed = _how(ctx, goal.category, quote, tco)
    return GoalFit(
        goal=goal.description,
        category=goal.category.value,
        priority=goal.priority.value,
        timeline_months=goal.timeline_months,
        how_addressed=how,
        addressed=addressed,
        phase=phase.name,
        delivered_by_month=phase.end_month,
        fits_timeline=addressed and phase.end_month <= goal.timeline_months,
    )


def _how(
    ctx: AssessmentContext, category: GoalCategory, quote: ProviderQuote | None, tco: ProviderTco | None
) -> tuple[str, bool]:
    spec = ctx.requirements
    match category:
        case GoalCategory.COST_REDUCTION:
            return _cost(ctx, tco)
        case GoalCategory.SCALABILITY:
            return (
                f"capacity is sized per workload and scales with demand; the TCO follows the projection "
                f"({load_factor_24m(spec):.3g}× today's load at 24 months)",
                True,
            )
        case GoalCategory.AI_ADOPTION:
            return _ai(ctx, quote)
        case GoalCategory.RELIABILITY:
            return (
                f"{ctx.constraints.zones_required} zone(s) and {ctx.constraints.regions_required} region(s) "
                f"for {spec.performance.uptime_target_pct:g}% uptime; disaster recovery tested against the "
                "RTO and RPO in the harden phase",
                True,
            )
        case GoalCategory.SECURITY_COMPLIANCE:
            names = ", ".join(framework_name(f.framework.value) for f in ctx.constraints.frameworks)
            if names:
                return f"controls and audit readiness for {names} in the harden phase", True
            if spec.security.required_controls:
                count = len(spec.security.required_controls)
                return f"the {count} required security controls are verified in the harden phase", True
            return (
                "no framework applies and no control is required; the harden phase verifies identity, "
                "logging, backups and incident response",
                True,
            )
        case GoalCategory.TIME_TO_MARKET:
            return "infrastructure as code and a CI/CD pipeline from the foundation phase on", True
        case GoalCategory.GLOBAL_EXPANSION:
            return _global(ctx, quote)
    platform = "managed Kubernetes" if kubernetes_line(quote) else "autoscaling VMs"
    architecture = spec.current_infrastructure.architecture
    if architecture is Architecture.NONE:
        return f"a new build on {platform} and managed services", True
    return f"the {architecture.value} architecture moves to {platform} and managed services", True


def _cost(ctx: AssessmentContext, tco: ProviderTco | None) -> tuple[str, bool]:
    spend = ctx.requirements.current_infrastructure.monthly_spend_usd
    if tco is None:
        return "no provider could be priced, so cost cannot be compared", False
    if not spend:
        return (
            "no current spend to reduce from; budgets, commitments and right-sizing in the optimise phase "
            "keep unit cost down",
            True,
        )
    unpriced = (
        f" ({tco.missing_prices} item(s) have no catalog price, so this is a lower bound)"
        if not tco.complete
        else ""
    )
    at_least = "" if tco.complete else "at least "
    if tco.monthly_run_usd <= spend and tco.complete:
        return (
            f"today's load runs at ${tco.monthly_run_usd:,.0f}/month on {tco.provider} against "
            f"${spend:,.0f} now; commitments and right-sizing in the optimise phase cut it further",
            True,
        )
    if tco.monthly_run_usd <= spend:
        return (
            f"the priced part of the plan is ${tco.monthly_run_usd:,.0f}/month on {tco.provider} against "
            f"${spend:,.0f} now, leaving ${spend - tco.monthly_run_usd:,.0f}/month for the "
            f"{tco.missing_prices} item(s) without a catalog price: the saving holds only if they cost less "
            "(price them before committing); commitments and right-sizing in the optimise phase cut further",
            True,
        )
    return (
        f"the plan costs {at_least}${tco.monthly_run_usd:,.0f}/month for today's load against ${spend:,.0f} "
        f"now{unpriced}: it does not reduce cost; only the optimise phase (commitments, right-sizing) can "
        "narrow the gap",
        False,
    )


def serving_regions(quote: ProviderQuote | None) -> list[str]:
    """Regions that serve users in the priced plan: the primary, plus a DR region only when it is active.

    A standby (backup, pilot light, warm standby) serves no traffic until failover, so it does not bring
    the plan closer to a market.
    """
    if quote is None:
        return []
    regions = [quote.region]
    dr = getattr(quote, "dr", None)
    secondary = getattr(dr, "region", None)
    if secondary and getattr(dr, "strategy", None) == ACTIVE_DR_STRATEGY and secondary not in regions:
        regions.append(secondary)
    return regions


def _global(ctx: AssessmentContext, quote: ProviderQuote | None) -> tuple[str, bool]:
    """Addressed only when every customer market is served from a region in (or next to) its geography."""
    markets = ctx.requirements.company.customer_markets
    serving = serving_regions(quote)
    if not serving:
        return "no provider could be priced, so no region serves any market", False
    geography = ctx.constraints.region_geography
    served_from = {code: geography.get(code) for code in serving}
    local: list[tuple[str, list[str]]] = []
    remote: list[tuple[str, list[str]]] = []
    for market in markets:
        near = {g.value for g in MARKET_GEOGRAPHY[market]}
        codes = [code for code, geo in served_from.items() if geo in near]
        (local if codes else remote).append((market.value, codes))
    where = ", ".join(f"{code} ({geo or 'unknown geography'})" for code, geo in served_from.items())
    if not remote:
        reached = "; ".join(f"{m} from {', '.join(codes)}" for m, codes in local)
        return f"every customer market has a serving region: {reached}", True
    missing = ", ".join(m for m, _ in remote)
    wanted = {g.value for m, _ in remote for g in MARKET_GEOGRAPHY[Market(m)]}
    own = ctx.constraints.allowed_regions.get(CloudProvider(quote.provider), ()) if quote else ()
    candidates = [code for code in own if geography.get(code) in wanted]
    dr = getattr(quote, "dr", None)
    standby = getattr(dr, "region", None)
    notes = []
    if standby in candidates:
        notes.append(
            f"{standby} holds only the {getattr(dr, 'strategy', 'DR')} recovery footprint, which serves no "
            "traffic until failover"
        )
    notes.append(
        f"allowed {quote.provider if quote else ''} regions there: {', '.join(candidates)}; serving from one "
        "needs an active deployment"
        if candidates
        else "the chosen provider has no allowed region there under the residency rules"
    )
    return (
        f"customers in {missing} are served from {where}: the plan has no serving region in their "
        f"geography ({'; '.join(notes)})",
        False,
    )


def _ai(ctx: AssessmentContext, quote: ProviderQuote | None) -> tuple[str, bool]:
    names = [w.name for w in ctx.requirements.workloads if w.type in AI_WORKLOADS]
    if not names:
        return (
            "no ML or LLM workload is described in the input, so nothing in the plan delivers it yet",
            False,
        )
    if quote is None:
        return f"{', '.join(names)} on the planned services", True
    products = PRODUCTS[Provider(quote.provider)]
    where = [
        f"{w.name} on {service_plan(w, products, ctx.requirements).platform}"
        for w in ctx.requirements.workloads
        if w.type in AI_WORKLOADS
    ]
    return "; ".join(where), True
