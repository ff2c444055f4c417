"""Recommendations: missing controls, per-framework gap closure, residency pinning, provider agreements."""

from __future__ import annotations

from infra_mind.agents.compliance.design import LEVEL_ORDER, Catalog, cite, citing, highest, label
from infra_mind.agents.compliance.playbook import (
    AGREEMENTS,
    CONTROL_PLAYS,
    DATA_PROTECTION_BASICS,
    PROVIDER_NAMES,
    REGION_GUARDRAIL,
    Agreement,
)
from infra_mind.agents.compliance.sources import control_evidence, eligibility_evidence, region_evidence
from infra_mind.agents.evidence import Recommender, input_evidence
from infra_mind.agents.plan import PricedPlan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework, Level, Pillar, SecurityControl
from infra_mind.domain.findings import Evidence, EvidenceKind, Priority, Recommendation
from infra_mind.domain.outputs.compliance import EligibilityCheck, FrameworkStatus, PlacementFlag
from infra_mind.domain.requirements import CloudProvider, DataClassification, GoalCategory
from infra_mind.domain.requirements import Priority as GoalPriority
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.compliance_models import ComplianceControl
from infra_mind.knowledge.models import Provider

SENSITIVE = frozenset({DataClassification.CONFIDENTIAL, DataClassification.RESTRICTED})
PRIORITY_ORDER = (Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
IMPACT = {Level.HIGH: 5, Level.MEDIUM: 4, Level.LOW: 3}
GAP_EFFORT_BANDS = ((5, 2), (15, 3))
LARGE_GAP_EFFORT = 4
TOP_GAPS = 5
TOP_CLOSERS = 3
MAX_CONTROL_EVIDENCE = 6
FRAMEWORK_PRACTICES = ("SEC07-BP01", "SEC10-BP02")


class ComplianceAdvisor:
    def __init__(
        self,
        ctx: AssessmentContext,
        knowledge: Knowledge,
        agent: str,
        catalog: Catalog,
        design: set[SecurityControl],
        plan: PricedPlan,
    ) -> None:
        self._ctx = ctx
        self._k = knowledge
        self._rec = Recommender(knowledge, agent)
        self._catalog = catalog
        self._design = design
        self._plan = plan
        self._urgent = any(
            g.category is GoalCategory.SECURITY_COMPLIANCE and g.priority is GoalPriority.CRITICAL
            for g in ctx.requirements.goals
        )

    def recommendations(
        self, statuses: list[FrameworkStatus], flags: list[PlacementFlag], checks: list[EligibilityCheck]
    ) -> list[Recommendation]:
        recs = self._control_recs()
        recs += [
            rec for status in statuses if (rec := self._framework_rec(status, flags, checks)) is not None
        ]
        if self._ctx.constraints.residency:
            recs.append(self._residency_rec(flags))
        recs += [
            rec for agreement in AGREEMENTS if (rec := self._agreement_rec(agreement, checks)) is not None
        ]
        return recs

    def _audit_priority(self, level: Level) -> Priority:
        """A high-severity audit blocker is critical when a compliance goal is critical."""
        if level is Level.HIGH and self._urgent:
            return Priority.CRITICAL
        return Priority(level.value)

    def _control_recs(self) -> list[Recommendation]:
        security = self._ctx.requirements.security
        existing = set(security.existing_controls)
        sensitive = security.data_classification in SENSITIVE
        recs = []
        for control in SecurityControl:
            needed_by = citing(self._catalog, control)
            basic = sensitive and control in DATA_PROTECTION_BASICS
            if control not in existing and (needed_by or basic):
                recs.append(self._control_rec(control, needed_by, basic=basic))
        return recs

    def _control_rec(
        self, control: SecurityControl, needed_by: list[ComplianceControl], *, basic: bool
    ) -> Recommendation:
        security = self._ctx.requirements.security
        play = CONTROL_PLAYS[control]
        classification = security.data_classification
        default = Level.HIGH if classification is DataClassification.RESTRICTED else Level.MEDIUM
        level = highest(c.severity for c in needed_by) or default
        why = []
        if needed_by:
            why.append(
                f"required by {len(needed_by)} control(s) of the applicable frameworks ({cite(needed_by, 4)})"
            )
        if basic:
            why.append(f"data classified {classification.value} needs it whatever the framework")
        status = (
            "the recommended design includes it"
            if control in self._design
            else "the base design leaves it out, so these controls stay open until it is added"
        )
        evidence = [control_evidence(c) for c in _most_severe(needed_by)[:MAX_CONTROL_EVIDENCE]]
        evidence.append(
            input_evidence(
                "security.existing_controls", ", ".join(c.value for c in security.existing_controls) or "none"
            )
        )
        if basic:
            evidence.append(input_evidence("security.data_classification", classification.value))
        return self._rec.make(
            f"control:{control.value}",
            play.title,
            category="security",
            pillar=Pillar.SECURITY,
            priority=Priority(level.value),
            impact=IMPACT[level],
            effort=play.effort,
            confidence=0.9,
            rationale="; ".join(why) + f". It is not in security.existing_controls; {status}.",
            actions=list(play.actions),
            evidence=evidence,
            best_practices=play.best_practices,
            provider=self._plan.provider,
        )

    def _framework_rec(
        self, status: FrameworkStatus, flags: list[PlacementFlag], checks: list[EligibilityCheck]
    ) -> Recommendation | None:
        framework = Framework(status.framework)
        misplaced = [
            f
            for f in flags
            if f.framework == framework.value
            and f.provider == self._plan.provider
            and (not f.allowed or f.severity in {"critical", "high"})
        ]
        ineligible = [c for c in checks if c.chosen and framework.value in c.not_eligible]
        if not status.gaps and not misplaced and not ineligible:
            return None
        name = label(framework)
        procedural = sum(1 for g in status.gaps if g.procedural)
        level = highest(Level(g.severity) for g in status.gaps) or Level.MEDIUM
        flagged = [Priority(f.severity) for f in misplaced if f.severity != "info"]
        return self._rec.make(
            f"compliance:{framework.value}",
            f"Close the {len(status.gaps)} {name} gaps the design leaves "
            f"({procedural} need a documented process)",
            category="compliance",
            pillar=Pillar.SECURITY,
            priority=min([self._audit_priority(level), *flagged], key=PRIORITY_ORDER.index),
            impact=5 if status.declared or level is Level.HIGH else 4,
            effort=_gap_effort(len(status.gaps)),
            confidence=0.85,
            rationale=f"{name} applies: {'; '.join(status.reasons)}. {status.met_now} of "
            f"{status.controls_total} controls are met today and {status.met_by_design} once the "
            f"recommended design is built; the other {len(status.gaps)} need processes, evidence or "
            "controls beyond the design.",
            actions=_framework_actions(name, status, misplaced, ineligible),
            evidence=self._framework_evidence(framework, status),
            best_practices=FRAMEWORK_PRACTICES,
            provider=self._plan.provider,
        )

    def _framework_evidence(self, framework: Framework, status: FrameworkStatus) -> list[Evidence]:
        by_id = {c.control_id: c for c in self._catalog.get(framework, [])}
        evidence = [control_evidence(by_id[g.control_id]) for g in status.gaps[:MAX_CONTROL_EVIDENCE]]
        evidence.append(
            Evidence(
                kind=EvidenceKind.DERIVED,
                ref=f"coverage:{framework.value}",
                detail=f"{status.met_now}/{status.controls_total} controls met now, "
                f"{status.met_by_design}/{status.controls_total} by the recommended design",
            )
        )
        if status.declared:
            evidence.append(input_evidence("compliance.frameworks", framework.value))
        return evidence

    def _residency_rec(self, flags: list[PlacementFlag]) -> Recommendation:
        residency = sorted(self._ctx.constraints.residency)
        jurisdictions = ", ".join(residency)
        provider = self._plan.provider
        chosen = self._plan.chosen
        codes = (
            list(self._ctx.constraints.allowed_regions.get(CloudProvider(provider), ())) if provider else []
        )
        violations = [f for f in flags if f.rule == "residency" and f.provider == provider]
        actions = [
            "Deploy databases, object storage, volumes and backups only in "
            + (", ".join(codes) or jurisdictions),
            REGION_GUARDRAIL[Provider(provider)]
            if provider
            else "Deny every other region with an organisation-level policy",
            f"Keep replicas and backup copies inside {jurisdictions}",
            "List every data store with its region in the data-flow inventory for auditors",
        ]
        if chosen and any(line.kind == "cdn" for line in chosen.lines):
            actions.append("Serve only content outside the residency rule through the CDN")
        evidence = [input_evidence("compliance.data_residency", jurisdictions)]
        evidence += [
            region_evidence(r)
            for code in codes
            if provider and (r := self._k.region(Provider(provider), code)) is not None
        ]
        evidence += [
            control_evidence(c) for controls in self._catalog.values() for c in controls if c.residency
        ]
        rationale = (
            f"compliance.data_residency allows data only in {jurisdictions}; "
            + (
                f"{provider} has {len(codes)} catalogued region(s) there ({', '.join(codes)}). "
                if provider
                else "no provider could be priced. "
            )
            + (
                f"{len(violations)} proposed placement(s) break the rule."
                if violations
                else "The plan's regions respect it; pinning keeps later changes inside it."
            )
        )
        return self._rec.make(
            "residency:" + "+".join(residency),
            f"Pin every data store, replica and backup to {jurisdictions} regions",
            category="compliance",
            pillar=Pillar.SECURITY,
            priority=Priority.CRITICAL if violations else Priority.HIGH,
            impact=5,
            effort=2,
            confidence=0.9,
            rationale=rationale,
            actions=actions,
            evidence=evidence,
            best_practices=("SEC07-BP01",),
            provider=provider,
            regions=codes,
            services=sorted({line.service for line in chosen.lines}) if chosen else [],
        )

    def _agreement_rec(self, agreement: Agreement, checks: list[EligibilityCheck]) -> Recommendation | None:
        frameworks = [f for f in agreement.frameworks if f in self._catalog]
        controls = [c for f in frameworks for c in self._catalog[f] if c.control_id in agreement.control_ids]
        if not controls:
            return None
        provider = self._plan.provider
        chosen_checks = [c for c in checks if c.chosen]
        actions = [agreement.provider_action[Provider(provider)]] if provider else []
        evidence = [control_evidence(c) for c in controls]
        evidence += [e for f in frameworks if (e := eligibility_evidence(f, chosen_checks)) is not None]
        level = highest(c.severity for c in controls) or Level.MEDIUM
        return self._rec.make(
            agreement.key,
            agreement.title.format(
                provider=PROVIDER_NAMES[Provider(provider)] if provider else "each provider"
            ),
            category="compliance",
            pillar=Pillar.SECURITY,
            priority=self._audit_priority(level),
            impact=5,
            effort=agreement.effort,
            confidence=0.9,
            rationale=f"{' and '.join(label(f) for f in frameworks)}: {cite(controls)} call for a written "
            "agreement with every provider that handles the regulated data.",
            actions=[*actions, *agreement.actions],
            evidence=evidence,
            best_practices=("SEC07-BP01",),
            provider=provider,
            services=sorted({s for c in chosen_checks for s in c.services}),
        )


def _framework_actions(
    name: str, status: FrameworkStatus, misplaced: list[PlacementFlag], ineligible: list[EligibilityCheck]
) -> list[str]:
    """Placement and eligibility fixes first, then the most severe gaps, then the procedural work."""
    actions = [f"Resolve the placement of {f.subject} in {f.region}: {f.problem}" for f in misplaced]
    actions += [
        f"Keep {name}-scoped data off {', '.join(c.services)}: not in {c.provider}'s {name} scope "
        "according to the eligibility catalog"
        for c in ineligible
    ]
    for gap in status.gaps[:TOP_GAPS]:
        todo = (
            f"add {', '.join(gap.missing_controls)}"
            if gap.missing_controls
            else f"document the process and keep: {'; '.join(gap.evidence_needed)}"
        )
        closers = f" (with {', '.join(gap.closing_services[:TOP_CLOSERS])})" if gap.closing_services else ""
        actions.append(f"{gap.control_id} {gap.title}: {todo}{closers}")
    procedural = [g.control_id for g in status.gaps if g.procedural]
    if procedural:
        actions.append(
            f"Write, approve and evidence the procedures of the {len(procedural)} procedural controls "
            f"({', '.join(procedural)})"
        )
    return actions


def _most_severe(controls: list[ComplianceControl]) -> list[ComplianceControl]:
    return sorted(controls, key=lambda c: LEVEL_ORDER.index(c.severity))


def _gap_effort(gaps: int) -> int:
    return next((effort for limit, effort in GAP_EFFORT_BANDS if gaps <= limit), LARGE_GAP_EFFORT)
