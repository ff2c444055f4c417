from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from infra_mind.domain.enums import Framework
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import InstanceCategory, Provider, ServiceKind

REQUIRED_REGIONS = {
    Provider.AWS: {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"},
    Provider.AZURE: {"eastus", "westus2", "westeurope", "germanywestcentral", "southeastasia"},
    Provider.GCP: {"us-east1", "us-west1", "europe-west1", "europe-west3", "asia-southeast1"},
}
V1_SERVICES = {
    ServiceKind.KUBERNETES_CONTROL_PLANE,
    ServiceKind.MANAGED_POSTGRESQL,
    ServiceKind.MANAGED_MYSQL,
    ServiceKind.OBJECT_STORAGE,
    ServiceKind.BLOCK_STORAGE,
    ServiceKind.LOAD_BALANCER,
    ServiceKind.NAT_GATEWAY,
    ServiceKind.CDN,
    ServiceKind.EGRESS,
    ServiceKind.SERVERLESS_REQUESTS,
    ServiceKind.SERVERLESS_COMPUTE,
}


def every_record() -> list[dict[str, object]]:
    records = []
    for path in packaged_data_dir().rglob("*.json"):
        for record in json.loads(path.read_text())["records"]:
            records.extend(record.get("prices", [record]))
    return records


def test_every_record_has_a_source_and_an_as_of_date() -> None:
    records = every_record()
    assert len(records) > 500
    for record in records:
        assert str(record["source"]).strip(), record
        assert record["as_of"], record


@pytest.mark.parametrize("provider", list(Provider))
def test_regions_and_families_are_covered(knowledge: Knowledge, provider: Provider) -> None:
    codes = {r.code for r in knowledge.regions(provider)}
    assert REQUIRED_REGIONS[provider] <= codes
    for category in InstanceCategory:
        assert knowledge.instances(provider, category), f"{provider} has no {category} instances"
    for region in REQUIRED_REGIONS[provider]:
        for kind in V1_SERVICES:
            assert knowledge.service_price(provider, kind, region) is not None, (provider, kind, region)
        assert knowledge.cheapest_instance(provider, region, InstanceCategory.GENERAL) is not None


def test_missing_price_is_none_never_zero(knowledge: Knowledge) -> None:
    assert knowledge.instance_price(Provider.AWS, "m6i.large", "mars-1") is None
    assert knowledge.instance_price(Provider.AWS, "no-such-sku", "us-east-1") is None
    assert knowledge.service_price(Provider.GCP, ServiceKind.CDN, "nowhere") is None
    prices = [p.usd_per_hour for i in knowledge.instances(Provider.AWS) for p in i.prices]
    assert min(prices) > 0


def test_cheapest_instance_meets_every_minimum(knowledge: Knowledge) -> None:
    offer = knowledge.cheapest_instance(
        Provider.AWS, "us-east-1", InstanceCategory.GENERAL, min_vcpu=8, min_memory_gib=32
    )
    assert offer is not None
    assert offer.instance.vcpu >= 8
    assert offer.instance.memory_gib >= 32
    cheaper = [
        i
        for i in knowledge.instances(Provider.AWS, InstanceCategory.GENERAL)
        if i.vcpu >= 8
        and (p := knowledge.instance_price(Provider.AWS, i.sku, "us-east-1"))
        and p.usd_per_hour < offer.price.usd_per_hour
    ]
    assert cheaper == []


def test_gpu_minimum_uses_total_gpu_memory(knowledge: Knowledge) -> None:
    offer = knowledge.cheapest_instance(
        Provider.AWS, "us-east-1", InstanceCategory.GPU, min_gpu_memory_gib=60
    )
    assert offer is not None
    assert offer.instance.gpu_count * offer.instance.gpu_memory_gib >= 60


def test_every_framework_has_controls_with_official_ids(knowledge: Knowledge) -> None:
    for framework in Framework:
        controls = knowledge.controls(framework)
        assert len(controls) >= 10, framework
        ids = [c.control_id for c in controls]
        assert len(ids) == len(set(ids)), framework


def test_a_broken_catalog_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(packaged_data_dir(), data)
    regions = data / "regions.json"
    broken = json.loads(regions.read_text())
    broken["records"][0]["source"] = ""
    regions.write_text(json.dumps(broken))
    with pytest.raises(CatalogInvalid, match=r"regions\.json"):
        Knowledge.load(data)
