"""Typed records of the compliance knowledge: controls, service eligibility, best practices."""

from __future__ import annotations

from pydantic import Field

from infra_mind.domain.enums import Framework, Level, Pillar, SecurityControl
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


class ServiceEligibility(Sourced):
    provider: Provider
    kind: ServiceKind
    frameworks: tuple[Framework, ...] = Field(description="frameworks the service is in scope for")


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
