from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from infra_mind.knowledge.importers.gcp_skus import Rate, Resource, current_rate, money, resource_of


@pytest.mark.parametrize(
    ("unit_price", "expected"),
    [
        ({"units": "0", "nanos": 28092000}, Decimal("0.028092")),
        ({"units": "1", "nanos": 500000000}, Decimal("1.5")),
        ({"units": "12"}, Decimal(12)),
        ({"nanos": 1}, Decimal("0.000000001")),
    ],
)
def test_money_is_units_plus_nanos_exactly(unit_price: dict[str, Any], expected: Decimal) -> None:
    assert money(unit_price) == expected


def _sku(description: str, usage: str = "OnDemand", family: str = "Compute") -> dict[str, Any]:
    return {"description": description, "category": {"resourceFamily": family, "usageType": usage}}


@pytest.mark.parametrize(
    ("description", "usage", "expected"),
    [
        ("E2 Instance Core running in London", "OnDemand", Resource("e2", "core", "OnDemand")),
        ("N2 Instance Ram running in Americas", "OnDemand", Resource("n2", "ram", "OnDemand")),
        ("N2D AMD Instance Core running in Iowa", "OnDemand", Resource("n2d", "core", "OnDemand")),
        ("N1 Predefined Instance Core running in London", "OnDemand", Resource("n1", "core", "OnDemand")),
        ("Compute optimized Core running in Americas", "OnDemand", Resource("c2", "core", "OnDemand")),
        ("Commitment v1: E2 Cpu in London for 1 Year", "Commit1Yr", Resource("e2", "core", "Commit1Yr")),
        ("Commitment v1: N2 Ram in Americas for 3 Years", "Commit3Yr", Resource("n2", "ram", "Commit3Yr")),
    ],
)
def test_machine_family_resources_are_recognised(description: str, usage: str, expected: Resource) -> None:
    assert resource_of(_sku(description, usage)) == expected


@pytest.mark.parametrize(
    ("description", "usage", "family"),
    [
        ("E2 Custom Instance Core running in London", "OnDemand", "Compute"),
        ("Spot Preemptible E2 Instance Core running in London", "Preemptible", "Compute"),
        ("Network Internet Data Transfer Out from London to EMEA", "OnDemand", "Network"),
        ("N2 Instance Extended Ram running in Americas", "OnDemand", "Compute"),
    ],
)
def test_other_skus_price_no_machine_family_resource(description: str, usage: str, family: str) -> None:
    assert resource_of(_sku(description, usage, family)) is None


def _priced(*tiers: tuple[float, str, int], currency: str = "USD", info: dict[str, Any] | None = None) -> Any:
    rates = [
        {"startUsageAmount": start, "unitPrice": {"currencyCode": currency, "units": units, "nanos": nanos}}
        for start, units, nanos in tiers
    ]
    return {"pricingInfo": [info or {"pricingExpression": {"usageUnit": "h", "tieredRates": rates}}]}


def test_rate_is_the_first_non_zero_tier_in_start_order() -> None:
    sku = _priced((1024, "0", 110000000), (0, "0", 0), (10240, "0", 80000000))
    assert current_rate(sku) == Rate(Decimal("0.11"), "h")


def test_latest_pricing_info_wins() -> None:
    old = {
        "effectiveTime": "2025-01-01T00:00:00Z",
        "pricingExpression": {
            "usageUnit": "h",
            "tieredRates": [
                {"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD", "units": "0", "nanos": 1000}}
            ],
        },
    }
    new = {
        "effectiveTime": "2026-08-01T00:00:00Z",
        "pricingExpression": {
            "usageUnit": "h",
            "tieredRates": [
                {"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD", "units": "0", "nanos": 2000}}
            ],
        },
    }
    assert current_rate({"pricingInfo": [new, old]}) == Rate(Decimal("0.000002"), "h")


@pytest.mark.parametrize(
    ("sku", "reason"),
    [
        ({"pricingInfo": []}, "no pricingInfo"),
        (_priced((0, "0", 0)), "no non-zero tier"),
        (_priced((0, "0", 25000000), currency="EUR"), "non-USD currency EUR"),
    ],
)
def test_why_a_sku_has_no_rate(sku: dict[str, Any], reason: str) -> None:
    assert current_rate(sku) == reason
