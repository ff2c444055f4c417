"""security: controls from the requirements and the data, a threat model of the proposed design per
component, gaps by severity and the provider services that implement each control."""

from __future__ import annotations

import structlog

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.security.advice import SecurityAdvisor
from infra_mind.agents.security.analysis import Analysis, analyse
from infra_mind.agents.security.findings import findings
from infra_mind.domain.context import AssessmentContext
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.threats import ThreatCatalog

log = structlog.get_logger(__name__)


class SecurityAgent(Agent):
    name = "security"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge, threats: ThreatCatalog) -> None:
        self._k = knowledge
        self._threats = threats

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        plan = priced_plan(ctx, self._k)
        await progress(30, f"threat-modelling the {plan.provider or 'unpriced'} design")
        analysis = analyse(ctx, self._k, self._threats, plan)
        if analysis is None:
            return AgentReport(summary="No provider could be priced, so no design was threat-modelled.")
        log.debug("security analysed", provider=analysis.provider.value, threats=len(analysis.rated))
        await progress(90, f"{len(analysis.rated)} threats rated, {len(analysis.gaps)} control gap(s)")
        return AgentReport(
            summary=_summary(analysis),
            findings=findings(analysis, self._threats),
            recommendations=SecurityAdvisor(analysis, self._k, self._threats, self.name).recommendations(),
            output=analysis.output,
        )


def _summary(analysis: Analysis) -> str:
    high_now = sum(r.assessment.residual_now == "high" for r in analysis.rated)
    high_planned = sum(r.assessment.residual_planned == "high" for r in analysis.rated)
    severe = sum(g.severity in {"critical", "high"} for g in analysis.gaps)
    return (
        f"{len(analysis.rated)} threats across {len(analysis.components)} components of the "
        f"{analysis.provider.value.upper()} design: {high_now} high residual risk(s) today, "
        f"{high_planned} with the planned controls; {len(analysis.gaps)} control gap(s), {severe} critical "
        "or high."
    )
