"""Cloud spend against the norm: as a share of revenue and per user, today and in the priced plan."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.evidence import input_evidence, quote_evidence
from infra_mind.agents.plan import PricedPlan
from infra_mind.agents.research.compare import (
    Compared,
    Segment,
    band_standing,
    comparison,
    norm_evidence,
    usd,
)
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.research import Basis, Standing, UncomparedMetric
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.knowledge.benchmarks import Benchmark, BenchmarkCatalog, Metric

SHARE = Metric.CLOUD_SPEND_SHARE_OF_REVENUE
PER_USER = "cloud_spend_per_user_month"
_WHEN = {"current": "Today", "planned": "The plan"}


@dataclass(frozen=True)
class Spend:
    """Monthly cloud spend on one basis: today's, or the recommended plan's (primary + DR)."""

    basis: Basis
    monthly_usd: float | None
    lower_bound: bool
    missing: str
    evidence: list[Evidence]

    @property
    def least(self) -> str:
        return "at least " if self.lower_bound else ""


def spends(ctx: AssessmentContext, plan: PricedPlan) -> list[Spend]:
    current = ctx.requirements.current_infrastructure.monthly_spend_usd
    chosen = plan.chosen
    return [
        Spend(
            "current",
            current or None,
            False,
            "no current cloud spend is given (current_infrastructure.monthly_spend_usd is 0)",
            [input_evidence("current_infrastructure.monthly_spend_usd", current)],
        ),
        Spend(
            "planned",
            chosen.monthly_usd if chosen else None,
            bool(chosen and not chosen.complete),
            "no provider could be priced, so there is no planned spend",
            [quote_evidence(chosen)] if chosen else [],
        ),
    ]


def compare_spend(
    ctx: AssessmentContext, catalog: BenchmarkCatalog, plan: PricedPlan
) -> tuple[list[Compared], list[UncomparedMetric]]:
    spec = ctx.requirements
    segment = Segment.of(spec)
    norm = segment.norm(catalog, SHARE)
    compared: list[Compared] = []
    gaps: list[UncomparedMetric] = []
    today = spends(ctx, plan)
    for spend in today:
        if spend.monthly_usd is None:
            gaps += [
                UncomparedMetric(metric=m, basis=spend.basis, reason=spend.missing)
                for m in (SHARE.value, PER_USER)
            ]
            continue
        for result in (
            _share(spec, segment, norm, spend, spend.monthly_usd),
            _per_user(spec, segment, norm, spend, spend.monthly_usd, today[0].monthly_usd),
        ):
            if isinstance(result, Compared):
                compared.append(result)
            else:
                gaps.append(result)
    gaps += [
        UncomparedMetric(
            metric=context.metric.value,
            basis="current",
            reason=f"the norm for {context.segment} is {context.norm_text()} ({context.source}, "
            f"{context.as_of}); the input gives no cost of revenue to compare it with",
        )
        for context in segment.norms(catalog, Metric.CLOUD_SHARE_OF_COST_OF_REVENUE)
    ]
    return compared, gaps


def _no_norm(segment: Segment, metric: str, spend: Spend) -> UncomparedMetric:
    return UncomparedMetric(
        metric=metric,
        basis=spend.basis,
        reason=f"no cloud-spend norm in the knowledge base covers a {segment.words()}",
    )


def _revenue_gap(spec: AssessmentInput, metric: str, spend: Spend, what: str) -> UncomparedMetric | None:
    revenue = spec.company.annual_revenue_usd
    if revenue is None:
        reason = f"company.annual_revenue_usd is not given, so {what} cannot be set against revenue"
    elif revenue == 0:
        reason = (
            f"company.annual_revenue_usd is 0 (no revenue yet), so {what} has no revenue to be set against"
        )
    else:
        return None
    return UncomparedMetric(metric=metric, basis=spend.basis, reason=reason)


def _outlier(standing: Standing, spend: Spend) -> bool:
    """Above the band is decided even for a lower bound; below it is not, unpriced items could close it."""
    return standing == "above" or (standing == "below" and not spend.lower_bound)


def _words(standing: Standing, spend: Spend) -> str:
    if standing == "below" and spend.lower_bound:
        return "below the norm as priced (a lower bound: the unpriced items could close the gap)"
    return {"below": "below the norm", "within": "within the norm", "above": "above the norm"}[standing]


def _share(
    spec: AssessmentInput, segment: Segment, norm: Benchmark | None, spend: Spend, monthly: float
) -> Compared | UncomparedMetric:
    gap = _revenue_gap(spec, SHARE.value, spend, "cloud spend")
    if gap:
        return gap
    if norm is None or norm.low is None or norm.high is None:
        return _no_norm(segment, SHARE.value, spend)
    revenue = spec.company.annual_revenue_usd or 0
    share = monthly * 12 / revenue * 100
    standing = band_standing(share, norm.low, norm.high)
    company = f"{spend.least}{share:.2f} % of revenue (${monthly:,.2f}/month × 12 ÷ ${revenue:,.0f} a year)"
    detail = (
        f"{_WHEN[spend.basis]}: {company}, {_words(standing, spend)} of {norm.norm_text()} for "
        f"{norm.segment}; the company is a {segment.words()}"
    )
    derived = Evidence(
        kind=EvidenceKind.DERIVED,
        ref=f"research:{SHARE.value}:{spend.basis}",
        detail=f"${monthly:,.2f} × 12 ÷ ${revenue:,.0f} = {share:.2f} % of revenue",
    )
    return Compared(
        comparison(
            norm,
            metric=SHARE.value,
            area="spend",
            basis=spend.basis,
            label=f"cloud spend as a share of revenue ({'today' if spend.basis == 'current' else 'plan'})",
            value=share,
            unit="% of revenue",
            company=company,
            standing=standing,
            outlier=_outlier(standing, spend),
            detail=detail,
            lower_bound=spend.lower_bound,
        ),
        [
            *spend.evidence,
            input_evidence("company.annual_revenue_usd", revenue),
            derived,
            norm_evidence(norm),
        ],
    )


def _per_user(
    spec: AssessmentInput,
    segment: Segment,
    norm: Benchmark | None,
    spend: Spend,
    monthly: float,
    current_monthly: float | None,
) -> Compared | UncomparedMetric:
    users = spec.growth.current_users
    if users == 0:
        return UncomparedMetric(
            metric=PER_USER,
            basis=spend.basis,
            reason="no users yet (growth.current_users is 0), so spend per user is undefined",
        )
    per_user = monthly / users
    figure = f"{spend.least}{usd(per_user)} per user-month (${monthly:,.2f} ÷ {users:,} users)"
    gap = _revenue_gap(spec, PER_USER, spend, f"spend per user ({figure})")
    if gap:
        return gap.model_copy(
            update={"reason": gap.reason + "; no published per-user norm applies, so none can be derived"}
        )
    if norm is None or norm.low is None or norm.high is None:
        return _no_norm(segment, PER_USER, spend)
    revenue = spec.company.annual_revenue_usd or 0
    revenue_per_user = revenue / 12 / users
    low, high = revenue_per_user * norm.low / 100, revenue_per_user * norm.high / 100
    standing = band_standing(per_user, low, high)
    change = f"; today {usd(current_monthly / users)}" if spend.basis == "planned" and current_monthly else ""
    method = (
        f"implied norm: revenue per user-month {usd(revenue_per_user)} (company.annual_revenue_usd ÷ 12 ÷ "
        f"growth.current_users) × the {norm.low:g}–{norm.high:g} % band of {norm.key}"
    )
    return Compared(
        comparison(
            norm,
            metric=PER_USER,
            area="spend",
            basis=spend.basis,
            label=f"cloud spend per user-month ({'today' if spend.basis == 'current' else 'plan'})",
            value=per_user,
            unit="USD per user-month",
            company=figure,
            standing=standing,
            outlier=_outlier(standing, spend),
            detail=f"{_WHEN[spend.basis]}: {figure}{change}, {_words(standing, spend)} of "
            f"{usd(low)}–{usd(high)} per user-month implied by {norm.norm_text()} for {norm.segment}",
            low=round(low, 4),
            high=round(high, 4),
            norm_text=f"{usd(low)}–{usd(high)} per user-month (implied by {norm.norm_text()})",
            estimate=method,
            lower_bound=spend.lower_bound,
        ),
        [
            *spend.evidence,
            input_evidence("growth.current_users", users),
            input_evidence("company.annual_revenue_usd", revenue),
            Evidence(kind=EvidenceKind.DERIVED, ref=f"research:{PER_USER}:{spend.basis}", detail=method),
            norm_evidence(norm),
        ],
    )
