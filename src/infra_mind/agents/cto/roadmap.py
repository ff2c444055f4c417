"""The phased roadmap: foundation → migrate/build → harden → optimise, scaled to the timeline and urgency."""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.cto.costs import load_factor_24m
from infra_mind.agents.products import PRODUCTS
from infra_mind.agents.service_choice import service_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.cto import RoadmapPhase
from infra_mind.domain.pricing import Assumption, ProviderQuote
from infra_mind.domain.requirements import Urgency
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider

PLANNING_SOURCE = "Infra Mind planning model v1: engineering rule of thumb"
PHASE_SHARES = (("foundation", 0.2), ("deliver", 0.4), ("harden", 0.25), ("optimise", 0.15))
FAST_TRACK_OVERLAP = {Urgency.LOW: 0.0, Urgency.MEDIUM: 0.0, Urgency.HIGH: 0.25, Urgency.CRITICAL: 0.5}
MIN_PHASE_MONTHS = 2
FOUNDATION, DELIVER, HARDEN, OPTIMISE = range(4)


@dataclass(frozen=True)
class Roadmap:
    phases: list[RoadmapPhase]
    target_months: int
    overlap: float

    @property
    def fits(self) -> bool:
        return all(phase.end_month <= self.target_months for phase in self.phases)


def phase_spans(target_months: int, urgency: Urgency) -> list[tuple[int, int]]:
    """(first, last) month of each phase, 1-based and inclusive.

    Each phase gets its share of the timeline in whole months, at least MIN_PHASE_MONTHS when the timeline
    has room for that (else one month), the months adding up to the timeline. At high urgency the next
    phase starts before the previous one ends (fast-tracking: the overlap share of the previous phase,
    rounded, at least one month); the optimise phase then runs on to the end of the timeline. A timeline
    shorter than four months cannot hold four phases: they run one month each and overrun it.
    """
    durations = _durations(target_months)
    overlap = FAST_TRACK_OVERLAP[urgency]
    spans = []
    start = 1
    for months in durations:
        spans.append((start, start + months - 1))
        overlap_months = min(months - 1, math.floor(months * overlap + 0.5)) if overlap else 0
        start += months - max(overlap_months, 1 if overlap and months > 1 else 0)
    first, last = spans[-1]
    spans[-1] = (first, max(last, target_months))
    return spans


def _durations(target_months: int) -> list[int]:
    shares = [share for _, share in PHASE_SHARES]
    floor = MIN_PHASE_MONTHS if target_months >= MIN_PHASE_MONTHS * len(shares) else 1
    ideal = [share * target_months for share in shares]
    months = [max(floor, math.floor(x + 0.5)) for x in ideal]
    while sum(months) > target_months and any(m > floor for m in months):
        i = max((i for i, m in enumerate(months) if m > floor), key=lambda i: months[i] - ideal[i])
        months[i] -= 1
    while sum(months) < target_months:
        i = max(range(len(months)), key=lambda i: ideal[i] - months[i])
        months[i] += 1
    return months


def build_roadmap(
    ctx: AssessmentContext, knowledge: Knowledge, quote: ProviderQuote | None, migrating: bool
) -> Roadmap:
    timeline = ctx.requirements.timeline
    spans = phase_spans(timeline.target_months, timeline.urgency)
    contents = [
        ("Foundation", _foundation(ctx, quote)),
        ("Migrate" if migrating else "Build", _deliver(ctx, quote, migrating)),
        ("Harden", _harden(ctx, knowledge)),
        ("Optimise", _optimise(ctx)),
    ]
    phases = []
    for index, ((name, deliverables), (first, last)) in enumerate(zip(contents, spans, strict=True)):
        note = _overlap_note(contents, spans, index, timeline.urgency)
        phases.append(
            RoadmapPhase(
                name=name,
                start_month=first,
                end_month=last,
                deliverables=[note, *deliverables] if note else deliverables,
            )
        )
    return Roadmap(phases, timeline.target_months, FAST_TRACK_OVERLAP[timeline.urgency])


def _overlap_note(
    contents: list[tuple[str, list[str]]], spans: list[tuple[int, int]], index: int, urgency: Urgency
) -> str | None:
    """Says so when a phase starts before the previous one ends, and why."""
    if index == 0:
        return None
    previous, (_, previous_end) = contents[index - 1][0], spans[index - 1]
    start = spans[index][0]
    if start > previous_end:
        return None
    months = previous_end - start + 1
    why = (
        f"fast-tracked because the urgency is {urgency.value}"
        if FAST_TRACK_OVERLAP[urgency]
        else "the timeline is too short to run the phases one after another"
    )
    last = "the last month" if months == 1 else f"the last {months} months"
    return (
        f"Starts in month {start}, overlapping {last} of {previous} on purpose: {why} "
        "(more coordination, earlier delivery)"
    )


def roadmap_assumptions(urgency: Urgency) -> list[Assumption]:
    shares = [
        Assumption(
            key=f"roadmap_share_{name}",
            value=share,
            unit="fraction of timeline.target_months",
            rationale=f"the {name} phase's share of the programme, at least one whole month",
            source=PLANNING_SOURCE,
        )
        for name, share in PHASE_SHARES
    ]
    overlap = Assumption(
        key="fast_track_overlap",
        value=FAST_TRACK_OVERLAP[urgency],
        unit=f"fraction of a phase (urgency {urgency.value})",
        rationale="how much of a phase the next one overlaps: at high urgency phases are "
        "fast-tracked, which delivers sooner at more coordination risk",
        source=PLANNING_SOURCE,
    )
    return [*shares, overlap]


def _foundation(ctx: AssessmentContext, quote: ProviderQuote | None) -> list[str]:
    where = f"{quote.provider.upper()} in {quote.region}" if quote else "the chosen provider"
    return [
        f"Landing zone on {where}: one account per environment, network across "
        f"{ctx.constraints.zones_required} zone(s)",
        "Infrastructure as code in version control and a CI/CD pipeline for every environment",
        "Central identity with MFA and least-privilege roles",
        "Central logging, monitoring and alerting",
        "Budgets, alerts and cost-allocation tags",
    ]


def _deliver(ctx: AssessmentContext, quote: ProviderQuote | None, migrating: bool) -> list[str]:
    products = PRODUCTS[Provider(quote.provider)] if quote else None
    by_target: dict[str, list[str]] = {}
    for w in ctx.requirements.workloads:
        target = service_plan(w, products, ctx.requirements).platform if products else "the planned services"
        data = f" ({w.data_size_gb:,.0f} GB: copy, verify, cut over)" if migrating and w.data_size_gb else ""
        by_target.setdefault(target, []).append(w.name + data)
    verb = "Migrate" if migrating else "Build"
    out = [f"{verb} {', '.join(names)} onto {target}" for target, names in by_target.items()]
    if migrating:
        out.append("Run old and new side by side until cut-over, then decommission the old platform")
    factor = load_factor_24m(ctx.requirements)
    out.append(
        f"Load-test to the 24-month peak ({factor:.3g}× today's load)"
        if factor > 1
        else "Load-test to the peak load of the input"
    )
    return out


def _harden(ctx: AssessmentContext, knowledge: Knowledge) -> list[str]:
    spec = ctx.requirements
    out = [
        f"Disaster-recovery test against RTO {spec.performance.rto_minutes} min / "
        f"RPO {spec.performance.rpo_minutes} min",
        "Restore from backups to prove they work",
    ]
    out += [
        f"{framework_name(f.framework.value)} audit readiness: evidence for "
        f"{len(knowledge.controls(f.framework))} controls"
        for f in ctx.constraints.frameworks
    ]
    if spec.security.required_controls:
        out.append(
            f"Verify the {len(spec.security.required_controls)} required security controls in production"
        )
    out.append("Incident-response runbooks and an on-call rota")
    return out


def _optimise(ctx: AssessmentContext) -> list[str]:
    out = [
        "Right-size from the first months of usage data",
        "Price 1- and 3-year commitments for the steady baseline",
    ]
    if any(d.interruptible for d in ctx.profile.demands):
        out.append("Move interruptible work to spot capacity")
    data_growth = sum(w.data_growth_gb_per_month for w in ctx.requirements.workloads)
    if data_growth:
        out.append(f"Lifecycle policies for stored data (grows {data_growth:,.0f} GB/month)")
    return out


def framework_name(value: str) -> str:
    return value.upper().replace("_", " ")
