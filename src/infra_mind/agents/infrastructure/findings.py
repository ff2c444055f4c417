"""Findings of the infrastructure agent: uptime against target, regional risk, recovery objectives."""

from __future__ import annotations

from infra_mind.agents.evidence import input_evidence, quote_evidence
from infra_mind.agents.infrastructure.analysis import Analysis
from infra_mind.agents.infrastructure.resilience import (
    downtime_budget_minutes,
    format_pct,
    sla_evidence,
    strategy_evidence,
)
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Severity


def findings(a: Analysis) -> list[Finding]:
    found = [_uptime(a), _recovery(a)]
    if a.recovery.region_missing:
        found.append(_single_region(a))
    if a.composition.uncovered:
        found.append(
            Finding(
                id="infra-sla-gaps",
                title=f"{len(a.composition.uncovered)} component(s) have no SLA",
                severity=Severity.MEDIUM,
                detail="; ".join(f"{p.label}: {p.record.condition}" for p in a.composition.uncovered),
                evidence=[sla_evidence(p.record) for p in a.composition.uncovered],
            )
        )
    if a.standby and a.standby.missing:
        found.append(
            Finding(
                id="infra-dr-unpriced",
                title=f"{len(a.standby.missing)} DR cost item(s) could not be priced",
                severity=Severity.LOW,
                detail="; ".join(f"{m.component}: {m.reason}" for m in a.standby.missing),
                evidence=[quote_evidence(a.standby)],
            )
        )
    found.append(_capacity(a))
    return found


def _uptime(a: Analysis) -> Finding:
    target = a.ctx.requirements.performance.uptime_target_pct
    design = a.composition.design_pct
    if design is None:
        return Finding(
            id="infra-design-uptime",
            title="Nothing runs continuously: no uptime to compose",
            detail=f"no served, always-on or database component; the {target:g} % target applies to nothing "
            "this plan keeps running",
            evidence=[input_evidence("performance.uptime_target_pct", target)],
        )
    short = design < target
    detail = (
        f"{a.composition.formula()}. The target allows {downtime_budget_minutes(target):.1f} min of downtime "
        f"a month, the design's SLAs {downtime_budget_minutes(design):.1f} min"
    )
    return Finding(
        id="infra-design-uptime",
        title=(
            f"Design uptime {format_pct(design)} % falls short of the {target:g} % target"
            if short
            else f"Design uptime {format_pct(design)} % meets the {target:g} % target"
        ),
        severity=Severity.HIGH if short else Severity.INFO,
        detail=detail,
        evidence=[
            input_evidence("performance.uptime_target_pct", target),
            Evidence(kind=EvidenceKind.DERIVED, ref="uptime:composition", detail=a.composition.formula()),
            *[sla_evidence(p.record) for p in a.composition.parts],
        ],
    )


def _recovery(a: Analysis) -> Finding:
    perf = a.ctx.requirements.performance
    strategy = a.recovery.strategy
    met = a.recovery.objectives_met
    title = (
        f"{strategy.strategy.value} meets RTO {perf.rto_minutes} min / RPO {perf.rpo_minutes} min"
        if met
        else f"RTO {perf.rto_minutes} min / RPO {perf.rpo_minutes} min are not assured in a regional outage"
    )
    return Finding(
        id="infra-recovery-objectives",
        title=title,
        severity=Severity.INFO if met else Severity.HIGH,
        detail="; ".join(a.recovery.reasons) + f"; planned RTO {strategy.rto_minutes} min, RPO "
        f"{strategy.rpo_minutes} min",
        evidence=[
            input_evidence("performance.rto_minutes", perf.rto_minutes),
            input_evidence("performance.rpo_minutes", perf.rpo_minutes),
            strategy_evidence(strategy),
        ],
    )


def _single_region(a: Analysis) -> Finding:
    constraints = a.ctx.constraints
    residency = ", ".join(constraints.residency) or "the constraints"
    target = a.ctx.requirements.performance.uptime_target_pct
    return Finding(
        id="infra-single-region-risk",
        title=f"Only one {a.provider.value} region ({a.primary}) is allowed: the {target:g} % uptime target "
        "and the recovery objectives are at risk",
        severity=Severity.HIGH,
        detail=(
            f"residency ({residency}) leaves {a.primary} as the only {a.provider.value} region; a regional "
            "outage cannot fail over and waits for the provider's recovery. Options: a second region in an "
            "allowed jurisdiction if one is catalogued later, a second provider, or a lower target"
        ),
        evidence=[
            input_evidence("compliance.data_residency", list(constraints.residency)),
            input_evidence("performance.uptime_target_pct", target),
        ],
    )


def _capacity(a: Analysis) -> Finding:
    points = a.output.capacity_plan
    now, later = points[0], next(p for p in points if p.month == 24)
    return Finding(
        id="infra-capacity-plan",
        title=f"Capacity at 24 months: {later.vcpu:g} vCPU, {later.memory_gib:g} GiB, "
        f"{later.storage_gb:,.0f} GB for {later.users:,} users",
        detail=(
            f"today {now.vcpu:g} vCPU, {now.memory_gib:g} GiB, {now.storage_gb:,.0f} GB for {now.users:,} "
            "users; compute grows with users, storage with each workload's data growth per month"
        ),
        evidence=[input_evidence("growth.users_24m", a.ctx.requirements.growth.users_24m)],
    )
