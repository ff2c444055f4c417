"""The risk register: every risk derived from the context or the priced plan, with an owner and a mitigation.

Likelihood and impact are ordinal judgements (high, medium, low); the rule behind each sits next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.cto.costs import current_footprint, load_factor_24m, tco_evidence
from infra_mind.agents.cto.roadmap import Roadmap, framework_name
from infra_mind.agents.cto.sourcing import SkillGap
from infra_mind.agents.evidence import input_evidence, quote_evidence
from infra_mind.agents.plan import PricedPlan
from infra_mind.domain.context import AssessmentContext, InputWarning
from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.cto import GoalFit, ProviderTco, Risk
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.workloads import Criticality
from infra_mind.knowledge.catalog import Knowledge

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW
SCORE = {H: 3, M: 2, L: 1}
GROWTH_HIGH = 5.0
GROWTH_MEDIUM = 2.0
URGENT_PRIORITIES = {"critical", "high"}
LISTED = 3
SKILL_NAMES = {
    "kubernetes": "Kubernetes",
    "cloud": "Cloud",
    "database": "Database",
    "ml": "ML",
    "devops": "DevOps",
}

_WARNING_LEVELS = {
    "budget_below_minimum": (H, H),
    "single_region_high_uptime": (M, H),
    "aggressive_recovery": (M, H),
    "implausible_growth": (M, H),
    "platform_skills_gap": (H, M),
}
_BY_FIELD: dict[str, tuple[str, Pillar, tuple[str, ...]]] = {
    "budget": ("CFO", Pillar.COST, ("COST01-BP03",)),
    "performance": ("Engineering lead", Pillar.RELIABILITY, ("REL13-BP01", "REL13-BP02")),
    "compliance": ("Compliance officer", Pillar.SECURITY, ("SEC07-BP01",)),
    "security": ("CISO", Pillar.SECURITY, ("SEC07-BP01",)),
    "growth": ("Product lead", Pillar.RELIABILITY, ("REL07-BP01",)),
    "team": ("Engineering manager", Pillar.OPERATIONAL_EXCELLENCE, ("COST05-BP05",)),
    "providers": ("CTO", Pillar.COST, ("COST07-BP02", "PERF04-BP06")),
}

_UNADDRESSED = {"cost_reduction": ("COST06-BP02", "COST07-BP01"), "ai_adoption": ("PERF02-BP01",)}


@dataclass(frozen=True)
class RiskItem:
    risk: Risk
    pillar: Pillar
    evidence: tuple[Evidence, ...]
    best_practices: tuple[str, ...]
    covered_by: str | None = None

    @property
    def score(self) -> int:
        return SCORE[self.risk.likelihood] * SCORE[self.risk.impact]


def risk_register(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    plan: PricedPlan,
    tco: ProviderTco | None,
    roadmap: Roadmap,
    goals: list[GoalFit],
    gaps: list[SkillGap],
) -> list[RiskItem]:
    quote = plan.chosen
    items = [_warning(w, over_budget=_over_budget(ctx, quote)) for w in ctx.warnings]
    if quote is not None and tco is not None:
        items += _budget(ctx, quote, tco, roadmap)
        items += _growth(ctx, tco)
        items += _missing_prices(quote)
        items += _lock_in(ctx, plan, quote)
    items += [_skills(gap) for gap in gaps]
    items += _compliance(ctx, knowledge)
    items += _schedule(ctx, roadmap, goals)
    items += _migration(ctx)
    return sorted(items, key=lambda item: -item.score)


def _over_budget(ctx: AssessmentContext, quote: ProviderQuote | None) -> bool:
    return quote is not None and quote.monthly_usd > ctx.constraints.budget_ceiling_usd_month


def _item(
    risk_id: str,
    title: str,
    levels: tuple[Level, Level],
    mitigation: str,
    owner: str,
    source: str,
    pillar: Pillar,
    evidence: list[Evidence],
    practices: tuple[str, ...],
    covered_by: str | None = None,
) -> RiskItem:
    likelihood, impact = levels
    risk = Risk(
        id=risk_id,
        title=title,
        likelihood=likelihood,
        impact=impact,
        mitigation=mitigation,
        owner=owner,
        source=source,
    )
    return RiskItem(risk, pillar, tuple(evidence), practices, covered_by)


def _warning(warning: InputWarning, *, over_budget: bool) -> RiskItem:
    owner, pillar, practices = _BY_FIELD.get(
        warning.field.split(".")[0], ("CTO", Pillar.OPERATIONAL_EXCELLENCE, ())
    )
    covered = "cost:budget_gap" if warning.code == "budget_below_minimum" and over_budget else None
    return _item(
        f"input:{warning.code}",
        warning.message[:1].upper() + warning.message[1:],
        _WARNING_LEVELS.get(warning.code, (M, M)),
        f"Settle it with the {owner} before the foundation phase: change the input or accept the risk "
        "in writing",
        owner,
        f"phase-1 warning {warning.code} on {warning.field}",
        pillar,
        [Evidence(kind=EvidenceKind.INPUT, ref=warning.field, detail=warning.message)],
        practices,
        covered,
    )


def _budget(
    ctx: AssessmentContext, quote: ProviderQuote, tco: ProviderTco, roadmap: Roadmap
) -> list[RiskItem]:
    ceiling = ctx.constraints.budget_ceiling_usd_month
    budget = ctx.requirements.budget
    items = []
    if quote.monthly_usd > ceiling:
        items.append(
            _item(
                "budget_gap",
                f"The plan costs ${quote.monthly_usd:,.0f}/month against a ceiling of ${ceiling:,.0f}",
                (H, H),
                "Right-size from load tests, commit to the steady baseline, move interruptible work to spot, "
                "or raise the budget",
                "CFO",
                "priced plan vs budget.monthly_limit_usd",
                Pillar.COST,
                [quote_evidence(quote), input_evidence("budget.monthly_limit_usd", budget.monthly_limit_usd)],
                ("COST01-BP03", "COST07-BP01"),
                "cost:budget_gap",
            )
        )
    elif tco.first_month_over_ceiling is not None:
        month = tco.first_month_over_ceiling
        items.append(
            _item(
                "budget_growth",
                f"Growth takes the run cost past the ${ceiling:,.0f}/month ceiling in month {month}",
                (H if month <= roadmap.target_months else M, M),
                "Budget cloud spend per user rather than as a flat ceiling; "
                "commit only to the proven baseline",
                "CFO",
                "36-month run cost vs budget ceiling",
                Pillar.COST,
                [tco_evidence(tco), input_evidence("budget.monthly_limit_usd", budget.monthly_limit_usd)],
                ("COST01-BP03", "COST09-BP03"),
            )
        )
    if budget.total_max_usd is not None and tco.tco_36m_usd > budget.total_max_usd:
        items.append(
            _item(
                "budget_total",
                f"The 36-month TCO ${tco.tco_36m_usd:,.0f} exceeds the total budget of "
                f"${budget.total_max_usd:,.0f}",
                (H, H),
                "Agree which horizon the total budget covers; "
                "cut cost in the optimise phase or raise the total",
                "CFO",
                "36-month TCO vs budget.total_max_usd",
                Pillar.COST,
                [tco_evidence(tco), input_evidence("budget.total_max_usd", budget.total_max_usd)],
                ("COST01-BP03", "COST07-BP01"),
            )
        )
    return items


def _growth(ctx: AssessmentContext, tco: ProviderTco) -> list[RiskItem]:
    growth_cost = tco.run_36m_usd - tco.monthly_run_usd * len(tco.monthly_usd)
    if growth_cost <= 0:
        return []
    factor = load_factor_24m(ctx.requirements)
    likelihood = H if factor >= GROWTH_HIGH else M if factor >= GROWTH_MEDIUM else L
    impact = H if tco.first_month_over_ceiling is not None else M
    growth = ctx.requirements.growth
    return [
        _item(
            "growth_forecast",
            f"The growth projection ({growth.current_users:,} → {growth.users_24m:,} users in 24 "
            f"months) adds ${growth_cost:,.0f} to the 36-month run cost",
            (likelihood, impact),
            "Re-forecast quarterly from real usage; autoscale, and commit only to the proven baseline",
            "Product lead",
            "growth projection (24-month growth factor) and the TCO",
            Pillar.COST,
            [
                tco_evidence(tco),
                input_evidence("growth.users_24m", growth.users_24m),
                input_evidence("growth.current_users", growth.current_users),
            ],
            ("REL07-BP01", "COST09-BP03"),
        )
    ]


def _missing_prices(quote: ProviderQuote) -> list[RiskItem]:
    if not quote.missing:
        return []
    components = ", ".join(sorted({m.component for m in quote.missing}))
    return [
        _item(
            "missing_prices",
            f"{len(quote.missing)} line(s) of the {quote.provider} plan have no price: the TCO understates",
            (H, M),
            f"Price {components} before committing the budget",
            "Cloud architect",
            "priced plan (missing prices)",
            Pillar.COST,
            [quote_evidence(quote)],
            ("COST01-BP03",),
        )
    ]


def _lock_in(ctx: AssessmentContext, plan: PricedPlan, quote: ProviderQuote) -> list[RiskItem]:
    if ctx.requirements.providers.multi_cloud_acceptable:
        return []
    others = [q for q in plan.quotes if q is not quote]
    exit_plan = (
        f"keep an exit plan priced against {others[0].provider} (${others[0].monthly_usd:,.0f}/month)"
        if others
        else "no other provider is allowed by the constraints, so negotiate exit terms"
    )
    return [
        _item(
            "vendor_lock_in",
            f"Single-provider dependence on {quote.provider.upper()}",
            (M, M if others else H),
            f"Containers, infrastructure as code and open data formats; {exit_plan}",
            "CTO",
            "providers.multi_cloud_acceptable = false",
            Pillar.OPERATIONAL_EXCELLENCE,
            [input_evidence("providers.multi_cloud_acceptable", False), *map(quote_evidence, others)],
            ("OPS05-BP01", "OPS05-BP03"),
        )
    ]


def _skills(gap: SkillGap) -> RiskItem:
    impact = H if gap.area in {"kubernetes", "cloud", "devops"} else M
    return _item(
        f"skills:{gap.area}",
        f"{SKILL_NAMES.get(gap.area, gap.area)} skills gap ({gap.field} = {gap.value}): {gap.detail}",
        (H, impact),
        "; ".join(gap.actions),
        "Engineering manager",
        gap.field,
        Pillar.OPERATIONAL_EXCELLENCE,
        [input_evidence(gap.field, gap.value)],
        gap.best_practices,
        f"team:skills:{gap.area}",
    )


def _compliance(ctx: AssessmentContext, knowledge: Knowledge) -> list[RiskItem]:
    frameworks = ctx.constraints.frameworks
    if not frameworks:
        return []
    counts = {f.framework: len(knowledge.controls(f.framework)) for f in frameworks}
    names = ", ".join(framework_name(f.value) for f in counts)
    return [
        _item(
            "compliance_scope",
            f"{len(frameworks)} framework(s) with {sum(counts.values())} controls to evidence: {names}",
            (H if len(frameworks) > 1 else M, H),
            "Name an owner and the evidence for each control in the foundation phase; "
            "rehearse the audit in the harden phase",
            "Compliance officer",
            "constraints.frameworks",
            Pillar.SECURITY,
            [
                Evidence(
                    kind=EvidenceKind.CONTROL,
                    ref=f.framework.value,
                    detail=f"{counts[f.framework]} controls; applies because {'; '.join(f.reasons)}",
                )
                for f in frameworks
            ],
            ("SEC07-BP01", "SEC04-BP01"),
        )
    ]


def _schedule(ctx: AssessmentContext, roadmap: Roadmap, goals: list[GoalFit]) -> list[RiskItem]:
    timeline = ctx.requirements.timeline
    evidence = [
        input_evidence("timeline.target_months", timeline.target_months),
        input_evidence("timeline.urgency", timeline.urgency.value),
    ]
    late = [(i, g) for i, g in enumerate(goals) if g.addressed and not g.fits_timeline]
    unaddressed = [(i, g) for i, g in enumerate(goals) if not g.addressed]
    items = []
    if late or not roadmap.fits:
        end = max(p.end_month for p in roadmap.phases)
        title = (
            f"The roadmap needs {end} months against a {timeline.target_months}-month timeline"
            if not roadmap.fits
            else f"{len(late)} goal(s) cannot be met by their deadline"
        )
        if late:
            title += (
                ": "
                + "; ".join(
                    f"{g.goal} (due month {g.timeline_months}, delivered month {g.delivered_by_month})"
                    for _, g in late[:LISTED]
                )
                + (f"; and {len(late) - LISTED} more" if len(late) > LISTED else "")
            )
        urgent = any(g.priority in URGENT_PRIORITIES for _, g in late) or not roadmap.fits
        items.append(
            _item(
                "schedule",
                title,
                (H, H if urgent else M),
                "Cut scope to the critical goals, add people or move the deadlines; "
                "decide before the foundation phase",
                "CTO",
                "timeline and goal deadlines vs the roadmap",
                Pillar.OPERATIONAL_EXCELLENCE,
                evidence
                + [input_evidence(f"goals[{i}].timeline_months", g.timeline_months) for i, g in late],
                ("OPS05-BP04", "OPS05-BP10"),
            )
        )
    elif roadmap.overlap > 0:
        items.append(
            _item(
                "fast_tracking",
                f"Phases overlap to meet the {timeline.urgency.value} urgency: more coordination risk",
                (M, M),
                "Gate each phase's go-live on its exit checks (DR test, audit readiness) even while the next "
                "phase starts",
                "CTO",
                "timeline.urgency",
                Pillar.OPERATIONAL_EXCELLENCE,
                evidence,
                ("OPS06-BP03", "OPS05-BP04"),
            )
        )
    if unaddressed:
        urgent = any(g.priority in URGENT_PRIORITIES for _, g in unaddressed)
        items.append(
            _item(
                "goals_unaddressed",
                "Goals the plan does not deliver: " + "; ".join(g.goal for _, g in unaddressed),
                (H, H if urgent else M),
                "Add what the goal needs to the input (a workload, a budget) or re-scope the goal",
                "CTO",
                "goals vs the plan",
                Pillar.OPERATIONAL_EXCELLENCE,
                [
                    Evidence(kind=EvidenceKind.DERIVED, ref=f"goals[{i}]", detail=g.how_addressed)
                    for i, g in unaddressed
                ],
                tuple(dict.fromkeys(bp for _, g in unaddressed for bp in _UNADDRESSED.get(g.category, ()))),
            )
        )
    return items


def _migration(ctx: AssessmentContext) -> list[RiskItem]:
    footprint = current_footprint(ctx.requirements)
    if footprint is None:
        return []
    critical = [w.name for w in ctx.requirements.workloads if w.criticality is Criticality.MISSION_CRITICAL]
    current = ctx.requirements.current_infrastructure
    return [
        _item(
            "migration_cutover",
            f"Cut-over of {footprint}"
            + (f" with mission-critical {', '.join(critical)}" if critical else ""),
            (M, H if critical else M),
            "Rehearse the data copy; keep the old platform until the new one passes the DR test; "
            "keep a rollback plan",
            "Engineering lead",
            "current_infrastructure",
            Pillar.RELIABILITY,
            [
                input_evidence("current_infrastructure.providers", [p.value for p in current.providers]),
                input_evidence("current_infrastructure.architecture", current.architecture.value),
            ],
            ("REL13-BP01", "REL09-BP04", "OPS06-BP03"),
        )
    ]
