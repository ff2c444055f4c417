"""Managed-service breadth: every kind priced in every original region, storage classes and usage bands
ordered as the providers sell them, and every estimate saying how it was made."""

from __future__ import annotations

import json
import re

import pytest

from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import PriceUnit, Provider, ServiceKind, ServicePrice, StorageTier

ORIGINAL_REGIONS = {
    Provider.AWS: ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "eu-west-2", "ap-southeast-1"),
    Provider.AZURE: ("eastus", "westus2", "westeurope", "germanywestcentral", "uksouth", "southeastasia"),
    Provider.GCP: ("us-east1", "us-west1", "europe-west1", "europe-west3", "europe-west2", "asia-southeast1"),
}
CLASS_ORDER = (StorageTier.STANDARD, StorageTier.INFREQUENT, StorageTier.COLD, StorageTier.ARCHIVE)
DISK_ORDER = (StorageTier.HDD, StorageTier.GENERAL_SSD, StorageTier.PROVISIONED_IOPS)
METHOD_WORDS = (
    "recalled",
    "read",
    " x ",
    "assum",
    "set to",
    "applied",
    "derived",
    "scaled",
    "copied",
    "priced as",
)
BREADTH_KINDS = (
    ServiceKind.DOCUMENT_DATABASE,
    ServiceKind.IN_MEMORY_CACHE,
    ServiceKind.FILE_STORAGE,
    ServiceKind.SERVERLESS_CONTAINERS,
)

CELLS = [
    (p, kind, region) for p, regions in ORIGINAL_REGIONS.items() for region in regions for kind in ServiceKind
]


def _in(knowledge: Knowledge, provider: Provider, kind: ServiceKind, region: str) -> list[ServicePrice]:
    return knowledge.service_prices(provider, kind, region)


@pytest.mark.parametrize(("provider", "kind", "region"), CELLS, ids=str)
def test_every_kind_is_priced_in_every_original_region(
    knowledge: Knowledge, provider: Provider, kind: ServiceKind, region: str
) -> None:
    assert _in(knowledge, provider, kind, region), f"{provider} {kind} has no price in {region}"
    assert knowledge.feasibility.service_offered(provider, kind, region)


@pytest.mark.parametrize("provider", list(Provider))
def test_the_default_price_is_the_standard_class_and_the_first_usage_band(
    knowledge: Knowledge, provider: Provider
) -> None:
    for region in ORIGINAL_REGIONS[provider]:
        objects = knowledge.service_price(provider, ServiceKind.OBJECT_STORAGE, region)
        disks = knowledge.service_price(provider, ServiceKind.BLOCK_STORAGE, region)
        egress = knowledge.service_price(provider, ServiceKind.EGRESS, region)
        assert objects is not None
        assert objects.tier is StorageTier.STANDARD, objects
        assert disks is not None
        assert disks.tier is StorageTier.GENERAL_SSD, disks
        assert egress is not None
        assert egress.tier_start_units == 0, egress
        colder = [
            p for p in _in(knowledge, provider, ServiceKind.OBJECT_STORAGE, region) if not p.is_base_offer
        ]
        assert colder
        assert all(p.usd_per_unit < objects.usd_per_unit for p in colder)


@pytest.mark.parametrize("provider", list(Provider))
def test_colder_classes_cost_less_to_store(knowledge: Knowledge, provider: Provider) -> None:
    for region in ORIGINAL_REGIONS[provider]:
        for kind in (ServiceKind.OBJECT_STORAGE, ServiceKind.FILE_STORAGE):
            by_tier = _cheapest_by_tier(_in(knowledge, provider, kind, region))
            prices = [by_tier[t] for t in CLASS_ORDER if t in by_tier]
            assert prices == sorted(prices, reverse=True), (kind, region)
            assert len(set(prices)) == len(prices), (kind, region)
        disks = _cheapest_by_tier(_in(knowledge, provider, ServiceKind.BLOCK_STORAGE, region))
        assert [t for t in DISK_ORDER if t in disks] == list(DISK_ORDER), region
        assert disks[StorageTier.HDD] < disks[StorageTier.GENERAL_SSD] < disks[StorageTier.PROVISIONED_IOPS]


@pytest.mark.parametrize("provider", list(Provider))
def test_egress_bands_get_cheaper_with_volume(knowledge: Knowledge, provider: Provider) -> None:
    for region in ORIGINAL_REGIONS[provider]:
        bands = sorted(_in(knowledge, provider, ServiceKind.EGRESS, region), key=lambda p: p.tier_start_units)
        assert len(bands) >= 3, region
        assert len({b.tier_start_units for b in bands}) == len(bands), region
        prices = [b.usd_per_unit for b in bands]
        assert prices == sorted(prices, reverse=True), (region, prices)


@pytest.mark.parametrize("provider", list(Provider))
def test_new_kinds_are_priced_in_units_a_plan_can_multiply(knowledge: Knowledge, provider: Provider) -> None:
    for region in ORIGINAL_REGIONS[provider]:
        containers = _in(knowledge, provider, ServiceKind.SERVERLESS_CONTAINERS, region)
        assert {(p.vcpu, p.memory_gib) for p in containers} == {(1, None), (None, 1)}, region
        assert all(p.unit is PriceUnit.HOUR for p in containers)
        caches = _in(knowledge, provider, ServiceKind.IN_MEMORY_CACHE, region)
        assert all(p.unit is PriceUnit.HOUR and p.memory_gib for p in caches), region
        documents = _in(knowledge, provider, ServiceKind.DOCUMENT_DATABASE, region)
        assert all(p.unit is PriceUnit.MILLION_REQUESTS for p in documents), region
        files = _in(knowledge, provider, ServiceKind.FILE_STORAGE, region)
        assert all(p.unit is PriceUnit.GB_MONTH and p.tier is not None for p in files), region


def test_a_document_store_keeps_its_storage_price_apart_from_relational_storage(knowledge: Knowledge) -> None:
    for provider, regions in ORIGINAL_REGIONS.items():
        for region in regions:
            services = {p.service for p in _in(knowledge, provider, ServiceKind.DOCUMENT_DATABASE, region)}
            stored = {p.service for p in _in(knowledge, provider, ServiceKind.DATABASE_STORAGE, region)}
            if provider is not Provider.GCP:
                assert services <= stored, (provider, region)


def test_every_service_estimate_states_its_method(knowledge: Knowledge) -> None:
    estimates = [p for provider in Provider for p in knowledge.services(provider) if p.estimate]
    assert estimates
    for price in estimates:
        assert len(price.estimate or "") >= 40, price
    for price in estimates:
        if price.kind in BREADTH_KINDS or price.tier is not None or price.tier_start_units:
            assert any(word in (price.estimate or "") for word in METHOD_WORDS), price


def test_read_prices_cite_a_dated_source(knowledge: Knowledge) -> None:
    for provider in Provider:
        for price in knowledge.services(provider):
            if price.kind in BREADTH_KINDS and price.estimate is None:
                assert "read from" in price.source, price


def test_every_kind_has_an_availability_record_covering_its_priced_regions(knowledge: Knowledge) -> None:
    raw = json.loads((packaged_data_dir() / "availability.json").read_text(encoding="utf-8"))["records"]
    listed = {(r["provider"], r["kind"]): set(r["regions"]) for r in raw if r.get("kind")}
    for provider in Provider:
        for kind in ServiceKind:
            regions = listed.get((provider.value, kind.value))
            assert regions, (provider, kind)
            priced = {p.region for p in knowledge.services(provider) if p.kind is kind}
            assert priced <= regions, (provider, kind, priced - regions)
            assert regions <= {r.code for r in knowledge.regions(provider)} | priced, (provider, kind)


def test_sources_that_price_many_regions_widen_the_new_kinds(knowledge: Knowledge) -> None:
    def regions(provider: Provider, sku: str) -> set[str]:
        return {p.region for p in knowledge.services(provider) if p.sku == sku and p.estimate is None}

    assert len(regions(Provider.AWS, "fargate-vcpu-hour")) >= 20
    assert len(regions(Provider.AWS, "cache.r7g.large")) >= 20
    assert len(regions(Provider.AZURE, "aca-vcpu-hour")) >= 20
    assert len(regions(Provider.AZURE, "redis-standard-c1")) >= 20


def test_the_default_offer_ignores_colder_classes_and_later_bands() -> None:
    common = {"provider": "aws", "service": "Amazon S3", "region": "us-east-1", "source": "test fixture"}
    standard = ServicePrice.model_validate(
        common
        | {
            "kind": "object_storage",
            "sku": "std",
            "unit": "gb_month",
            "usd_per_unit": 0.023,
            "as_of": "2026-01-01",
        }
    )
    archive = standard.model_copy(update={"sku": "deep", "usd_per_unit": 0.001, "tier": StorageTier.ARCHIVE})
    band = standard.model_copy(update={"sku": "next", "usd_per_unit": 0.022, "tier_start_units": 51200})
    knowledge = Knowledge(
        regions=(),
        instances=(),
        services=(standard, archive, band),
        controls=(),
        eligibility=(),
        authorizations=(),
        best_practices=(),
        sizing=(),
    )
    assert knowledge.service_price(Provider.AWS, ServiceKind.OBJECT_STORAGE, "us-east-1") == standard
    assert [p.is_base_offer for p in (standard, archive, band)] == [True, False, False]


def _cheapest_by_tier(prices: list[ServicePrice]) -> dict[StorageTier, float]:
    by_tier: dict[StorageTier, float] = {}
    for price in prices:
        if price.tier is not None and price.tier_start_units == 0:
            by_tier[price.tier] = min(by_tier.get(price.tier, price.usd_per_unit), price.usd_per_unit)
    return by_tier


WIDENED = [
    (Provider.AWS, ServiceKind.OBJECT_STORAGE, 23),
    (Provider.AWS, ServiceKind.LOAD_BALANCER, 23),
    (Provider.AWS, ServiceKind.NAT_GATEWAY, 23),
    (Provider.AWS, ServiceKind.DATABASE_STORAGE, 23),
    (Provider.AWS, ServiceKind.SERVERLESS_REQUESTS, 23),
    (Provider.GCP, ServiceKind.OBJECT_STORAGE, 42),
    (Provider.GCP, ServiceKind.BLOCK_STORAGE, 42),
    (Provider.GCP, ServiceKind.NAT_GATEWAY, 42),
    (Provider.GCP, ServiceKind.NAT_DATA, 42),
    (Provider.GCP, ServiceKind.EGRESS, 39),
    (Provider.GCP, ServiceKind.KUBERNETES_CONTROL_PLANE, 42),
    (Provider.AZURE, ServiceKind.OBJECT_STORAGE, 25),
    (Provider.AZURE, ServiceKind.EGRESS, 24),
    (Provider.AZURE, ServiceKind.DATABASE_STORAGE, 25),
    (Provider.AZURE, ServiceKind.SERVERLESS_REQUESTS, 25),
]
PINNED_SOURCE = re.compile(r"/blob/[0-9a-f]{40}/|stored copy")


def _read_regions(knowledge: Knowledge, provider: Provider, kind: ServiceKind) -> set[str]:
    return {p.region for p in knowledge.services(provider) if p.kind is kind and p.estimate is None}


@pytest.mark.parametrize(("provider", "kind", "regions"), WIDENED, ids=str)
def test_everyday_kinds_are_read_in_every_region_the_sources_price(
    knowledge: Knowledge, provider: Provider, kind: ServiceKind, regions: int
) -> None:
    read = _read_regions(knowledge, provider, kind)
    assert len(read) >= regions, (provider, kind, len(read))
    for region in read:
        default = knowledge.service_price(provider, kind, region)
        assert default is not None, region
        assert knowledge.feasibility.service_offered(provider, kind, region), region


def test_widened_prices_name_the_pinned_source_they_were_read_from(knowledge: Knowledge) -> None:
    for provider, originals in ORIGINAL_REGIONS.items():
        widened = [
            p for p in knowledge.services(provider) if p.region not in originals and p.estimate is None
        ]
        assert widened
        for price in widened:
            assert PINNED_SOURCE.search(price.source), price


@pytest.mark.parametrize("provider", [Provider.AWS, Provider.GCP])
def test_widened_regions_keep_the_default_offer_and_the_order_of_classes_and_bands(
    knowledge: Knowledge, provider: Provider
) -> None:
    objects = {p.region for p in knowledge.services(provider) if p.kind is ServiceKind.OBJECT_STORAGE}
    for region in objects:
        default = knowledge.service_price(provider, ServiceKind.OBJECT_STORAGE, region)
        assert default is not None, region
        assert default.tier is StorageTier.STANDARD, region
        by_tier = _cheapest_by_tier(_in(knowledge, provider, ServiceKind.OBJECT_STORAGE, region))
        prices = [by_tier[t] for t in CLASS_ORDER if t in by_tier]
        assert prices == sorted(prices, reverse=True), region
        assert len(set(prices)) == len(prices), region
    disks = {p.region for p in knowledge.services(provider) if p.kind is ServiceKind.BLOCK_STORAGE}
    for region in disks:
        default = knowledge.service_price(provider, ServiceKind.BLOCK_STORAGE, region)
        assert default is not None, region
        assert default.tier is StorageTier.GENERAL_SSD, region
        by_tier = _cheapest_by_tier(_in(knowledge, provider, ServiceKind.BLOCK_STORAGE, region))
        prices = [by_tier[t] for t in DISK_ORDER if t in by_tier]
        assert prices == sorted(prices), region
        assert len(set(prices)) == len(prices), region
    egress = {p.region for p in knowledge.services(provider) if p.kind is ServiceKind.EGRESS}
    for region in egress:
        bands = sorted(_in(knowledge, provider, ServiceKind.EGRESS, region), key=lambda p: p.tier_start_units)
        assert bands[0].tier_start_units == 0, region
        prices = [b.usd_per_unit for b in bands]
        assert prices == sorted(prices, reverse=True), (region, prices)


@pytest.mark.parametrize(
    ("provider", "sku", "region", "usd"),
    [
        (Provider.AWS, "s3-standard-first-50tb", "sa-east-1", 0.0405),
        (Provider.AWS, "alb-hour", "me-central-1", 0.028224),
        (Provider.AWS, "nat-gateway-hour", "ap-northeast-1", 0.062),
        (Provider.AWS, "rds-gp2-storage", "eu-central-2", 0.1507),
        (Provider.AWS, "lambda-requests", "af-south-1", 0.27),
        (Provider.GCP, "gcs-standard-regional", "southamerica-east1", 0.035),
        (Provider.GCP, "pd-balanced", "europe-west10", 0.154),
        (Provider.GCP, "hyperdisk-extreme-capacity", "asia-south1", 0.13),
        (Provider.GCP, "internet-egress-premium-0-1tib", "me-central2", 0.19),
        (Provider.GCP, "gcs-archive-regional", "northamerica-south1", 0.0027),
        (Provider.AZURE, "blob-hot-lrs-first-50tb", "brazilsouth", 0.0326),
        (Provider.AZURE, "internet-egress-first-10tb", "uaenorth", 0.181),
        (Provider.AZURE, "pg-flexible-server-storage", "switzerlandnorth", 0.15059),
    ],
)
def test_widened_figures_match_the_provider_data(
    knowledge: Knowledge, provider: Provider, sku: str, region: str, usd: float
) -> None:
    [price] = [p for p in knowledge.services(provider) if p.sku == sku and p.region == region]
    assert price.usd_per_unit == pytest.approx(usd)
    assert price.estimate is None


def test_a_dataset_whose_egress_bands_rise_with_volume_is_left_unpriced(knowledge: Knowledge) -> None:
    # the GCP dataset prices the 1-10 TiB band above the first one in Tokyo, Osaka and Seoul
    for region in ("asia-northeast1", "asia-northeast2", "asia-northeast3"):
        assert not _in(knowledge, Provider.GCP, ServiceKind.EGRESS, region)
        assert _in(knowledge, Provider.GCP, ServiceKind.OBJECT_STORAGE, region)
