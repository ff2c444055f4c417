"""security: required controls, the threat model of the proposed design, gaps and provider services."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output


class ProviderService(Output):
    """A provider service that implements a control or safeguard, from the threat catalog."""

    provider: str
    service: str
    role: str
    billing: str | None = Field(description="included | paid; None = not recorded in the catalog")
    source: str
    as_of: date


class ControlRequirement(Output):
    """A control (input vocabulary) or safeguard (beyond it) the design needs, and why."""

    capability: str
    kind: Literal["control", "safeguard"]
    reasons: list[str]
    requested: bool = Field(description="listed in security.required_controls")
    data_rules: list[str] = Field(description="IDs of the data-classification and data-type rules needing it")
    in_place: bool | None = Field(
        description="listed in security.existing_controls; None for safeguards the input cannot state"
    )
    mitigates: list[str] = Field(description="IDs of the design's threats it mitigates")
    services: list[ProviderService] = Field(description="per allowed provider, from the threat catalog")


class ControlGap(Output):
    """A required or baseline control not in security.existing_controls."""

    control: str
    severity: str = Field(description="critical | high | medium | low")
    basis: str = Field(description="why this severity")
    reasons: list[str]
    mitigates: list[str]
    services: list[str] = Field(description="the chosen provider's services that implement it")


class ThreatAssessment(Output):
    id: str
    title: str
    stride: list[str]
    owasp_llm: str | None
    techniques: list[str] = Field(description="MITRE ATT&CK (T…) and ATLAS (AML.T…) technique IDs")
    mitigations: list[str]
    mitigated_by: list[str] = Field(description="controls and safeguards that lower the likelihood")
    open_now: list[str] = Field(description="mitigating capabilities not in place today")
    open_planned: list[str] = Field(description="mitigating capabilities the planned design still lacks")
    likelihood: str
    impact: str
    impact_basis: str
    inherent: str = Field(description="OWASP risk rating severity before any mitigation")
    residual_now: str = Field(description="high | medium | low with today's controls")
    residual_planned: str = Field(description="high | medium | low with the planned controls")
    source: str
    as_of: date
    estimate: str | None = None


class ComponentThreats(Output):
    component: str
    name: str
    services: list[str]
    workloads: list[str]
    regions: list[str]
    threats: list[ThreatAssessment]


class MethodReference(Output):
    id: str
    title: str
    source: str
    as_of: date


class SecurityOutput(Output):
    kind: Literal["security"] = "security"
    provider: str | None = Field(description="the provider whose design was threat-modelled")
    data_classification: str
    data_types: list[str]
    controls: list[ControlRequirement]
    gaps: list[ControlGap] = Field(description="most severe first")
    components: list[ComponentThreats]
    top_threats: list[str] = Field(description="IDs of the threats with the highest residual risk")
    method: list[MethodReference]
