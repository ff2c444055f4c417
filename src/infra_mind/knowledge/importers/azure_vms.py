"""Azure virtual machine items → instance types: Linux pay-as-you-go rates with reservation commitments.

The API's items carry no vCPU or memory, so specs come from `known` (the catalog's Azure instance of the
same SKU); SKUs it lacks are skipped. A reservation item's `retailPrice` is the price of the whole term
(whatever its `unitOfMeasure` says), so it is divided by the term's hours; Azure lets that total be paid
monthly, so it is also the no-upfront rate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from infra_mind.knowledge.azure_meters import VM_EXCLUDED_SUFFIXES
from infra_mind.knowledge.importers.common import HOURS_PER_YEAR, price, usd
from infra_mind.knowledge.importers.result import Skipped
from infra_mind.knowledge.models import InstanceType, Provider, RegionPrice

SERVICE = "Virtual Machines"
TERM_YEARS = {"1 Year": 1, "3 Years": 3}
Items = list[Mapping[str, Any]]


def virtual_machines(
    items: Items, known: Mapping[str, InstanceType], source: str, as_of: date
) -> tuple[tuple[InstanceType, ...], list[Skipped]]:
    pay_as_you_go: dict[str, dict[str, Items]] = defaultdict(lambda: defaultdict(list))
    reservations: dict[tuple[str, str, int], Items] = defaultdict(list)
    for item in items:
        sku, region = item.get("armSkuName"), item.get("armRegionName")
        if item.get("serviceName") != SERVICE or not sku or not region:
            continue
        years = TERM_YEARS.get(str(item.get("reservationTerm")))
        if item.get("type") == "Reservation" and years:
            reservations[(sku, region, years)].append(item)
        elif item.get("type") == "Consumption" and _linux_regular(item):
            pay_as_you_go[sku][region].append(item)
    instances: list[InstanceType] = []
    skipped: list[Skipped] = []
    for sku in sorted(pay_as_you_go):
        prices = []
        for region in sorted(pay_as_you_go[sku]):
            rate = _one_rate(pay_as_you_go[sku][region], f"{sku} / {region}", skipped)
            if rate is not None:
                commitments = [
                    _commitment(reservations[(sku, region, y)], y, rate, sku, skipped) for y in (1, 3)
                ]
                prices.append(_region_price(region, rate, commitments, source, as_of))
        outcome = _instance(sku, known.get(sku), prices)
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        else:
            instances.append(outcome)
    return tuple(instances), skipped


def _linux_regular(item: Mapping[str, Any]) -> bool:
    """Pay-as-you-go Linux: not the Windows product, not Spot or Low Priority, billed per hour."""
    product, sku, meter = (str(item.get(f, "")) for f in ("productName", "skuName", "meterName"))
    return (
        item.get("unitOfMeasure") == "1 Hour"
        and not product.endswith(" Windows")
        and not sku.endswith(VM_EXCLUDED_SUFFIXES)
        and not meter.endswith(VM_EXCLUDED_SUFFIXES)
    )


def _one_rate(items: Items, label: str, skipped: list[Skipped]) -> Decimal | None:
    """The hourly rate; primary-region meters win over duplicates, and differing rates are not guessed."""
    primary = [i for i in items if i.get("isPrimaryMeterRegion") is True] or items
    rates = {rate for i in primary if (rate := price(i.get("retailPrice"))) is not None}
    if len(rates) > 1:
        listed = ", ".join(f"${r}" for r in sorted(rates))
        skipped.append(Skipped(label, f"ambiguous: {len(rates)} different pay-as-you-go rates ({listed})"))
        return None
    return next(iter(rates), None)


def _commitment(
    items: Items, years: int, on_demand: Decimal, sku: str, skipped: list[Skipped]
) -> Decimal | None:
    label = f"{sku} / {items[0].get('armRegionName')} / {years}y reservation" if items else ""
    totals = {total for i in items if (total := price(i.get("retailPrice"))) is not None}
    if len(totals) != 1:
        if len(totals) > 1:
            skipped.append(Skipped(label, f"ambiguous: {len(totals)} different reservation prices"))
        return None
    hourly = totals.pop() / (years * HOURS_PER_YEAR)
    if hourly >= on_demand:
        skipped.append(Skipped(label, "reservation rate not below pay-as-you-go (not a term total?)"))
        return None
    return hourly


def _region_price(
    region: str, rate: Decimal, commitments: list[Decimal | None], source: str, as_of: date
) -> RegionPrice:
    one, three = commitments
    return RegionPrice(
        region=region,
        usd_per_hour=usd(rate),
        commitment_1y_usd_per_hour=usd(one) if one else None,
        commitment_3y_usd_per_hour=usd(three) if three else None,
        source=source,
        as_of=as_of,
    )


def _instance(sku: str, specs: InstanceType | None, prices: list[RegionPrice]) -> InstanceType | Skipped:
    if specs is None or specs.provider != Provider.AZURE:
        return Skipped(sku, "no specs for SKU")
    if not prices:
        return Skipped(sku, "no price in any region")
    return specs.model_copy(update={"prices": tuple(prices)})
