"""The controls and safeguards the design needs: the recommended architecture's control set (shared with
the compliance agent), the requested controls, and the rules for the data's classification and types."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra_mind.agents.compliance.design import design_controls
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import SecurityControl
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.threats import Capability, DataRule, Safeguard, ThreatCatalog

ORDER: tuple[Capability, ...] = (*SecurityControl, *Safeguard)


@dataclass
class Need:
    capability: Capability
    requested: bool
    in_place: bool | None
    """None for safeguards: the input has no field that says whether they are in place."""
    design: list[str] = field(default_factory=list)
    """Why the recommended architecture includes it (shared with the compliance agent)."""
    rules: list[DataRule] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [*self.design, *(f"{r.trigger}: {r.rationale}" for r in self.rules)]

    @property
    def is_control(self) -> bool:
        return isinstance(self.capability, SecurityControl)

    @property
    def gap(self) -> bool:
        return self.in_place is False


def capability_needs(ctx: AssessmentContext, knowledge: Knowledge, catalog: ThreatCatalog) -> list[Need]:
    security = ctx.requirements.security
    requested = set(security.required_controls)
    existing = set(security.existing_controls)
    frameworks = {f: knowledge.controls(f) for f in ctx.framework_ids}
    needs: dict[Capability, Need] = {}

    def need(capability: Capability) -> Need:
        if capability not in needs:
            control = isinstance(capability, SecurityControl)
            needs[capability] = Need(
                capability, capability in requested, (capability in existing) if control else None
            )
        return needs[capability]

    for design in design_controls(ctx, frameworks):
        need(SecurityControl(design.control)).design.extend(design.reasons)
    for rule in catalog.rules(security.data_classification, security.data_types):
        for capability in rule.capabilities:
            need(capability).rules.append(rule)
    return sorted(needs.values(), key=lambda n: ORDER.index(n.capability))
