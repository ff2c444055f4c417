"""Budget verdicts: the plan against the monthly limit, the ceiling the flexibility allows, and the total.

A verdict is stated as fact only when the quote is complete or when its priced part alone already decides
it (a lower bound over the limit is over the limit); otherwise it says what is known and what is not.
"""

from __future__ import annotations

from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.cloud import BudgetCheck
from infra_mind.domain.pricing import ProviderQuote


def ceiling_text(ctx: AssessmentContext) -> str:
    """The ceiling, named with how it is derived from the limit."""
    budget = ctx.requirements.budget
    ceiling = ctx.constraints.budget_ceiling_usd_month
    factor = ceiling / budget.monthly_limit_usd
    return (
        f"the ceiling of ${ceiling:,.2f} (the limit × {factor:g}, as budget.flexibility "
        f"'{budget.flexibility.value}' allows)"
    )


def monthly_check(ctx: AssessmentContext, quote: ProviderQuote) -> BudgetCheck:
    """The quote's monthly total against budget.monthly_limit_usd and the flexibility ceiling."""
    limit = ctx.requirements.budget.monthly_limit_usd
    ceiling = ctx.constraints.budget_ceiling_usd_month
    cost = quote.monthly_usd
    unpriced = len(quote.missing)
    over = cost - limit
    subject = f"${cost:,.2f}/month" if quote.complete else f"the priced part alone, ${cost:,.2f}/month,"
    if cost > ceiling:
        status = "over_ceiling"
        note = (
            f"{subject} is ${over:,.2f} over the monthly budget of ${limit:,.2f} and over {ceiling_text(ctx)}"
        )
    elif cost > limit:
        status = "over_limit"
        note = f"{subject} is ${over:,.2f} over the monthly budget of ${limit:,.2f}" + (
            f"; it stays within {ceiling_text(ctx)}"
            if quote.complete
            else f"; it stays within {ceiling_text(ctx)} only if the {unpriced} unpriced item(s) cost less "
            f"than ${ceiling - cost:,.2f}/month"
        )
    elif quote.complete:
        status = "within_limit"
        note = (
            f"{subject} is within the monthly budget of ${limit:,.2f}, with ${-over:,.2f}/month of headroom"
        )
    else:
        status = "undetermined"
        note = (
            f"{subject} leaves ${-over:,.2f}/month of the ${limit:,.2f} monthly budget for the {unpriced} "
            "item(s) without a catalog price; whether the plan fits cannot be confirmed until they are priced"
        )
    if not quote.complete and status != "undetermined":
        note += f"; {unpriced} item(s) without a catalog price come on top"
    return BudgetCheck(
        provider=quote.provider,
        monthly_usd=cost,
        complete=quote.complete,
        limit_usd=limit,
        ceiling_usd=ceiling,
        flexibility=ctx.requirements.budget.flexibility.value,
        status=status,
        note=note,
    )


def total_check(ctx: AssessmentContext, tco_36m_usd: float, complete: bool, missing: int) -> str | None:
    """The 36-month TCO against budget.total_max_usd (the total over the planning horizon), if given."""
    total_max = ctx.requirements.budget.total_max_usd
    if total_max is None:
        return None
    tco = (
        f"the 36-month TCO of ${tco_36m_usd:,.0f}"
        if complete
        else f"the priced 36-month TCO of ${tco_36m_usd:,.0f}"
    )
    if tco_36m_usd > total_max:
        text = (
            f"{tco} is ${tco_36m_usd - total_max:,.0f} over the total budget (budget.total_max_usd) of "
            f"${total_max:,.0f}"
        )
        return text if complete else text + f"; {missing} unpriced item(s) come on top"
    if complete:
        return f"{tco} is within the total budget (budget.total_max_usd) of ${total_max:,.0f}"
    return (
        f"{tco} is below the total budget (budget.total_max_usd) of ${total_max:,.0f}; it fits only if the "
        f"{missing} unpriced item(s) cost less than ${total_max - tco_36m_usd:,.0f} over 36 months"
    )
