from __future__ import annotations

from typing import Any

import pytest

from infra_mind.knowledge.azure_meters import SERVICE_METERS
from infra_mind.knowledge.importers.azure_services import CATALOG_SERVICES, service_prices
from infra_mind.knowledge.importers.result import Skipped
from infra_mind.knowledge.models import PriceUnit, ServiceKind, ServicePrice
from tests.knowledge.importers.support import AS_OF, fixture

SOURCE = "https://prices.azure.com/api/retail/prices (test)"


def uksouth_items() -> list[dict[str, Any]]:
    return list(fixture("azure-retail-uksouth.json")["Items"])


def priced(items: list[dict[str, Any]]) -> tuple[dict[str, ServicePrice], list[Skipped]]:
    services, skipped = service_prices(items, SOURCE, AS_OF)
    return {s.sku: s for s in services}, skipped


def test_every_catalog_service_names_a_meter_the_live_check_knows() -> None:
    assert set(CATALOG_SERVICES) <= set(SERVICE_METERS)


def test_known_meters_become_service_prices_in_catalog_units() -> None:
    services, skipped = priced(uksouth_items())
    assert skipped == []
    assert {sku: (s.kind, s.unit, s.usd_per_unit) for sku, s in services.items()} == {
        "pg-flexible-server-storage": (ServiceKind.DATABASE_STORAGE, PriceUnit.GB_MONTH, 0.133),
        "mysql-flexible-server-storage": (ServiceKind.DATABASE_STORAGE, PriceUnit.GB_MONTH, 0.133),
        "blob-hot-lrs-first-50tb": (ServiceKind.OBJECT_STORAGE, PriceUnit.GB_MONTH, 0.0192),
        "internet-egress-first-10tb": (ServiceKind.EGRESS, PriceUnit.GB, 0.087),
        "functions-consumption-executions": (
            ServiceKind.SERVERLESS_REQUESTS,
            PriceUnit.MILLION_REQUESTS,
            0.2,
        ),
        "functions-consumption-execution-time": (
            ServiceKind.SERVERLESS_COMPUTE,
            PriceUnit.GB_SECOND,
            1.6e-05,
        ),
    }
    assert all(s.region == "uksouth" and s.as_of == AS_OF and s.source == SOURCE for s in services.values())


def test_tiered_meter_keeps_its_first_charged_tier() -> None:
    services, _ = priced(uksouth_items())
    assert services["blob-hot-lrs-first-50tb"].usd_per_unit == 0.0192, "not the 51,200 GB or 512,000 GB tiers"
    assert services["blob-hot-lrs-first-50tb"].free_units_per_month == 0


@pytest.mark.parametrize(
    ("sku", "free"),
    [
        ("internet-egress-first-10tb", 100),
        ("functions-consumption-execution-time", 400_000),
        ("functions-consumption-executions", 1),
    ],
)
def test_zero_priced_first_tier_becomes_the_monthly_free_allowance_in_catalog_units(
    sku: str, free: float
) -> None:
    services, _ = priced(uksouth_items())
    assert services[sku].free_units_per_month == free


def test_meter_with_only_a_free_tier_is_skipped() -> None:
    items = [
        i for i in uksouth_items() if not (i["meterName"] == "Standard Execution Time" and i["retailPrice"])
    ]
    services, skipped = priced(items)
    assert "functions-consumption-execution-time" not in services
    assert (
        Skipped(
            "functions-consumption-execution-time / uksouth", "no charged rate (free tier only or no price)"
        )
        in skipped
    )


def test_meters_with_different_first_charged_rates_are_ambiguous() -> None:
    items = uksouth_items()
    storage = next(i for i in items if i["meterId"] == "0a68d94e-6e0a-5d6f-aecf-49aa190e2cec")
    items.append({**storage, "meterId": "another-meter", "retailPrice": 0.2})
    services, skipped = priced(items)
    assert "pg-flexible-server-storage" not in services
    assert (
        Skipped("pg-flexible-server-storage / uksouth", "ambiguous: 2 different first charged rates")
        in skipped
    )


def test_reservation_and_unlisted_units_are_not_service_prices() -> None:
    items = uksouth_items()
    storage = next(i for i in items if i["meterId"] == "0a68d94e-6e0a-5d6f-aecf-49aa190e2cec")
    items = [i for i in items if i is not storage]
    items += [{**storage, "type": "Reservation"}, {**storage, "unitOfMeasure": "1 GiB/Hour"}]
    services, _ = priced(items)
    assert "pg-flexible-server-storage" not in services
