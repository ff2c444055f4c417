"""Evidence from the threat catalog: threats, provider services, data rules and method references."""

from __future__ import annotations

from infra_mind.agents.compliance.sources import control_evidence
from infra_mind.agents.evidence import record_evidence
from infra_mind.domain.enums import Framework
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.threats import ControlService, DataRule, Reference, Threat


def threat_evidence(t: Threat) -> Evidence:
    labels = [s.value.replace("_", " ") for s in t.stride]
    ids = [i for i in (t.owasp_llm, *t.techniques) if i]
    detail = f"{t.title} (STRIDE: {', '.join(labels)}" + (f"; {', '.join(ids)}" if ids else "") + ")"
    if t.estimate:
        detail += f" [estimate: {t.estimate}]"
    return record_evidence(t, EvidenceKind.CATALOG_RECORD, f"threat:{t.id}", detail)


def service_evidence(s: ControlService) -> Evidence:
    billing = f" [{s.billing.value}]" if s.billing else ""
    return record_evidence(
        s,
        EvidenceKind.CATALOG_RECORD,
        f"service:{s.provider.value}:{s.capability.value}",
        f"{s.service}: {s.role}{billing}",
    )


def rule_evidence(rule: DataRule) -> Evidence:
    return record_evidence(
        rule,
        EvidenceKind.CATALOG_RECORD,
        f"data-rule:{rule.id}",
        f"{rule.trigger} needs {', '.join(c.value for c in rule.capabilities)}: {rule.rationale}",
    )


def reference_evidence(ref: Reference) -> Evidence:
    kind = EvidenceKind.ASSUMPTION if ref.estimate else EvidenceKind.CATALOG_RECORD
    detail = ref.title + (f" [estimate: {ref.estimate}]" if ref.estimate else "")
    return record_evidence(ref, kind, f"method:{ref.id}", detail)


def cited_control_evidence(knowledge: Knowledge, rule: DataRule) -> list[Evidence]:
    """The compliance-catalog controls a data rule rests on."""
    evidence = []
    for cite in rule.cites:
        framework, control_id = cite.split(":", 1)
        control = next(
            (c for c in knowledge.controls(Framework(framework)) if c.control_id == control_id), None
        )
        if control is not None:
            evidence.append(control_evidence(control))
    return evidence
