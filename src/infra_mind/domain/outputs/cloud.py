"""cloud_engineer: service selection per workload and the bill of materials per provider."""

from __future__ import annotations

from typing import Literal

from infra_mind.domain.outputs.base import Output
from infra_mind.domain.pricing import Assumption, ProviderQuote


class ServiceChoice(Output):
    workload: str
    workload_type: str
    pattern: str
    services: dict[str, str]
    reason: str


class CloudEngineerOutput(Output):
    kind: Literal["cloud_engineer"] = "cloud_engineer"
    service_choices: list[ServiceChoice]
    quotes: list[ProviderQuote]
    assumptions: list[Assumption]
    recommended_provider: str | None
    provider_reasons: list[str]
