"""Evidence for compliance claims: control IDs, region records and eligibility records."""

from __future__ import annotations

from infra_mind.agents.compliance.design import label
from infra_mind.domain.enums import Framework
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.compliance import EligibilityCheck
from infra_mind.knowledge.compliance_models import ComplianceControl
from infra_mind.knowledge.models import Region


def control_evidence(control: ComplianceControl) -> Evidence:
    return Evidence(
        kind=EvidenceKind.CONTROL,
        ref=f"{control.framework.value}:{control.control_id}",
        detail=f"{label(control.framework)} {control.control_id} ({control.severity.value}): {control.title}",
        source=control.source,
        as_of=control.as_of,
    )


def region_evidence(region: Region) -> Evidence:
    return Evidence(
        kind=EvidenceKind.DERIVED,
        ref=f"region:{region.provider.value}:{region.code}",
        detail=f"{region.name}: country {region.country}, jurisdiction {region.jurisdiction}"
        + (", EU member state" if region.eu_member else ""),
        source=region.source,
        as_of=region.as_of,
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
    return Evidence(
        kind=EvidenceKind.DERIVED,
        ref=f"eligibility:{first.provider}:{framework.value}",
        detail=detail,
        source=first.source,
        as_of=first.as_of,
    )
