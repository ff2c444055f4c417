"""Azure Database for PostgreSQL / MySQL Flexible Server compute → service prices for the catalog's
General Purpose Ddsv5 classes.

The Retail Prices API lists General Purpose compute as one per-vCore meter per product (the ones the live
check reads, `knowledge.azure_meters.DATABASE_COMPUTE`), not one price per class; a class is
priced as its vCores times that rate. The meters name an older series (Ddsv4) or none, so each record is
marked as an estimate with that method, as the catalog's hand-entered records are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from infra_mind.knowledge.azure_meters import DATABASE_COMPUTE
from infra_mind.knowledge.importers.common import price, usd
from infra_mind.knowledge.importers.result import Skipped
from infra_mind.knowledge.models import PriceUnit, Provider, ServiceKind, ServicePrice

Items = list[Mapping[str, Any]]

GENERAL_PURPOSE_CLASSES = {"Standard_D2ds_v5": 2, "Standard_D4ds_v5": 4, "Standard_D8ds_v5": 8}
"""The classes the catalog prices, by vCores; Ddsv5 has 4 GiB of memory per vCore (Azure's Ddsv5 sizes)."""
GIB_PER_VCORE = 4
SERVICE_NAMES = {
    ServiceKind.MANAGED_POSTGRESQL.value: "Azure Database for PostgreSQL - Flexible Server",
    ServiceKind.MANAGED_MYSQL.value: "Azure Database for MySQL - Flexible Server",
}


def database_compute(
    items: Items, source: str, as_of: date
) -> tuple[tuple[ServicePrice, ...], list[Skipped]]:
    per_region: dict[tuple[str, str], Items] = defaultdict(list)
    for item in items:
        kind = _kind(item)
        if kind is not None and item.get("armRegionName"):
            per_region[(kind, str(item["armRegionName"]))].append(item)
    services: list[ServicePrice] = []
    skipped: list[Skipped] = []
    for (kind, region), meter_items in sorted(per_region.items()):
        rate = _one_rate(meter_items)
        if isinstance(rate, str):
            skipped.append(Skipped(f"{DATABASE_COMPUTE[kind][1]} / vCore / {region}", rate))
            continue
        services += [_priced(kind, region, sku, vcores, rate, source, as_of) for sku, vcores in _classes()]
    return tuple(services), skipped


def _kind(item: Mapping[str, Any]) -> str | None:
    if item.get("type") != "Consumption" or item.get("meterName") != "vCore":
        return None
    if item.get("unitOfMeasure") != "1 Hour":
        return None
    meter = (item.get("serviceName"), item.get("productName"))
    return next((kind for kind, names in DATABASE_COMPUTE.items() if names == meter), None)


def _one_rate(items: Items) -> Decimal | str:
    primary = [i for i in items if i.get("isPrimaryMeterRegion") is True] or items
    rates = {rate for i in primary if (rate := price(i.get("retailPrice"))) is not None}
    if not rates:
        return "no per-vCore rate"
    if len(rates) > 1:
        return f"ambiguous: {len(rates)} different per-vCore rates"
    return rates.pop()


def _classes() -> list[tuple[str, int]]:
    return sorted(GENERAL_PURPOSE_CLASSES.items(), key=lambda pair: pair[1])


def _priced(
    kind: str, region: str, sku: str, vcores: int, rate: Decimal, source: str, as_of: date
) -> ServicePrice:
    product = DATABASE_COMPUTE[kind][1]
    memory = vcores * GIB_PER_VCORE
    return ServicePrice(
        provider=Provider.AZURE,
        service=SERVICE_NAMES[kind],
        kind=ServiceKind(kind),
        sku=sku,
        region=region,
        unit=PriceUnit.HOUR,
        usd_per_unit=usd(vcores * rate),
        vcpu=vcores,
        memory_gib=memory,
        notes=(
            f"General Purpose, {vcores} vCores / {memory} GiB, pay-as-you-go, computed as {vcores} x ${rate} "
            "per vCore-hour. Single server, no HA; storage and backup are billed separately."
        ),
        source=source,
        as_of=as_of,
        estimate=f"Ddsv5 priced as {vcores} x the region's per-vCore meter of '{product}' (read)",
    )
