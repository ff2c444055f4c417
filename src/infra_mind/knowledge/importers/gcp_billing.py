"""Importer for a Cloud Billing Catalog API SKU listing of Compute Engine
(https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus).

Accepted files: one response (`{"skus": [...], "nextPageToken": ...}`), or several pages as a JSON list or
written one after another. Compute Engine bills a predefined machine type as its vCPUs times the family's
core rate plus its GiB of memory times the family's RAM rate, per region; the listing has those rates, not
machine types, so the machine types and their specs come from `known` (the catalog's GCP instances).
GPU machine types (whose price also includes GPU SKUs) and shared-core types (billed on a fraction of a
vCPU) are not composed here. Spot / preemptible rates are skipped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from infra_mind.knowledge.importers.common import file_name, json_documents, log_parsed, unreadable, usd
from infra_mind.knowledge.importers.gcp_skus import (
    UNITS,
    Rate,
    Resource,
    current_rate,
    preemptible,
    resource_of,
)
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceType, Provider, RegionPrice

FORMAT = "gcp-billing"
ENDPOINT = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
SHARED_CORE = frozenset({"e2-micro", "e2-small", "e2-medium", "f1-micro", "g1-small"})


@dataclass(frozen=True)
class _Priced:
    usd: Decimal
    sku_id: str


Rates = dict[tuple[Resource, str], _Priced]
"""(family resource, region) → rate."""


def parse_gcp_billing(
    stream: BinaryIO, as_of: date, known: Mapping[str, InstanceType] | None = None
) -> ImportResult:
    name = file_name(stream)
    skus = list(_skus(json_documents(stream, FORMAT), name))
    rates, skipped = _rates(skus)
    source = f"{ENDPOINT} (Cloud Billing Catalog API SKU listing, file {name})"
    machine_types = [i for i in (known or {}).values() if i.provider == Provider.GCP]
    instances: list[InstanceType] = []
    for machine in sorted(machine_types, key=lambda m: m.sku):
        outcome = _composed(machine, rates, source, as_of)
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        else:
            instances.append(outcome)
    if not machine_types and rates:
        skipped.append(Skipped("machine types", "no known GCP machine types to price (pass known specs)"))
    result = ImportResult(f"{FORMAT}: {name}", as_of, tuple(instances), (), tuple(skipped))
    log_parsed(result, skus=len(skus), rates=len(rates))
    return result


def _skus(documents: list[Any], name: str) -> Iterator[Mapping[str, Any]]:
    for document in documents:
        for page in document if isinstance(document, list) else [document]:
            if not isinstance(page, Mapping) or not isinstance(page.get("skus"), list):
                raise unreadable(FORMAT, name, 'expected SKU listing pages ({"skus": [...]})')
            yield from (sku for sku in page["skus"] if isinstance(sku, Mapping))


def _rates(skus: list[Mapping[str, Any]]) -> tuple[Rates, list[Skipped]]:
    found: dict[tuple[Resource, str], set[_Priced]] = defaultdict(set)
    skipped: list[Skipped] = []
    for sku in skus:
        sku_id = str(sku.get("skuId", sku.get("description", "sku")))
        if preemptible(sku):
            skipped.append(Skipped(sku_id, "spot / preemptible rate not imported"))
            continue
        resource = resource_of(sku)
        if resource is None:
            continue
        rate = current_rate(sku)
        if isinstance(rate, Rate) and rate.usage_unit != UNITS[resource.resource]:
            rate = f"unexpected usage unit {rate.usage_unit!r} for {resource.resource}"
        if not isinstance(rate, Rate):
            skipped.append(Skipped(sku_id, rate))
            continue
        for region in sku.get("serviceRegions") or []:
            found[(resource, str(region))].add(_Priced(rate.usd, sku_id))
    rates: Rates = {}
    for key, priced in found.items():
        if len({p.usd for p in priced}) == 1:
            rates[key] = min(priced, key=lambda p: p.sku_id)
        else:
            ids = ", ".join(sorted(p.sku_id for p in priced))
            skipped.append(
                Skipped(ids, f"ambiguous: different {key[0].family} {key[0].resource} rates in {key[1]}")
            )
    return rates, skipped


def _composed(machine: InstanceType, rates: Rates, source: str, as_of: date) -> InstanceType | Skipped:
    if machine.gpu_count:
        return Skipped(machine.sku, "GPU machine type: its price includes GPU SKUs, not composed")
    if machine.sku in SHARED_CORE:
        return Skipped(machine.sku, "shared-core machine type: billed on a fraction of a vCPU, not composed")
    regions = sorted({region for (resource, region) in rates if resource.family == machine.family})
    prices = [p for region in regions if (p := _region_price(machine, region, rates, source, as_of))]
    if not prices:
        return Skipped(machine.sku, f"no on-demand core and RAM rates for family {machine.family}")
    return machine.model_copy(update={"prices": tuple(prices)})


def _region_price(
    machine: InstanceType, region: str, rates: Rates, source: str, as_of: date
) -> RegionPrice | None:
    hourly = {
        usage: _hourly(machine, region, usage, rates) for usage in ("OnDemand", "Commit1Yr", "Commit3Yr")
    }
    on_demand = hourly["OnDemand"]
    if on_demand is None:
        return None
    one, three = hourly["Commit1Yr"], hourly["Commit3Yr"]
    return RegionPrice(
        region=region,
        usd_per_hour=usd(on_demand[0]),
        commitment_1y_usd_per_hour=usd(one[0]) if one else None,
        commitment_3y_usd_per_hour=usd(three[0]) if three else None,
        source=f"{source}: {on_demand[1]}",
        as_of=as_of,
    )


def _hourly(machine: InstanceType, region: str, usage: str, rates: Rates) -> tuple[Decimal, str] | None:
    core = rates.get((Resource(machine.family, "core", usage), region))
    ram = rates.get((Resource(machine.family, "ram", usage), region))
    if core is None or ram is None:
        return None
    memory = Decimal(str(machine.memory_gib))
    how = f"{machine.vcpu} vCPU x SKU {core.sku_id} + {memory} GiB x SKU {ram.sku_id}"
    return machine.vcpu * core.usd + memory * ram.usd, how
