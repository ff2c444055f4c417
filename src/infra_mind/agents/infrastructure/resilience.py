"""HA: design uptime composed from the components' SLAs; the DR strategy itself lives in agents.recovery."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from infra_mind.agents.evidence import record_evidence
from infra_mind.agents.infrastructure.scaling import Fleet
from infra_mind.agents.infrastructure.scaling import fleets as fleets_of
from infra_mind.agents.recovery import downtime_budget_minutes, format_pct
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.infrastructure import ComponentAvailability
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.workloads import Criticality, Database, DatabaseEngine
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.sla import Availability, Component, DrStrategy, Scope

__all__ = [
    "Composition",
    "Part",
    "compose",
    "downtime_budget_minutes",
    "format_pct",
    "on_critical_path",
    "single_region_uptime",
    "sla_evidence",
    "strategy_evidence",
]

_CRITICAL = frozenset({Criticality.MISSION_CRITICAL, Criticality.BUSINESS_CRITICAL})
_RELATIONAL = frozenset({DatabaseEngine.POSTGRESQL, DatabaseEngine.MYSQL})
"""Engines the managed-database SLA records describe."""


@dataclass(frozen=True)
class Part:
    label: str
    record: Availability


@dataclass(frozen=True)
class Composition:
    parts: list[Part]
    region_pct: float | None
    design_pct: float | None
    """None when nothing always-on is composed (no served, compute or database part)."""
    active_regions: int

    @property
    def uncovered(self) -> list[Part]:
        return [p for p in self.parts if p.record.availability_pct is None]

    def components(self) -> list[ComponentAvailability]:
        return [
            ComponentAvailability(
                component=p.label,
                service=p.record.service,
                region_scope=p.record.scope.value,
                sla_pct=p.record.availability_pct,
                source=p.record.source,
            )
            for p in self.parts
        ]

    def formula(self) -> str:
        if self.region_pct is None or self.design_pct is None:
            return "nothing runs continuously, so no uptime is composed"
        regional = [p for p in self.parts if p.record.scope is Scope.REGIONAL and p.record.availability_pct]
        shared = [p for p in self.parts if p.record.scope is Scope.GLOBAL and p.record.availability_pct]
        product = (
            " × ".join(f"{p.label} {p.record.availability_pct:g} %" for p in regional) or "no regional part"
        )
        text = f"per region: {product} = {format_pct(self.region_pct)} %"
        if self.active_regions > 1:
            text += (
                f"; {self.active_regions} active regions in parallel: 1 − (1 − {self.region_pct / 100:.6f})"
                f"^{self.active_regions}"
            )
        if shared:
            text += "; shared: " + " × ".join(f"{p.label} {p.record.availability_pct:g} %" for p in shared)
        if self.active_regions > 1 or shared:
            text += f" → {format_pct(self.design_pct)} %"
        return text


def compose(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    provider: Provider,
    fleets: Sequence[Fleet],
    active_regions: int,
) -> Composition:
    """Serial parts multiply; n identical active regions are redundant, 1 − (1 − a)^n; shared parts last."""
    parts = _parts(ctx, knowledge, provider, fleets, active_regions)
    if not parts:
        return Composition(parts, None, None, active_regions)
    regional = math.prod(_fraction(p) for p in parts if p.record.scope is Scope.REGIONAL)
    shared = math.prod(_fraction(p) for p in parts if p.record.scope is Scope.GLOBAL)
    design = shared * (1 - (1 - regional) ** active_regions)
    return Composition(parts, round(regional * 100, 6), round(design * 100, 6), active_regions)


def _parts(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    provider: Provider,
    fleets: Sequence[Fleet],
    active_regions: int,
) -> list[Part]:
    def part(label: str, component: Component) -> list[Part]:
        record = knowledge.sla.availability(provider, component)
        return [Part(label, record)] if record else []

    parts: list[Part] = []
    if any(f.served for f in fleets):
        parts += part("load balancer", Component.LOAD_BALANCER)
    on_path = on_critical_path(fleets)
    if on_path:
        spread = ctx.constraints.zones_required > 1 and all(f.count > 1 for f in on_path)
        parts += part(
            "compute across zones" if spread else "compute (single instance)",
            Component.MULTI_ZONE_COMPUTE if spread else Component.SINGLE_INSTANCE,
        )
    for w in ctx.requirements.workloads:
        if isinstance(w, Database) and w.engine in _RELATIONAL:
            ha = w.high_availability
            parts += part(
                f"{w.name} ({'standby in a second zone' if ha else 'single instance'})",
                Component.DATABASE_HA if ha else Component.DATABASE_SINGLE,
            )
    if parts and active_regions > 1 and not any(p.record.scope is Scope.GLOBAL for p in parts):
        parts += part("failover routing", Component.DNS_FAILOVER)
    return parts


def on_critical_path(fleets: Sequence[Fleet]) -> list[Fleet]:
    """Fleets the service is down without: those serving users and the business- or mission-critical ones
    (every fleet when none is either)."""
    critical = [f for f in fleets if f.served or f.workload.criticality in _CRITICAL]
    return critical or list(fleets)


def single_region_uptime(ctx: AssessmentContext, knowledge: Knowledge, quote: ProviderQuote) -> float | None:
    """What one region of the quote's design composes to: the uptime floor of the DR choice."""
    provider = Provider(quote.provider)
    return compose(ctx, knowledge, provider, fleets_of(ctx, knowledge, quote), active_regions=1).region_pct


def _fraction(p: Part) -> float:
    return 1.0 if p.record.availability_pct is None else p.record.availability_pct / 100


def sla_evidence(record: Availability) -> Evidence:
    pct = "no SLA" if record.availability_pct is None else f"{record.availability_pct:g} %"
    detail = f"{record.service}: {pct} monthly uptime for {record.condition}"
    if record.estimate:
        detail += f" [{record.estimate}]"
    return record_evidence(
        record, EvidenceKind.CATALOG_RECORD, f"sla:{record.provider.value}:{record.component.value}", detail
    )


def strategy_evidence(strategy: DrStrategy) -> Evidence:
    return record_evidence(
        strategy,
        EvidenceKind.CATALOG_RECORD,
        f"dr:{strategy.strategy.value}",
        f"{strategy.description}; planned RTO {strategy.rto_minutes} min, RPO {strategy.rpo_minutes} min "
        f"({strategy.estimate})",
    )
