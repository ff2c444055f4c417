"""What closes each control gap: the capabilities it needs and the recommended provider's services."""

from __future__ import annotations

from infra_mind.domain.enums import SecurityControl
from infra_mind.domain.outputs.compliance import ControlGap, FrameworkStatus
from infra_mind.knowledge.capabilities import CAPABILITY_OF, Capability
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.compliance_models import ComplianceControl
from infra_mind.knowledge.models import Provider

MAX_SERVICES = 6


def with_closers(
    status: FrameworkStatus, controls: list[ComplianceControl], knowledge: Knowledge, provider: str | None
) -> FrameworkStatus:
    by_id = {c.control_id: c for c in controls}
    gaps = [_closed(gap, by_id[gap.control_id], knowledge, provider) for gap in status.gaps]
    return status.model_copy(update={"gaps": gaps})


def _closed(
    gap: ControlGap, control: ComplianceControl, knowledge: Knowledge, provider: str | None
) -> ControlGap:
    capabilities = closing_capabilities(gap, control)
    services = (
        [s.service for c in capabilities for s in knowledge.services_for(c, Provider(provider))]
        if provider
        else []
    )
    return gap.model_copy(
        update={
            "capabilities": [c.value for c in capabilities],
            "closing_services": list(dict.fromkeys(services))[:MAX_SERVICES],
        }
    )


def closing_capabilities(gap: ControlGap, control: ComplianceControl) -> list[Capability]:
    """The capabilities of the security controls the design lacks come first, then the control's others."""
    missing = [CAPABILITY_OF[SecurityControl(m)] for m in gap.missing_controls]
    return list(dict.fromkeys([*missing, *control.capabilities]))
