"""Availability SLAs of the building blocks and the disaster-recovery strategies, as typed records."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.models import Provider, Sourced

M = TypeVar("M", bound=BaseModel)


class Component(StrEnum):
    SINGLE_INSTANCE = "single_instance"
    MULTI_ZONE_COMPUTE = "multi_zone_compute"
    DATABASE_SINGLE = "database_single"
    DATABASE_HA = "database_ha"
    LOAD_BALANCER = "load_balancer"
    DNS_FAILOVER = "dns_failover"


class Scope(StrEnum):
    REGIONAL = "regional"
    GLOBAL = "global"


class Availability(Sourced):
    provider: Provider
    component: Component
    service: str
    availability_pct: float | None = Field(
        gt=0,
        le=100,
        description="monthly uptime commitment; None = the SLA does not cover this configuration",
    )
    scope: Scope
    condition: str


class DrStrategyName(StrEnum):
    BACKUP_RESTORE = "backup_restore"
    PILOT_LIGHT = "pilot_light"
    WARM_STANDBY = "warm_standby"
    MULTI_SITE_ACTIVE = "multi_site_active"


class Standby(StrEnum):
    BACKUPS = "backups"
    DATA = "data"
    SCALED_DOWN = "scaled_down"
    FULL = "full"


class DrStrategy(Sourced):
    strategy: DrStrategyName
    order: int = Field(ge=1, description="1 = cheapest")
    rto_minutes: int = Field(ge=0)
    rpo_minutes: int = Field(ge=0)
    standby: Standby
    needs_secondary_region: bool
    description: str


class SlaCatalog:
    """Immutable after construction; look-ups by provider and component, strategies cheapest first."""

    def __init__(
        self, availability: Iterable[Availability] = (), strategies: Iterable[DrStrategy] = ()
    ) -> None:
        self._availability = {(a.provider, a.component): a for a in availability}
        self._strategies = sorted(strategies, key=lambda s: s.order)

    @classmethod
    def load(cls, data_dir: Path) -> SlaCatalog:
        return cls(
            availability=_records(data_dir / "sla.json", Availability),
            strategies=_records(data_dir / "dr_strategies.json", DrStrategy),
        )

    def availability(self, provider: Provider, component: Component) -> Availability | None:
        return self._availability.get((provider, component))

    def strategies(self) -> list[DrStrategy]:
        return list(self._strategies)

    def strategy(self, name: DrStrategyName) -> DrStrategy | None:
        return next((s for s in self._strategies if s.strategy is name), None)


def _records(path: Path, model: type[M]) -> list[M]:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        return [model.model_validate(rec) for rec in raw["records"]]
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
    except (KeyError, TypeError, ValidationError) as exc:
        raise CatalogInvalid(f"catalog {path} does not match {model.__name__}: {exc}") from exc
