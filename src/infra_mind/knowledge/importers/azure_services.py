"""Azure Retail Prices items → service prices, for the meters the live price check already relies on
(`knowledge.azure_meters.SERVICE_METERS`: database storage, blob storage, bandwidth egress,
Functions, AKS, Application Gateway). NAT gateway and managed-disk meters could not be confirmed from
public copies of API answers, so they are not imported rather than guessed.

Tiered meters keep their first charged tier; a zero-priced tier below it is a monthly free allowance and
becomes `free_units_per_month`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from infra_mind.knowledge.azure_meters import SERVICE_METERS, Meter
from infra_mind.knowledge.importers.common import price, usd
from infra_mind.knowledge.importers.result import Skipped
from infra_mind.knowledge.models import PriceUnit, Provider, ServiceKind, ServicePrice

Items = list[Mapping[str, Any]]


@dataclass(frozen=True)
class CatalogService:
    kind: ServiceKind
    service: str
    unit: PriceUnit


CATALOG_SERVICES = {
    "pg-flexible-server-storage": CatalogService(
        ServiceKind.DATABASE_STORAGE, "Azure Database for PostgreSQL - Flexible Server", PriceUnit.GB_MONTH
    ),
    "mysql-flexible-server-storage": CatalogService(
        ServiceKind.DATABASE_STORAGE, "Azure Database for MySQL - Flexible Server", PriceUnit.GB_MONTH
    ),
    "blob-hot-lrs-first-50tb": CatalogService(
        ServiceKind.OBJECT_STORAGE, "Azure Blob Storage", PriceUnit.GB_MONTH
    ),
    "internet-egress-first-10tb": CatalogService(
        ServiceKind.EGRESS, "Azure Bandwidth (Routing preference: Microsoft global network)", PriceUnit.GB
    ),
    "functions-consumption-executions": CatalogService(
        ServiceKind.SERVERLESS_REQUESTS, "Azure Functions (Consumption plan)", PriceUnit.MILLION_REQUESTS
    ),
    "functions-consumption-execution-time": CatalogService(
        ServiceKind.SERVERLESS_COMPUTE, "Azure Functions (Consumption plan)", PriceUnit.GB_SECOND
    ),
    "aks-standard-tier": CatalogService(
        ServiceKind.KUBERNETES_CONTROL_PLANE, "Azure Kubernetes Service (AKS)", PriceUnit.HOUR
    ),
    "appgw-standard-v2-fixed": CatalogService(
        ServiceKind.LOAD_BALANCER, "Azure Application Gateway Standard_v2", PriceUnit.HOUR
    ),
    "appgw-standard-v2-capacity-unit": CatalogService(
        ServiceKind.LOAD_BALANCER_CAPACITY,
        "Azure Application Gateway Standard_v2",
        PriceUnit.CAPACITY_UNIT_HOUR,
    ),
}
"""Catalog kind, display name and unit of each shared meter (the names the catalog's Azure records use)."""


@dataclass(frozen=True)
class _Tier:
    rate: Decimal
    free_units: Decimal
    start: Decimal
    unit_of_measure: str


def service_prices(items: Items, source: str, as_of: date) -> tuple[tuple[ServicePrice, ...], list[Skipped]]:
    matched: dict[tuple[str, str], Items] = defaultdict(list)
    for item in items:
        key = _meter_key(item)
        if key is not None and item.get("armRegionName"):
            matched[(key, str(item["armRegionName"]))].append(item)
    services: list[ServicePrice] = []
    skipped: list[Skipped] = []
    for (key, region), meter_items in sorted(matched.items()):
        label = f"{key} / {region}"
        outcome = _priced(key, region, meter_items, label, source, as_of)
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        else:
            services.append(outcome)
    return tuple(services), skipped


def _meter_key(item: Mapping[str, Any]) -> str | None:
    if item.get("type") != "Consumption":
        return None
    return next(
        (key for key, meter in SERVICE_METERS.items() if key in CATALOG_SERVICES and _is(item, meter)), None
    )


def _is(item: Mapping[str, Any], meter: Meter) -> bool:
    expected = {
        "serviceName": meter.service_name,
        "productName": meter.product_name,
        "skuName": meter.sku_name,
        "meterName": meter.meter_name,
        "armSkuName": meter.arm_sku_name,
    }
    names_match = all(value is None or item.get(field) == value for field, value in expected.items())
    return names_match and item.get("unitOfMeasure") in dict(meter.units)


def _priced(
    key: str, region: str, items: Items, label: str, source: str, as_of: date
) -> ServicePrice | Skipped:
    by_meter: dict[str, Items] = defaultdict(list)
    for item in items:
        by_meter[str(item.get("meterId", ""))].append(item)
    tiers = {tier for meter_items in by_meter.values() if (tier := _first_charged(meter_items)) is not None}
    if not tiers:
        return Skipped(label, "no charged rate (free tier only or no price)")
    if len({t.rate for t in tiers}) > 1:
        return Skipped(label, f"ambiguous: {len(tiers)} different first charged rates")
    tier = tiers.pop()
    meter, catalog = SERVICE_METERS[key], CATALOG_SERVICES[key]
    factor = Decimal(str(dict(meter.units)[tier.unit_of_measure]))
    start = f"; first charged tier starts at {tier.start} x '{tier.unit_of_measure}'" if tier.start else ""
    return ServicePrice(
        provider=Provider.AZURE,
        service=catalog.service,
        kind=catalog.kind,
        sku=key,
        region=region,
        unit=catalog.unit,
        usd_per_unit=usd(tier.rate * factor),
        free_units_per_month=usd(tier.free_units / factor) if tier.free_units else 0,
        notes=f"Retail Prices API meter {meter.describe()}, priced per '{tier.unit_of_measure}'{start}.",
        source=source,
        as_of=as_of,
    )


def _first_charged(tiers: Items) -> _Tier | None:
    """The lowest tier with a price; zero-priced tiers below it are the free allowance it starts after."""
    ordered = sorted(
        ((start, item) for item in tiers if (start := _start(item)) is not None), key=lambda pair: pair[0]
    )
    free_below = False
    for start, item in ordered:
        rate = price(item.get("retailPrice"))
        if rate is not None:
            return _Tier(rate, start if free_below else Decimal(0), start, str(item.get("unitOfMeasure")))
        free_below = free_below or item.get("retailPrice") == 0
    return None


def _start(item: Mapping[str, Any]) -> Decimal | None:
    value = item.get("tierMinimumUnits", 0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))
