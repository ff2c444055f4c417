"""What `infra-mind catalog show|search|diff` print: catalog look-ups and rich tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from rich import box
from rich.table import Table

from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.diff import CatalogDiff, PriceChange
from infra_mind.knowledge.models import InstanceCategory, InstanceType, Provider, ServiceKind, ServicePrice

INSTANCE_KIND = "instance"


@dataclass(frozen=True)
class SearchFilter:
    text: str = ""
    provider: Provider | None = None
    kind: str | None = None
    category: InstanceCategory | None = None
    region: str | None = None
    min_vcpu: int | None = None
    max_vcpu: int | None = None
    min_memory_gib: float | None = None
    max_memory_gib: float | None = None
    gpu: bool = False
    max_usd: float | None = None


@dataclass(frozen=True)
class Hit:
    """One search result: an instance type or a service SKU, at its price in the region asked for, or
    at its lowest catalog price when no region was."""

    provider: str
    kind: str
    sku: str
    name: str
    vcpu: int | None
    memory_gib: float | None
    gpu: str
    region: str
    regions: int
    usd: float
    unit: str
    as_of: date
    estimate: str | None

    gpu_short: str = ""

    def as_json(self) -> dict[str, object]:
        return asdict(self) | {"as_of": self.as_of.isoformat()}


def search(knowledge: Knowledge, wanted: SearchFilter) -> list[Hit]:
    hits = [*_instance_hits(knowledge, wanted), *_service_hits(knowledge, wanted)]
    if wanted.max_usd is not None:
        hits = [h for h in hits if h.usd <= wanted.max_usd]
    return sorted(hits, key=lambda h: (h.provider, h.kind, h.usd, h.sku))


def services_by_sku(knowledge: Knowledge, provider: Provider, sku: str) -> list[ServicePrice]:
    return [s for s in _all_services(knowledge, provider) if s.sku == sku]


def _instance_hits(knowledge: Knowledge, wanted: SearchFilter) -> Iterator[Hit]:
    if wanted.kind not in (None, INSTANCE_KIND):
        return
    for provider in _providers(wanted):
        for instance in knowledge.instances(provider, wanted.category):
            if not _instance_matches(instance, wanted):
                continue
            prices = [p for p in instance.prices if wanted.region in (None, p.region)]
            if not prices:
                continue
            best = min(prices, key=lambda p: p.usd_per_hour)
            yield Hit(
                provider=provider.value,
                kind=INSTANCE_KIND,
                sku=instance.sku,
                name=f"{instance.family} ({instance.category.value})",
                vcpu=instance.vcpu,
                memory_gib=instance.memory_gib,
                gpu=gpu_label(instance),
                gpu_short=f"{instance.gpu_count}× {instance.gpu_model.split()[-1]}"
                if instance.gpu_model
                else "",
                region=best.region,
                regions=len(instance.prices),
                usd=best.usd_per_hour,
                unit="hour",
                as_of=best.as_of,
                estimate=best.estimate,
            )


def _instance_matches(instance: InstanceType, wanted: SearchFilter) -> bool:
    haystack = " ".join([instance.sku, instance.family, instance.category.value, instance.gpu_model or ""])
    return (
        wanted.text.lower() in haystack.lower()
        and (wanted.min_vcpu is None or instance.vcpu >= wanted.min_vcpu)
        and (wanted.max_vcpu is None or instance.vcpu <= wanted.max_vcpu)
        and (wanted.min_memory_gib is None or instance.memory_gib >= wanted.min_memory_gib)
        and (wanted.max_memory_gib is None or instance.memory_gib <= wanted.max_memory_gib)
        and (not wanted.gpu or instance.gpu_count > 0)
    )


def _service_hits(knowledge: Knowledge, wanted: SearchFilter) -> Iterator[Hit]:
    if wanted.kind == INSTANCE_KIND or wanted.category is not None or wanted.gpu:
        return
    groups: dict[tuple[Provider, ServiceKind, str, float], list[ServicePrice]] = {}
    for provider in _providers(wanted):
        for service in _all_services(knowledge, provider):
            if _service_matches(service, wanted):
                key = (provider, service.kind, service.sku, service.tier_start_units)
                groups.setdefault(key, []).append(service)
    for prices in groups.values():
        best = min(prices, key=lambda s: s.usd_per_unit)
        yield Hit(
            provider=best.provider.value,
            kind=best.kind.value,
            sku=best.sku,
            name=best.service,
            vcpu=best.vcpu,
            memory_gib=best.memory_gib,
            gpu="",
            region=best.region,
            regions=len(prices),
            usd=best.usd_per_unit,
            unit=best.unit.value,
            as_of=best.as_of,
            estimate=best.estimate,
        )


def _service_matches(service: ServicePrice, wanted: SearchFilter) -> bool:
    haystack = " ".join([service.sku, service.service, service.kind.value, service.notes])
    vcpu = service.vcpu
    memory = service.memory_gib
    sized = vcpu is not None
    return (
        wanted.text.lower() in haystack.lower()
        and wanted.kind in (None, service.kind.value)
        and wanted.region in (None, service.region)
        and (wanted.min_vcpu is None or (sized and (vcpu or 0) >= wanted.min_vcpu))
        and (wanted.max_vcpu is None or (sized and (vcpu or 0) <= wanted.max_vcpu))
        and (wanted.min_memory_gib is None or (memory is not None and memory >= wanted.min_memory_gib))
        and (wanted.max_memory_gib is None or (memory is not None and memory <= wanted.max_memory_gib))
    )


def _providers(wanted: SearchFilter) -> list[Provider]:
    return [wanted.provider] if wanted.provider else list(Provider)


def _all_services(knowledge: Knowledge, provider: Provider) -> Iterator[ServicePrice]:
    for region in knowledge.regions(provider):
        for kind in ServiceKind:
            yield from knowledge.service_prices(provider, kind, region.code)


def gpu_label(instance: InstanceType) -> str:
    if not instance.gpu_count:
        return ""
    return f"{instance.gpu_count}× {instance.gpu_model or 'GPU'} ({instance.gpu_memory_gib:g} GiB)"


def hits_table(hits: list[Hit], *, region: str | None) -> Table:
    """Only the columns some hit has a value in; the region only when it varies."""
    title = f"{len(hits)} match(es)" + (f" in {region}" if region else ", each in its lowest-priced region")
    kinds = {h.kind for h in hits}
    if len(kinds) == 1:
        title += f" ({kinds.pop()})"
    columns: list[tuple[str, Callable[[Hit], str], dict[str, Any]]] = [
        ("SKU", lambda h: f"{h.provider} {h.sku}", {"ratio": 3}),
        ("kind", lambda h: h.kind.replace("_", " ") if len({h.kind for h in hits}) > 1 else "", {}),
        ("vCPU", lambda h: _number(h.vcpu), {"justify": "right"}),
        ("GiB", lambda h: _number(h.memory_gib), {"justify": "right"}),
        ("GPU", lambda h: h.gpu_short, {}),
        ("USD", _usd, {"justify": "right", "min_width": 8}),
        ("region", lambda h: "" if region else h.region, {"min_width": 9}),
        ("as of", lambda h: h.as_of.isoformat(), {"min_width": 10}),
    ]
    shown = [c for c in columns if any(c[1](h) for h in hits)]
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for header, _, options in shown:
        table.add_column(header, overflow="fold", **options)
    for h in hits:
        table.add_row(*(value(h) for _, value, _ in shown))
    return table


def instance_tables(instance: InstanceType, region: str | None) -> list[Table | str]:
    specs = Table(title=f"{instance.provider.value} {instance.sku}", show_header=False)
    specs.add_column("field")
    specs.add_column("value")
    specs.add_row("family", instance.family)
    specs.add_row("category", instance.category.value)
    specs.add_row("vCPU", str(instance.vcpu))
    specs.add_row("memory", f"{instance.memory_gib:g} GiB")
    specs.add_row("GPU", gpu_label(instance) or "none")
    prices = Table(title="prices, USD per hour")
    for column in ("region", "on-demand", "1-year", "3-year", "as of", "source"):
        prices.add_column(column, justify="right" if column in ("on-demand", "1-year", "3-year") else "left")
    notes = _Notes()
    for p in instance.prices:
        if region in (None, p.region):
            prices.add_row(
                p.region,
                f"{p.usd_per_hour:.6g}",
                _number(p.commitment_1y_usd_per_hour),
                _number(p.commitment_3y_usd_per_hour),
                p.as_of.isoformat(),
                notes.mark(p.source, p.estimate),
            )
    return [specs, prices, *notes.lines()]


def service_tables(services: list[ServicePrice]) -> list[Table | str]:
    """One table per service kind sharing the SKU, then the numbered sources."""
    notes = _Notes()
    tables: list[Table | str] = []
    for kind in dict.fromkeys(s.kind for s in services):
        same_kind = sorted(
            (s for s in services if s.kind == kind), key=lambda s: (s.region, s.tier_start_units)
        )
        first = same_kind[0]
        table = Table(title=f"{first.provider.value} {first.sku}: {first.service} ({kind.value})")
        for column in ("region", "USD", "unit", "from", "free/month", "as of", "source"):
            table.add_column(column, justify="right" if column in ("USD", "from", "free/month") else "left")
        for s in same_kind:
            table.add_row(
                s.region,
                f"{s.usd_per_unit:.6g}",
                s.unit.value,
                f"{s.tier_start_units:g}",
                f"{s.free_units_per_month:g}",
                s.as_of.isoformat(),
                notes.mark(s.source, s.estimate),
            )
        tables.append(table)
    return [*tables, *notes.lines()]


class _Notes:
    """Sources and estimate methods are long and shared by many rows: numbered once, printed below."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str | None], int] = {}

    def mark(self, source: str, estimate: str | None) -> str:
        number = self._numbers.setdefault((source, estimate), len(self._numbers) + 1)
        return f"[{number}]" + (" estimate" if estimate else "")

    def lines(self) -> list[str]:
        lines = []
        for (source, estimate), number in self._numbers.items():
            lines.append(f"[{number}] {source}")
            if estimate:
                lines.append(f"    estimate: {estimate}")
        return lines


def diff_tables(diff: CatalogDiff, *, limit: int) -> list[Table]:
    summary = Table(title=f"price changes {diff.old_dir} → {diff.new_dir}")
    for column in ("provider", "kind", "changed", "added", "removed", "re-dated"):
        summary.add_column(column, justify="left" if column in ("provider", "kind") else "right")
    for g in diff.groups:
        summary.add_row(
            g.provider.value, g.kind, str(g.changed), str(g.added), str(g.removed), str(g.redated)
        )
    tables = [summary]
    if diff.changed:
        tables.append(_changes_table(f"changed ({len(diff.changed)}, largest first)", diff.changed, limit))
    if diff.added:
        tables.append(_changes_table(f"added ({len(diff.added)})", diff.added, limit))
    if diff.removed:
        tables.append(_changes_table(f"removed ({len(diff.removed)})", diff.removed, limit))
    return tables


def _changes_table(title: str, changes: list[PriceChange], limit: int) -> Table:
    more = f"; first {limit} shown" if len(changes) > limit else ""
    table = Table(title=title + more)
    for column in ("price", "region", "old USD", "new USD", "change", "as of"):
        table.add_column(column, justify="right" if "USD" in column or column == "change" else "left")
    for c in changes[:limit]:
        dates = dict.fromkeys(p.as_of.isoformat() for p in (c.old, c.new) if p is not None)
        table.add_row(
            _price_label(c),
            c.key.region,
            f"{c.old.usd:.6g}" if c.old else "",
            f"{c.new.usd:.6g}" if c.new else "",
            "" if c.change_pct is None else f"{c.change_usd:+.6g} ({c.change_pct:+.2f}%)",
            " → ".join(dates),
        )
    return table


def _price_label(change: PriceChange) -> str:
    k = change.key
    label = (
        f"{k.provider.value} {k.sku}" if k.kind == INSTANCE_KIND else f"{k.provider.value} {k.kind} {k.sku}"
    )
    if k.term != "on_demand":
        label += f" {k.term}"
    if k.from_units:
        label += f" from {k.from_units:g} {k.unit}"
    return label


UNIT_SHORT = {"hour": "h", "gb_month": "GB-mo", "gb": "GB", "million_requests": "M req", "gb_second": "GB-s"}


def _usd(hit: Hit) -> str:
    return f"{hit.usd:.6g}/{UNIT_SHORT.get(hit.unit, hit.unit)}" + (" est." if hit.estimate else "")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
