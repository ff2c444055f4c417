"""The disaster-recovery strategy and its priced footprint in the recovery region.

One pure function of the recovery objectives (RTO, RPO), the uptime target, the constraints (regions the
design needs, regions residency allows) and the DR-strategy catalog. The priced plan calls it for every
provider, so the headline cost, the TCO, the cost model, the budget checks and the infrastructure design
all read the same strategy and the same footprint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.bom import BomBuilder
from infra_mind.agents.bom_shared import LLM_TOKEN_SKU
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.pricing import DrFootprint, MissingPrice, ProviderQuote, Site
from infra_mind.domain.requirements import CloudProvider
from infra_mind.domain.workloads import Database
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.sla import DrStrategy, DrStrategyName, Standby

MINUTES_PER_MONTH = 730 * 60
"""The 730-hour billing month of the sizing rule hours_per_month."""
TRAFFIC_KINDS = frozenset({"cdn", "egress", "nat_data", "load_balancer_capacity", LLM_TOKEN_SKU})
"""Lines metered by traffic: a standby serves none until failover, an active pair splits the same traffic."""
DATA_KINDS = frozenset({"managed_postgresql", "managed_mysql", "database_storage", "object_storage"})
REPLICATION_SKU = "inter_region_transfer"


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

    @property
    def active_regions(self) -> int:
        return 2 if self.secondary and self.strategy.standby is Standby.FULL else 1


def candidate_secondary(ctx: AssessmentContext, provider: Provider, primary: str) -> str | None:
    """The next allowed region after the primary, in the constraints' ranking (residency already applied)."""
    allowed = ctx.constraints.allowed_regions.get(CloudProvider(provider.value), ())
    return next((code for code in allowed if code != primary), None)


def choose_recovery(
    ctx: AssessmentContext, knowledge: Knowledge, single_region_pct: float | None, candidate: str | None
) -> Recovery:
    """The cheapest strategy that meets RTO and RPO, raised to what the uptime target needs.

    `single_region_pct` is the uptime one region composes to (None when nothing runs continuously);
    `candidate` the recovery region residency allows (None when it allows no second region).
    """
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


_FOOTPRINT = {
    Standby.BACKUPS: "a copy of the database backups",
    Standby.DATA: "the replicated data stores, compute switched off until failover",
    Standby.SCALED_DOWN: "a scaled-down working copy (one instance per always-on group, data replicated)",
    Standby.FULL: "a second full-capacity region serving traffic",
}


def price_standby(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    provider: Provider,
    recovery: Recovery,
    builder: BomBuilder | None = None,
) -> ProviderQuote | None:
    """The DR footprint in the secondary region, priced line by line from the catalog.

    Traffic-metered lines (CDN, egress, NAT data, load balancer capacity, LLM tokens) are not duplicated:
    a standby serves nothing until failover and an active pair splits the same traffic; scheduled and
    training jobs run once, in the primary region. A warm standby runs one instance per always-on group
    (what the Terraform skeleton deploys there), scaled out at failover. The replication
    transfer between the regions has no catalog price and is listed as missing, with its least volume.
    """
    region = recovery.secondary
    if region is None:
        return None
    standby = recovery.strategy.standby
    builder = builder or BomBuilder(knowledge)
    quote = builder.quote(
        ctx,
        provider,
        region,
        standby=standby is not Standby.FULL,
        scaled_down=standby is Standby.SCALED_DOWN,
        site=Site.DR,
    )
    databases = {w.name for w in ctx.requirements.workloads if isinstance(w, Database)}

    def kept(kind: str, workload: str | None) -> bool:
        match standby:
            case Standby.BACKUPS:
                return kind == "object_storage" and workload in databases
            case Standby.DATA:
                return kind in DATA_KINDS
        return kind not in TRAFFIC_KINDS

    lines = [line for line in quote.lines if kept(line.kind, line.workload)]
    missing = [
        m
        for m in quote.missing
        if m.sku not in TRAFFIC_KINDS and (kept(m.sku, m.workload) or m.workload in databases)
    ]
    missing.append(_replication(ctx, provider, recovery, region))
    return ProviderQuote(
        provider=provider.value,
        region=region,
        lines=lines,
        missing=missing,
        monthly_usd=round(sum(line.monthly_usd for line in lines), 2),
    )


def _replication(ctx: AssessmentContext, provider: Provider, recovery: Recovery, region: str) -> MissingPrice:
    """Cross-region transfer: at least the monthly growth of the replicated data, plus a one-off seed."""
    standby = recovery.strategy.standby
    stores = [
        w
        for w in ctx.requirements.workloads
        if (isinstance(w, Database) or standby is not Standby.BACKUPS)
        and (w.data_size_gb > 0 or w.data_growth_gb_per_month > 0)
    ]
    growth = sum(w.data_growth_gb_per_month for w in stores)
    seed = sum(w.data_size_gb for w in stores)
    primary = ctx.constraints.home_regions.get(CloudProvider(provider.value), "the primary region")
    what = "backup copies" if standby is Standby.BACKUPS else "replication"
    return MissingPrice(
        component=f"DR: cross-region {what} transfer",
        provider=provider.value,
        sku=REPLICATION_SKU,
        region=region,
        reason=(
            f"{primary} → {region}: inter-region data transfer has no catalog v1 price; at least "
            f"{growth:,.0f} GB/month (the "
            "monthly "
            f"growth of {', '.join(w.name for w in stores) or 'the replicated data'}) plus a one-off copy of "
            f"{seed:,.0f} GB; the change volume of the databases (WAL, rewrites) is usually larger and is "
            "not "
            "in the input"
        ),
        quantity=round(growth, 2),
        unit="GB/month (at least)",
        key="dr:shared:replication_transfer",
        site=Site.DR,
    )


def footprint(recovery: Recovery, standby: ProviderQuote | None, primary_region: str) -> DrFootprint:
    """The DR part of a provider's plan, in words and dollars."""
    strategy = recovery.strategy
    if standby is None:
        return DrFootprint(
            strategy=strategy.strategy.value,
            region=None,
            monthly_usd=0.0,
            basis=f"backups stay in {primary_region} across zones (priced in the primary region); "
            "no second region is kept",
        )
    return DrFootprint(
        strategy=strategy.strategy.value,
        region=standby.region,
        monthly_usd=standby.monthly_usd,
        basis=f"{_FOOTPRINT[strategy.standby]} in {standby.region}: {len(standby.lines)} priced line(s); "
        "traffic-metered lines are not duplicated",
    )


def format_pct(pct: float, places: int = 4) -> str:
    """Truncated rather than rounded, so 99.99995 reads 99.9999 and never 100.0000."""
    scale = 10**places
    return f"{math.floor(pct * scale + 1e-6) / scale:.{places}f}"


def downtime_budget_minutes(uptime_pct: float) -> float:
    return MINUTES_PER_MONTH * (1 - uptime_pct / 100)
