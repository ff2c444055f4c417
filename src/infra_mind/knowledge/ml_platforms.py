"""ML platforms as typed records: what each charges over the instance price, the products behind each MLOps
capability, the open-source platform's cluster footprint and the rules the mlops agent works with."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, ValidationError

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.models import Provider, Sourced
from infra_mind.knowledge.sizing import SizingRule


class PlatformKind(StrEnum):
    MANAGED = "managed"
    OPEN_SOURCE = "open_source"


class Capability(StrEnum):
    REGISTRY = "registry"
    FEATURE_STORE = "feature_store"
    MONITORING = "monitoring"
    PIPELINES = "pipelines"
    SERVING = "serving"


class MlPlatform(Sourced):
    record: Literal["platform"]
    id: str
    provider: Provider | None = Field(description="None = runs on any provider's Kubernetes")
    kind: PlatformKind
    name: str
    fee_model: str


class PlatformProduct(Sourced):
    record: Literal["product"]
    platform: str
    capability: Capability
    product: str
    detail: str
    drift_detection: bool = False
    open_to_new_customers: bool = True
    tabular_only: bool = Field(default=False, description="covers tabular models only")


Usage = Literal["real_time_inference", "training"]


class PlatformInstancePrice(Sourced):
    """The platform's own hourly rate for an instance type the instance catalog prices by itself."""

    record: Literal["instance_price"]
    platform: str
    provider: Provider
    sku: str = Field(description="the platform's instance name, e.g. ml.g5.xlarge")
    instance_sku: str = Field(description="the same hardware in the instance catalog, e.g. g5.xlarge")
    region: str
    usage: Usage
    usd_per_hour: PositiveFloat


class PlatformSurcharge(Sourced):
    """A documented surcharge over the instance price that holds for every instance type and region."""

    record: Literal["surcharge"]
    platform: str
    provider: Provider
    surcharge_pct: float = Field(ge=0)
    condition: str


class PlatformFootprint(Sourced):
    record: Literal["footprint"]
    platform: str
    vcpu: PositiveFloat
    memory_gib: PositiveFloat
    storage_gb: float = Field(ge=0)
    basis: str


class MlopsRule(SizingRule):
    """A sizing rule of the mlops agent, tagged for the catalog file's discriminated records."""

    record: Literal["rule"]
    source: str = Field(min_length=8, description="URL or document the figure was read from")


MlRecord = Annotated[
    MlPlatform | PlatformProduct | PlatformInstancePrice | PlatformSurcharge | PlatformFootprint | MlopsRule,
    Field(discriminator="record"),
]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    records: list[MlRecord]


class MlPlatformCatalog:
    """Immutable after construction; look-ups by platform, provider, instance and rule key."""

    def __init__(self, records: Iterable[MlRecord] = ()) -> None:
        records = list(records)
        self._platforms = {r.id: r for r in records if isinstance(r, MlPlatform)}
        self._products = [r for r in records if isinstance(r, PlatformProduct)]
        prices = [r for r in records if isinstance(r, PlatformInstancePrice)]
        self._prices = {(p.platform, p.instance_sku, p.region, p.usage): p for p in prices}
        self._surcharges = {r.platform: r for r in records if isinstance(r, PlatformSurcharge)}
        self._footprints = {r.platform: r for r in records if isinstance(r, PlatformFootprint)}
        self._rules = {r.key: r for r in records if isinstance(r, MlopsRule)}
        named = {p.platform for p in self._products} | {p.platform for p in prices}
        unknown = named - set(self._platforms)
        if unknown:
            raise CatalogInvalid(f"ML platform records name unknown platforms: {sorted(unknown)}")

    @classmethod
    def load(cls, data_dir: Path) -> MlPlatformCatalog:
        path = data_dir / "ml_platforms.json"
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
        try:
            return cls(_File.model_validate(raw).records)
        except ValidationError as exc:
            raise CatalogInvalid(f"catalog {path} does not match the ML platform records: {exc}") from exc

    def platform(self, platform_id: str) -> MlPlatform | None:
        return self._platforms.get(platform_id)

    def platforms(self) -> list[MlPlatform]:
        return list(self._platforms.values())

    def sells(self, platform_id: str, sku: str, region: str) -> bool:
        """Whether the platform has a catalogued rate for its instance name `sku` in the region."""
        return any(
            p.platform == platform_id and p.sku == sku and p.region == region for p in self._prices.values()
        )

    def managed(self, provider: Provider) -> MlPlatform | None:
        return next(
            (
                p
                for p in self._platforms.values()
                if p.kind is PlatformKind.MANAGED and p.provider == provider
            ),
            None,
        )

    def open_source(self) -> MlPlatform | None:
        return next((p for p in self._platforms.values() if p.kind is PlatformKind.OPEN_SOURCE), None)

    def products(self, platform: str) -> list[PlatformProduct]:
        return [p for p in self._products if p.platform == platform]

    def product(self, platform: str, capability: Capability) -> PlatformProduct | None:
        return next((p for p in self.products(platform) if p.capability is capability), None)

    def instance_price(
        self, platform: str, instance_sku: str, region: str, usage: Usage
    ) -> PlatformInstancePrice | None:
        return self._prices.get((platform, instance_sku, region, usage))

    def surcharge(self, platform: str) -> PlatformSurcharge | None:
        return self._surcharges.get(platform)

    def footprint(self, platform: str) -> PlatformFootprint | None:
        return self._footprints.get(platform)

    def rule(self, key: str) -> MlopsRule:
        return self._rules[key]

    def rules(self) -> list[MlopsRule]:
        return list(self._rules.values())
