"""The security controls the recommended design implements, and what that leaves open per framework."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infra_mind.domain.context import ApplicableFramework, AssessmentContext
from infra_mind.domain.enums import Framework, Level, SecurityControl
from infra_mind.domain.outputs.compliance import (
    AuditEvidenceGroup,
    ControlGap,
    DesignControl,
    EvidenceItem,
    FrameworkStatus,
)
from infra_mind.domain.requirements import DataClassification
from infra_mind.knowledge.compliance_models import ComplianceControl

Catalog = Mapping[Framework, list[ComplianceControl]]

BASELINE = (
    SecurityControl.ENCRYPTION_AT_REST,
    SecurityControl.ENCRYPTION_IN_TRANSIT,
    SecurityControl.RBAC,
    SecurityControl.NETWORK_ISOLATION,
    SecurityControl.FIREWALL,
    SecurityControl.MONITORING,
    SecurityControl.AUDIT_LOGGING,
    SecurityControl.BACKUP_ENCRYPTION,
    SecurityControl.VULNERABILITY_SCANNING,
    SecurityControl.MFA,
)
SSO_TEAM_SIZE = 10
PUBLIC_WORKLOAD_TYPES = frozenset({"web_app", "api"})
LEVEL_ORDER = (Level.HIGH, Level.MEDIUM, Level.LOW)

LABELS = {
    Framework.GDPR: "GDPR",
    Framework.HIPAA: "HIPAA",
    Framework.SOC2: "SOC 2",
    Framework.PCI_DSS: "PCI DSS",
    Framework.ISO_27001: "ISO/IEC 27001",
    Framework.NIST_CSF: "NIST CSF",
    Framework.CCPA: "CCPA",
    Framework.FEDRAMP: "FedRAMP",
}


def label(framework: Framework | str) -> str:
    return LABELS[Framework(framework)]


def highest(levels: Iterable[Level]) -> Level | None:
    return min(levels, key=LEVEL_ORDER.index, default=None)


def cite(controls: Iterable[ComplianceControl], limit: int = 3) -> str:
    """'HIPAA 164.312(d), 164.312(a)(2)(i) and 2 more', most severe first."""
    ranked = sorted(controls, key=lambda c: LEVEL_ORDER.index(c.severity))
    by_framework: dict[Framework, list[str]] = {}
    for control in ranked[:limit]:
        by_framework.setdefault(control.framework, []).append(control.control_id)
    text = "; ".join(f"{label(f)} {', '.join(ids)}" for f, ids in by_framework.items())
    return text + (f" and {len(ranked) - limit} more" if len(ranked) > limit else "")


def citing(catalog: Catalog, control: SecurityControl) -> list[ComplianceControl]:
    """Controls of the applicable frameworks that need a given security control."""
    return [c for controls in catalog.values() for c in controls if control in c.requires]


def design_controls(ctx: AssessmentContext, catalog: Catalog) -> list[DesignControl]:
    """The recommended architecture's control set, each with the rule from the requirements that adds it."""
    spec = ctx.requirements
    reasons: dict[SecurityControl, list[str]] = {
        c: ["baseline of the recommended architecture"] for c in BASELINE
    }

    def add(control: SecurityControl, reason: str) -> None:
        reasons.setdefault(control, []).append(reason)

    public = [w.name for w in spec.workloads if w.type in PUBLIC_WORKLOAD_TYPES]
    if public:
        add(
            SecurityControl.DDOS_PROTECTION,
            f"public endpoints behind the internet-facing load balancer: {', '.join(public)}",
        )
    if spec.team.size > SSO_TEAM_SIZE:
        add(
            SecurityControl.SSO,
            f"a team of {spec.team.size} people (more than {SSO_TEAM_SIZE}) needs one "
            "identity provider to keep joiners and leavers in step",
        )
    if spec.security.data_classification is DataClassification.RESTRICTED:
        add(SecurityControl.DLP, "data classified restricted")
    for control in (SecurityControl.SSO, SecurityControl.DLP):
        needed_by = citing(catalog, control)
        if needed_by:
            add(control, f"required by {cite(needed_by)}")
    for control in spec.security.required_controls:
        add(control, "requested in security.required_controls")
    existing = set(spec.security.existing_controls)
    for control in existing:
        add(control, "already in place (security.existing_controls)")
    return [
        DesignControl(control=c.value, reasons=reasons[c], in_place=c in existing)
        for c in SecurityControl
        if c in reasons
    ]


def framework_status(
    applicable: ApplicableFramework,
    controls: list[ComplianceControl],
    existing: set[SecurityControl],
    design: set[SecurityControl],
) -> FrameworkStatus:
    met_now = {c.control_id for c in controls if c.requires and set(c.requires) <= existing}
    by_design = {c.control_id for c in controls if c.requires and set(c.requires) <= design}
    open_controls = sorted(
        (c for c in controls if c.control_id not in by_design), key=lambda c: LEVEL_ORDER.index(c.severity)
    )
    return FrameworkStatus(
        framework=applicable.framework.value,
        declared=applicable.declared,
        reasons=list(applicable.reasons),
        controls_total=len(controls),
        met_now=len(met_now),
        met_by_design=len(by_design),
        gaps=[_gap(c, design) for c in open_controls],
        closed_by_design=[c.control_id for c in controls if c.control_id in by_design - met_now],
    )


def _gap(control: ComplianceControl, design: set[SecurityControl]) -> ControlGap:
    return ControlGap(
        framework=control.framework.value,
        control_id=control.control_id,
        title=control.title,
        severity=control.severity.value,
        missing_controls=[c.value for c in control.requires if c not in design],
        evidence_needed=list(control.evidence),
        section=control.section,
        procedural=not control.requires,
        residency=control.residency,
    )


def audit_evidence(statuses: list[FrameworkStatus]) -> list[AuditEvidenceGroup]:
    """The evidence items of every gap control, deduplicated within each framework."""
    groups = []
    for status in statuses:
        items: dict[str, list[str]] = {}
        for gap in status.gaps:
            for item in gap.evidence_needed:
                items.setdefault(item, []).append(gap.control_id)
        if items:
            groups.append(
                AuditEvidenceGroup(
                    framework=status.framework,
                    items=[EvidenceItem(item=item, controls=ids) for item, ids in items.items()],
                )
            )
    return groups
