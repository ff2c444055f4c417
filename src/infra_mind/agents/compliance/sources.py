"""Evidence for compliance claims: control IDs, region records and eligibility records."""

from __future__ import annotations

from infra_mind.agents.compliance.design import label
from infra_mind.agents.evidence import record_evidence
from infra_mind.domain.enums import Framework
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.compliance import EligibilityCheck
from infra_mind.knowledge.compliance_models import ComplianceControl
from infra_mind.knowledge.models import Region


def control_evidence(control: ComplianceControl) -> Evidence:
    return record_evidence(
        control,
        EvidenceKind.CONTROL,
        f"{control.framework.value}:{control.control_id}",
        f"{label(control.framework)} {control.control_id} ({control.severity.value}): {control.title}",
    )


def region_evidence(region: Region) -> Evidence:
    return record_evidence(
        region,
        EvidenceKind.DERIVED,
        f"region:{region.provider.value}:{region.code}",
        f"{region.name}: country {region.country}, jurisdiction {region.jurisdiction}"
        + (", EU member state" if region.eu_member else ""),
    )


def check_evidence(check: EligibilityCheck) -> Evidence:
    return record_evidence(
        check,
        EvidenceKind.DERIVED,
        f"eligibility:{check.provider}:{check.catalog_kind}",
        f"in scope for {', '.join(check.eligible) or 'none of the applicable frameworks'}"
        + (" [estimate]" if check.estimate else ""),
    )


def eligibility_evidence(framework: Framework, checks: list[EligibilityCheck]) -> Evidence | None:
    """How many of one provider's proposed product kinds are in its scope for a framework."""
    recorded = [c for c in checks if c.catalog_kind is not None]
    if not recorded:
        return None
    first = recorded[0]
    in_scope = [c for c in recorded if framework.value in c.eligible]
    unknown = len(checks) - len(recorded)
    detail = (
        f"{len(in_scope)} of {len(recorded)} catalogued product kinds of {first.provider} are in its "
        f"{label(framework)} scope"
        + (f"; {unknown} kind(s) not in the eligibility catalog" if unknown else "")
        + (f" [estimate: {first.estimate}]" if first.estimate else "")
    )
    return record_evidence(
        first, EvidenceKind.DERIVED, f"eligibility:{first.provider}:{framework.value}", detail
    )
