"""Which Azure Retail Prices API meter prices each kind of bill-of-materials line, and how to pick the
price among the items the API returns. The meters themselves are in knowledge.azure_meters."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from infra_mind.domain.outputs.web_research import CheckStatus
from infra_mind.domain.pricing import BomLine
from infra_mind.knowledge.azure_meters import DATABASE_COMPUTE, SERVICE_METERS, VM_EXCLUDED_SUFFIXES, Meter
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider, ServiceKind

GENERAL_PURPOSE_DB_SKU = re.compile(r"^Standard_D\d+ds_v\d+$")
PRICE_DIGITS = 9


@dataclass(frozen=True)
class Selection:
    status: CheckStatus
    usd: float | None = None
    unit: str = ""
    effective_from: date | None = None
    note: str = ""


def meter_for(line: BomLine, knowledge: Knowledge) -> Meter | None:
    """The meter that prices the line, or None when no confirmed meter mapping exists."""
    if line.kind == "compute":
        return Meter("Virtual Machines", arm_sku_name=line.sku, virtual_machine=True)
    if line.kind in DATABASE_COMPUTE and GENERAL_PURPOSE_DB_SKU.match(line.sku):
        vcores = _vcores(line, knowledge)
        if vcores is None:
            return None
        service, product = DATABASE_COMPUTE[line.kind]
        return Meter(service, product, meter_name="vCore", units=(("1 Hour", float(vcores)),))
    return SERVICE_METERS.get(line.sku)


def select_price(items: Iterable[Mapping[str, Any]], meter: Meter, region: str) -> Selection:
    """The first charged tier of each matching meter, converted to the catalog unit; one distinct price
    across meters is a match, several are ambiguous."""
    factors = dict(meter.units)
    tiers: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in items:
        if _matches(item, meter, region) and item.get("unitOfMeasure") in factors:
            tiers[str(item.get("meterId", ""))].append(item)
    chosen = [c for meter_items in tiers.values() if (c := _first_charged(meter_items)) is not None]
    prices = {round(price * factors[item["unitOfMeasure"]], PRICE_DIGITS): item for item, price in chosen}
    if not prices:
        return Selection("not_found", note=f"no {meter.describe()} price listed in {region}")
    if len(prices) > 1:
        listed = ", ".join(f"${p:g}" for p in sorted(prices))
        return Selection("ambiguous", note=f"{len(prices)} different prices listed: {listed}")
    usd, item = next(iter(prices.items()))
    return Selection(
        "matched",
        usd=usd,
        unit=str(item["unitOfMeasure"]),
        effective_from=_date(item.get("effectiveStartDate")),
    )


def _matches(item: Mapping[str, Any], meter: Meter, region: str) -> bool:
    expected = {
        "serviceName": meter.service_name,
        "armRegionName": region,
        "productName": meter.product_name,
        "skuName": meter.sku_name,
        "meterName": meter.meter_name,
        "armSkuName": meter.arm_sku_name,
    }
    if any(value is not None and item.get(field) != value for field, value in expected.items()):
        return False
    if item.get("currencyCode", "USD") != "USD" or item.get("type", "Consumption") != "Consumption":
        return False
    if meter.virtual_machine:
        product, sku, name = (str(item.get(f, "")) for f in ("productName", "skuName", "meterName"))
        return (
            not product.endswith(" Windows")
            and not sku.endswith(VM_EXCLUDED_SUFFIXES)
            and not name.endswith(VM_EXCLUDED_SUFFIXES)
        )
    return True


def _first_charged(tiers: list[Mapping[str, Any]]) -> tuple[Mapping[str, Any], float] | None:
    """The catalog holds the first paid tier; a free tier below it is a monthly allowance, not a rate.
    Items without a numeric price or tier start are skipped."""
    charged = [
        (start, item, price)
        for item in tiers
        if (price := _number(item.get("retailPrice")))
        and price > 0
        and (start := _number(item.get("tierMinimumUnits", 0))) is not None
    ]
    first = min(charged, key=lambda t: t[0], default=None)
    return (first[1], first[2]) if first else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _vcores(line: BomLine, knowledge: Knowledge) -> int | None:
    records = knowledge.service_prices(Provider.AZURE, ServiceKind(line.kind), line.region)
    return next((r.vcpu for r in records if r.sku == line.sku and r.vcpu), None)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
