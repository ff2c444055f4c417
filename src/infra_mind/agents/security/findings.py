"""Findings: the required controls, the gaps, the threats of each component, AI scope and budget."""

from __future__ import annotations

from collections import Counter

from infra_mind.agents.evidence import input_evidence
from infra_mind.agents.security.analysis import Analysis
from infra_mind.agents.security.components import AI_KINDS, DesignComponent
from infra_mind.agents.security.sources import (
    reference_evidence,
    rule_evidence,
    service_evidence,
    threat_evidence,
)
from infra_mind.agents.security.threat_model import SEVERITY_ORDER, Rated
from infra_mind.domain.enums import Level
from infra_mind.domain.findings import Evidence, Finding, Severity
from infra_mind.domain.outputs.security import ThreatAssessment
from infra_mind.knowledge.threats import Billing, ThreatCatalog

RESIDUAL_SEVERITY = {Level.HIGH: Severity.HIGH, Level.MEDIUM: Severity.MEDIUM, Level.LOW: Severity.LOW}
MAX_LISTED = 8


def findings(a: Analysis, catalog: ThreatCatalog) -> list[Finding]:
    method = [ref for ref_id in ("owasp_risk_rating", "rating_model") if (ref := catalog.reference(ref_id))]
    found = [_controls(a), _gaps(a), _threat_summary(a, [reference_evidence(ref) for ref in method])]
    found += [_component(c, a.rated) for c in a.components]
    found.append(_ai_scope(a))
    if a.over_budget:
        found.append(_budget(a))
    return found


def _security_inputs(a: Analysis) -> list[Evidence]:
    security = a.ctx.requirements.security
    return [
        input_evidence(
            "security.required_controls", ", ".join(c.value for c in security.required_controls) or "none"
        ),
        input_evidence(
            "security.existing_controls", ", ".join(c.value for c in security.existing_controls) or "none"
        ),
        input_evidence("security.data_classification", security.data_classification.value),
        input_evidence("security.data_types", ", ".join(t.value for t in security.data_types) or "none"),
    ]


def _controls(a: Analysis) -> Finding:
    requested = sum(n.requested for n in a.needs)
    by_data = sum(bool(n.rules) for n in a.needs)
    safeguards = [n.capability.value for n in a.needs if not n.is_control]
    rules = list({r.id: r for n in a.needs for r in n.rules}.values())
    return Finding(
        id="security-controls",
        title=f"The design needs {len(a.needs)} controls and safeguards: {requested} requested, "
        f"{by_data} required by the data's classification or types",
        detail="; ".join(
            f"{n.capability.value}{_state(n.in_place)}: " + ", ".join([*n.design, *(r.id for r in n.rules)])
            for n in a.needs
        )
        + (f". Safeguards the input cannot confirm: {', '.join(safeguards)}" if safeguards else ""),
        evidence=[*_security_inputs(a), *(rule_evidence(r) for r in rules)],
    )


def _state(in_place: bool | None) -> str:
    return {True: " (in place)", False: " (missing)", None: " (not stated)"}[in_place]


def _gaps(a: Analysis) -> Finding:
    if not a.gaps:
        return Finding(
            id="security-gaps",
            title="No control gaps: every required and baseline control is in place",
            detail="each control the design needs is listed in security.existing_controls",
            evidence=_security_inputs(a)[:2],
        )
    counts = Counter(g.severity for g in a.gaps)
    worst = min((Severity(g.severity) for g in a.gaps), key=SEVERITY_ORDER.index)
    return Finding(
        id="security-gaps",
        title=f"{len(a.gaps)} control gap(s): "
        + ", ".join(f"{counts[s.value]} {s.value}" for s in SEVERITY_ORDER if counts[s.value]),
        severity=worst,
        detail="; ".join(
            f"{g.control} ({g.severity}: {g.basis}) — mitigates {len(g.mitigates)} threat(s)"
            + (f"; {', '.join(g.services)}" if g.services else "")
            for g in a.gaps
        ),
        evidence=_security_inputs(a)[:2],
    )


def _threat_summary(a: Analysis, method: list[Evidence]) -> Finding:
    now = Counter(r.assessment.residual_now for r in a.rated)
    planned = Counter(r.assessment.residual_planned for r in a.rated)
    levels = [lvl.value for lvl in (Level.HIGH, Level.MEDIUM, Level.LOW)]
    worst = next((Level(v) for v in levels if planned[v]), Level.LOW)
    return Finding(
        id="threat-model",
        title=f"{len(a.rated)} threat(s) on {len(a.components)} component(s) of the {a.provider.value} "
        f"design: {planned['high']} high residual risk after the planned controls ({now['high']} today)",
        severity=RESIDUAL_SEVERITY[worst],
        detail="residual today "
        + " / ".join(f"{now[v]} {v}" for v in levels)
        + "; with the planned controls "
        + " / ".join(f"{planned[v]} {v}" for v in levels)
        + ". Ratings follow the OWASP risk rating matrix; likelihood drops one level when some mitigations "
        "are in place and to low when all are",
        evidence=method,
    )


def _component(component: DesignComponent, rated: list[Rated]) -> Finding:
    mine = [r for r in rated if r.component is component]
    planned = Counter(r.assessment.residual_planned for r in mine)
    worst = next((lvl for lvl in (Level.HIGH, Level.MEDIUM, Level.LOW) if planned[lvl.value]), Level.LOW)
    listed = sorted(mine, key=lambda r: (Level(r.assessment.residual_planned) is not worst, r.threat.id))
    listed = listed[:MAX_LISTED]
    return Finding(
        id=f"threats-{component.kind.value}",
        title=f"{component.name}: {len(mine)} threat(s), {planned['high']} high and "
        f"{planned['medium']} medium residual after the planned controls",
        severity=RESIDUAL_SEVERITY[worst],
        detail=f"services: {', '.join(component.services) or 'none'}"
        + (f"; workloads: {', '.join(component.workloads)}" if component.workloads else "")
        + "; "
        + "; ".join(_threat_line(r.assessment) for r in listed),
        evidence=[threat_evidence(r.threat) for r in listed],
    )


def _threat_line(t: ThreatAssessment) -> str:
    ids = ", ".join(filter(None, [t.owasp_llm, *t.techniques])) or f"STRIDE {t.stride[0]}"
    still_open = f", still open: {', '.join(t.open_planned)}" if t.open_planned else ""
    return (
        f"{t.id} ({ids}): inherent {t.inherent}, residual {t.residual_now} now → {t.residual_planned} planned"
        + still_open
    )


def _ai_scope(a: Analysis) -> Finding:
    ai = [c for c in a.components if c.kind in AI_KINDS]
    if not ai:
        return Finding(
            id="security-ai-scope",
            title="No ML or LLM component: no AI-specific threat applies",
            detail="the design has no model serving, training or LLM feature, so the OWASP Top 10 for LLM "
            "applications and MITRE ATLAS threats are out of scope",
            evidence=[
                input_evidence(
                    "workloads[].type", ", ".join(sorted({w.type for w in a.ctx.requirements.workloads}))
                )
            ],
        )
    llm = sum(1 for r in a.rated if r.component in ai and r.threat.owasp_llm)
    return Finding(
        id="security-ai-scope",
        title=f"{len(ai)} AI component(s) in scope: {', '.join(c.name for c in ai)}",
        detail=f"{llm} threat(s) carry an OWASP Top 10 for LLM applications ID; the others map to MITRE "
        "ATLAS techniques",
    )


def _budget(a: Analysis) -> Finding:
    included = [s for found in a.services.values() for s in found if s.billing is Billing.INCLUDED]
    paid = [
        capability.value
        for capability, found in a.services.items()
        if found and all(s.billing is not Billing.INCLUDED for s in found)
    ]
    return Finding(
        id="security-budget",
        title="The plan is over the budget ceiling: security services are proposed at no extra charge "
        "where the provider offers one",
        severity=Severity.MEDIUM,
        detail=f"{a.budget.note}. {len(included)} proposed service(s) carry no extra charge: "
        + ", ".join(dict.fromkeys(s.service for s in included))
        + (f"; {', '.join(paid)} need paid services that are not in the priced plan" if paid else ""),
        evidence=[
            input_evidence("budget.monthly_limit_usd", a.ctx.requirements.budget.monthly_limit_usd),
            *(service_evidence(s) for s in included),
        ],
    )
