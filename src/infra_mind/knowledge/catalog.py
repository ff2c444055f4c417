"""The knowledge base: loads the dated data files once and answers typed look-ups."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from infra_mind.domain.enums import Framework
from infra_mind.errors import CatalogInvalid, NotOffered
from infra_mind.knowledge.ai_use_cases import AiCatalog
from infra_mind.knowledge.benchmarks import BenchmarkCatalog
from infra_mind.knowledge.capabilities import Capability, CapabilityService
from infra_mind.knowledge.commitments import CommitmentCatalog
from infra_mind.knowledge.compliance_catalog import ComplianceCatalog
from infra_mind.knowledge.compliance_models import (
    BestPractice,
    ComplianceControl,
    NamedServiceEligibility,
    RegionAuthorization,
    ServiceEligibility,
)
from infra_mind.knowledge.feasibility import Feasibility
from infra_mind.knowledge.ml_platforms import MlPlatformCatalog
from infra_mind.knowledge.models import (
    Availability,
    InstanceCategory,
    InstanceType,
    Provider,
    Region,
    RegionPrice,
    ServiceKind,
    ServicePrice,
)
from infra_mind.knowledge.sizing import SizingRule
from infra_mind.knowledge.sla import SlaCatalog
from infra_mind.knowledge.threats import ThreatCatalog

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class InstanceOffer:
    """An instance type with its list price in one region."""

    instance: InstanceType
    price: RegionPrice


def packaged_data_dir() -> Path:
    return Path(str(resources.files("infra_mind.knowledge") / "data"))


class Knowledge:
    """Immutable after construction; safe to share between concurrent runs."""

    def __init__(
        self,
        *,
        regions: Iterable[Region],
        instances: Iterable[InstanceType],
        services: Iterable[ServicePrice],
        controls: Iterable[ComplianceControl],
        eligibility: Iterable[ServiceEligibility],
        authorizations: Iterable[RegionAuthorization],
        best_practices: Iterable[BestPractice],
        sizing: Iterable[SizingRule],
        sla: SlaCatalog | None = None,
        threats: ThreatCatalog | None = None,
        ml_platforms: MlPlatformCatalog | None = None,
        ai: AiCatalog | None = None,
        benchmarks: BenchmarkCatalog | None = None,
        commitments: CommitmentCatalog | None = None,
        compliance: ComplianceCatalog | None = None,
        availability: Iterable[Availability] = (),
    ) -> None:
        self._regions = {(r.provider, r.code): r for r in regions}
        self._instances = {(i.provider, i.sku): i for i in instances}
        self._instance_prices = {
            (i.provider, i.sku, p.region): p for i in self._instances.values() for p in i.prices
        }
        self._services: dict[tuple[Provider, ServiceKind, str], list[ServicePrice]] = defaultdict(list)
        services = list(services)
        for s in services:
            self._services[(s.provider, s.kind, s.region)].append(s)
        self.feasibility = Feasibility(self._instances.values(), services, availability)
        self._controls: dict[Framework, list[ComplianceControl]] = defaultdict(list)
        for c in controls:
            self._controls[c.framework].append(c)
        self._eligibility = {(e.provider, e.kind): e for e in eligibility}
        self._authorizations = {(a.provider, a.framework): a for a in authorizations}
        self._best_practices = {b.id: b for b in best_practices}
        self._sizing = {s.key: s for s in sizing}
        self.sla = sla or SlaCatalog()
        self.threats = threats or ThreatCatalog()
        self.ml_platforms = ml_platforms or MlPlatformCatalog()
        self.ai = ai or AiCatalog()
        self.benchmarks = benchmarks or BenchmarkCatalog()
        self.commitments = commitments or CommitmentCatalog()
        self.compliance = compliance or ComplianceCatalog()

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Knowledge:
        root = data_dir or packaged_data_dir()
        compliance = ComplianceCatalog.load(root)
        return cls(
            regions=_records(root / "regions.json", Region),
            instances=_records_in(root / "instances", InstanceType),
            services=_records_in(root / "services", ServicePrice),
            controls=[
                rec
                for framework in Framework
                for rec in _records(root / "compliance" / f"{framework.value}.json", ComplianceControl)
            ],
            eligibility=compliance.priced_products(),
            authorizations=_records(root / "compliance" / "region_authorizations.json", RegionAuthorization),
            best_practices=_records(root / "well_architected.json", BestPractice),
            sizing=_records(root / "sizing.json", SizingRule),
            sla=SlaCatalog.load(root),
            threats=ThreatCatalog.load(root),
            ml_platforms=MlPlatformCatalog.load(root),
            ai=AiCatalog.load(root),
            benchmarks=BenchmarkCatalog.load(root),
            commitments=CommitmentCatalog.load(root),
            compliance=compliance,
            availability=_records(root / "availability.json", Availability),
        )

    def regions(self, provider: Provider) -> list[Region]:
        return [r for (p, _), r in self._regions.items() if p == provider]

    def region(self, provider: Provider, code: str) -> Region | None:
        return self._regions.get((provider, code))

    def all_regions(self) -> list[Region]:
        return list(self._regions.values())

    def instance(self, provider: Provider, sku: str) -> InstanceType | None:
        return self._instances.get((provider, sku))

    def instance_price(self, provider: Provider, sku: str, region: str) -> RegionPrice | None:
        return self._instance_prices.get((provider, sku, region))

    def price_instance(self, provider: Provider, sku: str, region: str) -> RegionPrice | None:
        """The list price of an instance in a region, None when it is sold there without a catalog price.

        Raises NotOffered for a SKU the catalog does not know, a region the provider does not have, or a
        region where the SKU's family is not sold: pricing what cannot be bought is a caller's error.
        """
        if self.instance(provider, sku) is None:
            raise NotOffered(f"{provider.value} has no instance type {sku!r} in the catalog")
        if self.region(provider, region) is None:
            raise NotOffered(f"{provider.value} has no region {region!r} in the catalog")
        if not self.feasibility.instance_offered(provider, sku, region):
            raise NotOffered(f"{provider.value} {sku} is not sold in {region}")
        return self.instance_price(provider, sku, region)

    def instances(self, provider: Provider, category: InstanceCategory | None = None) -> list[InstanceType]:
        return [
            i
            for (p, _), i in self._instances.items()
            if p == provider and (category is None or i.category == category)
        ]

    def cheapest_instance(
        self,
        provider: Provider,
        region: str,
        category: InstanceCategory,
        *,
        min_vcpu: float = 0,
        min_memory_gib: float = 0,
        min_gpu_memory_gib: float = 0,
    ) -> InstanceOffer | None:
        """The cheapest priced instance of a category in a region that meets every minimum."""
        offers = [
            InstanceOffer(i, price)
            for i in self.instances(provider, category)
            if i.vcpu >= min_vcpu
            and i.memory_gib >= min_memory_gib
            and i.gpu_count * i.gpu_memory_gib >= min_gpu_memory_gib
            and (price := self.instance_price(provider, i.sku, region)) is not None
        ]
        return min(offers, key=lambda o: (o.price.usd_per_hour, o.instance.sku), default=None)

    def services(self, provider: Provider) -> list[ServicePrice]:
        return [s for (p, _, _), prices in self._services.items() if p == provider for s in prices]

    def service_prices(self, provider: Provider, kind: ServiceKind, region: str) -> list[ServicePrice]:
        return list(self._services.get((provider, kind, region), ()))

    def service_price(
        self, provider: Provider, kind: ServiceKind, region: str, *, min_vcpu: float = 0
    ) -> ServicePrice | None:
        """The cheapest base offer of a service kind in a region (meeting a vCPU minimum when sized): storage
        classes other than the standard one and later usage bands are priced but never the default."""
        candidates = [
            p
            for p in self.service_prices(provider, kind, region)
            if p.is_base_offer and (p.vcpu or 0) >= min_vcpu
        ]
        return min(candidates, key=lambda p: (p.usd_per_unit, p.sku), default=None)

    def controls(self, framework: Framework) -> list[ComplianceControl]:
        return list(self._controls.get(framework, ()))

    def eligibility(self, provider: Provider, kind: ServiceKind) -> ServiceEligibility | None:
        return self._eligibility.get((provider, kind))

    def capabilities_for(self, control: ComplianceControl) -> tuple[Capability, ...]:
        return control.capabilities

    def services_for(self, capability: Capability, provider: Provider) -> list[CapabilityService]:
        return self.compliance.services_for(capability, provider)

    def service_eligibility(self, provider: Provider, service: str) -> NamedServiceEligibility | None:
        """The compliance scope of a named service (its product name or an alias), priced or not."""
        return self.compliance.service_eligibility(provider, service)

    def authorization(self, provider: Provider, framework: Framework) -> RegionAuthorization | None:
        return self._authorizations.get((provider, framework))

    def best_practice(self, practice_id: str) -> BestPractice | None:
        return self._best_practices.get(practice_id)

    def sizing(self, key: str) -> SizingRule:
        return self._sizing[key]


def _records(path: Path, model: type[M]) -> list[M]:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
    try:
        return [model.model_validate(rec) for rec in raw["records"]]
    except (KeyError, TypeError, ValidationError) as exc:
        raise CatalogInvalid(f"catalog {path} does not match {model.__name__}: {exc}") from exc


def _records_in(folder: Path, model: type[M]) -> list[M]:
    return [rec for path in sorted(folder.glob("*.json")) for rec in _records(path, model)]
