"""What an importer hands back: typed catalog records plus what it left out and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from infra_mind.knowledge.models import InstanceType, ServicePrice


@dataclass(frozen=True)
class Skipped:
    item: str
    """The SKU / meter / product id as the source names it."""
    reason: str


@dataclass(frozen=True)
class ImportResult:
    source: str
    """What was read: format name and file name."""
    as_of: date
    instances: tuple[InstanceType, ...] = ()
    services: tuple[ServicePrice, ...] = ()
    skipped: tuple[Skipped, ...] = ()
