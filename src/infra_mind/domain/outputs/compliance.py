"""compliance: applicable frameworks, control gaps, residency and service eligibility."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output


class ControlGap(Output):
    framework: str
    control_id: str
    title: str
    severity: str
    missing_controls: list[str] = Field(
        description="security controls the design lacks; empty when procedural"
    )
    evidence_needed: list[str]
    section: str = ""
    procedural: bool = Field(
        default=False, description="no infrastructure control satisfies it: needs a process"
    )
    residency: bool = Field(default=False, description="concerns where data is stored or sent")
    capabilities: list[str] = Field(
        default_factory=list, description="architecture capabilities that close it, missing ones first"
    )
    closing_services: list[str] = Field(
        default_factory=list, description="the recommended provider's services that implement them"
    )


class FrameworkStatus(Output):
    framework: str
    declared: bool
    reasons: list[str]
    controls_total: int
    met_now: int
    met_by_design: int
    gaps: list[ControlGap] = Field(description="controls the recommended design does not meet")
    closed_by_design: list[str] = Field(
        default_factory=list, description="control IDs open now, met by design"
    )


class DesignControl(Output):
    """A security control the recommended design implements, and why it is in the design."""

    control: str
    reasons: list[str]
    in_place: bool = Field(description="already listed in security.existing_controls")


class PlacementFlag(Output):
    provider: str
    region: str
    subject: str
    framework: str | None
    problem: str
    allowed: bool
    severity: str = "info"
    rule: str = Field(
        default="residency",
        description="residency | preferred_region | gdpr_transfer | fedramp_boundary | region_catalog "
        "| edge_cache",
    )


class EligibilityCheck(Output):
    """One kind of bill-of-materials line of one provider, checked against the frameworks in scope."""

    provider: str
    chosen: bool
    kind: str
    services: list[str]
    catalog_kind: str | None = Field(description="the eligibility record used; None = not in the catalog")
    eligible: list[str]
    not_eligible: list[str]
    note: str = ""
    estimate: str | None = None
    source: str | None = None
    as_of: date | None = None


class EvidenceItem(Output):
    item: str
    controls: list[str]


class AuditEvidenceGroup(Output):
    framework: str
    items: list[EvidenceItem]


class ComplianceOutput(Output):
    kind: Literal["compliance"] = "compliance"
    frameworks: list[FrameworkStatus]
    placement: list[PlacementFlag]
    audit_evidence: list[str] = Field(description="distinct evidence items of every gap, all frameworks")
    design_controls: list[DesignControl] = Field(default_factory=list)
    eligibility: list[EligibilityCheck] = Field(default_factory=list)
    evidence_by_framework: list[AuditEvidenceGroup] = Field(default_factory=list)
