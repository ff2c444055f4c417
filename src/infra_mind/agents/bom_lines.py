"""The line-accumulating half of the bill of materials: priced lines and missing prices of one quote."""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.products import PRODUCTS
from infra_mind.domain.pricing import BomLine, MissingPrice, ScalesWith, Site
from infra_mind.knowledge.catalog import InstanceOffer, Knowledge
from infra_mind.knowledge.models import InstanceCategory, Provider, ServiceKind, ServicePrice, Sourced

BURSTABLE_MAX_SHARE = 0.5
"""A burstable fleet is only chosen when the peak needs at most this share of its vCPUs at the minimum
count: burstable instances run below their full vCPU most of the time and throttle beyond their credits."""


OfferCache = dict[tuple[Provider, str, InstanceCategory], list[InstanceOffer]]
"""Priced instances by provider, region and category, kept by one BomBuilder across its quotes."""


@dataclass(frozen=True)
class Fleet:
    offer: InstanceOffer
    count: int


class Job:
    """Accumulates the lines and missing prices of one quote (one provider, one region, one site)."""

    def __init__(
        self,
        knowledge: Knowledge,
        provider: Provider,
        region: str,
        hours: float,
        site: Site = Site.PRIMARY,
        offers: OfferCache | None = None,
        alternatives: tuple[str, ...] = (),
    ) -> None:
        self._k = knowledge
        self.provider = provider
        self.region = region
        self.hours = hours
        self.site = site
        self.lines: list[BomLine] = []
        self.missing: list[MissingPrice] = []
        self._offers = offers if offers is not None else {}
        self.alternatives = tuple(r for r in alternatives if r != region)
        """Other regions the residency rules allow, nearest first: where to go for what is not sold here."""

    def key(self, workload: str | None, role: str) -> str:
        """The component's identity across providers: the same workload and role in every quote."""
        base = f"{workload or 'shared'}:{role}"
        return base if self.site is Site.PRIMARY else f"dr:{base}"

    def component(self, name: str) -> str:
        return name if self.site is Site.PRIMARY else f"DR: {name}"

    def cheapest(self, category: InstanceCategory, *, min_vcpu: float = 0) -> InstanceOffer | None:
        """The cheapest priced instance of the category with at least `min_vcpu`."""
        fits = [o for o in self.offers(category) if o.instance.vcpu >= min_vcpu]
        return min(fits, key=lambda o: (o.price.usd_per_hour, o.instance.sku), default=None)

    def offers(self, category: InstanceCategory, region: str | None = None) -> list[InstanceOffer]:
        """Every instance of the category with a price in the region (the quote's by default)."""
        region = region or self.region
        key = (self.provider, region, category)
        if key not in self._offers:
            self._offers[key] = [
                InstanceOffer(instance, price)
                for instance in self._k.instances(self.provider, category)
                if (price := self._k.instance_price(self.provider, instance.sku, region)) is not None
            ]
        return self._offers[key]

    def gpu_offers(self) -> list[InstanceOffer]:
        """GPU instances priced in the quote's region or, when it sells none, in the nearest allowed
        region that does: GPU families are sold in fewer regions than anything else."""
        for region in (self.region, *self.alternatives):
            offers = [o for o in self.offers(InstanceCategory.GPU, region) if o.instance.gpu_count]
            if offers:
                return offers
        return []

    def moved_note(self, offer: InstanceOffer) -> str:
        """Why a line is priced outside the quote's region, or nothing when it is not."""
        if offer.price.region == self.region:
            return ""
        return (
            f"no GPU instance is priced in {self.region}, so it runs in {offer.price.region}, the nearest "
            "region the residency rules allow that sells one (expect inter-region latency and transfer); "
        )

    def fleet(
        self, category: InstanceCategory, vcpu: float, memory: float, min_count: int, *, allow_burstable: bool
    ) -> Fleet | None:
        """The cheapest fleet that carries the peak: fewest dollars, then most instances, then SKU."""
        categories = [category, InstanceCategory.BURSTABLE] if allow_burstable else [category]
        fleets = []
        for cat in categories:
            for offer in self.offers(cat):
                instance = offer.instance
                if (
                    cat is InstanceCategory.BURSTABLE
                    and vcpu > instance.vcpu * min_count * BURSTABLE_MAX_SHARE
                ):
                    continue
                count = max(
                    min_count, math.ceil(vcpu / instance.vcpu), math.ceil(memory / instance.memory_gib)
                )
                fleets.append((count * offer.price.usd_per_hour, -count, instance.sku, Fleet(offer, count)))
        return min(fleets, key=lambda f: f[:3])[3] if fleets else None

    def instance_line(
        self,
        component: str,
        workload: str | None,
        fleet: Fleet,
        hours: float,
        assumption: str,
        *,
        role: str = "compute",
        per_hour: bool = False,
        scales_with: ScalesWith = ScalesWith.USERS,
    ) -> None:
        """`hours` per instance (× the fleet's count), or instance-hours in total when `per_hour`."""
        price = fleet.offer.price
        quantity = hours if per_hour else fleet.count * hours
        self._add(
            component,
            workload,
            PRODUCTS[self.provider].compute,
            "compute",
            fleet.offer.instance.sku,
            quantity,
            "instance-hour",
            price.usd_per_hour,
            quantity,
            price,
            assumption,
            scales_with,
            role,
            region=price.region,
        )

    def service_line(
        self,
        component: str,
        workload: str | None,
        record: ServicePrice,
        quantity: float,
        assumption: str,
        scales_with: ScalesWith,
        *,
        role: str,
    ) -> None:
        billable = max(0.0, quantity - record.free_units_per_month)
        if record.free_units_per_month:
            assumption += f"; first {record.free_units_per_month:g} {record.unit.value} free each month"
        self._add(
            component,
            workload,
            record.service,
            record.kind.value,
            record.sku,
            quantity,
            record.unit.value,
            record.usd_per_unit,
            billable,
            record,
            assumption,
            scales_with,
            role,
        )

    def _add(
        self,
        component: str,
        workload: str | None,
        service: str,
        kind: str,
        sku: str,
        quantity: float,
        unit: str,
        unit_price: float,
        billable: float,
        price: Sourced,
        assumption: str,
        scales_with: ScalesWith,
        role: str,
        *,
        region: str | None = None,
    ) -> None:
        self.lines.append(
            BomLine(
                component=self.component(component),
                workload=workload,
                provider=self.provider.value,
                service=service,
                kind=kind,
                sku=sku,
                region=region or self.region,
                quantity=round(quantity, 2),
                unit=unit,
                unit_price_usd=unit_price,
                monthly_usd=round(billable * unit_price, 2),
                source=price.source,
                as_of=price.as_of,
                estimate=price.estimate,
                assumption=assumption,
                scales_with=scales_with,
                key=self.key(workload, role),
                site=self.site,
            )
        )

    def service_kind_line(
        self,
        kind: ServiceKind,
        component: str,
        quantity: float,
        assumption: str,
        scales_with: ScalesWith,
        *,
        unit: str,
    ) -> None:
        """A shared line priced at the region's cheapest record of the kind; missing when there is none."""
        record = self._k.service_price(self.provider, kind, self.region)
        if record is None:
            self.missing_service(kind, None, quantity=quantity, unit=unit)
            return
        self.service_line(component, None, record, quantity, assumption, scales_with, role=kind.value)

    def missing_service(
        self,
        kind: ServiceKind,
        workload: str | None,
        *,
        role: str | None = None,
        quantity: float | None = None,
        unit: str | None = None,
    ) -> None:
        self.unpriced(
            kind.value.replace("_", " "),
            workload,
            role=role or kind.value,
            sku=kind.value,
            reason=f"no {kind.value} price for {self.provider.value} in {self.region}",
            quantity=quantity,
            unit=unit,
        )

    def no_instance(
        self,
        workload: str,
        category: InstanceCategory,
        detail: str = "",
        *,
        quantity: float | None = None,
        unit: str | None = None,
    ) -> None:
        self.unpriced(
            f"{category.value} instances",
            workload,
            role="compute",
            sku=category.value,
            reason=f"no priced {category.value} instance {detail} in {self.region}".replace("  ", " "),
            quantity=quantity,
            unit=unit,
        )

    def unpriced(
        self,
        component: str,
        workload: str | None,
        *,
        role: str,
        sku: str,
        reason: str,
        quantity: float | None = None,
        unit: str | None = None,
    ) -> None:
        """A part of the design the catalog has no price for: listed, never counted as $0."""
        self.missing.append(
            MissingPrice(
                component=self.component(component),
                workload=workload,
                provider=self.provider.value,
                sku=sku,
                region=self.region,
                reason=reason,
                quantity=None if quantity is None else round(quantity, 2),
                unit=unit,
                key=self.key(workload, role),
                site=self.site,
            )
        )
