"""Findings: which frameworks apply, coverage now vs by design, placement and eligibility problems."""

from __future__ import annotations

from infra_mind.agents.compliance.design import Catalog, label
from infra_mind.agents.compliance.sources import check_evidence, control_evidence
from infra_mind.agents.evidence import input_evidence
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework, Level
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Severity
from infra_mind.domain.outputs.compliance import (
    DesignControl,
    EligibilityCheck,
    FrameworkStatus,
    PlacementFlag,
)
from infra_mind.domain.requirements import DataClassification

SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
MAX_EVIDENCE = 6


def applicability_finding(ctx: AssessmentContext) -> Finding:
    frameworks = ctx.constraints.frameworks
    if not frameworks:
        return _no_framework(ctx)
    return Finding(
        id="frameworks",
        title=f"{len(frameworks)} framework(s) apply: " + ", ".join(label(f.framework) for f in frameworks),
        detail="; ".join(
            f"{label(f.framework)} ({'declared' if f.declared else 'derived'}): {', '.join(f.reasons)}"
            for f in frameworks
        ),
        evidence=[input_evidence(field, value) for field, value in _applicability_inputs(ctx)],
    )


def _no_framework(ctx: AssessmentContext) -> Finding:
    spec = ctx.requirements
    classification = spec.security.data_classification
    sensitive = classification in {DataClassification.CONFIDENTIAL, DataClassification.RESTRICTED}
    follow_up = (
        f"data classified {classification.value} still gets the data-protection basics"
        if sensitive
        else "no framework-driven recommendation follows"
    )
    return Finding(
        id="no-framework",
        title="No compliance framework applies",
        detail=f"none is declared in compliance.frameworks and none follows from industry "
        f"{spec.company.industry.value}, customer markets "
        f"{', '.join(m.value for m in spec.company.customer_markets)} and data types "
        f"{', '.join(d.value for d in spec.security.data_types) or 'none declared'}; {follow_up}",
        evidence=[input_evidence(field, value) for field, value in _applicability_inputs(ctx)],
    )


def _applicability_inputs(ctx: AssessmentContext) -> list[tuple[str, str]]:
    spec = ctx.requirements
    return [
        ("compliance.frameworks", ", ".join(f.value for f in spec.compliance.frameworks) or "none"),
        ("company.industry", spec.company.industry.value),
        ("company.customer_markets", ", ".join(m.value for m in spec.company.customer_markets)),
        ("security.data_types", ", ".join(d.value for d in spec.security.data_types) or "none"),
    ]


def design_finding(design: list[DesignControl]) -> Finding:
    return Finding(
        id="design-controls",
        title=f"The recommended design implements {len(design)} security controls",
        detail="; ".join(f"{d.control}: {', '.join(d.reasons)}" for d in design),
    )


def coverage_finding(status: FrameworkStatus, catalog: Catalog) -> Finding:
    name = label(status.framework)
    procedural = [g for g in status.gaps if g.procedural]
    technical = [g for g in status.gaps if not g.procedural]
    by_id = {c.control_id: c for c in catalog.get(Framework(status.framework), [])}
    closed = status.closed_by_design
    parts = [f"{len(closed)} control(s) closed by the design" + (f" ({', '.join(closed)})" if closed else "")]
    parts.append(
        f"{len(procedural)} of the {len(status.gaps)} remaining gaps are procedural "
        "(they need a documented process and evidence)"
    )
    if technical:
        parts.append(
            f"{len(technical)} need controls beyond the design: "
            + ", ".join(f"{g.control_id} ({', '.join(g.missing_controls)})" for g in technical)
        )
    severity = min(
        (Severity(g.severity) for g in status.gaps), key=SEVERITY_ORDER.index, default=Severity.INFO
    )
    return Finding(
        id=f"coverage-{status.framework}",
        title=f"{name}: {status.met_now}/{status.controls_total} controls met now, "
        f"{status.met_by_design}/{status.controls_total} by design",
        detail="; ".join(parts),
        severity=severity,
        evidence=[
            control_evidence(by_id[g.control_id])
            for g in status.gaps[:MAX_EVIDENCE]
            if g.severity == Level.HIGH.value
        ],
    )


def placement_findings(flags: list[PlacementFlag], chosen: str | None) -> list[Finding]:
    findings = []
    notes = []
    for flag in flags:
        if flag.severity == Severity.INFO.value:
            notes.append(flag)
            continue
        alternative = flag.provider != chosen and flag.rule != "preferred_region"
        severity = Severity(flag.severity)
        if alternative and severity is Severity.LOW:
            continue
        if alternative and SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(Severity.MEDIUM):
            severity = Severity.MEDIUM
        findings.append(
            Finding(
                id=f"placement-{flag.rule}-{flag.provider}-{flag.region}",
                title=f"{flag.provider} {flag.region}: {flag.rule.replace('_', ' ')}"
                + (" (alternative provider)" if alternative else ""),
                detail=f"{flag.subject}: {flag.problem}",
                severity=severity,
                evidence=[
                    Evidence(
                        kind=EvidenceKind.DERIVED,
                        ref=f"region:{flag.provider}:{flag.region}",
                        detail=flag.problem,
                    )
                ],
            )
        )
    if notes:
        findings.append(
            Finding(
                id="placement-notes",
                title=f"{len(notes)} placement note(s)",
                detail="; ".join(f"{n.provider} {n.region}: {n.problem}" for n in notes),
            )
        )
    return findings


def eligibility_findings(checks: list[EligibilityCheck]) -> list[Finding]:
    if not checks:
        return []
    findings = [_chosen_eligibility(checks)] if any(c.chosen for c in checks) else []
    for check in (c for c in checks if c.not_eligible):
        findings.append(
            Finding(
                id=f"ineligible-{check.provider}-{check.kind}",
                title=f"{', '.join(check.services)} is not in {check.provider}'s scope for "
                + ", ".join(label(f) for f in check.not_eligible),
                detail=f"the eligibility record ({check.catalog_kind}) does not list it; regulated data must "
                "not be stored or processed there" + ("" if check.chosen else " (alternative provider)"),
                severity=Severity.HIGH if check.chosen else Severity.MEDIUM,
                evidence=[check_evidence(check)],
            )
        )
    uncatalogued = [c for c in checks if c.catalog_kind is None]
    if uncatalogued:
        findings.append(
            Finding(
                id="eligibility-not-catalogued",
                title=f"{len(uncatalogued)} product kind(s) not in the eligibility catalog",
                detail="; ".join(
                    f"{c.provider} {c.kind} ({', '.join(c.services)}): {c.note}" for c in uncatalogued
                ),
            )
        )
    estimated = {c.provider: c for c in checks if c.estimate}
    if estimated:
        findings.append(
            Finding(
                id="eligibility-estimates",
                title="Service eligibility comes from compiled lists (estimates)",
                severity=Severity.LOW,
                detail="; ".join(f"{p}: {c.estimate}" for p, c in estimated.items()),
                evidence=[check_evidence(c) for c in estimated.values()],
            )
        )
    return findings


def _chosen_eligibility(checks: list[EligibilityCheck]) -> Finding:
    chosen = [c for c in checks if c.chosen]
    recorded = [c for c in chosen if c.catalog_kind is not None]
    frameworks = sorted({f for c in recorded for f in (*c.eligible, *c.not_eligible)})
    clean = [c for c in recorded if not c.not_eligible]
    provider = chosen[0].provider
    return Finding(
        id=f"eligibility-{provider}",
        title=f"{provider}: {len(clean)}/{len(recorded)} catalogued product kinds in scope for "
        + (", ".join(label(f) for f in frameworks) or "the applicable frameworks"),
        detail="; ".join(
            f"{c.kind} ({', '.join(c.services)}): "
            + (f"in scope for {', '.join(label(f) for f in c.eligible)}" if c.catalog_kind else c.note)
            + (f"; NOT for {', '.join(label(f) for f in c.not_eligible)}" if c.not_eligible else "")
            for c in chosen
        ),
        evidence=[check_evidence(c) for c in recorded[:MAX_EVIDENCE]],
    )
