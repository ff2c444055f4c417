"""Typed records of the compliance knowledge: controls, service eligibility, best practices."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from infra_mind.domain.enums import Framework, Level, Pillar, SecurityControl
from infra_mind.knowledge.capabilities import CAPABILITY_OF, Capability
from infra_mind.knowledge.models import Provider, ServiceKind, Sourced


class ComplianceControl(Sourced):
    framework: Framework
    control_id: str = Field(description="the framework's official identifier")
    title: str = Field(description="short title in our own words")
    section: str
    requires: tuple[SecurityControl, ...] = Field(
        default=(), description="security controls of the input that satisfy it"
    )
    residency: bool = Field(default=False, description="concerns where data is stored or sent")
    severity: Level
    evidence: tuple[str, ...] = Field(min_length=1, description="what an auditor asks to see")
    capabilities: tuple[Capability, ...] = Field(
        min_length=1, description="architecture capabilities that implement it, technical or procedural"
    )

    @model_validator(mode="after")
    def _requires_are_capabilities(self) -> ComplianceControl:
        missing = {CAPABILITY_OF[r] for r in self.requires} - set(self.capabilities)
        if missing:
            raise ValueError(
                f"{self.control_id}: capabilities lack {sorted(missing)} implied by its required controls"
            )
        return self


class FedrampLevel(StrEnum):
    MODERATE = "moderate"
    HIGH = "high"


class NamedServiceEligibility(Sourced):
    """One named product of a provider and the compliance programmes it is in scope for."""

    provider: Provider
    service: str = Field(description="the provider's product name")
    aliases: tuple[str, ...] = Field(default=(), description="other names the catalog or plans use for it")
    frameworks: tuple[Framework, ...] = Field(description="frameworks the service is in scope for")
    fedramp: FedrampLevel | None = Field(
        default=None, description="highest FedRAMP authorisation in the provider's commercial US regions"
    )

    @model_validator(mode="after")
    def _fedramp_agrees(self) -> NamedServiceEligibility:
        if (self.fedramp is None) == (Framework.FEDRAMP in self.frameworks):
            raise ValueError(f"{self.service}: a fedramp level and the fedramp framework go together")
        return self

    def named(self, name: str) -> bool:
        wanted = name.strip().casefold()
        return any(wanted == n.casefold() for n in (self.service, *self.aliases))


class ServiceEligibility(NamedServiceEligibility):
    """A priced product: the record the per-kind look-up answers with."""

    kind: ServiceKind


class RegionAuthorization(Sourced):
    provider: Provider
    framework: Framework
    regions: tuple[str, ...] = Field(description="regions where the provider holds the authorization")


class BestPractice(Sourced):
    id: str = Field(pattern=r"^[A-Z]+\d+-BP\d+$")
    pillar: Pillar
    title: str = Field(description="in our own words")
    risk: Level
    url: str
