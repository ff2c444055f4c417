"""HA/DR: design uptime composed from the components' SLAs, the DR strategy, and its priced footprint."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from infra_mind.agents.bom import BomBuilder
from infra_mind.agents.evidence import record_evidence
from infra_mind.agents.infrastructure.scaling import Fleet
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.infrastructure import ComponentAvailability
from infra_mind.domain.pricing import MissingPrice, ProviderQuote
from infra_mind.domain.workloads import Criticality, Database, DatabaseEngine
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.sla import Availability, Component, DrStrategy, DrStrategyName, Scope, Standby

MINUTES_PER_MONTH = 730 * 60
"""The 730-hour billing month of the sizing rule hours_per_month."""
TRAFFIC_KINDS = frozenset({"cdn", "egress", "nat_data", "load_balancer_capacity"})
"""Lines metered by traffic: a standby serves none until failover, an active pair splits the same traffic."""
DATA_KINDS = frozenset({"managed_postgresql", "managed_mysql", "database_storage", "object_storage"})
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


@dataclass(frozen=True)
class Recovery:
    strategy: DrStrategy
    secondary: str | None
    reasons: list[str]
    objectives_met: bool
    region_missing: bool = False
    """A second region was needed (constraints or strategy) but residency allows none."""

    @property
    def regional_protection(self) -> bool:
        return self.secondary is not None


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


def _fraction(p: Part) -> float:
    return 1.0 if p.record.availability_pct is None else p.record.availability_pct / 100


def choose_recovery(
    ctx: AssessmentContext, knowledge: Knowledge, single_region_pct: float | None, candidate: str | None
) -> Recovery:
    perf = ctx.requirements.performance
    strategies = knowledge.sla.strategies()
    fitting = [
        s for s in strategies if s.rto_minutes <= perf.rto_minutes and s.rpo_minutes <= perf.rpo_minutes
    ]
    chosen = fitting[0] if fitting else strategies[-1]
    reasons = [
        f"{chosen.strategy.value} is the cheapest strategy whose planned RTO ({chosen.rto_minutes} min) and "
        f"RPO ({chosen.rpo_minutes} min) meet the targets ({perf.rto_minutes} / {perf.rpo_minutes} min)"
        if fitting
        else f"no strategy meets RTO {perf.rto_minutes} min / RPO {perf.rpo_minutes} min; "
        f"{chosen.strategy.value} comes closest ({chosen.rto_minutes} / {chosen.rpo_minutes} min)"
    ]
    floor = _uptime_floor(ctx, knowledge, single_region_pct, reasons)
    if floor and floor.order > chosen.order:
        chosen = floor
    if candidate is None and chosen.needs_secondary_region:
        fallback = strategies[0]
        reasons.append(
            f"{chosen.strategy.value} needs a second region but the residency rules leave none; backups "
            f"stay in the primary region, stored across zones ({fallback.strategy.value})"
        )
        return Recovery(fallback, None, reasons, objectives_met=False, region_missing=True)
    if candidate is None:
        reasons.append("no second region is allowed: a region-wide outage waits for the provider's recovery")
    met = bool(fitting) and chosen.rto_minutes <= perf.rto_minutes and chosen.rpo_minutes <= perf.rpo_minutes
    missing = candidate is None and ctx.constraints.regions_required > 1
    return Recovery(
        chosen, candidate, reasons, objectives_met=met and candidate is not None, region_missing=missing
    )


def _uptime_floor(
    ctx: AssessmentContext, knowledge: Knowledge, single_region_pct: float | None, reasons: list[str]
) -> DrStrategy | None:
    """The least a strategy must do when the constraints ask for a second region."""
    perf = ctx.requirements.performance
    target = perf.uptime_target_pct
    if ctx.constraints.regions_required < 2:
        return None
    why = "global distribution" if perf.global_distribution else f"the {target:g} % uptime target"
    budget = downtime_budget_minutes(target)
    active = knowledge.sla.strategy(DrStrategyName.MULTI_SITE_ACTIVE)
    warm = knowledge.sla.strategy(DrStrategyName.WARM_STANDBY)
    if single_region_pct is not None and single_region_pct < target:
        reasons.append(
            f"{why} calls for a second region, and {target:g} % is above what one region composes to "
            f"({format_pct(single_region_pct)} %): only a second active region raises it"
        )
        return active
    if warm is None or warm.rto_minutes > budget:
        reasons.append(
            f"{why} calls for a second region; a standby's failover would not fit the monthly "
            f"downtime budget of {budget:.1f} min, so both regions serve"
        )
        return active
    reasons.append(
        f"{why} calls for a second region; a running standby's failover ({warm.rto_minutes} min) fits the "
        f"monthly downtime budget of {budget:.1f} min"
    )
    return warm


def price_standby(
    ctx: AssessmentContext, knowledge: Knowledge, provider: Provider, recovery: Recovery
) -> ProviderQuote | None:
    """The DR footprint in the secondary region, priced line by line from the catalog."""
    region = recovery.secondary
    if region is None:
        return None
    standby = recovery.strategy.standby
    quote = BomBuilder(knowledge).quote(ctx, provider, region, standby=standby is not Standby.FULL)
    databases = {w.name for w in ctx.requirements.workloads if isinstance(w, Database)}

    def kept(kind: str, workload: str | None) -> bool:
        match standby:
            case Standby.BACKUPS:
                return kind == "object_storage" and workload in databases
            case Standby.DATA:
                return kind in DATA_KINDS
        return kind not in TRAFFIC_KINDS

    lines = [line for line in quote.lines if kept(line.kind, line.workload)]
    missing = [m for m in quote.missing if kept(m.sku, m.workload) or m.workload in databases]
    missing.append(
        MissingPrice(
            component="cross-region replication transfer",
            provider=provider.value,
            sku="inter_region_transfer",
            region=region,
            reason="catalog v1 has no inter-region data transfer price; replication traffic is excluded",
        )
    )
    return ProviderQuote(
        provider=provider.value,
        region=region,
        lines=lines,
        missing=missing,
        monthly_usd=round(sum(line.monthly_usd for line in lines), 2),
    )


def format_pct(pct: float, places: int = 4) -> str:
    """Truncated rather than rounded, so 99.99995 reads 99.9999 and never 100.0000."""
    scale = 10**places
    return f"{math.floor(pct * scale + 1e-6) / scale:.{places}f}"


def downtime_budget_minutes(uptime_pct: float) -> float:
    return MINUTES_PER_MONTH * (1 - uptime_pct / 100)


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
