"""Compares the prices of two catalog snapshots: what was added, removed, re-priced or re-dated."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, computed_field

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.models import InstanceType, Provider, ServicePrice, Sourced

M = TypeVar("M", bound=BaseModel)

INSTANCE_KIND = "instance"
ON_DEMAND = "on_demand"
COMMITMENT_TERMS = {
    "commitment_1y": "commitment_1y_usd_per_hour",
    "commitment_3y": "commitment_3y_usd_per_hour",
}


class PriceKey(BaseModel):
    """One price: an instance's on-demand or commitment rate in a region, or a service's unit price."""

    model_config = ConfigDict(frozen=True)

    provider: Provider
    kind: str
    sku: str
    region: str
    term: str = ON_DEMAND
    unit: str = "hour"
    from_units: float = 0
    """A tiered price's usage band: the price applies from this many units a month on."""

    def sort_key(self) -> tuple[str | float, ...]:
        return (self.provider.value, self.kind, self.sku, self.region, self.term, self.from_units)


class PricePoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    usd: float
    as_of: date
    source: str
    estimate: str | None = None


class PriceChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: PriceKey
    old: PricePoint | None
    new: PricePoint | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def change_usd(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return round(self.new.usd - self.old.usd, 10)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def change_pct(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return round((self.new.usd - self.old.usd) / self.old.usd * 100, 4)


class GroupCounts(BaseModel):
    """How many prices of one provider and kind were added, removed, changed or only re-dated."""

    provider: Provider
    kind: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    redated: int = 0


class CatalogDiff(BaseModel):
    old_dir: str
    new_dir: str
    changed: list[PriceChange]
    """Sorted by the size of the change, largest first (by percentage, then by dollars)."""
    added: list[PriceChange]
    removed: list[PriceChange]
    redated: list[PriceChange]
    """Same price, different as-of date: the figure was re-read and confirmed."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def groups(self) -> list[GroupCounts]:
        counts: dict[tuple[Provider, str], Counter[str]] = {}
        for name in ("added", "removed", "changed", "redated"):
            for change in getattr(self, name):
                counts.setdefault((change.key.provider, change.key.kind), Counter())[name] += 1
        return [
            GroupCounts(provider=provider, kind=kind, **counter)
            for (provider, kind), counter in sorted(counts.items())
        ]

    @property
    def empty(self) -> bool:
        return not (self.changed or self.added or self.removed or self.redated)

    def with_min_change(self, pct: float) -> CatalogDiff:
        """Only the changes of at least `pct` percent (either direction); additions and removals stay."""
        kept = [c for c in self.changed if abs(c.change_pct or 0) >= pct]
        return self.model_copy(update={"changed": kept})


def diff_catalogs(old_dir: Path, new_dir: Path) -> CatalogDiff:
    old = dict(_prices(old_dir))
    new = dict(_prices(new_dir))
    changed, redated = [], []
    for key in old.keys() & new.keys():
        before, after = old[key], new[key]
        if before.usd != after.usd:
            changed.append(PriceChange(key=key, old=before, new=after))
        elif before.as_of != after.as_of:
            redated.append(PriceChange(key=key, old=before, new=after))
    changed.sort(key=lambda c: (-abs(c.change_pct or 0), -abs(c.change_usd or 0), c.key.sort_key()))
    return CatalogDiff(
        old_dir=str(old_dir),
        new_dir=str(new_dir),
        changed=changed,
        added=_sorted(PriceChange(key=k, old=None, new=new[k]) for k in new.keys() - old.keys()),
        removed=_sorted(PriceChange(key=k, old=old[k], new=None) for k in old.keys() - new.keys()),
        redated=_sorted(redated),
    )


def _sorted(changes: Iterator[PriceChange] | list[PriceChange]) -> list[PriceChange]:
    return sorted(changes, key=lambda c: c.key.sort_key())


def _prices(root: Path) -> Iterator[tuple[PriceKey, PricePoint]]:
    if not (root / "regions.json").is_file():
        raise CatalogInvalid(f"{root} is not a catalog directory (no regions.json)")
    for instance in _records(root / "instances", InstanceType):
        for price in instance.prices:
            key = PriceKey(
                provider=instance.provider, kind=INSTANCE_KIND, sku=instance.sku, region=price.region
            )
            yield key, _point(price.usd_per_hour, price)
            for term, field in COMMITMENT_TERMS.items():
                rate = getattr(price, field, None)
                if rate is not None:
                    yield key.model_copy(update={"term": term}), _point(rate, price)
    for service in _records(root / "services", ServicePrice):
        key = PriceKey(
            provider=service.provider,
            kind=service.kind.value,
            sku=service.sku,
            region=service.region,
            unit=service.unit.value,
            from_units=service.tier_start_units,
        )
        yield key, _point(service.usd_per_unit, service)


def _point(usd: float, provenance: Sourced) -> PricePoint:
    return PricePoint(usd=usd, as_of=provenance.as_of, source=provenance.source, estimate=provenance.estimate)


def _records(folder: Path, model: type[M]) -> Iterator[M]:
    for path in sorted(folder.glob("*.json")):
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
            records = [model.model_validate(record) for record in raw["records"]]
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
            raise CatalogInvalid(f"cannot read catalog {path}: {exc}") from exc
        yield from records
