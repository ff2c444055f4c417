from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra_mind.errors import InputUnreadable
from infra_mind.knowledge.importers import import_file
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceCategory
from tests.knowledge.importers.support import AS_OF, FIXTURES, fixture

M5_US_EAST_1 = "6C86BEPQVG73ZGGR"


def parse(path: Path) -> ImportResult:
    return import_file("aws-offer", path, AS_OF)


def test_keeps_linux_shared_instances_with_on_demand_and_no_upfront_standard_reserved_rates() -> None:
    result = parse(FIXTURES / "aws-offer.json")
    (m5,) = result.instances
    assert (m5.sku, m5.family, m5.category, m5.vcpu, m5.memory_gib) == (
        "m5.large",
        "m5",
        InstanceCategory.GENERAL,
        2,
        8,
    )
    (price,) = m5.prices
    assert (price.region, price.usd_per_hour) == ("us-east-1", 0.096)
    assert (price.commitment_1y_usd_per_hour, price.commitment_3y_usd_per_hour) == (0.06, 0.041)
    assert "AmazonEC2" in price.source
    assert "2023-03-22" in price.source
    assert "aws-offer.json" in price.source
    assert price.as_of == AS_OF


def test_windows_storage_and_unpriced_regions_are_left_out() -> None:
    (m5,) = parse(FIXTURES / "aws-offer.json").instances
    assert [p.region for p in m5.prices] == ["us-east-1"], "us-east-2 has no on-demand term in the file"


def test_product_without_region_code_is_skipped() -> None:
    skipped = parse(FIXTURES / "aws-offer.json").skipped
    assert skipped == (
        Skipped("4C7N4APU9GEUZ6H6", "c4.large: no regionCode (offer files before 2020 name only a location)"),
    )


def test_upfront_fee_is_spread_over_the_term_when_no_no_upfront_option_is_sold(
    write_json: Callable[[str, Any], Path],
) -> None:
    offer = fixture("aws-offer.json")
    reserved = offer["terms"]["Reserved"][M5_US_EAST_1]
    del reserved[f"{M5_US_EAST_1}.4NA7Y494T4"]
    partial = reserved[f"{M5_US_EAST_1}.HU7G6KETJZ"]
    partial["termAttributes"]["PurchaseOption"] = "No Upfront"
    (m5,) = parse(write_json("offer.json", offer)).instances
    assert m5.prices[0].commitment_1y_usd_per_hour == pytest.approx(0.029 + 252 / 8760)


def test_non_usd_price_is_skipped_with_its_currency(write_json: Callable[[str, Any], Path]) -> None:
    offer = fixture("aws-offer.json")
    (on_demand,) = offer["terms"]["OnDemand"][M5_US_EAST_1].values()
    (dimension,) = on_demand["priceDimensions"].values()
    dimension["pricePerUnit"] = {"CNY": "0.6600000000"}
    result = parse(write_json("offer.json", offer))
    assert result.instances == ()
    assert Skipped(M5_US_EAST_1, "non-USD currency CNY") in result.skipped
    assert Skipped("m5.large", "no price in any region") in result.skipped


def test_zero_on_demand_price_is_no_price(write_json: Callable[[str, Any], Path]) -> None:
    offer = fixture("aws-offer.json")
    (on_demand,) = offer["terms"]["OnDemand"][M5_US_EAST_1].values()
    (dimension,) = on_demand["priceDimensions"].values()
    dimension["pricePerUnit"]["USD"] = "0.0000000000"
    assert parse(write_json("offer.json", offer)).instances == ()


def test_gpu_count_and_per_gpu_memory_are_read(write_json: Callable[[str, Any], Path]) -> None:
    offer = fixture("aws-offer.json")
    attributes = offer["products"][M5_US_EAST_1]["attributes"]
    attributes.update(
        instanceType="p4d.24xlarge", vcpu="96", memory="1152 GiB", gpu="8", gpuMemory="320 GB HBM2"
    )
    (p4d,) = parse(write_json("offer.json", offer)).instances
    assert (p4d.category, p4d.gpu_count, p4d.gpu_memory_gib, p4d.gpu_model) == (
        InstanceCategory.GPU,
        8,
        40,
        None,
    )


def test_unknown_family_is_skipped(write_json: Callable[[str, Any], Path]) -> None:
    offer = fixture("aws-offer.json")
    offer["products"][M5_US_EAST_1]["attributes"]["instanceType"] = "mac1.metal"
    assert Skipped("mac1.metal", "unknown family mac1") in parse(write_json("offer.json", offer)).skipped


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"formatVersion": "v1.0", "offerCode": "AmazonEC2", "products": {"X": {', "invalid JSON"),
        ('{"formatVersion": "v1.0", "products": {}}', "no offerCode"),
        ('{"offerCode": "AmazonEC2", "products": {}}', "no products"),
    ],
)
def test_malformed_file_names_the_file_and_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "index.json"
    path.write_text(content)
    with pytest.raises(InputUnreadable, match=rf"index\.json .*{problem}"):
        parse(path)


def _write_large_offer(path: Path, skus: int) -> None:
    """An offer file built from the fixture's real records, repeated under new SKUs and regions: nine in ten
    are the Windows BYOL variant the importer ignores, as most products of the real file are."""
    offer = fixture("aws-offer.json")
    linux = offer["products"][M5_US_EAST_1]
    windows = offer["products"]["9ZEEN7WWWQKAG292"]
    on_demand = offer["terms"]["OnDemand"][M5_US_EAST_1]
    reserved = offer["terms"]["Reserved"][M5_US_EAST_1]
    regions = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")
    names = [f"{M5_US_EAST_1[:8]}{n:08d}" for n in range(skus)]

    def renamed(terms: dict[str, Any], sku: str) -> str:
        return json.dumps(terms).replace(M5_US_EAST_1, sku)

    with path.open("w") as out:
        out.write(
            '{"formatVersion": "v1.0", "offerCode": "AmazonEC2", "publicationDate": "2023-03-22T14:56:51Z",'
        )
        out.write('"products": {')
        for n, sku in enumerate(names):
            product = copy.deepcopy(linux if n % 10 == 0 else windows)
            product["sku"] = sku
            product["attributes"]["regionCode"] = regions[(n // 10) % len(regions)]
            out.write(("," if n else "") + json.dumps(sku) + ":" + json.dumps(product))
        out.write('}, "terms": {"OnDemand": {')
        out.write(",".join(json.dumps(sku) + ":" + renamed(on_demand, sku) for sku in names))
        out.write('}, "Reserved": {')
        out.write(",".join(json.dumps(sku) + ":" + renamed(reserved, sku) for sku in names))
        out.write("}}}")


MEASURE_IN_A_FRESH_PROCESS = """
import resource, sys
from datetime import date
from pathlib import Path
from infra_mind.knowledge.importers import import_file
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = import_file("aws-offer", Path(sys.argv[1]), date(2026, 11, 29))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(result.instances[0].prices), (after - before) * 1024)
"""


@pytest.mark.slow
def test_large_offer_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """Peak resident memory of a process parsing a ~50 MB offer grows by a small fraction of the file
    (reading it whole would take several times its size). Measured in its own process so that the peak
    is this parse's, and with rusage rather than tracemalloc, which slows ijson's many allocations ~7x."""
    path = tmp_path / "index.json"
    _write_large_offer(path, skus=10_500)
    size = path.stat().st_size
    assert size > 45_000_000
    run = subprocess.run(
        [sys.executable, "-c", MEASURE_IN_A_FRESH_PROCESS, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    regions, growth = (int(n) for n in run.stdout.strip().splitlines()[-1].split())
    assert regions == 6
    assert growth < size / 10, (
        f"resident memory grew {growth / 1e6:.1f} MB reading a {size / 1e6:.0f} MB file"
    )
