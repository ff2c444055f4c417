"""Which instance families and managed services are sold in which region.

A SKU is offered in a region when the catalog prices it there or an availability record of its family
(or service kind) lists the region. Anything else counts as not offered: the catalog never assumes that
a product exists where no source says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from infra_mind.knowledge.models import Availability, InstanceType, Provider, ServiceKind, ServicePrice


class Feasibility:
    def __init__(
        self,
        instances: Iterable[InstanceType],
        services: Iterable[ServicePrice],
        availability: Iterable[Availability],
    ) -> None:
        family_regions: dict[tuple[Provider, str], set[str]] = defaultdict(set)
        kind_regions: dict[tuple[Provider, ServiceKind], set[str]] = defaultdict(set)
        self._family: dict[tuple[Provider, str], str] = {}
        self._service_skus: dict[tuple[Provider, str], set[str]] = defaultdict(set)
        for instance in instances:
            self._family[(instance.provider, instance.sku)] = instance.family
            family_regions[(instance.provider, instance.family)].update(p.region for p in instance.prices)
        for service in services:
            kind_regions[(service.provider, service.kind)].add(service.region)
            self._service_skus[(service.provider, service.sku)].add(service.region)
        for record in availability:
            if record.family is not None:
                family_regions[(record.provider, record.family)].update(record.regions)
            elif record.kind is not None:
                kind_regions[(record.provider, record.kind)].update(record.regions)
        self._family_regions = {key: frozenset(regions) for key, regions in family_regions.items()}
        self._kind_regions = {key: frozenset(regions) for key, regions in kind_regions.items()}

    def instance_family(self, provider: Provider, sku: str) -> str | None:
        return self._family.get((provider, sku))

    def instance_regions(self, provider: Provider, sku: str) -> frozenset[str]:
        family = self._family.get((provider, sku))
        return self._family_regions.get((provider, family), frozenset()) if family else frozenset()

    def instance_offered(self, provider: Provider, sku: str, region: str) -> bool:
        return region in self.instance_regions(provider, sku)

    def service_regions(self, provider: Provider, kind: ServiceKind) -> frozenset[str]:
        return self._kind_regions.get((provider, kind), frozenset())

    def service_offered(self, provider: Provider, kind: ServiceKind, region: str) -> bool:
        return region in self.service_regions(provider, kind)

    def service_sku_regions(self, provider: Provider, sku: str) -> frozenset[str]:
        """Regions where a service SKU has a catalog price (service SKUs have no family to go by)."""
        return frozenset(self._service_skus.get((provider, sku), ()))
