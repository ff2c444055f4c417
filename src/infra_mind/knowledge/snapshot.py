"""Applies imported prices to a catalog directory and writes the result as a new snapshot, atomically.

The new snapshot is assembled in a temporary directory beside the target, loaded with `Knowledge.load`
and only then renamed into place: the old snapshot moves aside and the new one takes its name, so a
reader finds one whole snapshot or (for the instant between the two renames) none, never a mixture.
Prices for regions the catalog has no record of (regions.json) are left out and counted: a region needs
its jurisdiction and sovereignty notes before plans can be placed there.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import structlog
from pydantic import BaseModel

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import InstanceType, ServicePrice

log = structlog.get_logger()

Record = dict[str, Any]

PROVENANCE_FIELDS = ("source", "as_of", "estimate")
SPEC_FIELDS = ("family", "category", "vcpu", "memory_gib", "gpu_model", "gpu_count", "gpu_memory_gib")


class CatalogUpdate(Protocol):
    """What an importer produces (`importers.result.ImportResult` has this shape)."""

    @property
    def source(self) -> str: ...
    @property
    def as_of(self) -> date: ...
    @property
    def instances(self) -> tuple[InstanceType, ...]: ...
    @property
    def services(self) -> tuple[ServicePrice, ...]: ...


@dataclass
class SnapshotSummary:
    instances_added: int = 0
    instances_updated: int = 0
    prices_added: int = 0
    prices_replaced: int = 0
    services_added: int = 0
    services_replaced: int = 0
    outside_regions: set[str] = field(default_factory=set)
    """Regions the import priced but the catalog does not cover (no regions.json record): left out."""
    prices_outside_regions: int = 0
    not_in_catalog: int = 0
    """Instance types and service prices left out because the catalog lacks them (`known_only`)."""

    @property
    def prices_written(self) -> int:
        return self.prices_added + self.prices_replaced


def write_snapshot(
    base: Path, updates: Sequence[CatalogUpdate], target: Path, *, known_only: bool = False
) -> SnapshotSummary:
    """Merge `updates` (in order) into a copy of the catalog at `base` and put it at `target`.

    `base` and `target` may be the same directory. On any failure the target is left as it was. With
    `known_only`, only instance types and service prices the catalog already has are updated.
    """
    if not (base / "regions.json").is_file():
        raise CatalogInvalid(f"{base} is not a catalog directory (no regions.json)")
    _refuse_foreign_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".new"))
    try:
        shutil.copytree(base, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
        summary = SnapshotSummary()
        covered = _covered_regions(staging)
        for update in updates:
            instances = [_within(i, covered, summary) for i in update.instances]
            _merge_instances(staging, [i for i in instances if i.prices], summary, add_new=not known_only)
            services = [s for s in update.services if _covers(covered, s.provider.value, s.region, summary)]
            _merge_services(staging, services, summary, add_new=not known_only)
        _validate(staging)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info(
        "catalog.snapshot.written",
        target=str(target),
        instances_added=summary.instances_added,
        instances_updated=summary.instances_updated,
        prices=summary.prices_written,
        services=summary.services_added + summary.services_replaced,
    )
    return summary


def _validate(staging: Path) -> None:
    """The snapshot must load as the application will load it; whatever a loader raises is reported as
    an invalid catalog."""
    try:
        Knowledge.load(staging)
    except CatalogInvalid:
        raise
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise CatalogInvalid(f"the new catalog snapshot does not load: {exc}") from exc


def _covered_regions(root: Path) -> set[tuple[str, str]]:
    regions = _read_document(root / "regions.json", "")["records"]
    return {(r.get("provider"), r.get("code")) for r in regions}


def _within(instance: InstanceType, covered: set[tuple[str, str]], summary: SnapshotSummary) -> InstanceType:
    """The instance with only the prices of regions the catalog covers."""
    kept = tuple(p for p in instance.prices if _covers(covered, instance.provider.value, p.region, summary))
    return instance if len(kept) == len(instance.prices) else instance.model_copy(update={"prices": kept})


def _covers(covered: set[tuple[str, str]], provider: str, region: str, summary: SnapshotSummary) -> bool:
    if (provider, region) in covered:
        return True
    summary.outside_regions.add(f"{provider}:{region}")
    summary.prices_outside_regions += 1
    return False


def _refuse_foreign_target(target: Path) -> None:
    """Replacing a directory that is not a catalog would delete whatever the user keeps there."""
    if not target.exists() or (target / "regions.json").is_file():
        return
    if not target.is_dir() or any(target.iterdir()):
        raise CatalogInvalid(f"{target} exists and is not a catalog directory; refusing to replace it")


def _swap_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    retired = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
    retired.rmdir()
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _merge_instances(
    root: Path, imported: Iterable[InstanceType], summary: SnapshotSummary, *, add_new: bool
) -> None:
    by_provider: dict[str, list[InstanceType]] = defaultdict(list)
    for instance in imported:
        by_provider[instance.provider.value].append(instance)
    for provider, instances in by_provider.items():
        path = root / "instances" / f"{provider}.json"
        document = _read_document(path, f"{provider} instance types with on-demand prices per region")
        records: list[Record] = document["records"]
        for instance in instances:
            index = _index_of(records, sku=instance.sku)
            if index is None and not add_new:
                summary.not_in_catalog += 1
            elif index is None:
                record = _laid_out(instance, records[0] if records else None)
                record["prices"] = [_laid_out(p, _first_price(records)) for p in instance.prices]
                _insert_near(records, record, lambda r: r.get("family"), lambda r: r.get("category"))
                summary.instances_added += 1
                summary.prices_added += len(instance.prices)
            else:
                records[index] = _updated_instance(records[index], instance, summary)
                summary.instances_updated += 1
        _write_document(path, document)


def _updated_instance(old: Record, new: InstanceType, summary: SnapshotSummary) -> Record:
    """Specs from the import win only when the importer set them; other regions' prices are kept."""
    record = dict(old)
    for spec in SPEC_FIELDS:
        value = getattr(new, spec)
        if spec in new.model_fields_set and value is not None and record.get(spec) != value:
            record[spec] = _plain(new.model_dump(mode="json", include={spec})[spec])
    prices: list[Record] = list(old.get("prices", []))
    for price in new.prices:
        index = _index_of(prices, region=price.region)
        if index is None:
            prices.append(_laid_out(price, prices[0] if prices else None))
            summary.prices_added += 1
        else:
            prices[index] = _laid_out(price, prices[index])
            summary.prices_replaced += 1
    record["prices"] = prices
    return record


def _merge_services(
    root: Path, imported: Iterable[ServicePrice], summary: SnapshotSummary, *, add_new: bool
) -> None:
    by_provider: dict[str, list[ServicePrice]] = defaultdict(list)
    for service in imported:
        by_provider[service.provider.value].append(service)
    for provider, services in by_provider.items():
        path = root / "services" / f"{provider}.json"
        document = _read_document(path, f"{provider} managed-service list prices (USD) per region")
        records: list[Record] = document["records"]
        for service in services:
            index = next((i for i, r in enumerate(records) if _service_key(r) == _service_key(service)), None)
            if index is None and not add_new:
                summary.not_in_catalog += 1
            elif index is None:
                record = _laid_out(service, records[0] if records else None)
                _insert_near(
                    records, record, lambda r: (r.get("kind"), r.get("sku")), lambda r: r.get("kind")
                )
                summary.services_added += 1
            else:
                records[index] = _laid_out(service, records[index])
                summary.services_replaced += 1
        _write_document(path, document)


def _laid_out(model: BaseModel, template: Record | None) -> Record:
    """The model as JSON in the template's key order; a key the template lacks is written only when it
    differs from the field's default, so a file does not grow lines of nulls it never had. A value equal
    to the template's keeps the template's spelling (4 stays 4, not 4.0)."""
    values = {k: _plain(v) for k, v in model.model_dump(mode="json", exclude={"prices"}).items()}
    if template is None:
        return {k: values[k] for k in sorted(values, key=lambda k: k in PROVENANCE_FIELDS)}
    fields = type(model).model_fields
    order = [k for k in template if k in values]
    order += [
        k for k in values if k not in order and (fields[k].is_required() or values[k] != fields[k].default)
    ]
    return {k: template[k] if k in template and template[k] == values[k] else values[k] for k in order}


def _plain(value: Any) -> Any:
    """Whole numbers are written as the packaged files write them: 4, not 4.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _first_price(records: list[Record]) -> Record | None:
    for record in records:
        if record.get("prices"):
            first: Record = record["prices"][0]
            return first
    return None


def _service_key(service: Record | ServicePrice) -> tuple[Any, ...]:
    """Upsert key of a service price; a usage band (tier_start_units) is a price of its own."""
    if isinstance(service, ServicePrice):
        return (service.kind.value, service.sku, service.region, service.tier_start_units)
    return (
        service.get("kind"),
        service.get("sku"),
        service.get("region"),
        service.get("tier_start_units", 0),
    )


def _index_of(records: list[Record], **match: str) -> int | None:
    return next((i for i, r in enumerate(records) if all(r.get(k) == v for k, v in match.items())), None)


def _insert_near(records: list[Record], record: Record, *groupings: Callable[[Record], Hashable]) -> None:
    """After the last record of the first grouping that has one (e.g. same family, else same category),
    else at the end: a new record lands beside its relatives, which keeps the file's diff readable."""
    for key in groupings:
        group = key(record)
        last = max((i for i, r in enumerate(records) if key(r) == group), default=None)
        if last is not None:
            records.insert(last + 1, record)
            return
    records.append(record)


def _read_document(path: Path, description: str) -> dict[str, Any]:
    if not path.exists():
        return {"description": description, "records": []}
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogInvalid(f"cannot read catalog {path}: {exc}") from exc
    if not isinstance(document.get("records"), list):
        raise CatalogInvalid(f"catalog {path} has no records list")
    return document


def _write_document(path: Path, document: dict[str, Any]) -> None:
    """Indented as the packaged files are; a file that ended without a newline keeps doing so."""
    ending = "\n" if not path.exists() or path.read_text(encoding="utf-8").endswith("\n") else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + ending, encoding="utf-8")
