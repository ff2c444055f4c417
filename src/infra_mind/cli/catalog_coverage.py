"""`infra-mind catalog stats`: the coverage of a catalog as tables or JSON."""

from __future__ import annotations

from dataclasses import asdict
from enum import Enum
from typing import Any

from rich.table import Table

from infra_mind.knowledge.coverage import ProviderCoverage
from infra_mind.knowledge.models import Geography, InstanceCategory, ServiceKind


def coverage_tables(report: list[ProviderCoverage]) -> list[Table]:
    return [_instances(report), _services(report)]


def coverage_json(report: list[ProviderCoverage]) -> list[dict[str, Any]]:
    return [_plain(asdict(c)) for c in report]


def _instances(report: list[ProviderCoverage]) -> Table:
    table = Table(title="regions and instances (prices: read from provider data / estimated)")
    table.add_column("")
    for c in report:
        table.add_column(c.provider.value, justify="right")
    for geography in Geography:
        table.add_row(
            f"regions: {geography.value}", *(str(c.regions_by_geography.get(geography, 0)) for c in report)
        )
    table.add_row("regions with instance prices", *(str(c.regions_with_instance_prices) for c in report))
    for category in InstanceCategory:
        table.add_row(
            f"{category.value}: families / SKUs",
            *(
                f"{c.families_by_category.get(category, 0)} / {c.skus_by_category.get(category, 0)}"
                for c in report
            ),
        )
    table.add_row(
        "instance prices", *(f"{c.instance_prices.read} / {c.instance_prices.estimated}" for c in report)
    )
    table.add_row("with commitment prices", *(str(c.commitment_prices) for c in report))
    table.add_row("oldest as-of", *(str(c.oldest_as_of or "—") for c in report))
    table.add_row("newest as-of", *(str(c.newest_as_of or "—") for c in report))
    return table


def _services(report: list[ProviderCoverage]) -> Table:
    table = Table(title="managed services: regions priced / offered; prices read / estimated")
    table.add_column("kind")
    for c in report:
        table.add_column(c.provider.value, justify="right")
    for kind in ServiceKind:
        cells = []
        for c in report:
            k = next(s for s in c.services if s.kind is kind)
            cells.append(f"{k.priced_regions}/{k.offered_regions}; {k.prices.read}/{k.prices.estimated}")
        table.add_row(kind.value, *cells)
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
