"""Importer for Azure Retail Prices API responses (https://prices.azure.com/api/retail/prices).

Accepted files: one saved response page (`{"Items": [...], "NextPageLink": ..., "Count": n}`), several
pages saved as a JSON list or written one after another, or a bare JSON list of items. Only USD items are
imported: ask the API for `currencyCode='USD'` (its default). Virtual machine items become instances (Linux
pay-as-you-go, with reservation rates as commitments); the meters in `azure_services` and the database
compute meters in `azure_databases` become service prices."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, BinaryIO

from infra_mind.knowledge.importers.azure_databases import database_compute
from infra_mind.knowledge.importers.azure_services import service_prices
from infra_mind.knowledge.importers.azure_vms import virtual_machines
from infra_mind.knowledge.importers.common import file_name, json_documents, log_parsed, unreadable
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceType

FORMAT = "azure-retail"
ENDPOINT = "https://prices.azure.com/api/retail/prices"


def parse_azure_retail(
    stream: BinaryIO, as_of: date, known: Mapping[str, InstanceType] | None = None
) -> ImportResult:
    name = file_name(stream)
    items = list(_items(json_documents(stream, FORMAT), name))
    source = f"{ENDPOINT} (Azure Retail Prices API response, file {name})"
    usd_items, foreign = _usd_only(items)
    instances, vm_skipped = virtual_machines(usd_items, known or {}, source, as_of)
    services, service_skipped = service_prices(usd_items, source, as_of)
    databases, database_skipped = database_compute(usd_items, source, as_of)
    result = ImportResult(
        f"{FORMAT}: {name}",
        as_of,
        instances,
        (*databases, *services),
        (*foreign, *vm_skipped, *service_skipped, *database_skipped),
    )
    log_parsed(result, items=len(items))
    return result


def _items(documents: list[Any], name: str) -> Iterator[Mapping[str, Any]]:
    for document in documents:
        for entry in document if isinstance(document, list) else [document]:
            if isinstance(entry, Mapping) and isinstance(entry.get("Items"), list):
                yield from (item for item in entry["Items"] if isinstance(item, Mapping))
            elif isinstance(entry, Mapping) and "retailPrice" in entry:
                yield entry
            else:
                raise unreadable(FORMAT, name, 'expected Retail Prices API pages ({"Items": [...]}) or items')


def _usd_only(items: list[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], list[Skipped]]:
    kept: list[Mapping[str, Any]] = []
    skipped: dict[str, Skipped] = {}
    for item in items:
        currency = item.get("currencyCode")
        if currency == "USD":
            kept.append(item)
        else:
            label = item_label(item)
            skipped.setdefault(label, Skipped(label, f"non-USD currency {currency}"))
    return kept, list(skipped.values())


def item_label(item: Mapping[str, Any]) -> str:
    parts = (item.get("armSkuName") or item.get("skuName"), item.get("meterName"), item.get("armRegionName"))
    return " / ".join(str(p) for p in parts if p) or str(item.get("meterId", "item"))
