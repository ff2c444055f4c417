"""Reading Cloud Billing Catalog API SKUs: money values, tiered rates, and which machine-family resource
(vCPU or memory, on demand or committed) a Compute Engine SKU prices."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ON_DEMAND = re.compile(
    r"^(?P<family>[A-Z][A-Z0-9]*|Compute optimized)(?: AMD| Intel| Arm| Predefined)?(?: Instance)? "
    r"(?P<resource>Core|Ram) running in "
)
COMMITTED = re.compile(
    r"^Commitment v1: (?P<family>[A-Z][A-Z0-9]*|Compute optimized)(?: AMD| Intel| Arm)? "
    r"(?P<resource>Cpu|Ram) in .+ for [13] Years?$"
)
FAMILY_ALIASES = {"compute optimized": "c2"}
RESOURCES = {"Core": "core", "Cpu": "core", "Ram": "ram"}
UNITS = {"core": "h", "ram": "GiBy.h"}
USAGES = ("OnDemand", "Commit1Yr", "Commit3Yr")


@dataclass(frozen=True)
class Resource:
    """What one SKU prices: a family's vCPU-hour or GiB-hour, for one usage type."""

    family: str
    resource: str
    usage: str


def resource_of(sku: Mapping[str, Any]) -> Resource | None:
    category = sku.get("category") or {}
    usage = category.get("usageType")
    if category.get("resourceFamily") != "Compute" or usage not in USAGES:
        return None
    description = str(sku.get("description", ""))
    match = (ON_DEMAND if usage == "OnDemand" else COMMITTED).match(description)
    if match is None:
        return None
    family = match["family"].lower()
    return Resource(FAMILY_ALIASES.get(family, family), RESOURCES[match["resource"]], str(usage))


def preemptible(sku: Mapping[str, Any]) -> bool:
    category = sku.get("category") or {}
    return category.get("resourceFamily") == "Compute" and category.get("usageType") == "Preemptible"


def money(unit_price: Mapping[str, Any]) -> Decimal:
    """google.type.Money: whole `units` (an int64, as a string in JSON) plus `nanos` billionths."""
    return Decimal(str(unit_price.get("units") or 0)) + Decimal(int(unit_price.get("nanos") or 0)) / 10**9


@dataclass(frozen=True)
class Rate:
    usd: Decimal
    usage_unit: str


def current_rate(sku: Mapping[str, Any]) -> Rate | str:
    """The first non-zero tier of the latest pricing info, or why there is none."""
    infos = [i for i in sku.get("pricingInfo") or [] if isinstance(i, Mapping)]
    if not infos:
        return "no pricingInfo"
    latest = max(infos, key=lambda i: str(i.get("effectiveTime", "")))
    expression = latest.get("pricingExpression") or {}
    tiers = sorted(
        (t for t in expression.get("tieredRates") or [] if isinstance(t, Mapping)),
        key=lambda t: float(t.get("startUsageAmount") or 0),
    )
    for tier in tiers:
        unit_price = tier.get("unitPrice") or {}
        currency = unit_price.get("currencyCode", "USD")
        if currency != "USD":
            return f"non-USD currency {currency}"
        amount = money(unit_price)
        if amount > 0:
            return Rate(amount, str(expression.get("usageUnit", "")))
    return "no non-zero tier"
