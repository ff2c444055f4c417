"""How the plan addresses each business goal, and whether the roadmap delivers it in time."""

from __future__ import annotations

from infra_mind.agents.bom import kubernetes_line
from infra_mind.agents.cto.costs import load_factor_24m
from infra_mind.agents.cto.roadmap import DELIVER, FOUNDATION, HARDEN, OPTIMISE, Roadmap, framework_name
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.cto import GoalFit, ProviderTco
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.requirements import Architecture, BusinessGoal, GoalCategory

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
            markets = ", ".join(m.value for m in spec.company.customer_markets)
            return (
                f"customers in {markets}; {ctx.constraints.regions_required} region(s) planned in "
                f"{quote.region if quote else 'the chosen provider'}, more regions added per market",
                True,
            )
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
    if tco.monthly_run_usd <= spend:
        return (
            f"today's load runs at ${tco.monthly_run_usd:,.0f}/month on {tco.provider} against "
            f"${spend:,.0f} now; commitments and right-sizing in the optimise phase cut it further",
            True,
        )
    return (
        f"the plan costs ${tco.monthly_run_usd:,.0f}/month for today's load against ${spend:,.0f} now: it "
        "does not reduce cost; only the optimise phase (commitments, right-sizing) can narrow the gap",
        False,
    )


def _ai(ctx: AssessmentContext, quote: ProviderQuote | None) -> tuple[str, bool]:
    names = [w.name for w in ctx.requirements.workloads if w.type in AI_WORKLOADS]
    if not names:
        return (
            "no ML or LLM workload is described in the input, so nothing in the plan delivers it yet",
            False,
        )
    services = sorted({line.service for line in quote.lines if line.workload in names}) if quote else []
    return f"{', '.join(names)} run on {', '.join(services) or 'the planned services'}", True
