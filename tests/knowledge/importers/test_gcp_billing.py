from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra_mind.errors import InputUnreadable
from infra_mind.knowledge.importers import import_file
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceCategory, InstanceType, Provider
from tests.knowledge.importers.support import AS_OF, FIXTURES, fixture

KNOWN = {
    sku: InstanceType(
        provider=Provider.GCP,
        sku=sku,
        family=family,
        category=category,
        vcpu=vcpu,
        memory_gib=memory,
        **gpu,
        prices=(),
    )
    for sku, family, category, vcpu, memory, gpu in (
        ("e2-standard-4", "e2", InstanceCategory.GENERAL, 4, 16, {}),
        ("e2-medium", "e2", InstanceCategory.BURSTABLE, 2, 4, {}),
        ("n2-standard-2", "n2", InstanceCategory.GENERAL, 2, 8, {}),
        ("g2-standard-4", "g2", InstanceCategory.GPU, 4, 16, {"gpu_model": "NVIDIA L4", "gpu_count": 1}),
    )
}
"""Machine types as Compute Engine's machine-family documentation lists them."""
CORE, RAM, COMMIT_CORE = "C6A7-8E3D-2F51", "4B19-D0F6-A83C", "9BC6-569B-85F9"


def parse(path: Path, known: dict[str, InstanceType] | None = KNOWN) -> ImportResult:
    return import_file("gcp-billing", path, AS_OF, known=known)


def listing() -> dict[str, Any]:
    return copy.deepcopy(fixture("gcp-billing.json"))


def sku(document: dict[str, Any], sku_id: str) -> dict[str, Any]:
    return next(s for s in document["skus"] if s["skuId"] == sku_id)


def e2_standard_4(result: ImportResult) -> InstanceType:
    return next(i for i in result.instances if i.sku == "e2-standard-4")


def test_machine_price_is_vcpus_times_core_rate_plus_memory_times_ram_rate() -> None:
    machine = e2_standard_4(parse(FIXTURES / "gcp-billing.json"))
    (price,) = machine.prices
    assert price.region == "europe-west2"
    assert price.usd_per_hour == 0.172608, "4 x 0.028092 + 16 x 0.003765, exactly"
    assert CORE in price.source
    assert RAM in price.source
    assert "gcp-billing.json" in price.source


def test_region_with_core_but_no_ram_rate_is_not_priced() -> None:
    machine = e2_standard_4(parse(FIXTURES / "gcp-billing.json"))
    assert "europe-west1" not in {p.region for p in machine.prices}


def test_commitment_needs_both_committed_core_and_ram_rates(write_json: Callable[[str, Any], Path]) -> None:
    assert e2_standard_4(parse(FIXTURES / "gcp-billing.json")).prices[0].commitment_1y_usd_per_hour is None
    document = listing()
    committed_ram = copy.deepcopy(sku(document, RAM))
    committed_ram["skuId"] = "committed-ram"
    committed_ram["description"] = "Commitment v1: E2 Ram in London for 1 Year"
    committed_ram["category"]["usageType"] = "Commit1Yr"
    committed_ram["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"]["nanos"] = 2372000
    document["skus"].append(committed_ram)
    price = e2_standard_4(parse(write_json("skus.json", document))).prices[0]
    assert price.commitment_1y_usd_per_hour == 0.108748, "4 x 0.017699 + 16 x 0.002372"
    assert price.commitment_3y_usd_per_hour is None


def test_spot_is_skipped_and_gpu_shared_core_and_unpriced_families_are_not_composed() -> None:
    skipped = parse(FIXTURES / "gcp-billing.json").skipped
    assert Skipped("A72E-5C40-91BD", "spot / preemptible rate not imported") in skipped
    reasons = {s.item: s.reason for s in skipped}
    assert reasons["e2-medium"].startswith("shared-core machine type")
    assert reasons["g2-standard-4"].startswith("GPU machine type")
    assert reasons["n2-standard-2"] == "no on-demand core and RAM rates for family n2"


def test_without_known_machine_types_nothing_is_composed() -> None:
    result = parse(FIXTURES / "gcp-billing.json", known=None)
    assert result.instances == ()
    assert (
        Skipped("machine types", "no known GCP machine types to price (pass known specs)") in result.skipped
    )


def test_sku_listing_several_regions_prices_each(write_json: Callable[[str, Any], Path]) -> None:
    document = listing()
    for sku_id in (CORE, RAM):
        sku(document, sku_id)["serviceRegions"] = ["europe-west2", "europe-west3"]
    machine = e2_standard_4(parse(write_json("skus.json", document)))
    assert {p.region: p.usd_per_hour for p in machine.prices} == {
        "europe-west2": 0.172608,
        "europe-west3": 0.172608,
    }


def test_first_non_zero_tier_is_the_rate(write_json: Callable[[str, Any], Path]) -> None:
    document = listing()
    expression = sku(document, CORE)["pricingInfo"][0]["pricingExpression"]
    expression["tieredRates"] = [
        {"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD", "units": "0", "nanos": 0}},
        *expression["tieredRates"],
    ]
    expression["tieredRates"][1]["startUsageAmount"] = 100
    assert e2_standard_4(parse(write_json("skus.json", document))).prices[0].usd_per_hour == 0.172608


def test_non_usd_rate_is_skipped(write_json: Callable[[str, Any], Path]) -> None:
    document = listing()
    sku(document, CORE)["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"][
        "currencyCode"
    ] = "EUR"
    result = parse(write_json("skus.json", document))
    assert Skipped(CORE, "non-USD currency EUR") in result.skipped
    assert all(i.sku != "e2-standard-4" for i in result.instances)


def test_conflicting_rates_for_one_region_are_ambiguous(write_json: Callable[[str, Any], Path]) -> None:
    document = listing()
    duplicate = copy.deepcopy(sku(document, CORE))
    duplicate["skuId"] = "duplicate-core"
    duplicate["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"]["nanos"] = 30000000
    document["skus"].append(duplicate)
    result = parse(write_json("skus.json", document))
    assert any(s.reason == "ambiguous: different e2 core rates in europe-west2" for s in result.skipped)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"skus": [{"skuId": "X"', "invalid JSON"),
        ('{"skus": "none"}', "expected SKU listing pages"),
        ("", "empty"),
    ],
)
def test_malformed_file_names_the_file_and_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "skus.json"
    path.write_text(content)
    with pytest.raises(InputUnreadable, match=rf"skus\.json .*{problem}"):
        parse(path)
