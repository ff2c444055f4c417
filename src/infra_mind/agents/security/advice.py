"""Recommendations: close each control gap (key control:<control>, shared with the compliance agent), add
the safeguards the data calls for (safeguard:<name>) and reduce the top residual threats (threat:<id>)."""

from __future__ import annotations

from infra_mind.agents.compliance.playbook import CONTROL_PLAYS, ControlPlay
from infra_mind.agents.evidence import Recommender, input_evidence
from infra_mind.agents.security.analysis import Analysis
from infra_mind.agents.security.gaps import affordable, gap_severity
from infra_mind.agents.security.needs import Need
from infra_mind.agents.security.sources import (
    cited_control_evidence,
    reference_evidence,
    rule_evidence,
    service_evidence,
    threat_evidence,
)
from infra_mind.agents.security.threat_model import SEVERITY_ORDER, Rated, worst_by_threat
from infra_mind.domain.enums import Level, Pillar, SecurityControl
from infra_mind.domain.findings import Evidence, Priority, Recommendation, Severity
from infra_mind.domain.outputs.security import ControlGap
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.threats import (
    Billing,
    Capability,
    ControlService,
    ImpactBasis,
    Safeguard,
    ThreatCatalog,
)

SAFEGUARD_PLAYS = {
    Safeguard.CUSTOMER_MANAGED_KEYS: ControlPlay(
        "Encrypt sensitive data with customer-managed keys",
        2,
        ("SEC08-BP01", "SEC08-BP02"),
        (
            "Create customer-managed keys per data domain and environment, with yearly rotation",
            "Point database, object storage and backup encryption at those keys",
            "Limit key use to the service roles that need it and alert on key-policy changes",
        ),
    ),
    Safeguard.SECRETS_MANAGEMENT: ControlPlay(
        "Keep every secret in a secrets manager",
        2,
        ("SEC02-BP03",),
        (
            "Move database passwords, API keys and tokens into the secrets manager",
            "Rotate secrets automatically and scan repositories for leaked ones",
        ),
    ),
    Safeguard.WORKLOAD_IDENTITY: ControlPlay(
        "Give workloads and pipelines short-lived credentials",
        3,
        ("SEC02-BP02",),
        (
            "Bind each workload and pipeline to its own federated identity",
            "Delete long-lived access keys once federation works",
        ),
    ),
    Safeguard.IMMUTABLE_BACKUPS: ControlPlay(
        "Keep locked, isolated backup copies",
        2,
        ("REL09-BP02",),
        (
            "Copy backups to a separate account with write-once retention",
            "Test restores from the locked copies every quarter",
        ),
    ),
    Safeguard.LLM_GUARDRAILS: ControlPlay(
        "Screen LLM prompts and responses with guardrails",
        2,
        ("SEC05-BP03",),
        (
            "Apply the provider's prompt-attack and sensitive-information filters to every model call",
            "Log blocked prompts and review them for new attack patterns",
        ),
    ),
}
IMPACT = {Severity.CRITICAL: 5, Severity.HIGH: 5, Severity.MEDIUM: 4, Severity.LOW: 3}
RISK = {
    Severity.CRITICAL: Level.HIGH,
    Severity.HIGH: Level.HIGH,
    Severity.MEDIUM: Level.MEDIUM,
    Severity.LOW: Level.LOW,
}
LEVEL_IMPACT = {Level.HIGH: 5, Level.MEDIUM: 4, Level.LOW: 3}
MAX_THREATS_CITED = 3
CONTROL_CONFIDENCE = 0.85
SAFEGUARD_CONFIDENCE = 0.7
THREAT_CONFIDENCE = 0.7


class SecurityAdvisor:
    def __init__(self, a: Analysis, knowledge: Knowledge, catalog: ThreatCatalog, agent: str) -> None:
        self._a = a
        self._k = knowledge
        self._catalog = catalog
        self._rec = Recommender(knowledge, agent)

    def recommendations(self) -> list[Recommendation]:
        needs = {n.capability.value: n for n in self._a.needs}
        recs = [self._control_rec(gap, needs[gap.control]) for gap in self._a.gaps]
        recs += [self._safeguard_rec(n) for n in self._a.needs if not n.is_control]
        recs += [self._threat_rec(r) for r in self._a.top]
        return recs

    def _services(self, capability: Capability) -> list[ControlService]:
        return affordable(self._catalog.services(self._a.provider, capability), self._a.over_budget)

    def _budget_note(self, services: list[ControlService]) -> str:
        if not self._a.over_budget or not services:
            return ""
        if all(s.billing is Billing.INCLUDED for s in services):
            return " The plan is over budget, so only services at no extra charge are proposed."
        return " The plan is over budget and these services add cost the priced plan does not include."

    def _need_evidence(self, need: Need) -> list[Evidence]:
        evidence = [rule_evidence(r) for r in need.rules]
        evidence += [e for r in need.rules for e in cited_control_evidence(self._k, r)]
        return evidence

    def _threat_note(self, capability: Capability) -> tuple[str, list[Evidence]]:
        rated = worst_by_threat(self._a.mitigating[capability])
        if not rated:
            return "", []
        worst = sorted(rated, key=lambda r: SEVERITY_ORDER.index(Severity(r.assessment.inherent)))
        cited = worst[:MAX_THREATS_CITED]
        note = f" It mitigates {len(rated)} threat(s) of the design, the worst: " + "; ".join(
            f"{r.threat.title} ({r.assessment.inherent})" for r in cited
        )
        return note + ".", [threat_evidence(r.threat) for r in cited]

    def _control_rec(self, gap: ControlGap, need: Need) -> Recommendation:
        control = SecurityControl(gap.control)
        play = CONTROL_PLAYS[control]
        severity = Severity(gap.severity)
        services = self._services(control)
        threats, threat_evidence_ = self._threat_note(control)
        security = self._a.ctx.requirements.security
        return self._rec.make(
            f"control:{control.value}",
            play.title,
            category="security",
            pillar=Pillar.SECURITY,
            priority=Priority(severity.value),
            risk=RISK[severity],
            impact=IMPACT[severity],
            effort=play.effort,
            confidence=CONTROL_CONFIDENCE,
            rationale=f"{'; '.join(need.reasons)}. It is not in security.existing_controls ({gap.basis})."
            + threats
            + self._budget_note(services),
            actions=[*(_service_action(s) for s in services), *play.actions],
            evidence=[
                input_evidence(
                    "security.existing_controls",
                    ", ".join(c.value for c in security.existing_controls) or "none",
                ),
                *self._need_evidence(need),
                *(service_evidence(s) for s in services),
                *threat_evidence_,
            ],
            best_practices=play.best_practices,
            provider=self._a.provider.value,
            services=[s.service for s in services],
        )

    def _safeguard_rec(self, need: Need) -> Recommendation:
        safeguard = Safeguard(need.capability)
        play = SAFEGUARD_PLAYS[safeguard]
        severity, basis = gap_severity(need, self._a.mitigating[need.capability])
        services = self._services(safeguard)
        threats, threat_evidence_ = self._threat_note(safeguard)
        return self._rec.make(
            f"safeguard:{safeguard.value}",
            play.title,
            category="security",
            pillar=Pillar.SECURITY,
            priority=Priority(severity.value),
            risk=RISK[severity],
            impact=IMPACT[severity],
            effort=play.effort,
            confidence=SAFEGUARD_CONFIDENCE,
            rationale=f"{'; '.join(need.reasons)} ({basis}). The input has no field that says whether it "
            "is already in place, so confirm it or build it." + threats + self._budget_note(services),
            actions=[*(_service_action(s) for s in services), *play.actions],
            evidence=[
                *self._need_evidence(need),
                *(service_evidence(s) for s in services),
                *threat_evidence_,
            ],
            best_practices=play.best_practices,
            provider=self._a.provider.value,
            services=[s.service for s in services],
        )

    def _threat_rec(self, worst: Rated) -> Recommendation:
        t, a = worst.threat, worst.assessment
        where = [
            r.component.name + (f" ({', '.join(r.component.workloads)})" if r.component.workloads else "")
            for r in self._a.rated
            if r.threat.id == t.id
        ]
        open_capabilities = [c for c in t.mitigated_by if c.value in a.open_planned]
        services = [s for c in open_capabilities for s in self._services(c)]
        inherent = Severity(a.inherent)
        residual = Level(a.residual_planned)
        priority = Priority.HIGH if residual is Level.HIGH else Priority.MEDIUM
        if residual is Level.HIGH and inherent is Severity.CRITICAL:
            priority = Priority.CRITICAL
        still_open = (
            f"; still open after the plan: {', '.join(a.open_planned)}"
            if a.open_planned
            else "; every catalogued control is planned, the rest depends on the practices below"
        )
        return self._rec.make(
            f"threat:{t.id}",
            t.remedy,
            category="security",
            pillar=Pillar.SECURITY,
            priority=priority,
            risk=residual,
            impact=LEVEL_IMPACT[Level(a.impact)],
            effort=t.effort,
            confidence=THREAT_CONFIDENCE,
            rationale=f"{t.title} on {'; '.join(where)}: inherent risk {a.inherent} (likelihood "
            f"{a.likelihood}, impact {a.impact}: {a.impact_basis}); residual {a.residual_now} today and "
            f"{a.residual_planned} with the planned controls{still_open}." + self._budget_note(services),
            actions=[*(_service_action(s) for s in services), *t.mitigations],
            evidence=self._threat_evidence(worst, services),
            best_practices=t.best_practices,
            provider=self._a.provider.value,
            services=list(dict.fromkeys(s.service for s in services)),
        )

    def _threat_evidence(self, worst: Rated, services: list[ControlService]) -> list[Evidence]:
        t = worst.threat
        refs = ["stride", "rating_model"]
        if t.owasp_llm:
            refs.append("owasp_llm_top10")
        if any(i.startswith("AML.") for i in t.techniques):
            refs.append("mitre_atlas")
        if any(i.startswith("T") for i in t.techniques):
            refs.append("mitre_attack")
        evidence = [threat_evidence(t)]
        evidence += [reference_evidence(ref) for ref_id in refs if (ref := self._catalog.reference(ref_id))]
        if t.impact_basis is ImpactBasis.DATA:
            security = self._a.ctx.requirements.security
            evidence.append(
                input_evidence("security.data_classification", security.data_classification.value)
            )
        evidence += [service_evidence(s) for s in services]
        return evidence


def _service_action(s: ControlService) -> str:
    billing = {Billing.INCLUDED: " (no extra charge)", Billing.PAID: " (paid; not in the priced plan)"}
    return f"Use {s.service}: {s.role}" + (billing[s.billing] if s.billing else "")
