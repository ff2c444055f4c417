"""Importer for an AWS Price List bulk offer file (the AmazonEC2 offer).

The real file is several GB, so it is streamed in three passes with ijson and never held whole: the
products first (keeping only Linux, shared-tenancy, no pre-installed software, 'Used' capacity instances
in AWS Regions), then `terms.OnDemand`, then `terms.Reserved` (standard, no upfront, 1 and 3 years),
each read one SKU at a time and kept only for the products kept in the first pass. The file names no GPU
model, so GPU instances carry a count and memory but no model."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

import ijson  # type: ignore[import-untyped]  # ships no type information
from pydantic import ValidationError

from infra_mind.knowledge.importers.aws_families import category_of, family_of
from infra_mind.knowledge.importers.common import (
    HOURS_PER_YEAR,
    file_name,
    log_parsed,
    price,
    unreadable,
    usd,
)
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceType, Provider, RegionPrice

FORMAT = "aws-offer"
PUBLISHED_AT = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/index.json"
INSTANCE_FAMILIES = ("Compute Instance", "Compute Instance (bare metal)")
REQUIRED = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
DEFAULTED = {"licenseModel": "No License required", "marketoption": "OnDemand", "locationType": "AWS Region"}
"""Attributes older offer files may lack; when present they must have this value."""
LEASE_YEARS = {"1yr": 1, "3yr": 3}
NUMBER = re.compile(r"[\d,]+(?:\.\d+)?")


@dataclass(frozen=True)
class _Product:
    instance_type: str
    region: str


@dataclass(frozen=True)
class _Specs:
    vcpu: int
    memory_gib: float
    gpu_count: int
    gpu_memory_gib: float
    """Per GPU: the file's `gpuMemory` is the instance total (p4d.24xlarge: 8 GPUs, "320 GB HBM2")."""


@dataclass
class _Rates:
    on_demand: Decimal | None = None
    one_year: Decimal | None = None
    three_years: Decimal | None = None


def parse_aws_offer(stream: BinaryIO, as_of: date) -> ImportResult:
    name = file_name(stream)
    header = {key: _first(stream, name, key) for key in ("offerCode", "publicationDate")}
    if header["offerCode"] is None:
        raise unreadable(FORMAT, name, "no offerCode (expected an AWS Price List bulk offer file)")
    skipped: list[Skipped] = []
    products, specs, ignored = _products(stream, name, skipped)
    rates: dict[str, _Rates] = {sku: _Rates() for sku in products}
    for sku, terms in _entries(stream, name, "terms.OnDemand"):
        if sku in rates:
            rates[sku].on_demand = _on_demand(terms, sku, skipped)
    for sku, terms in _entries(stream, name, "terms.Reserved"):
        if sku in rates:
            rates[sku].one_year, rates[sku].three_years = _reserved(terms)
    source = (
        f"{PUBLISHED_AT} (AWS Price List bulk offer {header['offerCode']}, published "
        f"{header['publicationDate'] or 'unknown'}, file {name}: Linux shared-tenancy on-demand; "
        "standard no-upfront reserved)"
    )
    instances, unpriced = _instances(products, specs, rates, source, as_of)
    result = ImportResult(f"{FORMAT}: {name}", as_of, instances, (), (*skipped, *unpriced))
    log_parsed(result, products_kept=len(products), products_ignored=ignored)
    return result


def _first(stream: BinaryIO, name: str, key: str) -> Any:
    """A top-level scalar; the file names them before its products, so only its start is read."""
    stream.seek(0)
    try:
        return next(ijson.items(stream, key), None)
    except ijson.JSONError as exc:
        raise unreadable(FORMAT, name, f"invalid JSON ({exc})") from exc


def _entries(stream: BinaryIO, name: str, prefix: str) -> Iterator[tuple[str, Any]]:
    stream.seek(0)
    try:
        yield from ijson.kvitems(stream, prefix)
    except ijson.JSONError as exc:
        raise unreadable(FORMAT, name, f"invalid JSON in {prefix} ({exc})") from exc


def _products(
    stream: BinaryIO, name: str, skipped: list[Skipped]
) -> tuple[dict[str, _Product], dict[str, _Specs], int]:
    products: dict[str, _Product] = {}
    specs: dict[str, _Specs] = {}
    ignored = 0
    for sku, product in _entries(stream, name, "products"):
        attributes = product.get("attributes") if isinstance(product, Mapping) else None
        if not isinstance(attributes, Mapping) or not _is_linux_instance(product, attributes):
            ignored += 1
            continue
        instance_type = str(attributes["instanceType"])
        if not isinstance(attributes.get("regionCode"), str):
            skipped.append(
                Skipped(sku, f"{instance_type}: no regionCode (offer files before 2020 name only a location)")
            )
            continue
        products[sku] = _Product(instance_type, attributes["regionCode"])
        if instance_type not in specs and (parsed := _specs(attributes)) is not None:
            specs[instance_type] = parsed
    if not products and not ignored and not skipped:
        raise unreadable(FORMAT, name, "no products (expected an AWS Price List bulk offer file)")
    return products, specs, ignored


def _is_linux_instance(product: Mapping[str, Any], attributes: Mapping[str, Any]) -> bool:
    return (
        product.get("productFamily") in INSTANCE_FAMILIES
        and all(attributes.get(key) == value for key, value in REQUIRED.items())
        and all(attributes.get(key, value) == value for key, value in DEFAULTED.items())
        and isinstance(attributes.get("instanceType"), str)
    )


def _specs(attributes: Mapping[str, Any]) -> _Specs | None:
    vcpu, memory = _number(attributes.get("vcpu")), _number(attributes.get("memory"))
    if vcpu is None or memory is None:
        return None
    gpus = int(_number(attributes.get("gpu")) or 0)
    gpu_memory = _number(attributes.get("gpuMemory")) or 0
    return _Specs(int(vcpu), float(memory), gpus, float(gpu_memory) / gpus if gpus else 0)


def _number(value: Any) -> Decimal | None:
    match = NUMBER.match(str(value or ""))
    return Decimal(match.group().replace(",", "")) if match else None


def _on_demand(terms: Any, sku: str, skipped: list[Skipped]) -> Decimal | None:
    for dimension in _dimensions(terms):
        per_unit = dimension.get("pricePerUnit") or {}
        if "USD" not in per_unit and per_unit:
            skipped.append(Skipped(sku, f"non-USD currency {', '.join(sorted(per_unit))}"))
        elif dimension.get("unit") == "Hrs" and (hourly := price(per_unit.get("USD"))) is not None:
            return hourly
    return None


def _reserved(terms: Any) -> tuple[Decimal | None, Decimal | None]:
    rates: dict[int, Decimal] = {}
    for term in terms.values() if isinstance(terms, Mapping) else ():
        attributes = term.get("termAttributes") or {}
        years = LEASE_YEARS.get(str(attributes.get("LeaseContractLength")))
        if years is None or attributes.get("OfferingClass") != "standard":
            continue
        if attributes.get("PurchaseOption") != "No Upfront":
            continue
        if (effective := _effective_hourly(term, years)) is not None:
            rates[years] = effective
    return rates.get(1), rates.get(3)


def _effective_hourly(term: Mapping[str, Any], years: int) -> Decimal | None:
    hourly, upfront = Decimal(0), Decimal(0)
    for dimension in _dimensions({"term": term}):
        amount = price((dimension.get("pricePerUnit") or {}).get("USD")) or Decimal(0)
        if dimension.get("unit") == "Hrs":
            hourly += amount
        else:
            upfront += amount
    effective = hourly + upfront / (years * HOURS_PER_YEAR)
    return effective if effective > 0 else None


def _dimensions(terms: Any) -> Iterator[Mapping[str, Any]]:
    for term in terms.values() if isinstance(terms, Mapping) else ():
        dimensions = term.get("priceDimensions") if isinstance(term, Mapping) else None
        if isinstance(dimensions, Mapping):
            yield from (d for d in dimensions.values() if isinstance(d, Mapping))


def _instances(
    products: Mapping[str, _Product],
    specs: Mapping[str, _Specs],
    rates: Mapping[str, _Rates],
    source: str,
    as_of: date,
) -> tuple[tuple[InstanceType, ...], list[Skipped]]:
    prices: dict[str, dict[str, RegionPrice]] = {}
    for sku, product in products.items():
        rate = rates[sku]
        if rate.on_demand is None:
            continue
        prices.setdefault(product.instance_type, {}).setdefault(
            product.region,
            RegionPrice(
                region=product.region,
                usd_per_hour=usd(rate.on_demand),
                commitment_1y_usd_per_hour=usd(rate.one_year) if rate.one_year else None,
                commitment_3y_usd_per_hour=usd(rate.three_years) if rate.three_years else None,
                source=source,
                as_of=as_of,
            ),
        )
    instances: list[InstanceType] = []
    skipped: list[Skipped] = []
    for instance_type in sorted({p.instance_type for p in products.values()}):
        outcome = _instance(instance_type, specs.get(instance_type), prices.get(instance_type, {}))
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        else:
            instances.append(outcome)
    return tuple(instances), skipped


def _instance(
    instance_type: str, specs: _Specs | None, prices: Mapping[str, RegionPrice]
) -> InstanceType | Skipped:
    family = family_of(instance_type)
    category = category_of(family)
    if category is None:
        return Skipped(instance_type, f"unknown family {family}")
    if specs is None:
        return Skipped(instance_type, "no vcpu or memory attribute")
    if not prices:
        return Skipped(instance_type, "no price in any region")
    try:
        return InstanceType(
            provider=Provider.AWS,
            sku=instance_type,
            family=family,
            category=category,
            vcpu=specs.vcpu,
            memory_gib=specs.memory_gib,
            gpu_count=specs.gpu_count,
            gpu_memory_gib=specs.gpu_memory_gib,
            prices=tuple(prices[region] for region in sorted(prices)),
        )
    except ValidationError as exc:
        return Skipped(instance_type, f"invalid specs: {exc.errors()[0]['msg']}")
