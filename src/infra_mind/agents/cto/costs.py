"""The 3-year TCO of each provider's quote and the honest ROI against today's spend."""

from __future__ import annotations

from infra_mind.agents.tco import monthly_series
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.growth import HORIZON_MONTHS, demand_factor, users_at
from infra_mind.domain.outputs.cto import ProviderTco, RoiComparison
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.requirements import Architecture, AssessmentInput
from infra_mind.knowledge.sizing import SizingRule

MIGRATION_RULE = "migration_cost_months"


def load_factor_24m(spec: AssessmentInput) -> float:
    """Load at 24 months relative to today's, as the TCO projects it (relative to launch with no users)."""
    return demand_factor(spec.growth, 24)


def current_footprint(spec: AssessmentInput) -> str | None:
    """What exists today and would have to move, in words; None for a greenfield build."""
    current = spec.current_infrastructure
    if not (
        current.providers
        or current.services
        or current.monthly_spend_usd
        or current.architecture is not Architecture.NONE
    ):
        return None
    words = [
        f"the {current.architecture.value}"
        if current.architecture is not Architecture.NONE
        else "the current infrastructure"
    ]
    if current.providers:
        words.append("on " + ", ".join(p.value for p in current.providers))
    if current.services:
        words.append("(" + ", ".join(current.services) + ")")
    if current.monthly_spend_usd:
        words.append(f"at ${current.monthly_spend_usd:,.0f}/month")
    return " ".join(words)


def migration_basis(spec: AssessmentInput, quote: ProviderQuote, rule: SizingRule) -> str:
    footprint = current_footprint(spec)
    if footprint is None:
        return "greenfield: no current infrastructure, so no migration or parallel running"
    same = quote.provider in {p.value for p in spec.current_infrastructure.providers}
    data = [f"{w.name} {w.data_size_gb:,.0f} GB" for w in spec.workloads if w.data_size_gb > 0]
    return (
        f"{rule.value:g} {rule.unit} ({rule.rationale}; sizing rule {rule.key}) to "
        f"{'re-platform' if same else 'move'} {footprint} {'within' if same else 'onto'} {quote.provider}"
        + (f"; data to move: {', '.join(data)}" if data else "")
    )


def provider_tco(ctx: AssessmentContext, quote: ProviderQuote, rule: SizingRule) -> ProviderTco:
    spec = ctx.requirements
    series = monthly_series(quote, spec.growth, spec.workloads)
    run = round(sum(series), 2)
    migration = round(quote.monthly_usd * rule.value, 2) if current_footprint(spec) else 0.0
    tco = round(run + migration, 2)
    ceiling = ctx.constraints.budget_ceiling_usd_month
    total_max = spec.budget.total_max_usd
    over = next((month for month, cost in enumerate(series, start=1) if cost > ceiling), None)
    return ProviderTco(
        provider=quote.provider,
        region=quote.region,
        monthly_run_usd=quote.monthly_usd,
        monthly_usd=[round(cost, 2) for cost in series],
        run_36m_usd=run,
        migration_one_off_usd=migration,
        migration_basis=migration_basis(spec, quote, rule),
        tco_36m_usd=tco,
        complete=quote.complete,
        missing_prices=len(quote.missing),
        within_budget=quote.monthly_usd <= ceiling and (total_max is None or tco <= total_max),
        first_month_over_ceiling=over,
        budget_note=_budget_note(quote, tco, ceiling, total_max, over),
    )


def _budget_note(
    quote: ProviderQuote, tco: float, ceiling: float, total_max: float | None, over: int | None
) -> str:
    fits = "within" if quote.monthly_usd <= ceiling else "over"
    parts = [
        f"today's run cost ${quote.monthly_usd:,.2f}/month is {fits} the ceiling of ${ceiling:,.2f}/month"
    ]
    if over is not None and quote.monthly_usd <= ceiling:
        parts.append(f"growth takes it past the ceiling in month {over}")
    if total_max is not None:
        parts.append(
            f"the 36-month TCO ${tco:,.0f} is {'within' if tco <= total_max else 'over'} "
            f"budget.total_max_usd ${total_max:,.0f} (read as the budget for the 36-month horizon)"
        )
    if quote.missing:
        parts.append(f"understated: {len(quote.missing)} line(s) have no catalog price")
    return "; ".join(parts)


def tco_evidence(tco: ProviderTco) -> Evidence:
    first, last = tco.monthly_usd[0], tco.monthly_usd[-1]
    missing = f"; excludes {tco.missing_prices} unpriced line(s)" if tco.missing_prices else ""
    return Evidence(
        kind=EvidenceKind.DERIVED,
        ref=f"tco:{tco.provider}@{tco.region}",
        detail=(
            f"{HORIZON_MONTHS} months of run cost ${tco.run_36m_usd:,.2f} (month 1 ${first:,.2f}, month "
            f"{HORIZON_MONTHS} ${last:,.2f}: user-driven lines follow the growth projection, data lines the "
            f"data growth, fixed lines stay flat) + migration ${tco.migration_one_off_usd:,.2f} = "
            f"${tco.tco_36m_usd:,.2f}{missing}"
        ),
    )


def roi(ctx: AssessmentContext, tco: ProviderTco) -> RoiComparison:
    spec = ctx.requirements
    spend = spec.current_infrastructure.monthly_spend_usd or None
    user_months = sum(users_at(spec.growth, month) for month in range(HORIZON_MONTHS))
    current_users = spec.growth.current_users
    flat = spend * HORIZON_MONTHS if spend else None
    return RoiComparison(
        provider=tco.provider,
        plan_tco_36m_usd=tco.tco_36m_usd,
        current_monthly_usd=spend,
        current_36m_usd=flat,
        difference_36m_usd=round(tco.tco_36m_usd - flat, 2) if flat is not None else None,
        plan_usd_per_user_month=round(tco.tco_36m_usd / user_months, 4) if user_months else None,
        current_usd_per_user_month=round(spend / current_users, 4) if spend and current_users else None,
    )


def roi_note(ctx: AssessmentContext, tco: ProviderTco, comparison: RoiComparison) -> str:
    head = (
        f"On {tco.provider.upper()} the 36-month TCO is ${tco.tco_36m_usd:,.0f} (run ${tco.run_36m_usd:,.0f}"
        f" + migration ${tco.migration_one_off_usd:,.0f})."
    )
    parts = [head, _against_spend(ctx, comparison)]
    if not tco.complete:
        parts.append(f"It understates: {tco.missing_prices} line(s) have no catalog price.")
    parts.append(
        "Revenue uplift is not estimated: the input carries no figures to ground it; the goals below "
        "show what the plan delivers and when."
    )
    return " ".join(parts)


def _against_spend(ctx: AssessmentContext, c: RoiComparison) -> str:
    if c.current_36m_usd is None or c.difference_36m_usd is None or c.current_monthly_usd is None:
        return "No current spend is given, so there is no status quo to compare it with."
    verdict = (
        f"${-c.difference_36m_usd:,.0f} less than"
        if c.difference_36m_usd < 0
        else f"${c.difference_36m_usd:,.0f} more than"
    )
    text = (
        f"That is {verdict} today's spend held flat (36 × ${c.current_monthly_usd:,.0f} = "
        f"${c.current_36m_usd:,.0f})."
    )
    growth = ctx.requirements.growth
    if c.plan_usd_per_user_month is not None and c.current_usd_per_user_month is not None:
        text += (
            f" Today's spend serves {growth.current_users:,} users while the plan follows the projection to "
            f"{growth.users_24m:,} at 24 months: ${c.plan_usd_per_user_month:,.4f} per user-month against "
            f"${c.current_usd_per_user_month:,.4f} today."
        )
    return text
