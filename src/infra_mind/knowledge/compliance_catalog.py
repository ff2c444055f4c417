"""Capabilities to provider services, and the compliance scope of each named provider service."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.capabilities import Capability, CapabilityService
from infra_mind.knowledge.compliance_models import NamedServiceEligibility, ServiceEligibility
from infra_mind.knowledge.models import Provider

M = TypeVar("M", bound=BaseModel)

RECORDS = "records"
"""In eligibility.json: the products the price catalog prices, one per provider and service kind."""
OTHER_SERVICES = "services"
"""eligibility.json: the provider's other named services (security, logging, key management, …)."""


class ComplianceCatalog:
    """Immutable after construction; safe to share between concurrent runs."""

    def __init__(
        self,
        capability_services: Iterable[CapabilityService] = (),
        services: Iterable[NamedServiceEligibility] = (),
    ) -> None:
        grouped: dict[tuple[Capability, Provider], list[CapabilityService]] = defaultdict(list)
        for entry in capability_services:
            grouped[(entry.capability, entry.provider)].append(entry)
        self._by_capability = {key: tuple(entries) for key, entries in grouped.items()}
        self._services = tuple(services)

    @classmethod
    def load(cls, root: Path) -> ComplianceCatalog:
        capabilities = root / "compliance" / "capabilities.json"
        eligibility = root / "compliance" / "eligibility.json"
        scopes = _read(eligibility)
        return cls(
            capability_services=_section(capabilities, _read(capabilities), RECORDS, CapabilityService),
            services=[
                *_section(eligibility, scopes, RECORDS, ServiceEligibility),
                *_section(eligibility, scopes, OTHER_SERVICES, NamedServiceEligibility),
            ],
        )

    def capabilities(self) -> list[Capability]:
        """Capabilities that at least one provider service implements, in vocabulary order."""
        covered = {capability for capability, _ in self._by_capability}
        return [c for c in Capability if c in covered]

    def services_for(self, capability: Capability, provider: Provider) -> list[CapabilityService]:
        return list(self._by_capability.get((capability, provider), ()))

    def service_eligibility(self, provider: Provider, service: str) -> NamedServiceEligibility | None:
        return next((s for s in self._services if s.provider == provider and s.named(service)), None)

    def priced_products(self) -> list[ServiceEligibility]:
        """The records the per-kind eligibility look-up answers with."""
        return [s for s in self._services if isinstance(s, ServiceEligibility)]

    def named_services(self, provider: Provider) -> list[NamedServiceEligibility]:
        return [s for s in self._services if s.provider == provider]


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc


def _section(path: Path, raw: Any, name: str, model: type[M]) -> list[M]:
    try:
        return [model.model_validate(rec) for rec in raw.get(name, [])]
    except (AttributeError, TypeError, ValidationError) as exc:
        raise CatalogInvalid(f"catalog {path} ({name}) does not match {model.__name__}: {exc}") from exc
