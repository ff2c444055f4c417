"""infrastructure: topology, HA/DR from uptime and RTO/RPO, autoscaling, capacity plan and Terraform."""

from __future__ import annotations

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.infrastructure.analysis import Analysis, analyse
from infra_mind.agents.infrastructure.findings import findings
from infra_mind.agents.infrastructure.recommendations import recommendations
from infra_mind.agents.infrastructure.resilience import format_pct
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.knowledge.catalog import Knowledge


class InfrastructureAgent(Agent):
    name = "infrastructure"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        plan = priced_plan(ctx, self._k)
        await progress(40, f"designing on {plan.provider or 'no provider'}")
        analysis = analyse(ctx, self._k, plan)
        if analysis is None:
            return AgentReport(summary="No provider could be priced, so no infrastructure was designed.")
        await progress(90, f"{analysis.recovery.strategy.strategy.value} DR, Terraform generated")
        return AgentReport(
            summary=_summary(analysis),
            findings=findings(analysis),
            recommendations=recommendations(analysis, self._k, self.name),
            output=analysis.output,
        )


def _summary(a: Analysis) -> str:
    dr = a.output.disaster_recovery
    regions = a.primary + (f" + {a.recovery.secondary}" if a.recovery.secondary else "")
    uptime = "no always-on part" if dr.design_uptime_pct is None else f"{format_pct(dr.design_uptime_pct)} %"
    return (
        f"{a.provider.value.upper()} in {regions}, {a.design.zones} zone(s), {dr.strategy} DR "
        f"(${a.dr_cost_usd:,.2f}/month); design uptime {uptime} against "
        f"{dr.target_uptime_pct:g} %; {len(a.policies)} autoscaled workload(s)"
    )
