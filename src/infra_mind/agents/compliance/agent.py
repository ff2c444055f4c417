"""compliance: applicable frameworks, control-level gaps, residency, service eligibility, audit evidence."""

from __future__ import annotations

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.compliance.advice import ComplianceAdvisor
from infra_mind.agents.compliance.closers import with_closers
from infra_mind.agents.compliance.design import audit_evidence, design_controls, framework_status, label
from infra_mind.agents.compliance.eligibility import checked_frameworks, eligibility_checks
from infra_mind.agents.compliance.placement import PlacementChecker
from infra_mind.agents.compliance.report import (
    applicability_finding,
    coverage_finding,
    design_finding,
    eligibility_findings,
    placement_findings,
)
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework, SecurityControl
from infra_mind.domain.outputs import ComplianceOutput
from infra_mind.domain.outputs.compliance import EligibilityCheck, FrameworkStatus, PlacementFlag
from infra_mind.knowledge.catalog import Knowledge


class ComplianceAgent(Agent):
    name = "compliance"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        catalog = {f: self._k.controls(f) for f in ctx.framework_ids}
        await progress(10, f"checking {len(catalog)} framework(s)")
        design = design_controls(ctx, catalog)
        design_set = {SecurityControl(d.control) for d in design}
        existing = set(ctx.requirements.security.existing_controls)
        statuses = [
            framework_status(f, catalog[f.framework], existing, design_set)
            for f in ctx.constraints.frameworks
        ]
        plan = priced_plan(ctx, self._k)
        await progress(60, f"checking placement and service eligibility of {len(plan.quotes)} quote(s)")
        statuses = [
            with_closers(s, catalog[Framework(s.framework)], self._k, plan.provider) for s in statuses
        ]
        flags = PlacementChecker(ctx, self._k).check(plan)
        checks = eligibility_checks(plan, checked_frameworks(ctx.framework_ids), self._k)
        groups = audit_evidence(statuses)
        output = ComplianceOutput(
            frameworks=statuses,
            placement=flags,
            design_controls=design,
            eligibility=checks,
            evidence_by_framework=groups,
            audit_evidence=list(dict.fromkeys(item.item for group in groups for item in group.items)),
        )
        findings = [
            applicability_finding(ctx),
            design_finding(design),
            *(coverage_finding(s, catalog) for s in statuses),
            *placement_findings(flags, plan.provider),
            *eligibility_findings(checks),
        ]
        advisor = ComplianceAdvisor(ctx, self._k, self.name, catalog, design_set, plan)
        return AgentReport(
            summary=_summary(statuses, flags, checks),
            findings=findings,
            output=output,
            recommendations=advisor.recommendations(statuses, flags, checks),
        )


def _summary(
    statuses: list[FrameworkStatus], flags: list[PlacementFlag], checks: list[EligibilityCheck]
) -> str:
    if not statuses:
        coverage = "No compliance framework applies"
    else:
        coverage = "; ".join(
            f"{label(s.framework)}: {s.met_now}/{s.controls_total} controls met now, "
            f"{s.met_by_design}/{s.controls_total} by design"
            for s in statuses
        )
    blocked = sum(1 for f in flags if not f.allowed or f.severity in {"critical", "high"})
    ineligible = sum(1 for c in checks if c.not_eligible)
    return f"{coverage}; {blocked} placement problem(s), {ineligible} ineligible product kind(s)."
