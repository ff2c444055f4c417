"""The 3-year TCO of each provider's quote and the honest ROI against today's spend."""

from __future__ import annotations

from infra_mind.agents.budget import ceiling_text, monthly_check, total_check
from infra_mind.agents.tco import SERIES_BASIS, CostSeries
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


def provider_tco(
    ctx: AssessmentContext, quote: ProviderQuote, series: CostSeries, rule: SizingRule
) -> ProviderTco:
    """The 36-month TCO of a provider's plan (primary + DR) from its re-priced growth series."""
    spec = ctx.requirements
    run = round(sum(series.monthly_usd), 2)
    migration = round(quote.monthly_usd * rule.value, 2) if current_footprint(spec) else 0.0
    tco = round(run + migration, 2)
    ceiling = ctx.constraints.budget_ceiling_usd_month
    over = next((month for month, cost in enumerate(series.monthly_usd, start=1) if cost > ceiling), None)
    check = monthly_check(ctx, quote)
    total_note = total_check(ctx, tco, quote.complete, len(quote.missing))
    within_total = _within_total(spec.budget.total_max_usd, tco, quote.complete)
    monthly = {"within_limit": True, "over_limit": False, "over_ceiling": False}.get(check.status)
    within = _all(monthly, True if spec.budget.total_max_usd is None else within_total)
    dr = quote.dr
    return ProviderTco(
        provider=quote.provider,
        region=quote.region,
        monthly_run_usd=quote.monthly_usd,
        primary_usd=quote.primary_usd,
        dr_usd=quote.dr_usd,
        dr_strategy=dr.strategy if dr else None,
        dr_region=dr.region if dr else None,
        monthly_usd=[round(cost, 2) for cost in series.monthly_usd],
        series_basis=SERIES_BASIS,
        series_complete=series.complete,
        run_36m_usd=run,
        migration_one_off_usd=migration,
        migration_basis=migration_basis(spec, quote, rule),
        tco_36m_usd=tco,
        complete=quote.complete,
        missing_prices=len(quote.missing),
        within_budget=within,
        within_total_budget=within_total,
        first_month_over_ceiling=over,
        budget_note=_budget_note(ctx, quote, check.note, total_note, over),
        total_budget_note=total_note,
    )


def _all(*verdicts: bool | None) -> bool | None:
    """False when any verdict is False, None (undetermined) when any is unknown, else True."""
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


def _within_total(total_max: float | None, tco: float, complete: bool) -> bool | None:
    if total_max is None:
        return None
    if tco > total_max:
        return False
    return True if complete else None


def _budget_note(
    ctx: AssessmentContext, quote: ProviderQuote, monthly: str, total: str | None, over: int | None
) -> str:
    parts = [f"today's run cost: {monthly}"]
    if over is not None and quote.monthly_usd <= ctx.constraints.budget_ceiling_usd_month:
        what = "run cost" if quote.complete else "priced run cost"
        parts.append(f"growth takes the {what} past {ceiling_text(ctx)} in month {over}")
    if total is not None:
        parts.append(total)
    if quote.missing:
        parts.append(f"understated: {len(quote.missing)} line(s) have no catalog price")
    return "; ".join(parts)


def tco_evidence(tco: ProviderTco) -> Evidence:
    first, last = tco.monthly_usd[0], tco.monthly_usd[-1]
    missing = f"; excludes {tco.missing_prices} unpriced line(s)" if tco.missing_prices else ""
    dr = f" incl. {tco.dr_strategy} DR ${tco.dr_usd:,.2f}" if tco.dr_usd else ""
    return Evidence(
        kind=EvidenceKind.DERIVED,
        ref=f"tco:{tco.provider}@{tco.region}",
        detail=(
            f"{HORIZON_MONTHS} months of run cost ${tco.run_36m_usd:,.2f} (month 1 ${first:,.2f}{dr}, month "
            f"{HORIZON_MONTHS} ${last:,.2f}; {tco.series_basis}) + migration "
            f"${tco.migration_one_off_usd:,.2f} = ${tco.tco_36m_usd:,.2f}{missing}"
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
    dr = f", with its {tco.dr_strategy} DR footprint" if tco.dr_usd else ""
    head = (
        f"On {tco.provider.upper()}{dr} the 36-month TCO is "
        + ("" if tco.complete else "at least ")
        + f"${tco.tco_36m_usd:,.0f} (run ${tco.run_36m_usd:,.0f} + migration "
        f"${tco.migration_one_off_usd:,.0f})."
    )
    parts = [head, _against_spend(ctx, comparison, tco)]
    if not tco.complete:
        parts.append(
            f"It understates: {tco.missing_prices} line(s) have no catalog price, so every figure here is a "
            "lower bound."
        )
    parts.append(
        "Revenue uplift is not estimated: the input carries no figures to ground it; the goals below "
        "show what the plan delivers and when."
    )
    return " ".join(parts)


def _against_spend(ctx: AssessmentContext, c: RoiComparison, tco: ProviderTco) -> str:
    if c.current_36m_usd is None or c.difference_36m_usd is None or c.current_monthly_usd is None:
        return "No current spend is given, so there is no status quo to compare it with."
    flat = f"today's spend held flat (36 × ${c.current_monthly_usd:,.0f} = ${c.current_36m_usd:,.0f})"
    if c.difference_36m_usd >= 0:
        more = "at least " if not tco.complete else ""
        text = f"That is {more}${c.difference_36m_usd:,.0f} more than {flat}."
    elif tco.complete:
        text = f"That is ${-c.difference_36m_usd:,.0f} less than {flat}."
    else:
        text = (
            f"The priced part is ${-c.difference_36m_usd:,.0f} less than {flat}; the unpriced items come off "
            "that, so it is not a saving until they are priced."
        )
    growth = ctx.requirements.growth
    if c.plan_usd_per_user_month is not None and c.current_usd_per_user_month is not None:
        least = "" if tco.complete else "at least "
        text += (
            f" Today's spend serves {growth.current_users:,} users while the plan follows the projection to "
            f"{growth.users_24m:,} at 24 months: {least}${c.plan_usd_per_user_month:,.4f} per user-month "
            f"against ${c.current_usd_per_user_month:,.4f} today."
        )
    return text
