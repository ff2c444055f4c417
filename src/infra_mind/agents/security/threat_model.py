"""The threat model: each catalog threat of each design component, rated before any mitigation (OWASP risk
rating), with today's controls and with the planned ones."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from infra_mind.agents.security.components import DesignComponent
from infra_mind.domain.enums import DataType, Level
from infra_mind.domain.findings import Severity
from infra_mind.domain.outputs.security import ComponentThreats, ThreatAssessment
from infra_mind.domain.requirements import DataClassification, Security
from infra_mind.knowledge.threats import Capability, ImpactBasis, Threat, ThreatCatalog

ASCENDING = (Level.LOW, Level.MEDIUM, Level.HIGH)
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
LEVEL_ORDER = (Level.HIGH, Level.MEDIUM, Level.LOW)

OVERALL: dict[tuple[Level, Level], Severity] = {
    (Level.LOW, Level.LOW): Severity.INFO,
    (Level.MEDIUM, Level.LOW): Severity.LOW,
    (Level.HIGH, Level.LOW): Severity.MEDIUM,
    (Level.LOW, Level.MEDIUM): Severity.LOW,
    (Level.MEDIUM, Level.MEDIUM): Severity.MEDIUM,
    (Level.HIGH, Level.MEDIUM): Severity.HIGH,
    (Level.LOW, Level.HIGH): Severity.MEDIUM,
    (Level.MEDIUM, Level.HIGH): Severity.HIGH,
    (Level.HIGH, Level.HIGH): Severity.CRITICAL,
}
"""OWASP Risk Rating Methodology: overall severity of (likelihood, impact); 'note' is Severity.INFO."""

RESIDUAL = {
    Severity.CRITICAL: Level.HIGH,
    Severity.HIGH: Level.HIGH,
    Severity.MEDIUM: Level.MEDIUM,
    Severity.LOW: Level.LOW,
    Severity.INFO: Level.LOW,
}
CLASSIFICATION_IMPACT = {
    DataClassification.PUBLIC: Level.LOW,
    DataClassification.INTERNAL: Level.MEDIUM,
    DataClassification.CONFIDENTIAL: Level.HIGH,
    DataClassification.RESTRICTED: Level.HIGH,
}
HIGH_IMPACT_TYPES = frozenset(
    {
        DataType.HEALTH,
        DataType.PAYMENT_CARD,
        DataType.FINANCIAL,
        DataType.GOVERNMENT,
        DataType.CHILDREN,
        DataType.BIOMETRIC,
    }
)


def overall(likelihood: Level, impact: Level) -> Severity:
    return OVERALL[(likelihood, impact)]


def mitigated_likelihood(
    likelihood: Level, mitigated_by: Collection[Capability], have: set[Capability]
) -> Level:
    """Low when every mitigation is in place, one level lower when some are, unchanged when none are."""
    covered = sum(1 for c in mitigated_by if c in have)
    if not mitigated_by or covered == 0:
        return likelihood
    if covered == len(mitigated_by):
        return Level.LOW
    return ASCENDING[max(ASCENDING.index(likelihood) - 1, 0)]


def data_impact(security: Security) -> tuple[Level, str]:
    """How bad a breach of the company's data is, and why."""
    high_types = [t.value for t in security.data_types if t in HIGH_IMPACT_TYPES]
    if high_types:
        return Level.HIGH, f"data types {', '.join(high_types)}"
    level = CLASSIFICATION_IMPACT[security.data_classification]
    if DataType.PERSONAL in security.data_types and level is Level.LOW:
        return Level.MEDIUM, "personal data"
    return level, f"data classified {security.data_classification.value}"


@dataclass(frozen=True)
class Rated:
    """One threat on one component, with the catalog record it came from."""

    threat: Threat
    component: DesignComponent
    assessment: ThreatAssessment


class ThreatModel:
    def __init__(
        self,
        catalog: ThreatCatalog,
        security: Security,
        existing: set[Capability],
        planned: set[Capability],
    ) -> None:
        self._catalog = catalog
        self._existing = existing
        self._planned = planned
        self._data_impact = data_impact(security)

    def rate(self, components: list[DesignComponent]) -> list[Rated]:
        return [
            Rated(threat, component, self._assess(threat, component))
            for component in components
            for threat in self._catalog.threats(component.kind)
        ]

    def _assess(self, t: Threat, component: DesignComponent) -> ThreatAssessment:
        impact, basis = self._impact(t, component)
        mitigated_by = t.mitigated_by
        now = mitigated_likelihood(t.likelihood, mitigated_by, self._existing)
        planned = mitigated_likelihood(t.likelihood, mitigated_by, self._planned)
        return ThreatAssessment(
            id=t.id,
            title=t.title,
            stride=[s.value for s in t.stride],
            owasp_llm=t.owasp_llm,
            techniques=list(t.techniques),
            mitigations=list(t.mitigations),
            mitigated_by=[c.value for c in mitigated_by],
            open_now=[c.value for c in mitigated_by if c not in self._existing],
            open_planned=[c.value for c in mitigated_by if c not in self._planned],
            likelihood=t.likelihood.value,
            impact=impact.value,
            impact_basis=basis,
            inherent=overall(t.likelihood, impact).value,
            residual_now=RESIDUAL[overall(now, impact)].value,
            residual_planned=RESIDUAL[overall(planned, impact)].value,
            source=t.source,
            as_of=t.as_of,
            estimate=t.estimate,
        )

    def _impact(self, t: Threat, component: DesignComponent) -> tuple[Level, str]:
        catalog = f"catalog rating {t.impact.value}"
        if t.impact_basis is ImpactBasis.DATA:
            level, why = self._data_impact
            if ASCENDING.index(level) > ASCENDING.index(t.impact):
                return level, f"raised to {level.value} by {why}"
            return t.impact, f"{catalog} ({why})"
        if t.impact_basis is ImpactBasis.CRITICALITY and component.mission_critical:
            return Level.HIGH, f"raised to high: {', '.join(component.mission_critical)} mission critical"
        return t.impact, catalog


def component_threats(component: DesignComponent, rated: list[Rated]) -> ComponentThreats:
    return ComponentThreats(
        component=component.kind.value,
        name=component.name,
        services=component.services,
        workloads=component.workloads,
        regions=component.regions,
        threats=[r.assessment for r in rated if r.component is component],
    )


def worst_by_threat(rated: list[Rated]) -> list[Rated]:
    """One entry per threat ID (its worst component), highest residual first, then inherent severity."""
    best: dict[str, Rated] = {}
    for r in sorted(rated, key=_rank):
        best.setdefault(r.threat.id, r)
    return sorted(best.values(), key=_rank)


def _rank(r: Rated) -> tuple[int, int, int, str]:
    a = r.assessment
    return (
        LEVEL_ORDER.index(Level(a.residual_planned)),
        SEVERITY_ORDER.index(Severity(a.inherent)),
        LEVEL_ORDER.index(Level(a.residual_now)),
        a.id,
    )
