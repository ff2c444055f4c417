from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra_mind.errors import InputUnreadable
from infra_mind.knowledge.importers import import_file
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceCategory, InstanceType
from tests.knowledge.importers.support import AS_OF, FIXTURES, fixture


def parse(path: Path) -> ImportResult:
    return import_file("ec2instances", path, AS_OF)


def by_sku(result: ImportResult) -> dict[str, InstanceType]:
    return {i.sku: i for i in result.instances}


def test_linux_on_demand_and_standard_no_upfront_reserved_rates_per_region() -> None:
    r4 = by_sku(parse(FIXTURES / "ec2instances.json"))["r4.4xlarge"]
    prices = {p.region: p for p in r4.prices}
    assert set(prices) == {"eu-west-1", "us-east-1", "us-east-2"}
    assert prices["us-east-1"].usd_per_hour == 1.064
    assert prices["us-east-1"].commitment_1y_usd_per_hour == 0.747
    assert prices["us-east-1"].commitment_3y_usd_per_hour is None, (
        "that dataset had no 3-year no-upfront term"
    )
    assert prices["eu-west-1"].usd_per_hour == 1.186


def test_families_map_to_categories_and_specs_are_read() -> None:
    instances = by_sku(parse(FIXTURES / "ec2instances.json"))
    assert {sku: i.category for sku, i in instances.items()} == {
        "r4.4xlarge": InstanceCategory.MEMORY,
        "i3.16xlarge": InstanceCategory.STORAGE,
        "g5.xlarge": InstanceCategory.GPU,
        "t3.medium": InstanceCategory.BURSTABLE,
    }
    assert (instances["i3.16xlarge"].family, instances["i3.16xlarge"].vcpu) == ("i3", 64)
    gpu = instances["g5.xlarge"]
    assert (gpu.gpu_model, gpu.gpu_count, gpu.gpu_memory_gib, gpu.memory_gib) == ("NVIDIA A10G", 1, 24, 16)


def test_unknown_family_and_previous_generation_are_skipped_with_reasons() -> None:
    skipped = parse(FIXTURES / "ec2instances.json").skipped
    assert Skipped("f1.2xlarge", "unknown family f1") in skipped
    assert Skipped("m1.small", "previous generation") in skipped


def test_records_carry_format_file_and_as_of() -> None:
    result = parse(FIXTURES / "ec2instances.json")
    assert result.source == "ec2instances: ec2instances.json"
    price = result.instances[0].prices[0]
    assert "ec2instances.json" in price.source
    assert "instances.vantage.sh" in price.source
    assert price.as_of == AS_OF
    assert price.estimate is None


def _r4(changes: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    record = copy.deepcopy(
        next(r for r in fixture("ec2instances.json") if r["instance_type"] == "r4.4xlarge")
    )
    changes(record["pricing"])
    return [record]


@pytest.mark.parametrize("zero", ["0", "0.0000000000", 0.0, "N/A", "", None])
def test_zero_or_missing_price_leaves_the_region_unpriced_not_free(
    write_json: Callable[[str, Any], Path], zero: Any
) -> None:
    def clear(pricing: dict[str, Any]) -> None:
        pricing["us-east-2"]["linux"]["ondemand"] = zero

    r4 = parse(write_json("instances.json", _r4(clear))).instances[0]
    assert {p.region for p in r4.prices} == {"eu-west-1", "us-east-1"}


def test_region_without_linux_platform_is_unpriced(write_json: Callable[[str, Any], Path]) -> None:
    def windows_only(pricing: dict[str, Any]) -> None:
        del pricing["us-east-1"]["linux"]

    r4 = parse(write_json("instances.json", _r4(windows_only))).instances[0]
    assert "us-east-1" not in {p.region for p in r4.prices}


def test_instance_priced_nowhere_is_skipped(write_json: Callable[[str, Any], Path]) -> None:
    def no_linux(pricing: dict[str, Any]) -> None:
        for platforms in pricing.values():
            platforms.pop("linux", None)

    result = parse(write_json("instances.json", _r4(no_linux)))
    assert result.instances == ()
    assert result.skipped == (Skipped("r4.4xlarge", "no price in any region"),)


def test_fractional_gpu_share_is_skipped(write_json: Callable[[str, Any], Path]) -> None:
    g5 = next(r for r in fixture("ec2instances.json") if r["instance_type"] == "g5.xlarge")
    shared = {**g5, "instance_type": "g6f.large", "GPU": 0.125, "GPU_model": "NVIDIA L4", "GPU_memory": 3}
    result = parse(write_json("instances.json", [shared]))
    assert result.skipped == (Skipped("g6f.large", "fractional GPU share 0.125"),)


def test_record_with_invalid_specs_is_skipped(write_json: Callable[[str, Any], Path]) -> None:
    record = {**_r4(lambda _: None)[0], "vCPU": 0}
    (skipped,) = parse(write_json("instances.json", [record])).skipped
    assert skipped.item == "r4.4xlarge"
    assert skipped.reason.startswith("invalid specs: vcpu")


@pytest.mark.parametrize(
    ("content", "problem"),
    [('[{"instance_type": "m5.large",', "invalid JSON"), ('{"instances": []}', "no instance records")],
)
def test_malformed_file_names_the_file_and_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(InputUnreadable, match=rf"broken\.json .*{problem}"):
        parse(path)
