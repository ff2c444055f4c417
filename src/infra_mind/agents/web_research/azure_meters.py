"""Which Azure Retail Prices API meter prices each kind of bill-of-materials line, and how to pick it.

Meter, product and SKU names are the ones the API returns (seen in public copies of its answers: the
karpenter-provider-azure pricing client for virtual machines, mooncitizen/togen's Retail Prices fixtures
for databases, storage, bandwidth and Functions, infracost for AKS and Application Gateway). Lines whose
meter could not be confirmed that way (NAT gateway, Front Door, Premium SSD v2) are reported as not
covered rather than guessed."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from infra_mind.domain.outputs.web_research import CheckStatus
from infra_mind.domain.pricing import BomLine
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider, ServiceKind

VM_EXCLUDED_SUFFIXES = (" Spot", " Low Priority")
GENERAL_PURPOSE_DB_SKU = re.compile(r"^Standard_D\d+ds_v\d+$")
PRICE_DIGITS = 9


@dataclass(frozen=True)
class Meter:
    """A Retail Prices API query and the item fields that must match exactly."""

    service_name: str
    product_name: str | None = None
    sku_name: str | None = None
    meter_name: str | None = None
    arm_sku_name: str | None = None
    units: tuple[tuple[str, float], ...] = (("1 Hour", 1.0),)
    """unitOfMeasure values accepted, each with the factor that turns its price into the catalog unit's."""
    virtual_machine: bool = False
    """Skip Windows, Spot and Low Priority items: the catalog holds Linux pay-as-you-go prices."""

    def odata_filter(self, region: str) -> str:
        clauses = [
            ("serviceName", self.service_name),
            ("armRegionName", region),
            ("priceType", "Consumption"),
        ]
        clauses += [
            (name, value)
            for name, value in (
                ("armSkuName", self.arm_sku_name),
                ("productName", self.product_name),
                ("skuName", self.sku_name),
                ("meterName", self.meter_name),
            )
            if value
        ]
        return " and ".join(f"{name} eq '{_quoted(value)}'" for name, value in clauses)

    def describe(self) -> str:
        parts = [self.service_name, self.product_name, self.sku_name or self.arm_sku_name, self.meter_name]
        return " / ".join(p for p in parts if p)


@dataclass(frozen=True)
class Selection:
    status: CheckStatus
    usd: float | None = None
    unit: str = ""
    effective_from: date | None = None
    note: str = ""


SERVICE_METERS: dict[str, Meter] = {
    "pg-flexible-server-storage": Meter(
        "Azure Database for PostgreSQL",
        "Azure Database for PostgreSQL Flex Server Storage",
        "Storage",
        "Storage Data Stored",
        units=(("1 GB/Month", 1.0),),
    ),
    "mysql-flexible-server-storage": Meter(
        "Azure Database for MySQL",
        "Azure Database for MySQL Flexible Server Storage",
        "Storage",
        "Storage Data Stored",
        units=(("1 GB/Month", 1.0),),
    ),
    "blob-hot-lrs-first-50tb": Meter(
        "Storage", "General Block Blob v2", "Hot LRS", "Hot LRS Data Stored", units=(("1 GB/Month", 1.0),)
    ),
    "internet-egress-first-10tb": Meter(
        "Bandwidth", "Rtn Preference: MGN", "Standard", "Standard Data Transfer Out", units=(("1 GB", 1.0),)
    ),
    "functions-consumption-executions": Meter(
        "Functions", "Functions", "Standard", "Standard Total Executions", units=(("10", 100_000.0),)
    ),
    "functions-consumption-execution-time": Meter(
        "Functions", "Functions", "Standard", "Standard Execution Time", units=(("1 GB Second", 1.0),)
    ),
    "aks-standard-tier": Meter(
        "Azure Kubernetes Service", "Azure Kubernetes Service", "Standard", "Standard Uptime SLA"
    ),
    "appgw-standard-v2-fixed": Meter(
        "Application Gateway",
        "Application Gateway Standard v2",
        "Standard",
        "Standard Fixed Cost",
        units=(("1 Hour", 1.0), ("1/Hour", 1.0)),
    ),
    "appgw-standard-v2-capacity-unit": Meter(
        "Application Gateway",
        "Application Gateway Standard v2",
        "Standard",
        "Standard Capacity Units",
        units=(("1 Hour", 1.0), ("1/Hour", 1.0)),
    ),
}

DATABASE_COMPUTE = {
    ServiceKind.MANAGED_POSTGRESQL.value: (
        "Azure Database for PostgreSQL",
        "Azure Database for PostgreSQL Flexible Server General Purpose Ddsv4 Series Compute",
    ),
    ServiceKind.MANAGED_MYSQL.value: (
        "Azure Database for MySQL",
        "Azure Database for MySQL Flexible Server General Purpose Series Compute",
    ),
}
"""General-purpose Flexible Server compute is one per-vCore meter per series; the catalog prices its
Ddsv5 classes with these meters (see each record's estimate), so the live check reads the same ones."""


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


def _quoted(value: str) -> str:
    return value.replace("'", "''")
