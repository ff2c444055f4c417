from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra_mind.errors import InputUnreadable
from infra_mind.knowledge.importers import import_file, known_instances
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceCategory, InstanceType, Provider
from tests.knowledge.importers.support import AS_OF, FIXTURES, fixture

KNOWN = {
    sku: InstanceType(
        provider=Provider.AZURE,
        sku=sku,
        family=family,
        category=category,
        vcpu=vcpu,
        memory_gib=memory,
        prices=(),
    )
    for sku, family, category, vcpu, memory in (
        ("Standard_D8_v4", "Dv4", InstanceCategory.GENERAL, 8, 32),
        ("Standard_E16_v3", "Ev3", InstanceCategory.MEMORY, 16, 128),
        ("Standard_E32_v3", "Ev3", InstanceCategory.MEMORY, 32, 256),
    )
}
"""Specs of the fixture's VM sizes as Azure's size documentation lists them."""


def parse(path: Path, known: dict[str, InstanceType] | None = KNOWN) -> ImportResult:
    return import_file("azure-retail", path, AS_OF, known=known)


def test_pages_written_one_after_another_are_all_read() -> None:
    result = parse(FIXTURES / "azure-retail-vms.json")
    assert {i.sku for i in result.instances} == set(KNOWN)
    assert result.source == "azure-retail: azure-retail-vms.json"


def test_pages_saved_as_a_json_list_are_all_read(write_json: Callable[[str, Any], Path]) -> None:
    text = (FIXTURES / "azure-retail-vms.json").read_text()
    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(text)
    second, _ = decoder.raw_decode(text, end + 1)
    result = parse(write_json("pages.json", [first, second]))
    assert {i.sku for i in result.instances} == set(KNOWN)


def test_specs_come_from_known_instances_and_unknown_skus_are_skipped() -> None:
    result = parse(FIXTURES / "azure-retail-vms.json")
    d8 = next(i for i in result.instances if i.sku == "Standard_D8_v4")
    assert (d8.vcpu, d8.memory_gib, d8.category) == (8, 32, InstanceCategory.GENERAL)
    assert Skipped("Standard_E16s_v3", "no specs for SKU") in result.skipped


def test_without_known_specs_every_vm_is_skipped() -> None:
    result = parse(FIXTURES / "azure-retail-vms.json", known=None)
    assert result.instances == ()
    assert Skipped("Standard_D8_v4", "no specs for SKU") in result.skipped


def test_catalog_specs_can_be_passed_as_known(knowledge: Any) -> None:
    known = known_instances(knowledge, Provider.AZURE)
    assert known
    assert all(i.provider == Provider.AZURE for i in known.values())


def test_non_usd_items_are_skipped_with_their_currency(write_json: Callable[[str, Any], Path]) -> None:
    page = fixture("azure-retail-uksouth.json")
    for item in page["Items"]:
        item["currencyCode"] = "EUR"
    result = parse(write_json("eur.json", page))
    assert (result.instances, result.services) == ((), ())
    assert result.skipped[0].reason == "non-USD currency EUR"


def test_a_bare_list_of_items_is_read_and_devtest_spot_windows_and_lone_reservations_ignored() -> None:
    result = parse(FIXTURES / "azure-retail-docs-items.json")
    assert (result.instances, result.services, result.skipped) == ((), (), ())


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"Items": [{"retailPrice": 0.1,', "invalid JSON at line 1"),
        ('{"value": []}', "expected Retail Prices"),
    ],
)
def test_malformed_file_names_the_file_and_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(InputUnreadable, match=rf"prices\.json .*{problem}"):
        parse(path)
