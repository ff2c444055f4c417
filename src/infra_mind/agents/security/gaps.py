"""Control gaps by severity, and the provider services that implement each control."""

from __future__ import annotations

from infra_mind.agents.security.needs import Need
from infra_mind.agents.security.threat_model import SEVERITY_ORDER, Rated
from infra_mind.domain.findings import Severity
from infra_mind.domain.outputs.security import ControlGap, ProviderService
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.threats import Billing, Capability, ControlService, ThreatCatalog

GAP_LEVELS = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def gap_severity(need: Need, mitigated: list[Rated]) -> tuple[Severity, str]:
    """High when requested or required by the data, medium as a baseline; one level up when it mitigates a
    critical threat of this design, one down when it mitigates none."""
    why = "requested" if need.requested else ""
    if need.rules:
        why = " and ".join(filter(None, [why, f"required by {', '.join(r.id for r in need.rules)}"]))
    level = GAP_LEVELS.index(Severity.HIGH if why else Severity.MEDIUM)
    basis = why or "baseline of the recommended design"
    worst = min((Severity(r.assessment.inherent) for r in mitigated), key=SEVERITY_ORDER.index, default=None)
    if worst is Severity.CRITICAL:
        level -= 1
        basis += "; raised: it mitigates a critical threat of this design"
    elif worst is None:
        level += 1
        basis += "; lowered: no threat of this design depends on it"
    return GAP_LEVELS[min(max(level, 0), len(GAP_LEVELS) - 1)], basis


def control_gaps(
    needs: list[Need], mitigating: dict[Capability, list[Rated]], services: dict[Capability, list[str]]
) -> list[ControlGap]:
    """Most severe first; within a severity, in the order of the needs."""
    gaps = []
    for need in needs:
        if not need.gap:
            continue
        mitigated = mitigating[need.capability]
        severity, basis = gap_severity(need, mitigated)
        gaps.append(
            ControlGap(
                control=need.capability.value,
                severity=severity.value,
                basis=basis,
                reasons=need.reasons,
                mitigates=list(dict.fromkeys(r.threat.id for r in mitigated)),
                services=services.get(need.capability, []),
            )
        )
    return sorted(gaps, key=lambda g: GAP_LEVELS.index(Severity(g.severity)))


def affordable(services: list[ControlService], over_budget: bool) -> list[ControlService]:
    """Over budget, the services that carry no extra charge come alone when there are any."""
    if not over_budget:
        return services
    included = [s for s in services if s.billing is Billing.INCLUDED]
    return included or services


def service_output(s: ControlService) -> ProviderService:
    return ProviderService(
        provider=s.provider.value,
        service=s.service,
        role=s.role,
        billing=s.billing.value if s.billing else None,
        source=s.source,
        as_of=s.as_of,
    )


def services_by_capability(
    catalog: ThreatCatalog, provider: Provider, needs: list[Need], *, over_budget: bool
) -> dict[Capability, list[ControlService]]:
    return {n.capability: affordable(catalog.services(provider, n.capability), over_budget) for n in needs}
