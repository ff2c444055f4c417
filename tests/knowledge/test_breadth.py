from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest

from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import Availability, Geography, InstanceCategory, Provider

REQUIRED_GEOGRAPHIES = (
    Geography.NORTH_AMERICA,
    Geography.SOUTH_AMERICA,
    Geography.EUROPE,
    Geography.APAC,
    Geography.MIDDLE_EAST,
)


def availability_records() -> list[Availability]:
    raw = json.loads((packaged_data_dir() / "availability.json").read_text(encoding="utf-8"))
    return [Availability.model_validate(record) for record in raw["records"]]


def family_regions() -> dict[tuple[Provider, str], set[str]]:
    regions: dict[tuple[Provider, str], set[str]] = defaultdict(set)
    for record in availability_records():
        if record.family is not None:
            regions[(record.provider, record.family)].update(record.regions)
    return regions


@pytest.mark.parametrize("provider", list(Provider))
def test_every_required_geography_has_regions(knowledge: Knowledge, provider: Provider) -> None:
    per_geography = Counter(region.geography for region in knowledge.regions(provider))
    for geography in REQUIRED_GEOGRAPHIES:
        assert per_geography[geography] >= 1, (provider, geography)
    assert per_geography[Geography.EUROPE] >= 8
    assert per_geography[Geography.APAC] >= 10
    assert per_geography[Geography.NORTH_AMERICA] >= 7


def test_region_codes_are_unique_per_provider(knowledge: Knowledge) -> None:
    keys = Counter((region.provider, region.code) for region in knowledge.all_regions())
    assert [key for key, count in keys.items() if count > 1] == []


def test_eu_membership_matches_the_jurisdiction(knowledge: Knowledge) -> None:
    for region in knowledge.all_regions():
        assert region.eu_member == (region.jurisdiction == "EU"), region.code
        assert region.sovereignty_notes, region.code


@pytest.mark.parametrize("provider", list(Provider))
@pytest.mark.parametrize("category", list(InstanceCategory))
def test_every_category_has_a_family_with_several_sizes(
    knowledge: Knowledge, provider: Provider, category: InstanceCategory
) -> None:
    sizes = Counter(instance.family for instance in knowledge.instances(provider, category))
    assert sizes, (provider, category)
    assert max(sizes.values()) >= 2, (provider, category, sizes)


@pytest.mark.parametrize("provider", list(Provider))
def test_gpu_instances_name_their_gpu(knowledge: Knowledge, provider: Provider) -> None:
    for instance in knowledge.instances(provider, InstanceCategory.GPU):
        assert instance.gpu_model, instance.sku
        assert instance.gpu_count >= 1, instance.sku
        assert instance.gpu_memory_gib > 0, instance.sku


def test_storage_instances_are_priced_in_several_regions(knowledge: Knowledge) -> None:
    for provider in Provider:
        storage = knowledge.instances(provider, InstanceCategory.STORAGE)
        regions = {price.region for instance in storage for price in instance.prices}
        assert len(regions) >= 3, provider


def test_every_family_has_an_availability_record(knowledge: Knowledge) -> None:
    available = family_regions()
    for provider in Provider:
        for instance in knowledge.instances(provider):
            assert (provider, instance.family) in available, (provider, instance.family)


def test_every_priced_region_is_listed_as_available(knowledge: Knowledge) -> None:
    available = family_regions()
    for provider in Provider:
        for instance in knowledge.instances(provider):
            priced = {price.region for price in instance.prices}
            assert priced <= available[(provider, instance.family)], (instance.sku, priced)


def test_available_regions_are_catalogued_regions(knowledge: Knowledge) -> None:
    for record in availability_records():
        for code in record.regions:
            assert knowledge.region(record.provider, code) is not None, (record.provider, code)


def test_availability_records_are_sorted_by_provider_and_family() -> None:
    keys = [(r.provider.value, r.family or "") for r in availability_records() if r.family is not None]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))


def test_feasibility_follows_the_availability_records(knowledge: Knowledge) -> None:
    assert knowledge.feasibility.instance_offered(Provider.AWS, "i4i.large", "eu-north-1")
    assert knowledge.feasibility.instance_offered(Provider.GCP, "z3-highmem-88", "europe-west4")
    assert knowledge.feasibility.instance_offered(Provider.AZURE, "Standard_L8s_v3", "uksouth")
    assert not knowledge.feasibility.instance_offered(Provider.AZURE, "Standard_L8s_v3", "polandcentral")


def test_estimates_state_their_method(knowledge: Knowledge) -> None:
    for provider in Provider:
        for instance in knowledge.instances(provider):
            for price in instance.prices:
                assert price.estimate is None or len(price.estimate.strip()) >= 40, (instance.sku, price)


def test_commitment_prices_are_below_on_demand(knowledge: Knowledge) -> None:
    committed = 0
    for provider in Provider:
        for instance in knowledge.instances(provider):
            for price in instance.prices:
                one, three = price.commitment_1y_usd_per_hour, price.commitment_3y_usd_per_hour
                if one is not None and three is not None:
                    committed += 1
                    assert three < one < price.usd_per_hour, (instance.sku, price.region)
    assert committed > 0


def test_new_families_have_their_own_discounts(knowledge: Knowledge) -> None:
    z3 = knowledge.commitments.commitment(Provider.GCP, "z3", InstanceCategory.STORAGE)
    assert z3 is not None
    assert z3.family == "z3"
    spot = knowledge.commitments.spot(Provider.AWS, "i4i", InstanceCategory.STORAGE)
    assert spot is not None
    assert spot.family == "i4i"


def test_a_region_price_matches_its_source_row(knowledge: Knowledge) -> None:
    price = knowledge.instance_price(Provider.AWS, "i4i.xlarge", "ap-southeast-3")
    assert price is not None
    assert price.usd_per_hour == pytest.approx(0.411)
    assert price.estimate is None
    z3 = knowledge.instance_price(Provider.GCP, "z3-highmem-88", "us-east1")
    assert z3 is not None
    assert z3.commitment_1y_usd_per_hour == pytest.approx(5978.687336 / 730, abs=1e-6)


def test_azure_general_purpose_skus_are_priced_in_at_least_30_regions(knowledge: Knowledge) -> None:
    general = knowledge.instances(Provider.AZURE, InstanceCategory.GENERAL)
    assert general
    for instance in general:
        assert len({price.region for price in instance.prices}) >= 30, instance.sku


def test_azure_region_prices_match_the_karpenter_price_table(knowledge: Knowledge) -> None:
    d2 = knowledge.instance_price(Provider.AZURE, "Standard_D2s_v5", "brazilsouth")
    assert d2 is not None
    assert d2.usd_per_hour == pytest.approx(0.153)
    assert d2.estimate is None
    a100 = knowledge.instance_price(Provider.AZURE, "Standard_NC24ads_A100_v4", "brazilsouth")
    assert a100 is not None
    assert a100.usd_per_hour == pytest.approx(7.346)
    assert knowledge.instance_price(Provider.AZURE, "Standard_NC4as_T4_v3", "francecentral") is None
