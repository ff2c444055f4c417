"""How broad and how firm the catalog is, per provider: what `infra-mind catalog stats` prints and what
docs/KNOWLEDGE.md quotes. Read prices and estimates are counted apart, so breadth is never mistaken for
certainty."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Geography, InstanceCategory, Provider, ServiceKind


@dataclass(frozen=True)
class PriceCount:
    read: int
    estimated: int

    @property
    def total(self) -> int:
        return self.read + self.estimated


@dataclass(frozen=True)
class KindCoverage:
    kind: ServiceKind
    priced_regions: int
    offered_regions: int
    prices: PriceCount


@dataclass(frozen=True)
class ProviderCoverage:
    provider: Provider
    regions_by_geography: dict[Geography, int]
    regions_with_instance_prices: int
    families_by_category: dict[InstanceCategory, int]
    skus_by_category: dict[InstanceCategory, int]
    instance_prices: PriceCount
    commitment_prices: int
    services: list[KindCoverage]
    oldest_as_of: date | None
    newest_as_of: date | None


def coverage(knowledge: Knowledge) -> list[ProviderCoverage]:
    return [_provider(knowledge, p) for p in Provider]


def _provider(knowledge: Knowledge, provider: Provider) -> ProviderCoverage:
    regions = knowledge.regions(provider)
    instances = knowledge.instances(provider)
    prices = [p for i in instances for p in i.prices]
    services = knowledge.services(provider)
    dates = [p.as_of for p in prices] + [s.as_of for s in services]
    return ProviderCoverage(
        provider=provider,
        regions_by_geography=dict(Counter(r.geography for r in regions)),
        regions_with_instance_prices=len({p.region for p in prices}),
        families_by_category={
            c: len({i.family for i in instances if i.category is c}) for c in InstanceCategory
        },
        skus_by_category=dict(Counter(i.category for i in instances)),
        instance_prices=PriceCount(
            read=sum(p.estimate is None for p in prices),
            estimated=sum(p.estimate is not None for p in prices),
        ),
        commitment_prices=sum(p.commitment_1y_usd_per_hour is not None for p in prices),
        services=[
            KindCoverage(
                kind=kind,
                priced_regions=len({s.region for s in services if s.kind is kind}),
                offered_regions=len(knowledge.feasibility.service_regions(provider, kind)),
                prices=PriceCount(
                    read=sum(s.kind is kind and s.estimate is None for s in services),
                    estimated=sum(s.kind is kind and s.estimate is not None for s in services),
                ),
            )
            for kind in ServiceKind
        ],
        oldest_as_of=min(dates, default=None),
        newest_as_of=max(dates, default=None),
    )
