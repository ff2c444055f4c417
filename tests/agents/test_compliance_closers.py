from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra_mind.agents.compliance import ComplianceAgent
from infra_mind.agents.compliance.closers import MAX_SERVICES, closing_capabilities
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework
from infra_mind.domain.outputs import ComplianceOutput
from infra_mind.domain.outputs.compliance import ControlGap
from infra_mind.knowledge.capabilities import Capability
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
from tests.agents.helpers import run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


async def test_every_gap_names_its_capabilities_and_the_chosen_providers_services(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await run_agent(ComplianceAgent(knowledge), make_context(healthtech), ComplianceOutput)

    provider = next(c.provider for c in output.eligibility if c.chosen)
    hipaa = next(s for s in output.frameworks if s.framework == "hipaa")
    assert hipaa.gaps
    for gap in hipaa.gaps:
        assert gap.capabilities
        assert 0 < len(gap.closing_services) <= MAX_SERVICES
    baa = next(g for g in hipaa.gaps if g.control_id == "164.308(b)(1)")
    assurance = [s.service for s in knowledge.services_for(Capability.PROVIDER_ASSURANCE, Provider(provider))]
    assert baa.capabilities == [Capability.PROVIDER_ASSURANCE.value]
    assert baa.closing_services == assurance[:MAX_SERVICES]
    actions = next(r for r in report.recommendations if r.key == "compliance:hipaa").actions
    assert any(a.startswith("164.308") and f"(with {assurance[0]}" in a for a in actions)


def test_the_capability_of_a_missing_control_comes_first(knowledge: Knowledge) -> None:
    control = next(c for c in knowledge.controls(Framework.ISO_27001) if c.control_id == "A.8.12")
    gap = ControlGap(
        framework="iso_27001",
        control_id=control.control_id,
        title=control.title,
        severity=control.severity.value,
        missing_controls=["dlp"],
        evidence_needed=list(control.evidence),
    )

    capabilities = closing_capabilities(gap, control)

    assert capabilities[0] is Capability.DATA_LOSS_PREVENTION
    assert len(capabilities) == len(set(capabilities))
    assert set(control.capabilities) <= set(capabilities)
