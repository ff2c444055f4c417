"""The infrastructure analysis: a pure function of the context, the catalogs and the priced plan."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from infra_mind.agents.bom import BomBuilder, kubernetes_line
from infra_mind.agents.infrastructure.resilience import Composition, compose, on_critical_path
from infra_mind.agents.infrastructure.scaling import Fleet, capacity_plan, fleets, scaling_policy
from infra_mind.agents.infrastructure.terraform import (
    ComputeGroup,
    DatabaseSpec,
    TerraformDesign,
    render_terraform,
)
from infra_mind.agents.infrastructure.topology import build_topology
from infra_mind.agents.plan import PricedPlan
from infra_mind.agents.recovery import Recovery
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs import InfrastructureOutput
from infra_mind.domain.outputs.infrastructure import DisasterRecovery, ScalingPolicy
from infra_mind.domain.pricing import BomLine, ProviderQuote
from infra_mind.domain.workloads import Database, DatabaseEngine
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.sla import Standby

HA_KINDS = frozenset(
    {"compute", "managed_postgresql", "managed_mysql", "database_storage", "nat_gateway", "block_storage"}
)
"""Line kinds whose quantity changes between a one-zone footprint and the multi-zone design."""
_PROJECT_NAME_MAX = 24
_ENGINES = {DatabaseEngine.POSTGRESQL: "postgresql", DatabaseEngine.MYSQL: "mysql"}
"""The engines with a managed relational service in the catalog."""


@dataclass(frozen=True)
class Analysis:
    ctx: AssessmentContext
    provider: Provider
    quote: ProviderQuote
    fleets: list[Fleet]
    policies: list[ScalingPolicy]
    composition: Composition
    recovery: Recovery
    standby: ProviderQuote | None
    ha_lines: list[BomLine]
    ha_premium_usd: float
    design: TerraformDesign
    output: InfrastructureOutput

    @property
    def primary(self) -> str:
        return self.quote.region

    @property
    def dr_cost_usd(self) -> float:
        return self.standby.monthly_usd if self.standby else 0.0


def analyse(ctx: AssessmentContext, knowledge: Knowledge, plan: PricedPlan) -> Analysis | None:
    """The design of the recommended provider's plan: its primary quote and the plan's DR decision."""
    option = plan.chosen_option
    if option is None:
        return None
    quote, recovery, standby = option.primary, option.recovery, option.standby
    provider = Provider(quote.provider)
    found = fleets(ctx, knowledge, quote)
    composition = compose(ctx, knowledge, provider, found, active_regions=recovery.active_regions)
    policies = [scaling_policy(ctx, knowledge, f) for f in found]
    ha_lines, premium = _ha_premium(ctx, knowledge, quote, found)
    design = _design(ctx, knowledge, quote, found, policies, recovery, standby)
    output = InfrastructureOutput(
        topology=build_topology(design),
        disaster_recovery=_disaster_recovery(ctx, composition, recovery, standby, design, found),
        autoscaling=policies,
        capacity_plan=capacity_plan(ctx),
        terraform=render_terraform(design),
    )
    return Analysis(
        ctx=ctx,
        provider=provider,
        quote=quote,
        fleets=found,
        policies=policies,
        composition=composition,
        recovery=recovery,
        standby=standby,
        ha_lines=ha_lines,
        ha_premium_usd=premium,
        design=design,
        output=output,
    )


def _ha_premium(
    ctx: AssessmentContext, knowledge: Knowledge, quote: ProviderQuote, found: list[Fleet]
) -> tuple[list[BomLine], float]:
    """What the multi-zone design costs over the same load in one zone (one instance, no database standby;
    the read replicas are there either way)."""
    if ctx.constraints.zones_required < 2:
        return [], 0.0
    single_zone = BomBuilder(knowledge).quote(ctx, Provider(quote.provider), quote.region, single_zone=True)
    relevant = {f.workload.name for f in found} | {
        w.name for w in ctx.requirements.workloads if isinstance(w, Database)
    }

    def ha(line: BomLine) -> bool:
        # read replicas carry load, not redundancy: the one-zone plan keeps them too
        return (
            line.kind in HA_KINDS
            and (line.workload in relevant or line.workload is None)
            and not line.key.endswith(":read_replicas")
        )

    lines = [line for line in quote.lines if ha(line)]
    premium = sum(line.monthly_usd for line in lines) - sum(
        line.monthly_usd for line in single_zone.lines if ha(line)
    )
    return lines, round(max(premium, 0.0), 2)


def _design(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    quote: ProviderQuote,
    found: list[Fleet],
    policies: list[ScalingPolicy],
    recovery: Recovery,
    standby: ProviderQuote | None,
) -> TerraformDesign:
    bounds = {p.workload: p for p in policies}
    groups = tuple(
        ComputeGroup(
            workload=f.workload.name,
            workload_type=f.workload.type,
            sku=f.instance.sku,
            min_instances=bounds[f.workload.name].min_instances,
            max_instances=bounds[f.workload.name].max_instances,
            gpu=f.gpu,
            served=f.served,
            metric=bounds[f.workload.name].metric,
        )
        for f in found
    )
    return TerraformDesign(
        provider=Provider(quote.provider),
        project=_project_name(ctx.requirements.company.name),
        region=quote.region,
        zones=ctx.constraints.zones_required,
        kubernetes=kubernetes_line(quote) is not None,
        groups=groups,
        databases=tuple(_databases(ctx, knowledge, quote, standby)),
        cdn=any(line.kind == "cdn" for line in quote.lines),
        standby=recovery.strategy.standby,
        secondary_region=recovery.secondary,
        boot_volume_gb=math.ceil(knowledge.sizing("boot_volume_gb").value),
        target_cpu_pct=round(knowledge.sizing("target_utilisation").value * 100),
    )


def _databases(
    ctx: AssessmentContext, knowledge: Knowledge, quote: ProviderQuote, standby: ProviderQuote | None
) -> list[DatabaseSpec]:
    demands = {d.name: d for d in ctx.profile.demands}
    floor = knowledge.sizing("db_min_storage_gb").value
    hours = knowledge.sizing("hours_per_month").value
    lines = {x.key: x for x in quote.lines + (standby.lines if standby else [])}

    def instances(key: str) -> int:
        line = lines.get(key)
        return round(line.quantity / hours) if line else 0

    specs = []
    for w in ctx.requirements.workloads:
        if not isinstance(w, Database) or w.engine not in _ENGINES:
            continue
        server = lines.get(f"{w.name}:database")
        disk = lines.get(f"{w.name}:database_storage")
        if server is None:
            continue
        storage = math.ceil(max(w.data_size_gb, floor))
        specs.append(
            DatabaseSpec(
                workload=w.name,
                engine=_ENGINES[w.engine],
                sku=server.sku,
                storage_gb=storage,
                max_storage_gb=max(storage, math.ceil(demands[w.name].storage_gb_24m)),
                high_availability=w.high_availability,
                storage_type="gp3" if disk and "gp3" in disk.sku else "gp2",
                read_replicas=instances(f"{w.name}:read_replicas"),
                dr_read_replicas=instances(f"dr:{w.name}:read_replicas"),
            )
        )
    return specs


def _project_name(company: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", company.lower()).strip("-")
    slug = slug if slug[:1].isalpha() else f"im-{slug}"
    return slug[:_PROJECT_NAME_MAX].rstrip("-")


def _disaster_recovery(
    ctx: AssessmentContext,
    composition: Composition,
    recovery: Recovery,
    standby: ProviderQuote | None,
    design: TerraformDesign,
    found: list[Fleet],
) -> DisasterRecovery:
    perf = ctx.requirements.performance
    strategy = recovery.strategy
    notes = [*recovery.reasons, f"design uptime {composition.formula()}"]
    notes += [
        f"{p.label}: {p.record.condition}; not covered by an SLA, so it is left out of the product and the "
        "figure is an upper bound"
        for p in composition.uncovered
    ]
    notes += [
        f"{w.name} ({w.engine.value}) has no managed service or SLA in catalog v1 and is not composed"
        for w in ctx.requirements.workloads
        if isinstance(w, Database) and w.engine not in _ENGINES
    ]
    on_path = on_critical_path(found)
    notes += [
        f"{f.workload.name} ({f.workload.criticality.value}) runs {f.count} instance(s) and sits outside the "
        "composed path: it is down whenever that instance is"
        for f in found
        if f not in on_path and f.count < design.zones
    ]
    if composition.active_regions == 1 and recovery.regional_protection:
        notes.append(
            "a standby region bounds the recovery time of a regional outage; it does not raise the "
            "monthly uptime, because failover is not instantaneous"
        )
    if standby:
        notes.append(
            f"DR footprint in {standby.region}: ${standby.monthly_usd:,.2f}/month over {len(standby.lines)} "
            "priced lines, included in the plan's monthly total; traffic-metered lines (CDN, egress, NAT "
            "data, load balancer capacity) are not duplicated; "
            + "; ".join(f"{m.component}: {m.reason}" for m in standby.missing)
        )
    return DisasterRecovery(
        strategy=strategy.strategy.value,
        target_uptime_pct=perf.uptime_target_pct,
        design_uptime_pct=composition.design_pct,
        rto_minutes=perf.rto_minutes,
        rpo_minutes=perf.rpo_minutes,
        achievable_rto_minutes=strategy.rto_minutes,
        achievable_rpo_minutes=strategy.rpo_minutes,
        backup=_backup_text(design, recovery),
        notes=notes,
        secondary_region=recovery.secondary,
        active_regions=composition.active_regions,
        components=composition.components(),
        monthly_cost_usd=standby.monthly_usd if standby else 0.0,
    )


def _backup_text(design: TerraformDesign, recovery: Recovery) -> str:
    names = ", ".join(d.workload for d in design.databases) or "the data stores"
    where = (
        f"copied to {recovery.secondary}"
        if recovery.strategy.standby is Standby.BACKUPS and recovery.secondary
        else f"replicated continuously to {recovery.secondary}"
        if recovery.secondary
        else f"kept in {design.region} across zones only"
    )
    return (
        f"automated daily backups with point-in-time recovery for {names}, encrypted, {where}; "
        "object storage versioned"
    )
