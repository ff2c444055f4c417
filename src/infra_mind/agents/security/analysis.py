"""The security analysis of one context: needs, design components, threat ratings, gaps and services."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.budget import monthly_check
from infra_mind.agents.plan import PricedPlan
from infra_mind.agents.security.components import DesignComponent, design_components
from infra_mind.agents.security.gaps import control_gaps, service_output, services_by_capability
from infra_mind.agents.security.needs import Need, capability_needs
from infra_mind.agents.security.threat_model import Rated, ThreatModel, component_threats, worst_by_threat
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Level
from infra_mind.domain.outputs.cloud import BudgetCheck
from infra_mind.domain.outputs.security import (
    ControlGap,
    ControlRequirement,
    MethodReference,
    SecurityOutput,
)
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.threats import Capability, ControlService, ThreatCatalog

TOP_THREATS = 5
METHOD = ("stride", "owasp_llm_top10", "mitre_attack", "mitre_atlas", "owasp_risk_rating", "rating_model")


@dataclass(frozen=True)
class Analysis:
    ctx: AssessmentContext
    provider: Provider
    budget: BudgetCheck
    needs: list[Need]
    components: list[DesignComponent]
    rated: list[Rated]
    mitigating: dict[Capability, list[Rated]]
    """The rated threats each capability mitigates."""
    gaps: list[ControlGap]
    services: dict[Capability, list[ControlService]]
    """The chosen provider's services per needed capability (only the included ones when over budget)."""
    top: list[Rated]
    output: SecurityOutput

    @property
    def over_budget(self) -> bool:
        return self.budget.status == "over_ceiling"


def analyse(
    ctx: AssessmentContext, knowledge: Knowledge, catalog: ThreatCatalog, plan: PricedPlan
) -> Analysis | None:
    option = plan.chosen_option
    if option is None:
        return None
    provider = Provider(option.provider)
    needs = capability_needs(ctx, knowledge, catalog)
    existing: set[Capability] = set(ctx.requirements.security.existing_controls)
    planned: set[Capability] = {n.capability for n in needs} | existing
    components = design_components(ctx, option)
    model = ThreatModel(catalog, ctx.requirements.security, existing, planned)
    rated = model.rate(components)
    mitigating = {n.capability: [r for r in rated if n.capability in r.threat.mitigated_by] for n in needs}
    budget = monthly_check(ctx, option.total)
    services = services_by_capability(catalog, provider, needs, over_budget=budget.status == "over_ceiling")
    gaps = control_gaps(needs, mitigating, {c: [s.service for s in found] for c, found in services.items()})
    top = [r for r in worst_by_threat(rated) if _actionable(r)][:TOP_THREATS]
    output = SecurityOutput(
        provider=provider.value,
        data_classification=ctx.requirements.security.data_classification.value,
        data_types=[t.value for t in ctx.requirements.security.data_types],
        controls=[_requirement(ctx, catalog, n, mitigating[n.capability]) for n in needs],
        gaps=gaps,
        components=[component_threats(c, rated) for c in components],
        top_threats=[r.threat.id for r in top],
        method=[
            MethodReference(id=ref.id, title=ref.title, source=ref.source, as_of=ref.as_of)
            for ref_id in METHOD
            if (ref := catalog.reference(ref_id)) is not None
        ],
    )
    return Analysis(
        ctx=ctx,
        provider=provider,
        budget=budget,
        needs=needs,
        components=components,
        rated=rated,
        mitigating=mitigating,
        gaps=gaps,
        services=services,
        top=top,
        output=output,
    )


def _actionable(r: Rated) -> bool:
    """High residual risk, or medium with a mitigation the plan still lacks."""
    residual = Level(r.assessment.residual_planned)
    return residual is Level.HIGH or (residual is Level.MEDIUM and bool(r.assessment.open_planned))


def _requirement(
    ctx: AssessmentContext, catalog: ThreatCatalog, need: Need, mitigated: list[Rated]
) -> ControlRequirement:
    return ControlRequirement(
        capability=need.capability.value,
        kind="control" if need.is_control else "safeguard",
        reasons=need.reasons,
        requested=need.requested,
        data_rules=[r.id for r in need.rules],
        in_place=need.in_place,
        mitigates=list(dict.fromkeys(r.threat.id for r in mitigated)),
        services=[
            service_output(s)
            for p in ctx.constraints.providers
            for s in catalog.services(Provider(p.value), need.capability)
        ],
    )
