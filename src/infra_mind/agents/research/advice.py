"""Findings for every comparison, and recommendations where an outlier calls for action."""

from __future__ import annotations

from math import ceil

from infra_mind.agents.evidence import Recommender
from infra_mind.agents.research.compare import Compared
from infra_mind.agents.research.spend import SHARE
from infra_mind.agents.research.team import DATA, DEVOPS
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Evidence, Finding, Priority, Recommendation, Severity
from infra_mind.domain.outputs.research import BenchmarkComparison, UncomparedMetric
from infra_mind.knowledge.benchmarks import Band, BenchmarkCatalog
from infra_mind.knowledge.catalog import Knowledge

AGENT = "research"
AI_WORKLOADS = frozenset({"ml_training", "ml_inference", "llm_application"})
_WORSE = {DEVOPS.value: "above", DATA.value: "below", SHARE.value: "above"}
"""The side of the band that costs the company, per metric; the other side is reported, not acted on."""
_RANK = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


def findings(compared: list[Compared], gaps: list[UncomparedMetric]) -> list[Finding]:
    out = [_spend_finding(basis, group) for basis, group in _spend_groups(compared)]
    out += [_finding(c) for c in compared if c.comparison.area != "spend"]
    if gaps:
        out.append(
            Finding(
                id="benchmark-not-compared",
                title=f"{len(gaps)} comparison(s) could not be made",
                detail="; ".join(f"{g.metric} ({g.basis}): {g.reason}" for g in gaps),
            )
        )
    return out


def _severity(c: BenchmarkComparison) -> Severity:
    if not c.outlier:
        return Severity.INFO
    return Severity.MEDIUM if _WORSE.get(c.metric) == c.standing else Severity.LOW


def _spend_groups(compared: list[Compared]) -> list[tuple[str, list[Compared]]]:
    spend = [c for c in compared if c.comparison.area == "spend"]
    return [(b, g) for b in ("current", "planned") if (g := [c for c in spend if c.comparison.basis == b])]


def _spend_finding(basis: str, group: list[Compared]) -> Finding:
    head = group[0].comparison
    return Finding(
        id=f"benchmark-spend-{basis}",
        title=f"Cloud spend {'today' if basis == 'current' else 'in the plan'}: {_figure(head)}, "
        f"{head.standing} the norm of {_band(head)}",
        detail="; ".join(c.comparison.detail for c in group),
        severity=max((_severity(c.comparison) for c in group), key=_RANK.index),
        evidence=_unique(group),
    )


def _unique(group: list[Compared]) -> list[Evidence]:
    """The group's evidence, each item once (share and per-user comparisons cite the same spend)."""
    seen: dict[tuple[str, str], Evidence] = {}
    for e in (e for c in group for e in c.evidence):
        seen.setdefault((e.ref, e.detail), e)
    return list(seen.values())


def _figure(c: BenchmarkComparison) -> str:
    least = "at least " if c.lower_bound else ""
    return f"{least}{c.value:,.2f} {c.unit}" if c.value is not None else c.company


def _band(c: BenchmarkComparison) -> str:
    return f"{c.low:g}–{c.high:g} {c.unit}" if c.low is not None and c.high is not None else c.norm


def _finding(compared: Compared) -> Finding:
    c = compared.comparison
    label = c.label[:1].upper() + c.label[1:]
    if c.low is not None and c.high is not None:
        figure = f"{c.value:,.2f}" if c.value is not None else c.company
        title = f"{label}: {figure}, {c.standing} the norm of {c.low:g}–{c.high:g}"
    else:
        title = f"{label}: the company is with the {c.standing}" + (", an outlier" if c.outlier else "")
    return Finding(
        id=f"benchmark-{c.metric}-{c.basis}",
        title=title,
        detail=c.detail,
        severity=_severity(c),
        evidence=compared.evidence,
    )


def recommendations(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    catalog: BenchmarkCatalog,
    compared: list[Compared],
    provider: str | None,
) -> list[Recommendation]:
    rec = Recommender(knowledge, AGENT)
    acted = [c for c in compared if c.outlier and _WORSE.get(c.comparison.metric) == c.comparison.standing]
    out = []
    share = [c for c in acted if c.comparison.metric == SHARE.value]
    if share:
        out.append(_spend(rec, ctx, catalog, share, provider))
    devops = next((c for c in acted if c.comparison.metric == DEVOPS.value), None)
    if devops:
        out.append(_devops(rec, ctx, catalog, devops))
    data = next((c for c in acted if c.comparison.metric == DATA.value), None)
    spec = ctx.requirements
    if data and (spec.ai_ml.use_cases or any(w.type in AI_WORKLOADS for w in spec.workloads)):
        out.append(_data(rec, ctx, catalog, data))
    return out


def _confidence(catalog: BenchmarkCatalog, key: str, sourced: float, assumed: float) -> float:
    norm = next(r for r in catalog.records() if r.key == key)
    return assumed if norm.band is Band.ASSUMED_RANGE else sourced


def _spend(
    rec: Recommender,
    ctx: AssessmentContext,
    catalog: BenchmarkCatalog,
    share: list[Compared],
    provider: str | None,
) -> Recommendation:
    worst = max(share, key=lambda c: c.comparison.value or 0).comparison
    value, high = worst.value or 0, worst.high or 0
    revenue = ctx.requirements.company.annual_revenue_usd or 0
    excess = (value - high) / 100 * revenue / 12
    bases = {c.comparison.basis for c in share}
    actions = [
        f"Set a ceiling of {high:g} % of revenue for cloud spend and report it monthly next to revenue",
        "Tag every resource by product and customer segment to find which part of the product drives the "
        "excess",
        "Right-size from utilisation data, then commit the steady baseline (1- or 3-year) once it is stable",
    ]
    if bases == {"planned"}:
        actions.append(
            "Revisit the plan's scope (uptime target, DR strategy, regions) before committing: the plan, not "
            "today's estate, is above the norm"
        )
    return rec.make(
        f"benchmark:{SHARE.value}",
        f"Bring cloud spend from {value:.1f} % of revenue towards the {_band(worst)} norm",
        category="cost",
        pillar=Pillar.COST,
        priority=Priority.HIGH if value > 1.5 * high else Priority.MEDIUM,
        impact=4,
        effort=3,
        confidence=_confidence(catalog, worst.norm_key, 0.6, 0.45),
        rationale="; ".join(c.comparison.detail for c in share)
        + f". At {value:.2f} % the spend is ${excess:,.0f}/month above the top of the band.",
        actions=actions,
        evidence=_unique(share),
        best_practices=("COST01-BP03", "COST03-BP02", "COST06-BP02", "COST07-BP01"),
        provider=provider,
    )


def _team_rec(
    rec: Recommender,
    c: Compared,
    key: str,
    title: str,
    *,
    confidence: float,
    rationale: str,
    actions: list[str],
    best_practices: tuple[str, ...],
) -> Recommendation:
    """A staffing recommendation for a team ratio outside its norm, backed by the comparison's evidence."""
    return rec.make(
        key,
        title,
        category="team",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.MEDIUM,
        impact=3,
        effort=3,
        confidence=confidence,
        rationale=rationale,
        actions=actions,
        evidence=c.evidence,
        best_practices=best_practices,
    )


def _devops(
    rec: Recommender, ctx: AssessmentContext, catalog: BenchmarkCatalog, c: Compared
) -> Recommendation:
    team = ctx.requirements.team
    norm = c.comparison
    high = norm.high or 1
    others = team.size - team.devops_engineers
    needed = max(1, ceil(others / high) - team.devops_engineers)
    return _team_rec(
        rec,
        c,
        f"benchmark:{DEVOPS.value}",
        f"Add {needed} DevOps/SRE engineer(s): {norm.company}",
        confidence=_confidence(catalog, norm.norm_key, 0.6, 0.45),
        rationale=f"{norm.detail}. {needed} more bring the team to at most {high:g} engineers per DevOps/SRE "
        "engineer; until then operations work lands on product engineers.",
        actions=[
            f"Hire or assign {needed} DevOps/SRE engineer(s) to reach one per {high:g} engineers",
            "Prefer managed services (database, Kubernetes control plane, load balancing) so fewer hands run "
            "the platform",
            "Automate provisioning and deployment end to end (infrastructure as code, CI/CD) so operations "
            "scale without headcount",
        ],
        best_practices=("OPS05-BP03", "OPS05-BP10", "COST05-BP05"),
    )


def _data(rec: Recommender, ctx: AssessmentContext, catalog: BenchmarkCatalog, c: Compared) -> Recommendation:
    team = ctx.requirements.team
    norm = c.comparison
    low = norm.low or 0
    needed = max(1, ceil(low * team.ml_engineers) - team.data_engineers)
    return _team_rec(
        rec,
        c,
        f"benchmark:{DATA.value}",
        f"Add {needed} data engineer(s) for the ML work: {norm.company}",
        confidence=_confidence(catalog, norm.norm_key, 0.5, 0.4),
        rationale=f"{norm.detail}. With {needed} more the team reaches {low:g} data engineers per ML "
        "engineer, the low end of the norm.",
        actions=[
            f"Hire or assign {needed} data engineer(s) to reach {low:g} per ML engineer, or move part of the "
            "ML engineers' time to data engineering",
            "Use managed data pipeline and warehouse services so the data work needs fewer people",
            "Give the data pipelines owners and service levels of their own, separate from model work",
        ],
        best_practices=("OPS05-BP10", "COST05-BP05", "SUS05-BP03"),
    )
