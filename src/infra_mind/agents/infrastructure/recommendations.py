"""Recommendations of the infrastructure agent, keyed the way synthesis merges them across agents."""

from __future__ import annotations

from infra_mind.agents.common_recommendations import cdn_recommendation
from infra_mind.agents.evidence import (
    Recommender,
    input_evidence,
    line_evidence,
    quote_evidence,
    sizing_evidence,
)
from infra_mind.agents.infrastructure.analysis import Analysis
from infra_mind.agents.infrastructure.resilience import (
    downtime_budget_minutes,
    format_pct,
    sla_evidence,
    strategy_evidence,
)
from infra_mind.agents.infrastructure.scaling import Fleet
from infra_mind.agents.products import PRODUCTS
from infra_mind.domain.enums import Pillar, SecurityControl
from infra_mind.domain.findings import Evidence, EvidenceKind, Priority, Recommendation
from infra_mind.domain.outputs.infrastructure import ScalingPolicy
from infra_mind.domain.requirements import DataClassification
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.sla import DrStrategyName

_DR_TITLES = {
    DrStrategyName.BACKUP_RESTORE: "Back up and restore: backups{where}, the stack re-created from code",
    DrStrategyName.PILOT_LIGHT: "Pilot light in {secondary}: replicate the data, start compute at failover",
    DrStrategyName.WARM_STANDBY: "Warm standby in {secondary}: a scaled-down copy, scaled out at failover",
    DrStrategyName.MULTI_SITE_ACTIVE: "Active-active in {primary} and {secondary}, health-checked routing",
}
_DR_ACTIONS = {
    DrStrategyName.BACKUP_RESTORE: [
        "Enable automated backups with point-in-time recovery on every database",
        "Copy backups to a second region where residency allows",
        "Restore into a fresh environment from the Terraform code and time it",
    ],
    DrStrategyName.PILOT_LIGHT: [
        "Create cross-region read replicas of every database",
        "Keep images and Terraform for the compute tier ready in the secondary region",
        "Write and rehearse the runbook: promote replica, scale compute, switch DNS",
    ],
    DrStrategyName.WARM_STANDBY: [
        "Run the scaled-down stack and read replicas in the secondary region",
        "Automate replica promotion and scale-out at failover",
        "Route traffic with health checks and rehearse the failover",
    ],
    DrStrategyName.MULTI_SITE_ACTIVE: [
        "Serve from both regions behind health-checked routing",
        "Design writes for a single primary database with a replica per region, or a multi-region database",
        "Rehearse losing a region under production load",
    ],
}


def recommendations(a: Analysis, knowledge: Knowledge, agent: str) -> list[Recommendation]:
    rec = Recommender(knowledge, agent)
    region_pct = a.composition.region_pct
    recs = [_multi_zone(a, rec, region_pct)] if a.design.zones > 1 and region_pct is not None else []
    recs.append(_disaster_recovery(a, rec))
    recs += [_autoscaling(a, rec, knowledge, f, p) for f, p in zip(a.fleets, a.policies, strict=True)]
    recs += [_terraform(a, rec), _segmentation(a, rec)]
    if a.design.served:
        recs.append(_edge_protection(a, rec))
    cdn = next((line for line in a.quote.lines if line.kind == "cdn"), None)
    if cdn and a.design.served:
        recs.append(cdn_recommendation(rec, cdn, "; the CDN also absorbs spikes before the load balancer"))
    return recs


def _multi_zone(a: Analysis, rec: Recommender, region_pct: float) -> Recommendation:
    target = a.ctx.requirements.performance.uptime_target_pct
    zones = a.design.zones
    records = [p.record for p in a.composition.parts]
    return rec.make(
        "ha:multi_zone",
        f"Run every tier across {zones} availability zones in {a.primary}",
        category="reliability",
        pillar=Pillar.RELIABILITY,
        priority=Priority.HIGH,
        impact=5,
        effort=2,
        confidence=0.85,
        rationale=(
            f"{target:g} % uptime leaves {downtime_budget_minutes(target):.0f} min of downtime a month; "
            f"over {zones} zones the design composes to {format_pct(region_pct)} % per region "
            f"({a.composition.formula()}). Zone redundancy costs ${a.ha_premium_usd:,.2f}/month over the "
            "same plan in one zone"
        ),
        actions=[
            "Spread every instance group evenly over the zones behind the load balancer",
            "Run each database with a standby in a second zone",
            "Health-check every target so the load balancer routes around a failed zone",
        ],
        evidence=[
            input_evidence("performance.uptime_target_pct", target),
            *map(sla_evidence, records),
            *[line_evidence(line) for line in a.ha_lines[:6]],
        ],
        best_practices=("REL10-BP01", "REL11-BP02", "REL02-BP01", "PERF04-BP04"),
        monthly_cost_in_plan=a.ha_premium_usd,
        provider=a.provider.value,
        regions=[a.primary],
    )


def _disaster_recovery(a: Analysis, rec: Recommender) -> Recommendation:
    perf = a.ctx.requirements.performance
    strategy = a.recovery.strategy
    name = strategy.strategy
    secondary = a.recovery.secondary
    where = f", copied to {secondary}" if secondary else f" kept in {a.primary} across zones"
    title = _DR_TITLES[name].format(primary=a.primary, secondary=secondary, where=where)
    evidence = [
        input_evidence("performance.rto_minutes", perf.rto_minutes),
        input_evidence("performance.rpo_minutes", perf.rpo_minutes),
        strategy_evidence(strategy),
    ]
    rationale = "; ".join(a.recovery.reasons)
    databases = {d.workload for d in a.design.databases}
    if a.standby:
        evidence += [quote_evidence(a.standby), *[line_evidence(line) for line in a.standby.lines[:6]]]
        unpriced = ", ".join(m.component.removeprefix("DR: ") for m in a.standby.missing)
        rationale += (
            f". The DR footprint in {a.standby.region} costs ${a.standby.monthly_usd:,.2f}/month "
            f"({len(a.standby.lines)} priced lines), already part of the plan's monthly total"
            + (f"; not priced: {unpriced}" if unpriced else "")
        )
    else:
        backups = [
            line for line in a.quote.lines if line.kind == "object_storage" and line.workload in databases
        ]
        evidence += [line_evidence(line) for line in backups]
        rationale += ". The backups are already in the primary bill; nothing runs in another region"
    others = [f"dr:{s.value}" for s in DrStrategyName if s is not name]
    regional = a.ctx.constraints.regions_required > 1 or strategy.needs_secondary_region
    return rec.make(
        f"dr:{name.value}",
        title,
        category="reliability",
        pillar=Pillar.RELIABILITY,
        priority=Priority.HIGH if regional else Priority.MEDIUM,
        impact=5 if regional else 4,
        effort=1 + strategy.order,
        confidence=0.75 if a.recovery.objectives_met else 0.55,
        rationale=rationale,
        actions=[
            *_DR_ACTIONS[name],
            "Rehearse the recovery on a schedule and record the achieved RTO and RPO",
        ],
        evidence=evidence,
        best_practices=("REL13-BP01", "REL13-BP02", "REL13-BP03", "REL09-BP04")
        + (("REL10-BP01",) if secondary else ()),
        monthly_cost_in_plan=a.dr_cost_usd,
        provider=a.provider.value,
        regions=[a.primary, secondary] if secondary else [a.primary],
        conflicts_with=others,
    )


def _autoscaling(
    a: Analysis, rec: Recommender, knowledge: Knowledge, fleet: Fleet, policy: ScalingPolicy
) -> Recommendation:
    hours = knowledge.sizing("hours_per_month").value
    ceiling = policy.max_instances * fleet.line.unit_price_usd * hours
    platform = (
        "HorizontalPodAutoscaler with the cluster autoscaler"
        if a.design.kubernetes
        else "target-tracking policy"
    )
    growth = a.ctx.requirements.growth
    return rec.make(
        f"autoscaling:{fleet.workload.name}",
        f"Autoscale {fleet.workload.name} between {policy.min_instances} and {policy.max_instances} × "
        f"{policy.instance_sku} on {policy.metric}",
        category="compute",
        pillar=Pillar.PERFORMANCE,
        priority=Priority.HIGH if policy.max_instances > fleet.count else Priority.MEDIUM,
        impact=4,
        effort=2,
        confidence=0.75,
        rationale=(
            f"{policy.basis}. At the maximum the group costs ${ceiling:,.2f}/month "
            f"({policy.max_instances} × ${fleet.line.unit_price_usd:g}/h × {hours:g} h)"
        ),
        actions=[
            f"Configure a {platform}: {policy.metric} at {policy.target}, "
            f"{policy.min_instances}–{policy.max_instances} instances",
            "Load-test to confirm the per-instance capacity behind the target",
            "Alert when the group stays at its maximum",
        ],
        evidence=[
            line_evidence(fleet.line),
            input_evidence("growth.users_24m", growth.users_24m),
            sizing_evidence(knowledge.sizing("target_utilisation")),
        ],
        best_practices=("REL07-BP01", "PERF02-BP05", "COST09-BP03", "SUS02-BP01"),
        provider=a.provider.value,
        services=[fleet.line.service],
        regions=[a.primary],
    )


def _terraform(a: Analysis, rec: Recommender) -> Recommendation:
    text = a.output.terraform
    resources = text.count('\nresource "')
    modules = text.count('\nmodule "')
    return rec.make(
        "iac:terraform",
        f"Provision the {a.provider.value.upper()} design from the generated Terraform skeleton",
        category="operations",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.HIGH,
        impact=4,
        effort=3,
        confidence=0.85,
        rationale=(
            f"the skeleton declares {resources} resources and {modules} modules for {a.primary}"
            + (f" and {a.recovery.secondary}" if a.recovery.secondary else "")
            + ", generated from the priced plan (instance types, database sizes, zones, DR footprint); "
            "code makes the recovery environment reproducible"
        ),
        actions=[
            "Commit the skeleton to version control and set its variables",
            "Keep state in a remote, encrypted, locked backend",
            "Run terraform plan on every change and apply only through the pipeline",
        ],
        evidence=[
            Evidence(
                kind=EvidenceKind.DERIVED,
                ref="terraform:skeleton",
                detail=f"{resources} resources, {modules} modules, provider {a.provider.value}",
            )
        ],
        best_practices=("OPS05-BP01", "OPS05-BP03", "OPS05-BP04"),
        provider=a.provider.value,
        regions=[r for r in (a.primary, a.recovery.secondary) if r],
    )


def _segmentation(a: Analysis, rec: Recommender) -> Recommendation:
    nat = [line for line in a.quote.lines if line.kind in {"nat_gateway", "nat_data"}]
    topology = a.output.topology
    required = SecurityControl.NETWORK_ISOLATION in a.ctx.requirements.security.required_controls
    return rec.make(
        "network:segmentation",
        f"Segment the {PRODUCTS[a.provider].network} into public, application and data tiers",
        category="network",
        pillar=Pillar.SECURITY,
        priority=Priority.HIGH,
        impact=4,
        effort=2,
        confidence=0.85,
        rationale="; ".join(topology.network)
        + (". Network isolation is a required control" if required else ""),
        actions=[
            "Place only load balancers and NAT in public subnets",
            "Admit the application tier only from the load balancer and the data tier only from the "
            "application tier",
            "Reach managed services through private endpoints",
        ],
        evidence=[
            input_evidence(
                "security.required_controls", [c.value for c in a.ctx.requirements.security.required_controls]
            ),
            *map(line_evidence, nat),
        ],
        best_practices=("SEC05-BP01", "SEC05-BP02"),
        monthly_cost_in_plan=sum(line.monthly_usd for line in nat) if nat else None,
        provider=a.provider.value,
        regions=[a.primary],
    )


def _edge_protection(a: Analysis, rec: Recommender) -> Recommendation:
    products = PRODUCTS[a.provider]
    security = a.ctx.requirements.security
    sensitive = security.data_classification in {
        DataClassification.CONFIDENTIAL,
        DataClassification.RESTRICTED,
    }
    asked = SecurityControl.DDOS_PROTECTION in security.required_controls
    return rec.make(
        "control:ddos_protection",
        f"Put {products.waf} and {products.ddos} in front of every public endpoint",
        category="security",
        pillar=Pillar.SECURITY,
        priority=Priority.HIGH if sensitive or asked else Priority.MEDIUM,
        impact=4,
        effort=2,
        confidence=0.8,
        rationale=(
            f"{', '.join(g.workload for g in a.design.served)} face the internet; {products.ddos} absorbs "
            f"network floods and {products.waf} blocks common application attacks before they reach the "
            f"{products.load_balancer}. WAF request and rule charges are not in catalog v1, so the cost is "
            "not priced"
        ),
        actions=[
            "Attach the WAF policy to the load balancer (and the CDN where used)",
            "Start in detection mode, then block once false positives are tuned",
            "Alert on blocked-request spikes",
        ],
        evidence=[
            input_evidence("security.data_classification", security.data_classification.value),
            input_evidence("security.required_controls", [c.value for c in security.required_controls]),
        ],
        best_practices=("SEC05-BP03", "SEC05-BP01"),
        provider=a.provider.value,
        services=[products.waf, products.ddos],
        regions=[a.primary],
    )
