from __future__ import annotations

from json import JSONDecoder
from typing import Any

import pytest

from infra_mind.knowledge.importers.azure_vms import virtual_machines
from infra_mind.knowledge.importers.result import Skipped
from infra_mind.knowledge.models import InstanceType
from tests.knowledge.importers.support import AS_OF, FIXTURES
from tests.knowledge.importers.test_azure_retail import KNOWN

SOURCE = "https://prices.azure.com/api/retail/prices (test)"


def d8_items() -> list[dict[str, Any]]:
    """Standard_D8_v4 in westeurope from the fixture's first page: 1-year reservation, pay-as-you-go,
    3-year reservation."""
    page, _ = JSONDecoder().raw_decode((FIXTURES / "azure-retail-vms.json").read_text())
    return [dict(item) for item in page["Items"]]


def d8(items: list[dict[str, Any]]) -> tuple[tuple[InstanceType, ...], list[Skipped]]:
    return virtual_machines(items, KNOWN, SOURCE, AS_OF)


def test_reservation_totals_become_hourly_commitment_rates() -> None:
    (instance,), _ = d8(d8_items())
    (price,) = instance.prices
    assert price.usd_per_hour == 0.46
    assert price.commitment_1y_usd_per_hour == pytest.approx(2377 / 8760)
    assert price.commitment_3y_usd_per_hour == pytest.approx(4594 / (3 * 8760))


@pytest.mark.parametrize(
    "variant",
    [
        {"productName": "Virtual Machines Dv4 Series Windows", "retailPrice": 0.828},
        {"skuName": "D8 v4 Spot", "meterName": "D8 v4 Spot", "retailPrice": 0.0921},
        {"skuName": "D8 v4 Low Priority", "meterName": "D8 v4 Low Priority", "retailPrice": 0.0921},
        {"type": "DevTestConsumption", "retailPrice": 0.3},
    ],
)
def test_windows_spot_low_priority_and_devtest_rates_do_not_replace_linux_pay_as_you_go(
    variant: dict[str, Any],
) -> None:
    items = d8_items()
    items.append({**items[1], **variant})
    (instance,), skipped = d8(items)
    assert instance.prices[0].usd_per_hour == 0.46
    assert skipped == []


def test_differing_pay_as_you_go_rates_are_ambiguous_not_guessed() -> None:
    items = d8_items()
    items.append({**items[1], "meterId": "other", "retailPrice": 0.5})
    instances, skipped = d8(items)
    assert instances == ()
    assert (
        Skipped("Standard_D8_v4 / westeurope", "ambiguous: 2 different pay-as-you-go rates ($0.46, $0.5)")
        in skipped
    )


def test_non_primary_duplicate_meter_gives_way_to_the_primary_one() -> None:
    items = d8_items()
    items.append({**items[1], "isPrimaryMeterRegion": False, "retailPrice": 0.5})
    (instance,), _ = d8(items)
    assert instance.prices[0].usd_per_hour == 0.46


def test_zero_priced_pay_as_you_go_item_prices_nothing() -> None:
    items = d8_items()
    items[1] = {**items[1], "retailPrice": 0.0}
    instances, skipped = d8(items)
    assert instances == ()
    assert Skipped("Standard_D8_v4", "no price in any region") in skipped


def test_reservation_dearer_than_pay_as_you_go_is_rejected() -> None:
    items = d8_items()
    items[0] = {**items[0], "retailPrice": 5000.0}
    (instance,), skipped = d8(items)
    assert instance.prices[0].commitment_1y_usd_per_hour is None
    assert skipped[0].reason.startswith("reservation rate not below pay-as-you-go")
