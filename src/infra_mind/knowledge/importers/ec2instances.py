"""Importer for the `instances.json` dataset of the open-source ec2instances.info project.

The file is a JSON array of instance types, each with its specs and `pricing[region][os]` holding the
`ondemand` rate and the `reserved` effective hourly rates (e.g. `yrTerm1Standard.noUpfront`) as strings.
It is read item by item, so the full dataset (hundreds of MB) never has to fit in memory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

import ijson  # type: ignore[import-untyped]  # ships no type information
from pydantic import ValidationError

from infra_mind.knowledge.importers.aws_families import category_of, family_of
from infra_mind.knowledge.importers.common import file_name, log_parsed, price, unreadable, usd
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceType, Provider, RegionPrice

FORMAT = "ec2instances"
PUBLISHED_AT = "https://instances.vantage.sh/instances.json"
PLATFORM = "linux"
RESERVED_1Y = "yrTerm1Standard.noUpfront"
RESERVED_3Y = "yrTerm3Standard.noUpfront"


def parse_ec2instances(stream: BinaryIO, as_of: date) -> ImportResult:
    name = file_name(stream)
    source = (
        f"{PUBLISHED_AT} (ec2instances.info dataset, file {name}: "
        "Linux on-demand; standard no-upfront reserved)"
    )
    instances: list[InstanceType] = []
    skipped: list[Skipped] = []
    seen = 0
    for seen, record in enumerate(_records(stream, name), start=1):
        outcome = _instance(record, seen, source, as_of)
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        else:
            instances.append(outcome)
    if not seen:
        raise unreadable(FORMAT, name, "no instance records (expected a JSON array of instance types)")
    result = ImportResult(f"{FORMAT}: {name}", as_of, tuple(instances), (), tuple(skipped))
    log_parsed(result, records=seen)
    return result


def _records(stream: BinaryIO, name: str) -> Iterator[Any]:
    try:
        yield from ijson.items(stream, "item")
    except ijson.JSONError as exc:
        raise unreadable(FORMAT, name, f"invalid JSON ({exc})") from exc


def _instance(record: Any, position: int, source: str, as_of: date) -> InstanceType | Skipped:
    if not isinstance(record, Mapping) or not isinstance(record.get("instance_type"), str):
        return Skipped(f"record #{position}", "no instance_type")
    sku = record["instance_type"]
    if record.get("generation") == "previous":
        return Skipped(sku, "previous generation")
    family = family_of(sku)
    category = category_of(family)
    if category is None:
        return Skipped(sku, f"unknown family {family}")
    gpus = price(record.get("GPU")) or Decimal(0)
    if gpus != gpus.to_integral_value():
        return Skipped(sku, f"fractional GPU share {gpus}")
    prices = tuple(
        p for region, platforms in _regions(record) if (p := _price(region, platforms, source, as_of))
    )
    if not prices:
        return Skipped(sku, "no price in any region")
    gpu_total_memory = price(record.get("GPU_memory")) or Decimal(0)
    try:
        return InstanceType(
            provider=Provider.AWS,
            sku=sku,
            family=family,
            category=category,
            vcpu=int(record.get("vCPU") or 0),
            memory_gib=float(record.get("memory") or 0),
            gpu_model=record.get("GPU_model") or None,
            gpu_count=int(gpus),
            gpu_memory_gib=float(gpu_total_memory / gpus) if gpus else 0,
            prices=prices,
        )
    except (ValidationError, TypeError, ValueError) as exc:
        return Skipped(sku, f"invalid specs: {_first_error(exc)}")


def _regions(record: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    pricing = record.get("pricing")
    if isinstance(pricing, Mapping):
        yield from sorted(pricing.items())


def _price(region: str, platforms: Any, source: str, as_of: date) -> RegionPrice | None:
    linux = platforms.get(PLATFORM) if isinstance(platforms, Mapping) else None
    if not isinstance(linux, Mapping) or (on_demand := price(linux.get("ondemand"))) is None:
        return None
    reserved = linux.get("reserved")
    reserved = reserved if isinstance(reserved, Mapping) else {}
    one, three = price(reserved.get(RESERVED_1Y)), price(reserved.get(RESERVED_3Y))
    return RegionPrice(
        region=region,
        usd_per_hour=usd(on_demand),
        commitment_1y_usd_per_hour=usd(one) if one else None,
        commitment_3y_usd_per_hour=usd(three) if three else None,
        source=source,
        as_of=as_of,
    )


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
    return str(exc)
