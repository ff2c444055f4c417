"""Turns the simulation into findings and recommendations, each with its evidence."""

from __future__ import annotations

from datetime import date

import numpy as np

from infra_mind.agents.evidence import (
    Recommender,
    input_evidence,
    line_evidence,
    quote_evidence,
    sizing_evidence,
)
from infra_mind.agents.simulation.analysis import Analysis
from infra_mind.agents.simulation.montecarlo import percentiles
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Priority, Recommendation, Severity
from infra_mind.domain.outputs.simulation import (
    DiscountUsed,
    Percentiles,
    ProviderSimulation,
    QueueModel,
    StrategyResult,
)
from infra_mind.knowledge.catalog import Knowledge

AGENT = "simulation"
MATERIAL_SHARE = 0.10
"""A saving at least this share of the on-demand total is high priority."""
LABELS = {
    "on_demand": "on demand",
    "commit_1y": "1-year commitments",
    "commit_3y": "3-year commitments",
    "spot": "spot for interruptible work",
}


def findings(a: Analysis) -> list[Finding]:
    out = [_users(a)]
    out += [_strategies(a, p) for p in a.providers]
    out += [_queue(a, q) for q in a.queues]
    if a.sensitivity:
        top = [d for d in a.sensitivity.drivers if d.applies][:3]
        out.append(
            Finding(
                id="sensitivity",
                title=f"{a.sensitivity.provider}: the 36-month total moves most with "
                + ", ".join(d.driver.replace("_", " ") for d in top),
                detail="; ".join(
                    f"{d.driver}: ${d.low_total_usd:,.0f} to ${d.high_total_usd:,.0f} ({d.description})"
                    for d in a.sensitivity.drivers
                ),
                evidence=[_derived(a, f"sensitivity:{a.sensitivity.provider}", "one driver moved at a time")],
            )
        )
    chosen = a.chosen
    if chosen:
        estimates = {d.scope: d for s in chosen.strategies for d in s.discounts if d.estimate}
        if estimates:
            out.append(
                Finding(
                    id="simulation-estimated-discounts",
                    title=f"{len(estimates)} {chosen.provider} discount figure(s) are estimates",
                    severity=Severity.LOW,
                    detail="; ".join(f"{d.scope}: {d.estimate}" for d in estimates.values()),
                    evidence=[_discount_evidence(chosen.provider, d) for d in estimates.values()],
                )
            )
        if chosen.uncovered:
            out.append(
                Finding(
                    id="simulation-uncovered",
                    title=f"{len(chosen.uncovered)} eligible line(s) have no sourced discount: on demand",
                    severity=Severity.LOW,
                    detail=", ".join(chosen.uncovered),
                )
            )
    return out


def recommendations(a: Analysis, knowledge: Knowledge) -> list[Recommendation]:
    rec = Recommender(knowledge, AGENT)
    chosen = a.chosen
    out: list[Recommendation] = []
    if chosen:
        commit = _commitments(a, rec, chosen)
        if commit:
            out.append(commit)
        out += _spot(a, rec, chosen)
    out += [r for q in a.queues if (r := _capacity(a, rec, q, knowledge)) is not None]
    return out


def _strategy(p: ProviderSimulation, name: str) -> StrategyResult:
    return next(s for s in p.strategies if s.strategy == name)


def _band(p: Percentiles) -> str:
    return f"P50 ${p.p50:,.0f} (P10 ${p.p10:,.0f} - P90 ${p.p90:,.0f})"


def _users(a: Analysis) -> Finding:
    growth = a.ctx.requirements.growth
    last = a.users.month_36
    return Finding(
        id="simulation-users",
        title=f"Users in month {len(a.users.projection)}: {_band(last).replace('$', '')}",
        detail=(
            f"{a.runs:,} runs (seed {a.seed}) around the projection of {a.users.projection[-1]:,.0f} users; "
            f"{a.rules['growth_volatility_annual'].rationale}"
        ),
        evidence=[
            input_evidence("growth.current_users", growth.current_users),
            input_evidence("growth.users_24m", growth.users_24m),
            sizing_evidence(a.rules["growth_volatility_annual"]),
        ],
    )


def _strategies(a: Analysis, p: ProviderSimulation) -> Finding:
    on_demand = _strategy(p, "on_demand")
    best = max(p.strategies, key=lambda s: s.saving_36m_usd.p50)
    least = "" if p.complete else " (a lower bound: unpriced lines)"
    title = f"{p.provider}: 36 months on demand {_band(on_demand.total_36m_usd)}{least}"
    if best.strategy != "on_demand":
        title += f"; {LABELS[best.strategy]} save P50 ${best.saving_36m_usd.p50:,.0f}"
    return Finding(
        id=f"simulation-{p.provider}",
        title=title,
        detail="; ".join(
            f"{LABELS[s.strategy]}: {_band(s.total_36m_usd)}, saving {_band(s.saving_36m_usd)}"
            for s in p.strategies
        ),
        evidence=[quote_evidence(a.backbones[p.provider].quote), _derived(a, f"simulation:{p.provider}", "")],
    )


def _queue(a: Analysis, q: QueueModel) -> Finding:
    short = q.recommended_instances is None or q.planned_instances < q.recommended_instances
    severity = Severity.MEDIUM if q.latency_target_ms and short else Severity.INFO
    evidence = [
        Evidence(
            kind=EvidenceKind.DERIVED,
            ref=f"queue:{q.workload}",
            detail=f"M/M/c at λ = {q.arrival_rps:,.4g} req/s (peak), μ = {q.service_rps_per_instance:,.4g} "
            f"req/s per {q.sku}: {q.service_basis}",
        )
    ]
    if q.latency_target_ms:
        index = next(i for i, w in enumerate(a.ctx.requirements.workloads) if w.name == q.workload)
        evidence.append(input_evidence(f"workloads[{index}].latency_target_ms", q.latency_target_ms))
    return Finding(
        id=f"queue-{q.workload}",
        title=f"{q.workload}: " + q.note.split("; ", 1)[-1],
        detail=f"{q.note}. Service rate: {q.service_basis}. "
        + "; ".join(
            f"{r.instances} instance(s): utilisation {r.utilisation:.0%}, P(wait) {r.p_wait:.3g}, "
            f"p95 {r.p95_response_ms:,.4g} ms"
            for r in q.rows
        ),
        severity=severity,
        evidence=evidence,
    )


def _commitments(a: Analysis, rec: Recommender, p: ProviderSimulation) -> Recommendation | None:
    terms = [_strategy(p, "commit_1y"), _strategy(p, "commit_3y")]
    best = max(terms, key=lambda s: s.saving_36m_usd.p50)
    saving = best.saving_36m_usd
    if not p.commit_eligible_usd_month or saving.p50 <= 0 or best.committed_share is None:
        return None
    on_demand = _strategy(p, "on_demand").total_36m_usd.p50
    material = saving.p50 >= MATERIAL_SHARE * on_demand
    term = "3 years" if best.strategy == "commit_3y" else "1 year"
    estimates = any(d.estimate for d in best.discounts)
    backbone = a.backbones[p.provider]
    lines = [line for part in backbone.commit for line in part.lines]
    return rec.make(
        "cost:commitments",
        f"Commit {best.committed_share:.0%} of the always-on compute baseline on {p.provider.upper()} for "
        f"{term}: save ${saving.p50:,.0f} over 36 months (P10 ${saving.p10:,.0f} - P90 ${saving.p90:,.0f})",
        category="cost",
        pillar=Pillar.COST,
        priority=Priority.HIGH if material else Priority.MEDIUM,
        impact=4 if material else 3,
        effort=2,
        confidence=max(0.4, 0.75 - (0.15 if estimates else 0) - (0 if p.complete else 0.1)),
        rationale=(
            f"{a.runs:,} simulated runs of the 36-month plan: "
            + "; ".join(f"{LABELS[s.strategy]} save {_band(s.saving_36m_usd)}" for s in terms)
            + f". {best.description}. Today's always-on compute costs "
            f"${p.commit_eligible_usd_month:,.2f}/month; "
            "committing more than the level that minimises the expected cost would pay for capacity that "
            "the slower growth paths never use"
            + (f". No sourced discount for {', '.join(p.uncovered)}: left on demand" if p.uncovered else "")
        ),
        actions=[
            f"Buy {d.instrument} covering ${d.committed_usd_month:,.2f}/month of on-demand compute "
            f"({d.scope}: {', '.join(d.instances)}) at {d.discount} off"
            for d in best.discounts
            if d.committed_usd_month
        ]
        + [
            "Leave usage above the committed level on demand; re-size the commitment at each renewal "
            "from the last three months of usage",
            "Confirm the rates in the provider's pricing calculator before buying"
            if estimates
            else "Review commitment utilisation monthly",
        ],
        evidence=[
            *(_discount_evidence(p.provider, d) for d in best.discounts),
            *(line_evidence(line) for line in lines[:4]),
            _derived(a, f"simulation:{p.provider}:{best.strategy}", best.description),
            sizing_evidence(a.rules["growth_volatility_annual"]),
        ],
        best_practices=("COST07-BP01", "COST01-BP03"),
        monthly_cost_delta=-saving.p50 / len(a.users.projection),
        monthly_cost_in_plan=p.commit_eligible_usd_month,
        provider=p.provider,
        regions=[p.region],
        services=sorted({line.service for line in lines}),
    )


def _spot(a: Analysis, rec: Recommender, p: ProviderSimulation) -> list[Recommendation]:
    backbone = a.backbones[p.provider]
    share = a.rules["spot_share_interruptible"]
    rework = a.rules["spot_rework_overhead"]
    months = len(a.users.projection)
    out = []
    for workload, runs in a.spot_savings.get(p.provider, {}).items():
        saving = percentiles(np.asarray(runs))
        if saving.p50 <= 0:
            continue
        parts = [part for part in backbone.spot if part.workload == workload]
        lines = [line for part in parts for line in part.lines]
        used = [
            d
            for d in _strategy(p, "spot").discounts
            if set(d.instances) & {i for x in parts for i in x.instances}
        ]
        estimates = any(d.estimate for d in used)
        out.append(
            rec.make(
                f"cost:spot:{workload}",
                f"Run {share.value:.0%} of {workload} on spot capacity: save ${saving.p50:,.0f} over "
                f"36 months (P10 ${saving.p10:,.0f} - P90 ${saving.p90:,.0f})",
                category="cost",
                pillar=Pillar.COST,
                priority=Priority.MEDIUM,
                impact=3,
                effort=2,
                confidence=0.55 if estimates else 0.7,
                rationale=(
                    f"{workload} can be interrupted and resumed; spot discounts of "
                    + ", ".join(f"{d.discount} ({d.scope})" for d in used)
                    + f" less {rework.value:.0%} rework, on {share.value:.0%} of its instance-hours "
                    f"({share.rationale}); today's spend ${sum(x.baseline_usd for x in parts):,.2f}/month"
                ),
                actions=[
                    "Checkpoint the work so an interrupted job resumes instead of restarting",
                    "Spread the spot requests over several instance types and zones",
                    "Fall back to on-demand capacity when spot capacity is short or a deadline is near",
                ],
                evidence=[
                    *(_discount_evidence(p.provider, d) for d in used),
                    *(line_evidence(line) for line in lines[:3]),
                    sizing_evidence(share),
                    sizing_evidence(rework),
                ],
                best_practices=("COST07-BP01", "COST09-BP03"),
                monthly_cost_delta=-saving.p50 / months,
                monthly_cost_in_plan=sum(x.baseline_usd for x in parts),
                provider=p.provider,
                regions=[p.region],
                services=sorted({line.service for line in lines}),
            )
        )
    return out


def _capacity(a: Analysis, rec: Recommender, q: QueueModel, knowledge: Knowledge) -> Recommendation | None:
    quote = a.plan.chosen
    if q.latency_target_ms is None or quote is None:
        return None
    line = next((x for x in quote.primary_lines if x.workload == q.workload and x.kind == "compute"), None)
    if line is None:
        return None
    index = next(i for i, w in enumerate(a.ctx.requirements.workloads) if w.name == q.workload)
    fewest = q.recommended_instances
    load_test = f"Load-test {q.workload} at {q.arrival_rps:,.4g} req/s to confirm the service rate"
    delta = None
    in_plan = None
    if fewest is None:
        title = (
            f"Serve {q.workload} on a faster instance than {q.sku}: no instance count meets its "
            f"{q.latency_target_ms} ms p95 target"
        )
        priority, effort = Priority.HIGH, 3
        actions = [
            load_test,
            "Move to an instance with faster cores or cut the work per request (caching, batching)",
        ]
    elif q.planned_instances < fewest:
        title = (
            f"Run at least {fewest} × {q.sku} for {q.workload} at peak (the plan has {q.planned_instances})"
        )
        priority, effort = Priority.HIGH, 2
        actions = [f"Set the autoscaling minimum at peak hours to {fewest} instances", load_test]
        delta = (
            (fewest - q.planned_instances) * line.unit_price_usd * knowledge.sizing("hours_per_month").value
        )
    else:
        title = f"Keep at least {fewest} × {q.sku} for {q.workload} at peak and scale out on p95 latency"
        priority = Priority.MEDIUM if fewest == q.planned_instances else Priority.LOW
        effort = 1
        actions = [f"Alert when the p95 latency of {q.workload} passes {q.latency_target_ms} ms", load_test]
        in_plan = line.monthly_usd
    return rec.make(
        f"capacity:{q.workload}",
        title,
        category="capacity",
        pillar=Pillar.PERFORMANCE,
        priority=priority,
        impact=4 if priority is Priority.HIGH else 3,
        effort=effort,
        confidence=0.6 if fewest is None else 0.65,
        rationale=f"{q.note}; service rate {q.service_basis}",
        actions=actions,
        evidence=[
            line_evidence(line),
            input_evidence(f"workloads[{index}].latency_target_ms", q.latency_target_ms),
            Evidence(kind=EvidenceKind.DERIVED, ref=f"queue:{q.workload}", detail=f"M/M/c: {q.note}"),
        ],
        best_practices=("PERF02-BP05", "REL07-BP01", "COST06-BP02"),
        monthly_cost_delta=delta,
        monthly_cost_in_plan=in_plan,
        provider=q.provider,
        services=[line.service],
        regions=[line.region],
    )


def _derived(a: Analysis, ref: str, detail: str) -> Evidence:
    rule = a.rules["growth_volatility_annual"]
    text = (
        f"{a.runs:,} Monte-Carlo runs, seed {a.seed}, user growth volatility {rule.value:g} ({rule.unit}); "
        "costs re-priced at months 0, 6, 12, 24 and 36"
    )
    return Evidence(
        kind=EvidenceKind.DERIVED, ref=ref, detail=f"{text}. {detail}".rstrip(". ") if detail else text
    )


def _discount_evidence(provider: str, d: DiscountUsed) -> Evidence:
    detail = f"{d.discount} off on demand for {d.scope}" + (f" ({d.instrument})" if d.instrument else "")
    if d.estimate:
        detail += f" [estimate: {d.estimate}]"
    return Evidence(
        kind=EvidenceKind.CATALOG_RECORD,
        ref=f"discount:{provider}:{d.scope}",
        detail=detail,
        source=d.source,
        as_of=date.fromisoformat(d.as_of),
    )
