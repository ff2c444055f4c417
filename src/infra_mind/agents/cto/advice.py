"""Turns the cto analysis into findings and recommendations, each with its evidence."""

from __future__ import annotations

from typing import NamedTuple

from infra_mind.agents.budget import monthly_check
from infra_mind.agents.cto.analysis import Analysis
from infra_mind.agents.cto.costs import tco_evidence
from infra_mind.agents.cto.risks import SCORE, RiskItem
from infra_mind.agents.cto.sourcing import SkillGap, Sourcing
from infra_mind.agents.evidence import Recommender, input_evidence, quote_evidence, sizing_evidence
from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Finding, Priority, Recommendation, Severity
from infra_mind.domain.outputs.cto import ProviderTco
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.knowledge.catalog import Knowledge

AGENT = "cto"
TOP_RISKS = 3


class Capability(NamedTuple):
    label: str
    category: str
    pillar: Pillar
    practices: tuple[str, ...]


_CAPABILITY = {
    "database": Capability(
        "database", "data", Pillar.RELIABILITY, ("COST05-BP05", "SUS05-BP03", "REL09-BP03")
    ),
    "container_platform": Capability(
        "container platform",
        "compute",
        Pillar.OPERATIONAL_EXCELLENCE,
        ("COST05-BP05", "PERF02-BP01", "OPS05-BP03"),
    ),
    "ml_platform": Capability(
        "ML platform and model serving", "ai_ml", Pillar.PERFORMANCE, ("COST05-BP05", "PERF02-BP01")
    ),
    "llm": Capability("LLM features", "ai_ml", Pillar.COST, ("COST05-BP05", "COST07-BP01")),
    "observability": Capability(
        "observability",
        "operations",
        Pillar.OPERATIONAL_EXCELLENCE,
        ("OPS04-BP02", "OPS08-BP04", "SEC04-BP02"),
    ),
    "identity": Capability(
        "identity", "security", Pillar.SECURITY, ("SEC02-BP04", "SEC02-BP01", "SEC03-BP02")
    ),
}
_IMPACT = {Level.HIGH: 4, Level.MEDIUM: 3, Level.LOW: 2}
_CORE_SKILLS = {"kubernetes", "cloud", "devops"}


def recommendations(a: Analysis, knowledge: Knowledge) -> list[Recommendation]:
    rec = Recommender(knowledge, AGENT)
    tco = a.chosen_tco
    out = [_tco(rec, a, tco)] if tco else []
    out.append(_roadmap(rec, a))
    chosen = a.plan.chosen
    if tco and chosen and chosen.monthly_usd > a.ctx.constraints.budget_ceiling_usd_month:
        out.append(_budget_gap(rec, a, chosen, tco))
    provider = a.plan.provider
    out += [_sourcing(rec, s, provider) for s in a.sourcing]
    out += [_skills(rec, gap) for gap in a.gaps]
    out += [_risk(rec, item) for item in [r for r in a.risks if r.covered_by is None][:TOP_RISKS]]
    return out


def _tco(rec: Recommender, a: Analysis, tco: ProviderTco) -> Recommendation:
    growth = a.ctx.requirements.growth
    evidence = [tco_evidence(t) for t in a.tcos]
    if tco.migration_one_off_usd:
        evidence.append(sizing_evidence(a.migration_rule))
    evidence += [
        input_evidence("growth.current_users", growth.current_users),
        input_evidence("growth.users_24m", growth.users_24m),
    ]
    least = "" if tco.complete else "at least "
    return rec.make(
        "strategy:tco",
        f"Plan for {least}${tco.tco_36m_usd:,.0f} over 36 months on {tco.provider.upper()} "
        f"(${tco.monthly_usd[0]:,.0f}/month now, ${tco.monthly_usd[-1]:,.0f}/month in month 36"
        + ("" if tco.complete else f"; {tco.missing_prices} item(s) unpriced")
        + ")",
        category="cost",
        pillar=Pillar.COST,
        priority=Priority.HIGH,
        impact=4,
        effort=1,
        confidence=0.75 if tco.complete else 0.55,
        rationale=f"{a.roi_note} Budget: {tco.budget_note}.",
        actions=[
            "Adopt the 36-month TCO as the cloud budget forecast; review it quarterly against actual spend",
            "Track cost per user-month against the forecast",
            f"Migration: {tco.migration_basis}",
        ],
        evidence=evidence,
        best_practices=("COST01-BP03", "COST07-BP01"),
        provider=tco.provider,
        regions=[tco.region],
    )


def _roadmap(rec: Recommender, a: Analysis) -> Recommendation:
    timeline = a.ctx.requirements.timeline
    phases = a.roadmap.phases
    on_time = sum(g.fits_timeline for g in a.goals)
    fit = (
        "fits the timeline"
        if a.roadmap.fits
        else f"needs {max(p.end_month for p in phases)} months, more than the timeline"
    )
    return rec.make(
        "strategy:roadmap",
        f"Deliver in {len(phases)} phases over {timeline.target_months} months: "
        + " → ".join(p.name for p in phases),
        category="strategy",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.HIGH,
        impact=4,
        effort=3,
        confidence=0.7 if a.roadmap.fits and on_time == len(a.goals) else 0.5,
        rationale=(
            f"a {timeline.target_months}-month timeline at {timeline.urgency.value} urgency; the roadmap "
            f"{fit}; {on_time} of {len(a.goals)} goals are delivered by their deadline"
        ),
        actions=[
            f"Months {p.start_month}–{p.end_month} · {p.name}: {'; '.join(p.deliverables)}" for p in phases
        ],
        evidence=[
            input_evidence("timeline.target_months", timeline.target_months),
            input_evidence("timeline.urgency", timeline.urgency.value),
            *(
                input_evidence(f"goals[{i}].timeline_months", g.timeline_months)
                for i, g in enumerate(a.goals)
            ),
        ],
        best_practices=("OPS05-BP01", "OPS05-BP04", "REL13-BP01"),
        provider=a.plan.provider,
    )


def _budget_gap(rec: Recommender, a: Analysis, chosen: ProviderQuote, tco: ProviderTco) -> Recommendation:
    limit = a.ctx.requirements.budget.monthly_limit_usd
    gap = "at least " if not chosen.complete else ""
    dr = f" (primary ${chosen.primary_usd:,.2f} + DR ${chosen.dr_usd:,.2f})" if chosen.dr_usd else ""
    return rec.make(
        "cost:budget_gap",
        f"Close a {gap}${chosen.monthly_usd - limit:,.0f}/month gap between the plan and the budget",
        category="cost",
        pillar=Pillar.COST,
        priority=Priority.CRITICAL,
        impact=5,
        effort=3,
        confidence=0.8,
        rationale=(
            f"the plan{dr}: {monthly_check(a.ctx, chosen).note}"
            + (f"; {tco.total_budget_note}" if tco.total_budget_note else "")
        ),
        actions=[
            "Agree the budget or the scope with the CFO before the foundation phase",
            "Bring workloads in phase by phase so spend ramps with the roadmap",
            "Price 1- and 3-year commitments for the steady baseline",
        ],
        evidence=[
            quote_evidence(chosen),
            tco_evidence(tco),
            input_evidence("budget.monthly_limit_usd", limit),
            input_evidence("budget.flexibility", a.ctx.requirements.budget.flexibility.value),
            *(
                [input_evidence("budget.total_max_usd", a.ctx.requirements.budget.total_max_usd)]
                if a.ctx.requirements.budget.total_max_usd is not None
                else []
            ),
        ],
        best_practices=("COST01-BP03", "COST07-BP01"),
        provider=chosen.provider,
    )


def _sourcing(rec: Recommender, sourcing: Sourcing, provider: str | None) -> Recommendation:
    d = sourcing.decision
    capability = _CAPABILITY[d.capability]
    actions = (
        [f"Stand up {d.option} with infrastructure as code", "Name an owner and an on-call rota for it"]
        if d.decision == "build"
        else [f"Adopt {d.option}", "Write down the exit path (data export, open formats)"]
    )
    return rec.make(
        f"strategy:build_vs_buy:{d.capability}",
        f"{capability.label[:1].upper()}{capability.label[1:]}: {d.decision} {d.option}",
        category=capability.category,
        pillar=capability.pillar,
        priority=Priority.MEDIUM,
        impact=3,
        effort=4 if d.decision == "build" else 2,
        confidence=0.7,
        rationale=d.reason,
        actions=actions,
        evidence=[input_evidence(path, value) for path, value in sourcing.inputs],
        best_practices=capability.practices,
        provider=provider,
    )


def _skills(rec: Recommender, gap: SkillGap) -> Recommendation:
    core = gap.area in _CORE_SKILLS
    return rec.make(
        f"team:skills:{gap.area}",
        f"Close the {gap.area} skills gap ({gap.field} = {gap.value}/5)"
        if gap.field.endswith("expertise")
        else f"Close the {gap.area} skills gap ({gap.field} = {gap.value})",
        category="team",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.HIGH if core else Priority.MEDIUM,
        impact=4 if core else 3,
        effort=3,
        confidence=0.7,
        rationale=gap.detail,
        actions=list(gap.actions),
        evidence=[input_evidence(gap.field, gap.value)],
        best_practices=gap.best_practices,
    )


def _risk(rec: Recommender, item: RiskItem) -> Recommendation:
    risk = item.risk
    priority = Priority.HIGH if item.score >= SCORE[Level.HIGH] * SCORE[Level.MEDIUM] else Priority.MEDIUM
    return rec.make(
        f"risk:{risk.id}",
        f"Mitigate: {risk.title}",
        category="risk",
        pillar=item.pillar,
        priority=priority,
        impact=_IMPACT[risk.impact],
        effort=2,
        confidence=0.6,
        risk=risk.impact,
        rationale=f"likelihood {risk.likelihood.value}, impact {risk.impact.value}; owner: {risk.owner}; "
        f"derived from {risk.source}",
        actions=risk.mitigation.split("; "),
        evidence=list(item.evidence),
        best_practices=item.best_practices,
    )


def findings(a: Analysis) -> list[Finding]:
    out = [
        Finding(
            id=f"tco-{t.provider}",
            title=f"{t.provider}: 36-month TCO ${t.tco_36m_usd:,.0f}",
            detail=f"{t.budget_note}. Migration: {t.migration_basis}",
            severity={True: Severity.INFO, None: Severity.LOW}.get(t.within_budget, Severity.MEDIUM),
            evidence=[tco_evidence(t)],
        )
        for t in a.tcos
    ]
    spend = a.ctx.requirements.current_infrastructure.monthly_spend_usd
    out.append(
        Finding(
            id="roi",
            title="Return against today's spend",
            detail=a.roi_note,
            evidence=[input_evidence("current_infrastructure.monthly_spend_usd", spend)],
        )
    )
    late = [g for g in a.goals if not g.fits_timeline]
    urgent = any(g.priority in {"critical", "high"} for g in late)
    out.append(
        Finding(
            id="goals",
            title=f"{len(a.goals) - len(late)} of {len(a.goals)} goals delivered by their deadline",
            detail="; ".join(
                f"{g.goal}: {g.how_addressed} ({g.phase}, month {g.delivered_by_month} of "
                f"{g.timeline_months})"
                for g in a.goals
            ),
            severity=(Severity.HIGH if urgent else Severity.MEDIUM) if late else Severity.INFO,
            evidence=[
                input_evidence(f"goals[{i}].timeline_months", g.timeline_months)
                for i, g in enumerate(a.goals)
            ],
        )
    )
    high = [r.risk for r in a.risks if r.risk.impact is Level.HIGH and r.risk.likelihood is Level.HIGH]
    out.append(
        Finding(
            id="risks",
            title=f"{len(a.risks)} risks, {len(high)} both likely and high-impact",
            detail="; ".join(r.risk.title for r in a.risks[:5]),
            severity=Severity.HIGH if high else Severity.LOW,
            evidence=[e for r in a.risks[:3] for e in r.evidence[:1]],
        )
    )
    return out
